// Allocation failures, against a real API server: a failed allocation the scheduler still wants running gets
// its job evaluated once (alloc-failure); one already handled, or of a stopped job, gets nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Allocation, Evaluation, Job } from '../../../api/schemas/index.ts';
import { FAILURE_EVAL } from './model.ts';
import { allocDraft, createNode, evaluatorHarness, place, testJob, type EvaluatorHarness } from './testkit.ts';

async function withHarness(fn: (h: EvaluatorHarness) => Promise<void>): Promise<void> {
  const h = await evaluatorHarness();
  try {
    await createNode(h.client, 'n1', { cpu: 8000 });
    await fn(h);
  } finally {
    await h.close();
  }
}

/** The agent reports the allocation failed. */
async function fail(h: EvaluatorHarness, name: string): Promise<void> {
  const allocs = h.client.resource<Allocation>('allocations');
  const a = await allocs.get(name, { namespace: 'default' });
  await allocs.updateStatus({ ...a, status: { clientStatus: 'failed', taskStates: { t: { state: 'dead', failed: true } } } });
}

test('a failed allocation gets one alloc-failure evaluation of its job, recorded on the allocation', async () => {
  await withHarness(async (h) => {
    await h.client.resource<Job>('jobs').create(testJob('web', { priority: 60 }));
    await place(h.client, [allocDraft('web-1', 'web', 'n1')]);
    await fail(h, 'web-1');
    await h.sync();
    await h.evaluator.reconcileAllocFailure('default/web-1');
    const evals = await h.evals();
    assert.deepEqual(evals.map((e) => [e.spec.jobName, e.spec.triggeredBy, e.spec.priority, e.status?.phase]), [['web', 'alloc-failure', 60, 'pending']]);
    const a = await h.client.resource<Allocation>('allocations').get('web-1', { namespace: 'default' });
    assert.equal(a.metadata.annotations?.[FAILURE_EVAL], evals[0]!.metadata.name);
    // Once recorded, the same failure never triggers again, even after the evaluation is done.
    await h.client.resource<Evaluation>('evaluations').updateStatus({ ...evals[0]!, status: { phase: 'complete' } });
    await h.sync();
    await h.evaluator.reconcileAllocFailure('default/web-1');
    assert.equal((await h.evals()).length, 1);
  });
});

test('a failure while an unclaimed evaluation of the job is pending reuses it', async () => {
  await withHarness(async (h) => {
    await h.client.resource<Job>('jobs').create(testJob('web'));
    await place(h.client, [allocDraft('web-1', 'web', 'n1'), { ...allocDraft('web-2', 'web', 'n1'), spec: { ...allocDraft('web-2', 'web', 'n1').spec, index: 1 } }]);
    await h.sync();
    await h.evaluator.reconcileJob('default/web');
    await fail(h, 'web-1');
    await fail(h, 'web-2');
    await h.sync();
    await h.evaluator.reconcileAllocFailure('default/web-1');
    await h.evaluator.reconcileAllocFailure('default/web-2');
    const evals = await h.evals();
    assert.deepEqual(evals.map((e) => e.spec.triggeredBy), ['job-register']);
    const allocs = (await h.client.resource<Allocation>('allocations').list({ namespace: 'default' })).items;
    assert.deepEqual(allocs.map((a) => a.metadata.annotations?.[FAILURE_EVAL]), [evals[0]!.metadata.name, evals[0]!.metadata.name]);
  });
});

test('failures already handled by the scheduler, stopped allocations and stopped jobs trigger nothing', async () => {
  await withHarness(async (h) => {
    const jobs = h.client.resource<Job>('jobs');
    await jobs.create(testJob('web'));
    const gone = await jobs.create(testJob('gone'));
    const followup = allocDraft('web-f', 'web', 'n1');
    followup.spec.followupEval = 'web-later';
    const stopped = allocDraft('web-s', 'web', 'n1');
    stopped.spec.desiredStatus = 'stop';
    await place(h.client, [followup]);
    await place(h.client, [allocDraft('gone-1', 'gone', 'n1')]);
    // Stopped after its allocation was placed (the plan commit places nothing for a stopped job).
    await jobs.update({ ...gone, spec: { ...gone.spec, stop: true } });
    await h.client.resource<Allocation>('allocations').create({ ...stopped, metadata: { ...stopped.metadata, namespace: 'default' } });
    for (const n of ['web-f', 'web-s', 'gone-1']) await fail(h, n);
    await h.sync();
    for (const n of ['web-f', 'web-s', 'gone-1']) await h.evaluator.reconcileAllocFailure(`default/${n}`);
    assert.deepEqual(await h.evals(), []);
  });
});
