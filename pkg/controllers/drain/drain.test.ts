// The drain controller against a real API server over the memory store, its own time on a ManualClock, with the
// test standing in for the scheduler (it stops marked allocations and places replacements) and for the agents
// (they report replacements running, then healthy): batches of migrate.maxParallel paced by healthy replacements, node-drain
// evaluations, the deadline forcing the rest, system jobs last or ignored, and completion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Allocation, Evaluation, Node } from '../../../api/schemas/index.ts';
import { silentLogger } from '../../log/logger.ts';
import { T0, caughtUp, createJob, createNode, placeAllocation, reportStatus, until, withCluster, type TestCluster } from '../health/testkit.ts';
import { startDrainController, type DrainController } from './drain.ts';

const HOUR = 3_600_000;

async function start(c: TestCluster): Promise<DrainController> {
  return startDrainController({ client: c.client, clock: c.clock, logger: silentLogger, workers: 1 });
}

/** Wait until the controller has seen the allocation write `rv` and reconciled everything queued. */
async function settle(c: TestCluster, d: DrainController, rv?: string): Promise<void> {
  await until(() => caughtUp(d.lastSyncResourceVersions().allocations, rv));
  // A conflict retry waits out its backoff on the controller's clock: nudge it (1 ms is far below any deadline).
  await until(() => d.queue.len() === 0 && d.queue.inProgress() === 0 && d.queue.delayedLen() <= 1, () => c.clock.advance(1));
}

const allocs = (c: TestCluster) => c.client.resource<Allocation>('allocations');
const marked = async (c: TestCluster) =>
  (await allocs(c).list({ namespace: 'default' })).items.filter((a) => a.spec.desiredTransition?.migrate).map((a) => a.metadata.name).sort();

/** Start draining `node` (as `drover node drain` does). */
async function drain(c: TestCluster, node: string, drainSpec: NonNullable<Node['spec']>['drain']): Promise<void> {
  await c.client.resource<Node>('nodes').patch(node, { spec: { eligibility: 'ineligible', drain: drainSpec } }, 'merge');
}

/** The scheduler's part: stop a marked allocation and place its replacement on `to` (pending). */
async function migrate(c: TestCluster, name: string, to: string): Promise<Allocation> {
  const a = await allocs(c).get(name, { namespace: 'default' });
  await allocs(c).update({ ...a, spec: { ...a.spec, desiredStatus: 'stop', desiredDescription: 'alloc is being migrated' } });
  return placeAllocation(c, { name: `${name}-r`, nodeName: to, jobName: a.spec.jobName, index: a.spec.index, clientStatus: 'pending', previousAllocation: name });
}

test('a drain moves maxParallel allocations at a time, each batch after the last is running, and completes', async () => {
  await withCluster(async (c) => {
    for (const n of ['d1', 'n2']) await createNode(c.client, n);
    await createJob(c.client, 'web', 'service', 3, 1);
    await createJob(c.client, 'logs', 'system', 1);
    for (const i of [0, 1, 2]) await placeAllocation(c, { name: `web-${i}`, nodeName: 'd1', jobName: 'web', index: i });
    await placeAllocation(c, { name: 'logs-0', nodeName: 'd1', jobName: 'logs' });
    const d = await start(c);
    try {
      await drain(c, 'd1', { deadline: '1h', startedAt: new Date(T0).toISOString() });
      await until(async () => (await marked(c)).length > 0);
      await settle(c, d);
      assert.deepEqual(await marked(c), ['web-0'], 'one at a time, lowest index first; system jobs wait');
      const evals = await c.client.resource<Evaluation>('evaluations').list({ namespace: 'default' });
      assert.deepEqual(evals.items.map((e) => [e.spec.jobName, e.spec.triggeredBy, e.spec.nodeName]), [['web', 'node-drain', 'd1']]);

      // The scheduler moves web-0; while its replacement is pending, nothing else goes.
      const r0 = await migrate(c, 'web-0', 'n2');
      await settle(c, d, r0.metadata.resourceVersion);
      assert.deepEqual(await marked(c), ['web-0']);

      // The replacement runs, but its agent has not judged it healthy yet (migrate.minHealthyTime): nothing else
      // goes. Judged healthy, the next batch goes.
      const running = await reportStatus(c.client, 'web-0-r', 'running');
      await settle(c, d, running.metadata.resourceVersion);
      assert.deepEqual(await marked(c), ['web-0'], 'a running replacement without a health verdict holds the next batch');
      await reportStatus(c.client, 'web-0-r', 'running', true);
      await until(async () => (await marked(c)).length === 2);
      const r1 = await migrate(c, 'web-1', 'n2');
      const up = await reportStatus(c.client, 'web-1-r', 'running', true);
      await until(async () => (await marked(c)).length === 3);
      await settle(c, d, up.metadata.resourceVersion);
      assert.deepEqual(await marked(c), ['web-0', 'web-1', 'web-2'], `after ${r1.metadata.name}`);

      // The last service allocation leaves; then, with nothing else left, the system allocation goes.
      await migrate(c, 'web-2', 'n2');
      await until(async () => (await marked(c)).includes('logs-0'));
      const logs = await allocs(c).get('logs-0', { namespace: 'default' });
      await allocs(c).update({ ...logs, spec: { ...logs.spec, desiredStatus: 'stop' } });

      await until(async () => (await c.client.resource<Node>('nodes').get('d1')).spec?.drain === undefined);
      const node = await c.client.resource<Node>('nodes').get('d1');
      assert.equal(node.spec?.eligibility, 'ineligible', 'a drained node stays ineligible');
      await until(async () => (await c.client.resource('events').list({ namespace: 'default' })).items.length === 1);
      const [event] = (await c.client.resource('events').list({ namespace: 'default' })).items as unknown as Array<{ reason: string; involvedObject: { name: string } }>;
      assert.equal(event.reason, 'DrainComplete');
      assert.equal(event.involvedObject.name, 'd1');
      const evalJobs = (await c.client.resource<Evaluation>('evaluations').list({ namespace: 'default' })).items.map((e) => e.spec.jobName).sort();
      assert.deepEqual(evalJobs, ['logs', 'web', 'web', 'web'], 'one node-drain evaluation per batch');
    } finally {
      await d.stop();
    }
  });
});

