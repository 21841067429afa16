// Rollouts end to end on real processes: etcd, `drover server`, two `drover agent`s, raw_exec tasks serving
// HTTP (python3 -m http.server) with http checks. Sampled every 200 ms: a 5-instance service updated with
// maxParallel 2 never has fewer than 3 healthy allocations; a canary update waits for `drover deployment
// promote`, then completes; a version whose task exits 1 is reverted automatically, never below 3 healthy;
// `drover rollout status` exits 0 on success and 1 on the failed one.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Allocation, Deployment, Evaluation, Job } from '../../api/schemas/index.ts';
import { isLive } from '../../api/schemas/allocation-state.ts';
import { etcdAvailable } from '../support/etcd.ts';
import { allocsOf, applyJob, startCluster, until, type Cluster } from './cluster.ts';
import { job } from './jobs.ts';
import { E2E_ADMIN_TOKEN, runDrover } from './processes.ts';
import { Kubectl } from '../support/kubectl.ts';
import { existsSync } from 'node:fs';

const KUBECTL = ['/usr/bin/kubectl', '/usr/lib/google-cloud-sdk/bin/kubectl'].find((p) => existsSync(p));

const SKIP = etcdAvailable() ? undefined : 'needs etcd (see test/support); set CI=true to make this a failure';
const options = process.env.CI === 'true' || !SKIP ? {} : { skip: SKIP };

const COUNT = 5;
const MAX_PARALLEL = 2;

/** The service: COUNT http servers on dynamic ports, checked every 500 ms; `broken` versions exit 1 at once. */
function rollJob(version: string, o: { canary?: number; broken?: boolean } = {}): Job {
  const script = o.broken ? 'exit 1' : 'exec python3 -m http.server "$DROVER_PORT_http"';
  return job('roll', {
    type: 'service',
    update: { maxParallel: MAX_PARALLEL, canary: o.canary ?? 0, minHealthyTime: '1s', healthyDeadline: '20s', progressDeadline: '15s', autoRevert: true },
    groups: [{
      name: 'web', count: COUNT, network: { ports: [{ label: 'http' }] },
      restart: { attempts: 0, mode: 'fail' },
      reschedule: { delay: '1s', delayFunction: 'constant', unlimited: true },
      tasks: [{
        name: 'srv', driver: 'raw_exec', config: { command: '/bin/sh', args: ['-c', script] }, env: { VERSION: version },
        resources: { cpu: 50, memoryMB: 32 },
        services: [{ name: 'roll', portLabel: 'http', checks: [{ name: 'index', type: 'http', path: '/', interval: '500ms', timeout: '2s' }] }],
      }],
    }],
  });
}

