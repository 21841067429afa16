// Blocked evaluations, against a real API server: unblocked only by capacity newer than their snapshot, on a
// node whose class is not known ineligible and whose free resources fit a failed group; canceled when the job
// stops, a newer blocked evaluation exists, or a pending one will re-plan anyway.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Allocation, Evaluation, EvaluationStatus, Job, Node } from '../../../api/schemas/index.ts';
import { API_VERSION } from '../../../api/schemas/kind.ts';
import { nodeFromApi } from '../../scheduler/adapters.ts';
import { allocDraft, createNode, evaluatorHarness, place, testJob, type EvaluatorHarness } from './testkit.ts';

async function withHarness(fn: (h: EvaluatorHarness) => Promise<void>): Promise<void> {
  const h = await evaluatorHarness();
  try {
    // web asks 500 MHz and 256 MB per allocation; n-small cannot take one.
    await h.client.resource<Job>('jobs').create(testJob('web'));
    await createNode(h.client, 'n-small', { cpu: 100 });
    await fn(h);
  } finally {
    await h.close();
  }
}

/** A blocked evaluation of `job` whose snapshot is "now" (the revision of its own creation). */
async function blockedEval(h: EvaluatorHarness, name: string, status: Partial<EvaluationStatus> = {}, job = 'web'): Promise<Evaluation> {
  const evals = h.client.resource<Evaluation>('evaluations');
  const e = await evals.create({ apiVersion: API_VERSION, kind: 'Evaluation', metadata: { name, namespace: 'default' }, spec: { jobName: job, triggeredBy: 'queued-allocs' } });
  const failedTGAllocs = { g: { nodesEvaluated: 1, nodesExhausted: 1, dimensionExhausted: { cpu: 1 } } };
  return evals.updateStatus({ ...e, status: { phase: 'blocked', snapshotRevision: e.metadata.resourceVersion, deliveries: 2, failedTGAllocs, queuedAllocations: { g: 1 }, ...status } });
}

async function phaseOf(h: EvaluatorHarness, name: string): Promise<[string | undefined, string | undefined]> {
  await h.sync();
  await h.evaluator.reconcileBlocked(`default/${name}`);
  const e = await h.client.resource<Evaluation>('evaluations').get(name, { namespace: 'default' });
  return [e.status?.phase, e.status?.statusDescription];
}

const classOf = async (h: EvaluatorHarness, node: string) => nodeFromApi(await h.client.resource<Node>('nodes').get(node)).computedClass;

test('a node joining with room unblocks the evaluation (pending, deliveries reset); capacity older than the snapshot does not', async () => {
  await withHarness(async (h) => {
    await createNode(h.client, 'n-big-early', { cpu: 4000 });
    await blockedEval(h, 'b1');
    assert.deepEqual(await phaseOf(h, 'b1'), ['blocked', undefined], 'n-big-early was there when the scheduler looked');
    await createNode(h.client, 'n-big', { cpu: 4000 });
    assert.deepEqual(await phaseOf(h, 'b1'), ['pending', 'unblocked: capacity on node n-big']);
    const e = await h.client.resource<Evaluation>('evaluations').get('b1', { namespace: 'default' });
    assert.equal(e.status?.deliveries, 0);
    assert.deepEqual(e.status?.failedTGAllocs?.g?.dimensionExhausted, { cpu: 1 }, 'the last placement metrics stay for describe');
  });
});

test('a node joining too small for the failed group leaves the evaluation blocked', async () => {
  await withHarness(async (h) => {
    await blockedEval(h, 'b1');
    await createNode(h.client, 'n-tiny', { cpu: 400 });
    assert.deepEqual(await phaseOf(h, 'b1'), ['blocked', undefined]);
  });
});