test('at the deadline everything left is marked at once, system jobs and batch work included, and the drain completes', async () => {
  await withCluster(async (c) => {
    await createNode(c.client, 'd1');
    await createJob(c.client, 'web', 'service', 3, 1);
    await createJob(c.client, 'report', 'batch', 1);
    await createJob(c.client, 'logs', 'system', 1);
    for (const i of [0, 1, 2]) await placeAllocation(c, { name: `web-${i}`, nodeName: 'd1', jobName: 'web', index: i });
    await placeAllocation(c, { name: 'report-0', nodeName: 'd1', jobName: 'report' });
    const last = await placeAllocation(c, { name: 'logs-0', nodeName: 'd1', jobName: 'logs' });
    const d = await start(c);
    try {
      await settle(c, d, last.metadata.resourceVersion);
      await drain(c, 'd1', { deadline: '30m', startedAt: new Date(T0).toISOString() });
      await until(async () => (await marked(c)).length > 0);
      await settle(c, d);
      assert.deepEqual(await marked(c), ['web-0'], 'batch work is left to finish before the deadline');

      c.clock.advance(HOUR / 2);
      await until(async () => (await marked(c)).length === 5);
      assert.deepEqual(await marked(c), ['logs-0', 'report-0', 'web-0', 'web-1', 'web-2']);
      // The deadline ends the drain (Nomad's drainer): everything left is marked and each job evaluated, so the
      // scheduler stops it (with or without room elsewhere); the drain does not wait for the scheduler.
      await until(async () => (await c.client.resource<Node>('nodes').get('d1')).spec?.drain === undefined);
      assert.equal((await c.client.resource<Node>('nodes').get('d1')).spec?.eligibility, 'ineligible');
      const evalJobs = (await c.client.resource<Evaluation>('evaluations').list({ namespace: 'default' })).items.map((e) => e.spec.jobName).sort();
      assert.deepEqual(evalJobs, ['logs', 'report', 'web', 'web'], 'one node-drain evaluation for each job with marks');
      await until(async () => (await c.client.resource('events').list({ namespace: 'default' })).items.length === 1);
      const [event] = (await c.client.resource('events').list({ namespace: 'default' })).items as unknown as Array<{ reason: string; message: string }>;
      assert.equal(event.reason, 'DrainComplete');
      assert.match(event.message, /deadline/);
    } finally {
      await d.stop();
    }
  });
});

test('ignoreSystemJobs: the drain completes with the system allocation still running and unmarked', async () => {
  await withCluster(async (c) => {
    await createNode(c.client, 'd1');
    await createJob(c.client, 'web', 'service', 1, 1);
    await createJob(c.client, 'logs', 'system', 1);
    await placeAllocation(c, { name: 'web-0', nodeName: 'd1', jobName: 'web' });
    await placeAllocation(c, { name: 'logs-0', nodeName: 'd1', jobName: 'logs' });
    const d = await start(c);
    try {
      // No startedAt: the controller stamps it.
      await drain(c, 'd1', { ignoreSystemJobs: true, deadline: '1h' });
      await until(async () => (await marked(c)).length > 0);
      assert.ok((await c.client.resource<Node>('nodes').get('d1')).spec?.drain?.startedAt, 'startedAt stamped');
      await migrate(c, 'web-0', 'd1-elsewhere');
      await until(async () => (await c.client.resource<Node>('nodes').get('d1')).spec?.drain === undefined);
      assert.deepEqual(await marked(c), ['web-0']);
      const logs = await allocs(c).get('logs-0', { namespace: 'default' });
      assert.equal(logs.spec.desiredStatus, 'run');
      assert.equal(logs.status?.clientStatus, 'running');
    } finally {
      await d.stop();
    }
  });
});