describe('rollouts on a real server and two agents', { ...options, timeout: 600_000 }, () => {
  let cluster: Cluster;
  let sampler: NodeJS.Timeout | undefined;
  let worst = Infinity;
  let samples = 0;
  /** The allocations at the worst sample, for the failure message. */
  let worstDump = '';
  const healthy = (allocs: Allocation[]) => allocs.filter((a) => isLive(a) && a.status?.clientStatus === 'running' && a.status.deploymentStatus?.healthy === true);
  const deployment = (version: number) => cluster.client.resource<Deployment>('deployments').get(`roll-deploy-${version}`, { namespace: 'default' }).catch(() => undefined);
  const phase = async (version: number) => (await deployment(version))?.status?.phase;
  const explain = (version: number) => async () => JSON.stringify((await deployment(version))?.status ?? 'no deployment');
  const drover = (...args: string[]) => runDrover(['--server', cluster.url, ...args]);
  const version = async () => (await cluster.client.resource<Job>('jobs').get('roll', { namespace: 'default' })).metadata.generation!;

  before(async () => {
    cluster = await startCluster({ agents: [{ name: 'r1' }, { name: 'r2' }] });
    await applyJob(cluster.client, rollJob('1'));
    await until('version 1 rolled out', async () => (await phase(1)) === 'successful', explain(1));
    sampler = setInterval(() => {
      void allocsOf(cluster.client, 'roll').then((allocs) => {
        samples++;
        const h = healthy(allocs).length;
        if (h < worst) {
          worst = h;
          worstDump = allocs.map((a) => [a.metadata.name, a.spec.index, a.spec.jobVersion, a.spec.deploymentName, a.spec.desiredStatus, a.status?.clientStatus, a.status?.deploymentStatus?.healthy, a.spec.previousAllocation, a.spec.evalName].join(' ')).join('\n');
        }
      }, () => undefined);
    }, 200);
  });
  after(async () => {
    clearInterval(sampler);
    await cluster?.stop();
  });

  test('a rolling update with maxParallel 2 never has fewer than 3 healthy allocations', async () => {
    await applyJob(cluster.client, rollJob('2'));
    const v = await version();
    const r = await drover('rollout', 'status', 'roll');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Deployment completed successfully/);
    assert.equal(await phase(v), 'successful');
    // kubectl judges the job as kstatus tools do: Ready at the current generation once the rollout is done.
    if (KUBECTL || process.env.CI === 'true') {
      const kubectl = await Kubectl.create(cluster.url, KUBECTL, E2E_ADMIN_TOKEN);
      try {
        const waited = await kubectl.run(['wait', '--for=condition=Ready', 'jobs.drover.dev/roll', '--timeout=25s']);
        assert.equal(waited.code, 0, waited.stderr);
        assert.match(waited.stdout, /condition met/);
      } finally {
        await kubectl.close();
      }
      const ready = (await cluster.client.resource<Job>('jobs').get('roll', { namespace: 'default' })).status?.conditions?.find((c) => c.type === 'Ready');
      assert.deepEqual([ready?.status, ready?.observedGeneration], ['True', v]);
    }
    const all = await allocsOf(cluster.client, 'roll');
    const live = all.filter(isLive);
    const dump = all.map((a) => [a.metadata.name, a.spec.index, a.spec.jobVersion, a.spec.deploymentName, a.spec.desiredStatus, a.status?.clientStatus, a.status?.deploymentStatus?.healthy, a.spec.previousAllocation, a.spec.evalName].join(' ')).join('\n');
    assert.deepEqual(live.map((a) => a.spec.jobVersion), Array(COUNT).fill(v), dump);
    const evs = (await cluster.client.resource<Evaluation>('evaluations').list({ namespace: 'default' })).items;
    const evDump = evs.map((e) => [e.metadata.name, e.spec.triggeredBy, e.status?.phase, e.status?.statusDescription, e.metadata.creationTimestamp].join(' ')).join('\n');
    assert.ok(samples > 0 && worst >= COUNT - MAX_PARALLEL, `never fewer than ${COUNT - MAX_PARALLEL} healthy (saw ${worst} in ${samples} samples)\n${worstDump}\n${evDump}`);
  });

  test('a canary update waits for drover deployment promote, then completes', async () => {
    await applyJob(cluster.client, rollJob('3', { canary: 1 }));
    const v = await version();
    await until('the canary healthy, awaiting promotion', async () => (await deployment(v))?.status?.description === 'Deployment is running but requires manual promotion', explain(v));
    const live = (await allocsOf(cluster.client, 'roll')).filter(isLive);
    assert.equal(live.length, COUNT + 1, 'the canary runs beside the old allocations');
    assert.equal(live.filter((a) => a.spec.canary === true).length, 1);
    const promote = await drover('deployment', 'promote', `roll-deploy-${v}`);
    assert.equal(promote.code, 0, promote.stderr);
    await until('the canary deployment done', async () => (await phase(v)) === 'successful', explain(v));
    assert.ok(worst >= COUNT - MAX_PARALLEL, `never fewer than ${COUNT - MAX_PARALLEL} healthy (saw ${worst})`);
  });

  test('a version whose task exits 1 is reverted automatically, never below count - maxParallel healthy', async () => {
    const stable = await version();
    await applyJob(cluster.client, rollJob('4', { broken: true }));
    const broken = await version();
    const r = await drover('rollout', 'status', 'roll');
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`rolling back to job version ${stable}`));
    // The last stable version is the canary one: its rollout waits for a promotion too.
    await until('the revert awaiting promotion', async () => (await version()) > broken && (await deployment(await version()))?.status?.description === 'Deployment is running but requires manual promotion', explain(broken + 1));
    assert.equal((await drover('deployment', 'promote', `roll-deploy-${await version()}`)).code, 0);
    await until('the revert rolled out', async () => (await phase(await version())) === 'successful', explain(broken + 1));
    const job = await cluster.client.resource<Job>('jobs').get('roll', { namespace: 'default' });
    assert.equal(job.spec.groups[0]!.tasks[0]!.env?.VERSION, '3');
    assert.ok(worst >= COUNT - MAX_PARALLEL, `never fewer than ${COUNT - MAX_PARALLEL} healthy (saw ${worst} in ${samples} samples)\n${worstDump}`);
  });
});