test('a node of a class known ineligible does not unblock; one of an unknown class does', async () => {
  await withHarness(async (h) => {
    await createNode(h.client, 'probe', { cpu: 100 });
    const cls = await classOf(h, 'probe');
    await blockedEval(h, 'b1', { classEligibility: { [cls]: false } });
    await createNode(h.client, 'n-same-class', { cpu: 4000 });
    assert.equal(await classOf(h, 'n-same-class'), cls);
    assert.deepEqual((await phaseOf(h, 'b1'))[0], 'blocked');
    await createNode(h.client, 'n-other-class', { cpu: 4000, spec: { nodeClass: 'big' } });
    assert.deepEqual(await phaseOf(h, 'b1'), ['pending', 'unblocked: capacity on node n-other-class']);
  });
});

test('an evaluation whose constraints escaped the computed class ignores class eligibility', async () => {
  await withHarness(async (h) => {
    await createNode(h.client, 'probe', { cpu: 100 });
    const cls = await classOf(h, 'probe');
    await blockedEval(h, 'b1', { classEligibility: { [cls]: false }, escapedComputedClass: true });
    await createNode(h.client, 'n-same-class', { cpu: 4000 });
    assert.deepEqual((await phaseOf(h, 'b1'))[0], 'pending');
  });
});

test('an allocation stopping frees capacity on its node and unblocks', async () => {
  await withHarness(async (h) => {
    await h.client.resource<Job>('jobs').create(testJob('hog'));
    await createNode(h.client, 'n1', { cpu: 1000 });
    await place(h.client, [allocDraft('hog-1', 'hog', 'n1', { cpu: 1000 })]);
    await blockedEval(h, 'b1');
    assert.deepEqual((await phaseOf(h, 'b1'))[0], 'blocked');
    await h.client.resource<Allocation>('allocations').patch('hog-1', { spec: { desiredStatus: 'stop' } }, 'merge', { namespace: 'default' });
    assert.deepEqual(await phaseOf(h, 'b1'), ['pending', 'unblocked: capacity on node n1']);
  });
});

test('a blocked evaluation is canceled when its job stops, a newer one blocks, or a pending one will re-plan', async () => {
  await withHarness(async (h) => {
    const jobs = h.client.resource<Job>('jobs');
    await jobs.create(testJob('api'));
    await jobs.create(testJob('db'));
    await blockedEval(h, 'b-web');
    await jobs.patch('web', { spec: { stop: true } }, 'merge', { namespace: 'default' });
    assert.deepEqual(await phaseOf(h, 'b-web'), ['canceled', 'canceled: the job was stopped or deleted']);

    await blockedEval(h, 'b-api-old', {}, 'api');
    await blockedEval(h, 'b-api-new', {}, 'api');
    assert.deepEqual(await phaseOf(h, 'b-api-old'), ['canceled', 'superseded by newer blocked evaluation b-api-new']);
    assert.deepEqual((await phaseOf(h, 'b-api-new'))[0], 'blocked');

    await blockedEval(h, 'b-db', {}, 'db');
    await h.sync();
    await h.evaluator.reconcileJob('default/db');
    const pending = (await h.evals()).find((e) => e.spec.jobName === 'db' && e.spec.triggeredBy === 'job-register')!;
    assert.deepEqual(await phaseOf(h, 'b-db'), ['canceled', `superseded by pending evaluation ${pending.metadata.name}`]);
  });
});

test('a node searched in vain is searched again only after a newer capacity event on it', async () => {
  await withHarness(async (h) => {
    await h.client.resource<Job>('jobs').create(testJob('hog'));
    await blockedEval(h, 'b1');
    // n1 joins after the snapshot, but is full by the time the evaluator looks.
    await createNode(h.client, 'n1', { cpu: 1000 });
    await place(h.client, [allocDraft('hog-1', 'hog', 'n1', { cpu: 1000 })]);
    assert.deepEqual((await phaseOf(h, 'b1'))[0], 'blocked');
    assert.ok(h.evaluator.context.cache.capacity.checkedUpTo('default/b1', Number((await h.client.resource<Evaluation>('evaluations').get('b1', { namespace: 'default' })).status!.snapshotRevision)) > 0);
    await h.client.resource<Allocation>('allocations').patch('hog-1', { spec: { desiredStatus: 'stop' } }, 'merge', { namespace: 'default' });
    assert.deepEqual(await phaseOf(h, 'b1'), ['pending', 'unblocked: capacity on node n1']);
  });
});
