// The deployment controller against a real API server (memory store) with a ManualClock, standing in for the
// scheduler (allocations written as a plan commit would) and the agents (health reported through /status).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Allocation, Deployment, Evaluation, Job, JobSpec, JobVersion } from '../../../api/schemas/index.ts';
import { kindByKind } from '../../../api/schemas/index.ts';
import { rfc3339 } from '../../../api/schemas/timestamp.ts';
import { encodeStored, objectKey } from '../../apiserver/codec.ts';
import { silentLogger } from '../../log/logger.ts';
import { until, withCluster, type TestCluster } from '../health/testkit.ts';
import { jobVersionName } from '../evaluator/versions.ts';
import { startDeploymentController } from './controller.ts';
import { DEPLOYMENT_DESC } from './progress.ts';

const NS = { namespace: 'default' };
const spec = (env: string, update: JobSpec['update'] = { maxParallel: 1, progressDeadline: '30s', autoRevert: true }): JobSpec => ({
  update,
  groups: [{ name: 'g', count: 2, tasks: [{ name: 't', driver: 'mock', config: { runFor: '1h' }, env: { V: env } }] }],
});

/** Create or replace the job and record its JobVersion, as the API server and the evaluator do. */
async function putJob(c: TestCluster, s: JobSpec): Promise<Job> {
  const jobs = c.client.resource<Job>('jobs');
  let job: Job;
  try {
    const cur = await jobs.get('web', NS);
    job = await jobs.update({ ...cur, spec: s });
  } catch {
    job = await jobs.create({ apiVersion: 'drover.dev/v1', kind: 'Job', metadata: { name: 'web', namespace: 'default' }, spec: s });
  }
  await recordVersion(c, job);
  return job;
}

async function recordVersion(c: TestCluster, job: Job): Promise<void> {
  const version = job.metadata.generation!;
  await c.client.resource<JobVersion>('jobversions').create({
    apiVersion: 'drover.dev/v1', kind: 'JobVersion', metadata: { name: jobVersionName('web', version), namespace: 'default' },
    spec: { jobName: 'web', version, jobSpec: job.spec },
  }).catch(() => undefined);
}

/** Write a running allocation of the job straight into the store, as a plan commit would. */
async function place(c: TestCluster, name: string, index: number, jobVersion: number, deploymentName?: string): Promise<void> {
  const obj: Allocation = {
    apiVersion: 'drover.dev/v1', kind: 'Allocation',
    metadata: { name, namespace: 'default', uid: randomUUID(), generation: 1, creationTimestamp: rfc3339(c.clock.now()) },
    spec: {
      nodeName: 'n1', jobName: 'web', jobVersion, groupName: 'g', index, desiredStatus: 'run',
      ...(deploymentName ? { deploymentName } : {}), resources: { tasks: { t: { cpu: 100, memoryMB: 64 } } },
    },
    status: { clientStatus: 'running' },
  };
  await c.api.store.create(objectKey(kindByKind.get('Allocation')!, 'default', name), encodeStored(obj));
  await until(async () => c.client.resource<Allocation>('allocations').get(name, NS).then(() => true, () => false));
}

async function report(c: TestCluster, name: string, healthy: boolean, clientStatus: 'running' | 'failed' = 'running'): Promise<void> {
  const allocs = c.client.resource<Allocation>('allocations');
  const a = await allocs.get(name, NS);
  await allocs.updateStatus({ ...a, status: { ...a.status, clientStatus, deploymentStatus: { healthy } } });
}

async function stop(c: TestCluster, name: string): Promise<void> {
  const allocs = c.client.resource<Allocation>('allocations');
  const a = await allocs.get(name, NS);
  await allocs.update({ ...a, spec: { ...a.spec, desiredStatus: 'stop' } });
}

const deployment = (c: TestCluster, name: string) => c.client.resource<Deployment>('deployments').get(name, NS).catch(() => undefined);
const phaseOf = async (c: TestCluster, name: string) => (await deployment(c, name))?.status?.phase;
const evalExists = (c: TestCluster, name: string) => c.client.resource<Evaluation>('evaluations').get(name, NS).then(() => true, () => false);
const stable = async (c: TestCluster, v: number) => (await c.client.resource<JobVersion>('jobversions').get(jobVersionName('web', v), NS)).spec.stable === true;

async function withController(fn: (c: TestCluster) => Promise<void>): Promise<void> {
  await withCluster(async (c) => {
    const ctl = await startDeploymentController({ client: c.client, clock: c.clock, logger: silentLogger });
    try {
      await fn(c);
    } finally {
      await ctl.stop();
    }
  });
}

test('a rollout: deployment per version, an evaluation per newly healthy allocation, success marks the version stable', async () => {
  await withController(async (c) => {
    const job = await putJob(c, spec('1'));
    await until(async () => (await phaseOf(c, 'web-deploy-1')) === 'running');
    const d = (await deployment(c, 'web-deploy-1'))!;
    assert.deepEqual(d.metadata.ownerReferences?.map((o) => [o.kind, o.uid]), [['Job', job.metadata.uid]]);
    assert.deepEqual(d.spec.groups.g, { desiredTotal: 2, desiredCanaries: 0, autoRevert: true, autoPromote: false, progressDeadline: '30s', promoted: false });
    await place(c, 'a0', 0, 1, 'web-deploy-1');
    await place(c, 'a1', 1, 1, 'web-deploy-1');
    await report(c, 'a0', true);
    await until(() => evalExists(c, 'web-deploy-1-g1-h1'));
    const ev = await c.client.resource<Evaluation>('evaluations').get('web-deploy-1-g1-h1', NS);
    assert.equal(ev.spec.triggeredBy, 'deployment-watcher');
    assert.equal(ev.spec.deploymentName, 'web-deploy-1');
    await report(c, 'a1', true);
    await until(async () => (await phaseOf(c, 'web-deploy-1')) === 'successful');
    const done = (await deployment(c, 'web-deploy-1'))!;
    assert.equal(done.status?.description, DEPLOYMENT_DESC.successful);
    assert.deepEqual(done.status?.groups?.g && { ...done.status.groups.g, requireProgressBy: undefined }, { placed: 2, healthy: 2, unhealthy: 0, promoted: false, requireProgressBy: undefined });
    await until(() => stable(c, 1));
  });
});

