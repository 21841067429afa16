// Job triggers, against a real API server: register, update (supersede), stop, delete, templates, and
// never a duplicate. Reconcilers are called directly once the informers have caught up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Evaluation, Job, JobVersion } from '../../../api/schemas/index.ts';
import { KEEP_VERSIONS } from './versions.ts';
import { allocDraft, createNode, evaluatorHarness, place, testJob, until, type EvaluatorHarness } from './testkit.ts';
import { createEvaluator } from './evaluator.ts';
import { silentLogger } from '../../log/logger.ts';

async function withHarness(fn: (h: EvaluatorHarness) => Promise<void>): Promise<void> {
  const h = await evaluatorHarness();
  try {
    await fn(h);
  } finally {
    await h.close();
  }
}

const summary = (e: Evaluation) => ({ triggeredBy: e.spec.triggeredBy, jobVersion: e.spec.jobVersion, phase: e.status?.phase ?? 'pending' });

test('a registered job gets one job-register evaluation with its version, priority and type; the generation is recorded', async () => {
  await withHarness(async (h) => {
    await h.client.resource<Job>('jobs').create(testJob('web', { priority: 70, type: 'batch' }));
    await h.sync();
    await h.evaluator.reconcileJob('default/web');
    const [e, ...rest] = await h.evals();
    assert.equal(rest.length, 0);
    assert.deepEqual({ ...summary(e!), priority: e!.spec.priority, type: e!.spec.type, job: e!.spec.jobName }, {
      triggeredBy: 'job-register', jobVersion: 1, phase: 'pending', priority: 70, type: 'batch', job: 'web',
    });
    assert.equal(e!.status?.deliveries, 0);
    const job = await h.client.resource<Job>('jobs').get('web', { namespace: 'default' });
    assert.equal(job.status?.evaluatedGeneration, 1);
    // The record is in status: the user's metadata is left as written.
    assert.equal(job.metadata.annotations, undefined);
    // Level-based: reconciling again (recorded generation now seen) creates nothing.
    await h.sync();
    await h.evaluator.reconcileJob('default/web');
    assert.equal((await h.evals()).length, 1);
  });
});

test('an update creates an evaluation at the new version and cancels the older unclaimed pending one', async () => {
  await withHarness(async (h) => {
    const jobs = h.client.resource<Job>('jobs');
    await jobs.create(testJob('web'));
    await h.sync();
    await h.evaluator.reconcileJob('default/web');
    await jobs.patch('web', { spec: { priority: 80 } }, 'merge', { namespace: 'default' });
    await h.sync();
    await h.evaluator.reconcileJob('default/web');
    const [older, newer] = await h.evals();
    assert.deepEqual(summary(newer!), { triggeredBy: 'job-register', jobVersion: 2, phase: 'pending' });
    assert.equal(newer!.spec.priority, 80);
    assert.deepEqual(summary(older!), { triggeredBy: 'job-register', jobVersion: 1, phase: 'canceled' });
    assert.equal(older!.status?.statusDescription, `superseded by ${newer!.metadata.name}`);
  });
});

test('an evaluation a worker has claimed is never superseded', async () => {
  await withHarness(async (h) => {
    const jobs = h.client.resource<Job>('jobs');
    await jobs.create(testJob('web'));
    await h.sync();
    await h.evaluator.reconcileJob('default/web');
    const [first] = await h.evals();
    const claimed = { ...first!.status, claimedBy: 'worker-1/0', claimExpiresAt: new Date(h.clock.now() + 60_000).toISOString(), deliveries: 1 };
    await h.client.resource<Evaluation>('evaluations').updateStatus({ ...first!, status: claimed });
    await jobs.patch('web', { spec: { priority: 90 } }, 'merge', { namespace: 'default' });
    await h.sync();
    await h.evaluator.reconcileJob('default/web');
    const [older, newer] = await h.evals();
    assert.deepEqual([summary(older!).phase, older!.status?.claimedBy], ['pending', 'worker-1/0']);
    assert.deepEqual(summary(newer!), { triggeredBy: 'job-register', jobVersion: 2, phase: 'pending' });
  });
});

test('a stopped job gets a job-deregister evaluation', async () => {
  await withHarness(async (h) => {
    const jobs = h.client.resource<Job>('jobs');
    await jobs.create(testJob('web'));
    await h.sync();
    await h.evaluator.reconcileJob('default/web');
    await jobs.patch('web', { spec: { stop: true } }, 'merge', { namespace: 'default' });
    await h.sync();
    await h.evaluator.reconcileJob('default/web');
    assert.deepEqual((await h.evals()).map(summary), [
      { triggeredBy: 'job-register', jobVersion: 1, phase: 'canceled' },
      { triggeredBy: 'job-deregister', jobVersion: 2, phase: 'pending' },
    ]);
  });
});

