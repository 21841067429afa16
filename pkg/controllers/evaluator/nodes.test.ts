// Node triggers, against a real API server: a node coming up (system jobs), going down, draining, changing
// eligibility, disappearing; one evaluation per job with allocations there; none repeated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Allocation, Evaluation, Job, Node } from '../../../api/schemas/index.ts';
import { NODE_STATE } from './model.ts';
import { allocDraft, createNode, evaluatorHarness, place, testJob, type EvaluatorHarness } from './testkit.ts';

async function withHarness(fn: (h: EvaluatorHarness) => Promise<void>): Promise<void> {
  const h = await evaluatorHarness();
  try {
    await fn(h);
  } finally {
    await h.close();
  }
}

/** Act as the scheduler workers: every pending evaluation is done. */
async function completeAll(h: EvaluatorHarness): Promise<void> {
  for (const e of await h.evals()) {
    if ((e.status?.phase ?? 'pending') === 'pending') await h.client.resource<Evaluation>('evaluations').updateStatus({ ...e, status: { ...e.status, phase: 'complete' } });
  }
  await h.sync();
}

/** The pending evaluations as `job trigger node`, sorted. */
async function pending(h: EvaluatorHarness): Promise<string[]> {
  return (await h.evals()).filter((e) => (e.status?.phase ?? 'pending') === 'pending').map((e) => `${e.spec.jobName} ${e.spec.triggeredBy} ${e.spec.nodeName ?? '-'}`).sort();
}

/** Two service jobs with an allocation each on n1, plus system jobs in dc1 and dc2. */
async function cluster(h: EvaluatorHarness): Promise<void> {
  const jobs = h.client.resource<Job>('jobs');
  await createNode(h.client, 'n1');
  for (const j of [testJob('web'), testJob('api'), testJob('logs', { type: 'system', datacenters: ['dc*'] }), testJob('metrics', { type: 'sysbatch', datacenters: ['dc2'] })]) await jobs.create(j);
  await place(h.client, [allocDraft('web-1', 'web', 'n1')]);
  await place(h.client, [allocDraft('api-1', 'api', 'n1')]);
  await h.sync();
  for (const j of ['web', 'api', 'logs', 'metrics']) await h.evaluator.reconcileJob(`default/${j}`);
  await h.evaluator.reconcileNode('n1');
  await completeAll(h);
}

const patchNode = async (h: EvaluatorHarness, patch: unknown, sub?: string) => {
  await h.client.resource<Node>('nodes').patch('n1', patch, 'merge', { subresource: sub });
  await h.sync();
};

test('a new ready node gets an evaluation for every system job of its datacenter, and its state is recorded', async () => {
  await withHarness(async (h) => {
    await createNode(h.client, 'n0');
    for (const j of [testJob('web'), testJob('logs', { type: 'system' }), testJob('metrics', { type: 'sysbatch', datacenters: ['dc2'] }), testJob('off', { type: 'system', stop: true })]) {
      await h.client.resource<Job>('jobs').create(j);
    }
    await h.sync();
    await h.evaluator.reconcileNode('n0');
    assert.deepEqual(await pending(h), ['logs node-update n0']);
    assert.equal((await h.client.resource<Node>('nodes').get('n0')).metadata.annotations?.[NODE_STATE], 'ready/eligible/-');
    await h.sync();
    await h.evaluator.reconcileNode('n0');
    assert.equal((await h.evals()).length, 1, 'nothing new once the state is recorded');
  });
});

test('a node that is not ready yet triggers nothing but has its state recorded', async () => {
  await withHarness(async (h) => {
    await createNode(h.client, 'n0', { phase: 'initializing' });
    await h.client.resource<Job>('jobs').create(testJob('logs', { type: 'system' }));
    await h.sync();
    await h.evaluator.reconcileNode('n0');
    assert.deepEqual(await pending(h), []);
    assert.equal((await h.client.resource<Node>('nodes').get('n0')).metadata.annotations?.[NODE_STATE], 'initializing/eligible/-');
  });
});