/** Version 1 rolled out: a0 and a1 healthy, the version stable. */
async function rolledOutV1(c: TestCluster): Promise<void> {
  await putJob(c, spec('1'));
  await until(async () => (await phaseOf(c, 'web-deploy-1')) === 'running');
  await place(c, 'a0', 0, 1, 'web-deploy-1');
  await place(c, 'a1', 1, 1, 'web-deploy-1');
  await report(c, 'a0', true);
  await report(c, 'a1', true);
  await until(() => stable(c, 1));
}

test('a failed rollout with autoRevert re-registers the last stable version; a newer version cancels the running one', async () => {
  await withController(async (c) => {
    await rolledOutV1(c);

    // Version 2 is broken: its first allocation fails; the progress deadline (30 s) passes.
    await putJob(c, spec('2'));
    await until(async () => (await phaseOf(c, 'web-deploy-2')) === 'running');
    await stop(c, 'a0');
    await place(c, 'b0', 0, 2, 'web-deploy-2');
    await report(c, 'b0', false, 'failed');
    assert.equal(await phaseOf(c, 'web-deploy-2'), 'running', 'waits for the progress deadline');
    await until(async () => (await phaseOf(c, 'web-deploy-2')) === 'failed', () => c.clock.advance(1000));
    const failed = (await deployment(c, 'web-deploy-2'))!;
    assert.equal(failed.status?.description, `${DEPLOYMENT_DESC.progressDeadline} - rolling back to job version 1`);
    // The job is re-registered with version 1's spec: version 3, with a deployment of its own.
    const jobs = c.client.resource<Job>('jobs');
    await until(async () => (await jobs.get('web', NS)).metadata.generation === 3);
    assert.deepEqual((await jobs.get('web', NS)).spec.groups[0]!.tasks[0]!.env, { V: '1' });
    await recordVersion(c, await jobs.get('web', NS));
    await until(async () => (await phaseOf(c, 'web-deploy-3')) === 'running');
    assert.equal(await stable(c, 2), false);

    // Another version while 3 runs: 3 is cancelled, 4 starts.
    await putJob(c, spec('4'));
    await until(async () => (await phaseOf(c, 'web-deploy-3')) === 'cancelled');
    assert.equal((await deployment(c, 'web-deploy-3'))!.status?.description, DEPLOYMENT_DESC.newerVersion);
    await until(async () => (await phaseOf(c, 'web-deploy-4')) === 'running');
    assert.equal(await phaseOf(c, 'web-deploy-2'), 'failed', 'a finished deployment stays as it ended');
  });
});

test('a failed revert is not reverted again: the stable version it re-registered is the spec it runs', async () => {
  await withController(async (c) => {
    await rolledOutV1(c);
    await putJob(c, spec('2'));
    await until(async () => (await phaseOf(c, 'web-deploy-2')) === 'running');
    await place(c, 'b0', 0, 2, 'web-deploy-2');
    await report(c, 'b0', false, 'failed');
    await until(async () => (await phaseOf(c, 'web-deploy-2')) === 'failed', () => c.clock.advance(1000));
    const jobs = c.client.resource<Job>('jobs');
    await until(async () => (await jobs.get('web', NS)).metadata.generation === 3);
    await recordVersion(c, await jobs.get('web', NS));
    // The revert's own rollout fails too: version 1 is the spec it already runs, so nothing is re-registered.
    await until(async () => (await phaseOf(c, 'web-deploy-3')) === 'running');
    await place(c, 'c0', 0, 3, 'web-deploy-3');
    await report(c, 'c0', false, 'failed');
    await until(async () => (await phaseOf(c, 'web-deploy-3')) === 'failed', () => c.clock.advance(1000));
    assert.equal((await deployment(c, 'web-deploy-3'))!.status?.description, `${DEPLOYMENT_DESC.progressDeadline} - no stable job version to auto revert to`);
    assert.equal((await jobs.get('web', NS)).metadata.generation, 3, 'no revert of the revert');
  });
});

test('no update block, no deployment; a failed rollout without a stable version says so and reverts nothing', async () => {
  await withController(async (c) => {
    await putJob(c, { groups: [{ name: 'g', count: 1, tasks: [{ name: 't', driver: 'mock', config: { runFor: '1h' } }] }] });
    await putJob(c, spec('2', { maxParallel: 1, progressDeadline: '0s', autoRevert: true }));
    await until(async () => (await phaseOf(c, 'web-deploy-2')) === 'running');
    assert.equal(await deployment(c, 'web-deploy-1'), undefined);
    await place(c, 'b0', 0, 2, 'web-deploy-2');
    await report(c, 'b0', false, 'failed');
    await until(async () => (await phaseOf(c, 'web-deploy-2')) === 'failed');
    assert.equal((await deployment(c, 'web-deploy-2'))!.status?.description, `${DEPLOYMENT_DESC.unhealthy} - no stable job version to auto revert to`);
    assert.equal((await c.client.resource<Job>('jobs').get('web', NS)).metadata.generation, 2);
  });
});