test('a deleted job with allocations holding resources gets one job-deregister evaluation; without them none', async () => {
  await withHarness(async (h) => {
    const jobs = h.client.resource<Job>('jobs');
    await createNode(h.client, 'n1');
    await jobs.create(testJob('web', { priority: 65 }));
    await jobs.create(testJob('idle'));
    await place(h.client, [allocDraft('web-a1', 'web', 'n1')]);
    await jobs.delete('web', { namespace: 'default' });
    await jobs.delete('idle', { namespace: 'default' });
    await h.sync();
    await h.evaluator.reconcileJob('default/web');
    await h.evaluator.reconcileJob('default/idle');
    await h.sync();
    await h.evaluator.reconcileJob('default/web');
    const evals = await h.evals();
    assert.deepEqual(evals.map((e) => [e.spec.jobName, e.spec.triggeredBy, e.spec.priority, e.spec.jobVersion]), [['web', 'job-deregister', 65, undefined]]);
  });
});

test('an equivalent pending evaluation makes a new one redundant (a restart between creating and recording)', async () => {
  await withHarness(async (h) => {
    const jobs = h.client.resource<Job>('jobs');
    await jobs.create(testJob('web'));
    await h.sync();
    await h.evaluator.reconcileJob('default/web');
    // Forget the record, and start a new evaluator, as if the first died right after creating the evaluation.
    await jobs.patch('web', { status: { evaluatedGeneration: null } }, 'merge', { namespace: 'default', subresource: 'status' });
    const fresh = createEvaluator({ client: h.client, clock: h.clock, logger: silentLogger });
    await fresh.context.cache.start();
    try {
      await until(() => fresh.context.cache.job('default', 'web')?.status?.evaluatedGeneration === undefined && fresh.context.cache.evalsOf('default', 'web').length === 1);
      await fresh.reconcileJob('default/web');
      assert.equal((await h.evals()).length, 1);
      assert.equal((await jobs.get('web', { namespace: 'default' })).status?.evaluatedGeneration, 1);
    } finally {
      fresh.context.cache.stop();
    }
  });
});

test('within a term a generation is evaluated once, even when the cache lags the record and the evaluation is claimed', async () => {
  await withHarness(async (h) => {
    const jobs = h.client.resource<Job>('jobs');
    await jobs.create(testJob('web'));
    await h.sync();
    await h.evaluator.reconcileJob('default/web');
    // What a lagging cache shows: the job without the record (here: really without it), the evaluation claimed.
    await jobs.patch('web', { status: { evaluatedGeneration: null } }, 'merge', { namespace: 'default', subresource: 'status' });
    const [first] = await h.evals();
    await h.client.resource<Evaluation>('evaluations').updateStatus({ ...first!, status: { ...first!.status, claimedBy: 'worker-1/0', claimExpiresAt: new Date(h.clock.now() + 60_000).toISOString(), deliveries: 1 } });
    await h.sync();
    await h.evaluator.reconcileJob('default/web');
    assert.equal((await h.evals()).length, 1, 'no second evaluation of generation 1');
    assert.equal((await jobs.get('web', { namespace: 'default' })).status?.evaluatedGeneration, 1, 'the record is written again');
  });
});

test('periodic and parameterized jobs are templates: recorded, never evaluated themselves', async () => {
  await withHarness(async (h) => {
    const jobs = h.client.resource<Job>('jobs');
    await jobs.create(testJob('nightly', { type: 'batch', periodic: { cron: '0 3 * * *' } }));
    await jobs.create(testJob('dispatchable', { type: 'batch', parameterized: {} }));
    await h.sync();
    await h.evaluator.reconcileJob('default/nightly');
    await h.evaluator.reconcileJob('default/dispatchable');
    assert.equal((await h.evals()).length, 0);
    assert.equal((await jobs.get('nightly', { namespace: 'default' })).status?.evaluatedGeneration, 1);
  });
});

test('concurrent triggers for one job create one evaluation', async () => {
  await withHarness(async (h) => {
    await h.client.resource<Job>('jobs').create(testJob('web'));
    await h.sync();
    await Promise.all([h.evaluator.reconcileJob('default/web'), h.evaluator.reconcileJob('default/web'), h.evaluator.reconcileJob('default/web')]);
    assert.equal((await h.evals()).length, 1);
  });
});

test('each evaluated generation is recorded as a JobVersion; old ones are pruned unless a live allocation runs them', async () => {
  await withHarness(async (h) => {
    const jobs = h.client.resource<Job>('jobs');
    const versions = h.client.resource<JobVersion>('jobversions');
    await jobs.create(testJob('web'));
    await h.sync();
    await h.evaluator.reconcileJob('default/web');
    const v1 = await versions.get('web-v1', { namespace: 'default' });
    assert.deepEqual({ job: v1.spec.jobName, version: v1.spec.version }, { job: 'web', version: 1 });
    assert.equal(v1.spec.jobSpec.groups[0]!.name, (await jobs.get('web', { namespace: 'default' })).spec.groups[0]!.name);
    for (let p = 51; p < 51 + KEEP_VERSIONS + 2; p++) {
      await jobs.patch('web', { spec: { priority: p } }, 'merge', { namespace: 'default' });
      await h.sync();
      await h.evaluator.reconcileJob('default/web');
    }
    const kept = (await versions.listAll({ namespace: 'default', fieldSelector: 'spec.jobName=web' })).items.map((v) => v.spec.version).sort((a, b) => a - b);
    const current = KEEP_VERSIONS + 3;
    assert.deepEqual(kept, Array.from({ length: KEEP_VERSIONS }, (_, i) => current - KEEP_VERSIONS + 1 + i));
  });
});
