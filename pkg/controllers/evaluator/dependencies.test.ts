// Dependencies through the real pieces (scheduler harness, evaluator, job status controller), by example: groups
// of one batch job in order, a service dependency turning Ready, a dependency that is deleted, and the
// dependency memo that keeps an evaluation that placed nothing from being repeated for the same state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Allocation, Evaluation, Job, JobSpec } from '../../../api/schemas/index.ts';
import { conditionOf } from '../../../api/schemas/conditions.ts';
import { ManualClock } from '../../clock/clock.ts';
import { silentLogger } from '../../log/logger.ts';
import { startHarness, type Harness } from '../../scheduler/testing/harness.ts';
import { startJobStatusController } from '../jobstatus/controller.ts';
import { DependencyMemo } from './dependencies.ts';
import { createEvaluator } from './evaluator.ts';

async function withAll(fn: (h: Harness) => Promise<void>): Promise<void> {
  const h = await startHarness({ workersPerProcess: 2 });
  const clock = new ManualClock(Date.now());
  const evaluator = createEvaluator({ client: h.client, clock, logger: silentLogger });
  await evaluator.start();
  const status = await startJobStatusController({ client: h.client, clock, logger: silentLogger });
  await h.addNode('n1', { cpu: 100_000, memoryMB: 100_000 });
  try {
    await fn(h);
  } finally {
    await status.stop();
    await evaluator.stop();
    await h.close();
  }
}

const task = { name: 't', driver: 'mock', config: {}, resources: { cpu: 10, memoryMB: 10 } };
const create = (h: Harness, name: string, spec: Partial<JobSpec>) =>
  h.client.resource<Job>('jobs').create({ apiVersion: 'drover.dev/v1', kind: 'Job', metadata: { name, namespace: 'default' }, spec: { groups: [{ name: 'g', tasks: [task] }], ...spec } });
const allocsOf = async (h: Harness, job: string) => (await h.allocs()).filter((a) => a.spec.jobName === job);
const report = async (h: Harness, a: Allocation, clientStatus: 'running' | 'complete') => {
  const allocs = h.client.resource<Allocation>('allocations');
  const cur = await allocs.get(a.metadata.name, { namespace: 'default' });
  await allocs.updateStatus({ ...cur, status: { ...cur.status, clientStatus } });
};
const reconciling = async (h: Harness, job: string) => conditionOf((await h.client.resource<Job>('jobs').get(job, { namespace: 'default' })).status?.conditions, 'Reconciling');

test('groups of one batch job: the dependent group is placed only once the group it depends on completed', async () => {
  await withAll(async (h) => {
    await create(h, 'pipe', { type: 'batch', groups: [{ name: 'extract', count: 2, tasks: [task] }, { name: 'load', dependsOn: ['extract'], tasks: [task] }] });
    const extract = await h.until('extract placed', async () => {
      const l = await allocsOf(h, 'pipe');
      return l.length === 2 && l;
    });
    assert.deepEqual(extract.map((a) => a.spec.groupName), ['extract', 'extract']);
    await h.until('pipe waits for extract', async () => (await reconciling(h, 'pipe'))?.reason === 'WaitingForDependencies');
    assert.match((await reconciling(h, 'pipe'))?.message ?? '', /group load waits for group extract: 0 of 2 complete at version 1/);
    await report(h, extract[0]!, 'complete');
    await h.until('pipe still waits with 1 of 2', async () => /1 of 2 complete/.test((await reconciling(h, 'pipe'))?.message ?? ''));
    assert.equal((await allocsOf(h, 'pipe')).length, 2, 'load not placed while extract is half done');
    await report(h, extract[1]!, 'complete');
    const load = await h.until('load placed', async () => (await allocsOf(h, 'pipe')).find((a) => a.spec.groupName === 'load'));
    assert.ok(load);
    const evals = (await h.evals()).filter((e: Evaluation) => e.spec.jobName === 'pipe').map((e) => e.spec.triggeredBy).sort();
    assert.deepEqual(evals, ['job-dependency', 'job-register']);
  });
});

test('a service dependency: the dependent waits until it runs (Ready Running); a deleted dependency is waited for again by name', async () => {
  await withAll(async (h) => {
    await create(h, 'web', { dependsOn: ['db'] });
    await create(h, 'lone', { dependsOn: ['gone'] });
    await create(h, 'gone', { stop: true });
    await h.until('lone waits for gone (stopped)', async () => /job gone: stopped/.test((await reconciling(h, 'lone'))?.message ?? ''));
    await h.client.resource<Job>('jobs').delete('gone', { namespace: 'default' });
    await h.until('lone waits for gone (deleted)', async () => /job gone: not found/.test((await reconciling(h, 'lone'))?.message ?? ''));
    await h.until('web waits for db (not there)', async () => /job db: not found/.test((await reconciling(h, 'web'))?.message ?? ''));
    await create(h, 'db', {});
    const db = await h.until('db placed', async () => (await allocsOf(h, 'db'))[0]);
    await h.until('web waits for db (starting)', async () => /job db: not Ready \(Ready False, Starting/.test((await reconciling(h, 'web'))?.message ?? ''));
    assert.deepEqual(await allocsOf(h, 'web'), []);
    await report(h, db, 'running');
    await h.until('web placed', async () => (await allocsOf(h, 'web')).length === 1);
    assert.deepEqual(await allocsOf(h, 'lone'), []);
  });
});

test('DependencyMemo: the same inputs create one evaluation; changed inputs another', () => {
  const m = new DependencyMemo();
  assert.equal(m.changed('default/a', 'x'), true);
  assert.equal(m.changed('default/a', 'x'), false);
  assert.equal(m.changed('default/a', 'y'), true);
  m.forget('default/a');
  assert.equal(m.changed('default/a', 'y'), true);
});
