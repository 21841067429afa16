// Job dependencies end to end on real processes: etcd, `drover server` and one `drover agent` running raw_exec
// tasks. A DAG of 5 batch jobs, applied dependents first, runs in dependency order (each task appends its name to
// one file); a service that depends on a database service is placed only after the database's deployment
// succeeded (compared by store revision: the watch events' resourceVersions); a cycle is refused with its path.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Allocation, Deployment, Job } from '../../api/schemas/index.ts';
import { conditionOf } from '../../api/schemas/conditions.ts';
import { ApiError } from '../../pkg/apierrors/status.ts';
import type { WatchHandle } from '../../pkg/client/watch.ts';
import { etcdAvailable } from '../support/etcd.ts';
import { allocsOf, applyJob, describeAllocs, startCluster, until, type Cluster } from './cluster.ts';
import { job } from './jobs.ts';
import { runDrover } from './processes.ts';

const SKIP = etcdAvailable() ? undefined : 'needs etcd (see test/support); set CI=true to make this a failure';
const options = process.env.CI === 'true' || !SKIP ? {} : { skip: SKIP };

const SMALL = { cpu: 50, memoryMB: 32 };

/** A batch job whose one task appends its name to `file`. */
function stepJob(name: string, dependsOn: string[], file: string): Job {
  return job(name, {
    type: 'batch', dependsOn,
    reschedule: { attempts: 0, unlimited: false },
    groups: [{ name: 'step', restart: { attempts: 0, mode: 'fail' }, tasks: [{ name: 'run', driver: 'raw_exec', config: { command: '/bin/sh', args: ['-c', `echo ${name} >> ${file}`] }, resources: SMALL }] }],
  });
}

/** A service of one long-running raw_exec task; with an update block, each version rolls out as a Deployment. */
function serviceJob(name: string, dependsOn: string[] = []): Job {
  return job(name, {
    type: 'service', dependsOn,
    update: { maxParallel: 1, minHealthyTime: '2s', healthyDeadline: '30s', progressDeadline: '60s' },
    groups: [{ name: 'main', tasks: [{ name: 'run', driver: 'raw_exec', config: { command: '/bin/sleep', args: ['3600'] }, resources: SMALL }] }],
  });
}

describe('job dependencies on a real server and agent', options, () => {
  let cluster: Cluster;
  const jobs = () => cluster.client.resource<Job>('jobs');
  const getJob = (name: string) => jobs().get(name, { namespace: 'default' }).catch(() => undefined);
  const ready = async (name: string) => conditionOf((await getJob(name))?.status?.conditions, 'Ready');

  before(async () => {
    cluster = await startCluster({ agents: [{ name: 'd1' }] });
  });
  after(async () => {
    await cluster?.stop();
  });

  test('a DAG of 5 batch jobs runs in dependency order; a dependent applied first waits and says for what', async () => {
    const file = join(cluster.root, 'order.txt');
    // a ← b, a ← c, {b, c} ← d, d ← e
    const dag: Record<string, string[]> = { 'dag-a': [], 'dag-b': ['dag-a'], 'dag-c': ['dag-a'], 'dag-d': ['dag-b', 'dag-c'], 'dag-e': ['dag-d'] };
    await applyJob(cluster.client, stepJob('dag-e', dag['dag-e']!, file));
    const waiting = await until('dag-e waiting for dag-d', async () => {
      const c = await ready('dag-e');
      return c?.reason === 'WaitingForDependencies' && c;
    }, async () => JSON.stringify((await getJob('dag-e'))?.status));
    assert.match(waiting.message ?? '', /group step waits for job dag-d: not found/);
    const status = await runDrover(['--server', cluster.url, 'job', 'status', 'dag-e']);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /^Ready += False \(WaitingForDependencies: group step waits for job dag-d: not found/m);
    assert.match(status.stdout, /^job +\* +dag-d +not found \(waiting for it to be created\)$/m);
    assert.deepEqual(await allocsOf(cluster.client, 'dag-e'), []);

    for (const name of ['dag-d', 'dag-c', 'dag-b', 'dag-a']) await applyJob(cluster.client, stepJob(name, dag[name]!, file));
    for (const name of Object.keys(dag)) {
      await until(`${name} complete`, async () => (await ready(name))?.reason === 'Complete', async () => describeAllocs(await allocsOf(cluster.client, name)));
    }
    const order = (await readFile(file, 'utf8')).trim().split('\n');
    assert.deepEqual([...order].sort(), Object.keys(dag), `each job ran once: ${order.join(', ')}`);
    for (const [name, deps] of Object.entries(dag)) {
      for (const d of deps) assert.ok(order.indexOf(d) < order.indexOf(name), `${d} before ${name} in ${order.join(', ')}`);
    }
  });

  test('a service that depends on a database service is placed after the database deployment succeeded', async () => {
    const { metadata } = await cluster.client.resource<Allocation>('allocations').list({ namespace: 'default', limit: 1 });
    const from = metadata.resourceVersion!;
    let appPlacedAt: number | undefined;
    let dbSucceededAt: number | undefined;
    const watches: WatchHandle[] = [
      cluster.client.resource<Allocation>('allocations').watch({ namespace: 'default', resourceVersion: from, fieldSelector: 'spec.jobName=app' }, (e) => {
        if (e.type === 'ADDED') appPlacedAt ??= Number(e.object.metadata.resourceVersion);
      }),
      cluster.client.resource<Deployment>('deployments').watch({ namespace: 'default', resourceVersion: from }, (e) => {
        if (e.object.spec?.jobName === 'db' && e.object.status?.phase === 'successful') dbSucceededAt ??= Number(e.object.metadata.resourceVersion);
      }),
    ];
    try {
      await applyJob(cluster.client, serviceJob('app', ['db']));
      await applyJob(cluster.client, serviceJob('db'));
      await until('app Ready', async () => (await ready('app'))?.status === 'True', async () => `${JSON.stringify(await ready('app'))}\n${describeAllocs(await allocsOf(cluster.client, 'app'))}`);
      await until('both watch events seen', async () => appPlacedAt !== undefined && dbSucceededAt !== undefined);
      assert.ok(dbSucceededAt! < appPlacedAt!, `db's deployment succeeded at revision ${dbSucceededAt}, app was placed at ${appPlacedAt}`);
      const deployment = await cluster.client.resource<Deployment>('deployments').get('app-deploy-1', { namespace: 'default' });
      assert.equal(deployment.status?.phase, 'successful', 'the progress deadline did not run while app waited');
    } finally {
      for (const w of watches) w.cancel();
    }
  });

  test('a dependency cycle is refused with its path', async () => {
    await applyJob(cluster.client, stepJob('cyc-a', ['cyc-b'], '/dev/null'));
    await applyJob(cluster.client, stepJob('cyc-b', ['cyc-c'], '/dev/null'));
    const err = await applyJob(cluster.client, stepJob('cyc-c', ['cyc-a'], '/dev/null')).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof ApiError && err.code === 422, String(err));
    assert.match(err.message, /dependency cycle: cyc-c -> cyc-a -> cyc-b -> cyc-c/);
    const cli = await runDrover(['--server', cluster.url, 'delete', 'job', 'cyc-a']);
    assert.equal(cli.code, 0, cli.stderr);
  });
});