const transitions: Array<{ name: string; patch: unknown; sub?: string; want: string[] }> = [
  { name: 'going down', patch: { status: { phase: 'down' } }, sub: 'status', want: ['api node-update n1', 'web node-update n1'] },
  { name: 'draining', patch: { spec: { drain: { deadline: '1h' } } }, want: ['api node-drain n1', 'web node-drain n1'] },
  { name: 'becoming ineligible', patch: { spec: { eligibility: 'ineligible' } }, want: ['api node-update n1', 'web node-update n1'] },
];

for (const c of transitions) {
  test(`a node ${c.name} gets one evaluation per job with allocations holding resources there`, async () => {
    await withHarness(async (h) => {
      await cluster(h);
      await patchNode(h, c.patch, c.sub);
      await h.evaluator.reconcileNode('n1');
      assert.deepEqual(await pending(h), c.want);
      await h.sync();
      await h.evaluator.reconcileNode('n1');
      assert.deepEqual(await pending(h), c.want, 'no duplicates');
    });
  });
}

test('allocations the health controller marked lost before the evaluator saw the node go down still get evaluations', async () => {
  await withHarness(async (h) => {
    await cluster(h);
    const allocs = h.client.resource<Allocation>('allocations');
    for (const name of ['web-1', 'api-1']) {
      const a = await allocs.get(name, { namespace: 'default' });
      await allocs.updateStatus({ ...a, status: { clientStatus: 'lost', clientDescription: 'alloc is lost since its node is down' } });
    }
    await patchNode(h, { status: { phase: 'down' } }, 'status');
    await h.evaluator.reconcileNode('n1');
    assert.deepEqual(await pending(h), ['api node-update n1', 'web node-update n1']);
  });
});

test('a node becoming eligible again re-evaluates its jobs and the system jobs', async () => {
  await withHarness(async (h) => {
    await cluster(h);
    await patchNode(h, { spec: { eligibility: 'ineligible' } });
    await h.evaluator.reconcileNode('n1');
    await completeAll(h);
    await patchNode(h, { spec: { eligibility: 'eligible' } });
    await h.evaluator.reconcileNode('n1');
    assert.deepEqual(await pending(h), ['api node-update n1', 'logs node-update n1', 'web node-update n1']);
  });
});

test('a pending evaluation of the job already covers a node trigger', async () => {
  await withHarness(async (h) => {
    await cluster(h);
    // web is updated and evaluated again, and that evaluation is still pending when n1 goes down.
    await h.client.resource<Job>('jobs').patch('web', { spec: { priority: 60 } }, 'merge', { namespace: 'default' });
    await h.sync();
    await h.evaluator.reconcileJob('default/web');
    await patchNode(h, { status: { phase: 'down' } }, 'status');
    await h.evaluator.reconcileNode('n1');
    assert.deepEqual(await pending(h), ['api node-update n1', 'web job-register -']);
  });
});

test('a node that disappears with allocations holding resources gets node-update evaluations', async () => {
  await withHarness(async (h) => {
    await cluster(h);
    await h.client.resource<Node>('nodes').delete('n1');
    await h.sync();
    await h.evaluator.reconcileNode('n1');
    assert.deepEqual(await pending(h), ['api node-update n1', 'web node-update n1']);
  });
});

test('several nodes coming up at once evaluate a system job once while that evaluation is pending', async () => {
  await withHarness(async (h) => {
    await h.client.resource<Job>('jobs').create(testJob('logs', { type: 'system' }));
    for (const n of ['a', 'b', 'c']) await createNode(h.client, n);
    await h.sync();
    await Promise.all(['a', 'b', 'c'].map((n) => h.evaluator.reconcileNode(n)));
    assert.equal((await pending(h)).length, 1);
  });
});
