// The plan subresource end to end through app.inject(): what a commit writes, refusals, partial commits,
// chunked transactions, the claim fence, releases by stops and by terminal client status, and staleness.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commitTestServer, nodeTotals, placement } from './test-support.ts';
import { decodeUsage, usageKey } from './usage.ts';
import type { EvalOutcome } from '../scheduler/plan/wire.ts';
import type { AdmissionHook } from '../apiserver/admission.ts';

const V1 = '/apis/drover.dev/v1';

test('a plan commits allocations stamped as API creates, and the node usage record', async () => {
  const t = await commitTestServer();
  try {
    await t.node('n1', 1000);
    await t.evaluation('e1', 'web');
    const r = await t.plan('e1', { placements: [placement('a1', 'n1', 300, { ports: [8080] }), placement('a2', 'n1', 300, { index: 1 })] });
    assert.equal(r.code, 200, r.text);
    assert.deepEqual(r.body.nodes, { n1: { placed: 2 } });
    assert.deepEqual(r.body.placed.sort(), ['a1', 'a2']);
    assert.ok(r.body.revision > 0);
    // Read-your-writes: the watch cache knows the written revision.
    const got = await t.req('GET', `${V1}/namespaces/default/allocations/a1`);
    assert.equal(got.code, 200);
    const m = got.body.metadata;
    assert.match(m.uid, /^[0-9a-f-]{36}$/);
    assert.equal(m.generation, 1);
    assert.match(m.creationTimestamp, /Z$/);
    assert.equal(m.managedFields[0].manager, 'drover-scheduler');
    assert.equal(got.body.spec.desiredStatus, 'run');
    assert.equal(got.body.spec.evalName, 'e1');
    const { kv } = await t.store.get(usageKey('n1'));
    const rec = decodeUsage(kv!.value)!;
    assert.deepEqual({ cpu: rec.used.cpu, ports: rec.ports, allocs: rec.allocs }, { cpu: 600, ports: [8080], allocs: 2 });
    assert.equal(String(kv!.modRevision), m.resourceVersion, 'record and allocations commit in one transaction');
  } finally {
    await t.close();
  }
});

test('what no longer fits is refused with the fresh revision; the rest commits (partial commit)', async () => {
  const t = await commitTestServer();
  try {
    await t.node('n1', 1000);
    await t.node('n2', 1000);
    await t.evaluation('e1', 'web');
    await t.evaluation('e2', 'web');
    const first = await t.plan('e1', { placements: [placement('a1', 'n1', 700)] });
    assert.deepEqual(first.body.nodes, { n1: { placed: 1 } });
    const cases = [
      { name: 'cpu', p: placement('b1', 'n1', 400), reason: /cpu exhausted/ },
      { name: 'port', p: placement('b3', 'n2', 10, { ports: [9000] }), reason: undefined },
    ];
    const r = await t.plan('e2', { placements: cases.map((c) => c.p) });
    assert.equal(r.code, 200);
    assert.match(r.body.nodes.n1!.refused!, /cpu exhausted/);
    assert.equal(r.body.nodes.n1!.placed, 0);
    assert.deepEqual(r.body.nodes.n2, { placed: 1 });
    assert.ok(r.body.waitFor.allocations! >= first.body.revision, 'the worker must see the commit that took the room');
    const names = (await t.allocations()).map((a) => a.metadata.name).sort();
    assert.deepEqual(names, ['a1', 'b3']);
    const clash = await t.plan('e2', { placements: [placement('b4', 'n2', 10, { ports: [9000] })] });
    assert.match(clash.body.nodes.n2!.refused!, /port 9000 collision/);
  } finally {
    await t.close();
  }
});

test('stops and terminal client status release room; REST writes cannot take it back', async () => {
  const t = await commitTestServer();
  try {
    await t.node('n1', 1000);
    await t.evaluation('e1', 'web');
    assert.deepEqual((await t.plan('e1', { placements: [placement('a1', 'n1', 600), placement('a2', 'n1', 400, { index: 1 })] })).body.nodes.n1, { placed: 2 });
    assert.match((await t.plan('e1', { placements: [placement('b1', 'n1', 500, { index: 2 })] })).body.nodes.n1!.refused!, /cpu/);
    // A stop in the same plan frees its room for that plan's placements.
    const swap = await t.plan('e1', { stops: [{ name: 'a1', desiredStatus: 'stop', description: 'alloc not needed' }], placements: [placement('b1', 'n1', 500, { index: 2 })] });
    assert.deepEqual(swap.body.nodes.n1, { placed: 1 });
    assert.deepEqual(swap.body.stopped, ['a1']);
    // The agent reports a2 failed: its room is free for the next commit.
    const a2 = (await t.req('GET', `${V1}/namespaces/default/allocations/a2`)).body;
    a2.status = { clientStatus: 'failed' };
    assert.equal((await t.req('PUT', `${V1}/namespaces/default/allocations/a2/status`, a2)).code, 200);
    assert.deepEqual((await t.plan('e1', { placements: [placement('c1', 'n1', 500, { index: 3 })] })).body.nodes.n1, { placed: 1 });
    // ...and it cannot run again, nor can a live allocation move or grow.
    const failed = (await t.req('GET', `${V1}/namespaces/default/allocations/a2`)).body;
    failed.status.clientStatus = 'running';
    const back = await t.req('PUT', `${V1}/namespaces/default/allocations/a2/status`, failed);
    assert.equal(back.code, 422, back.text);
    const c1 = (await t.req('GET', `${V1}/namespaces/default/allocations/c1`)).body;
    c1.spec.nodeName = 'n2';
    c1.spec.resources.tasks.main.cpu = 1;
    const moved = await t.req('PUT', `${V1}/namespaces/default/allocations/c1`, c1);
    assert.equal(moved.code, 422);
    assert.deepEqual(moved.body.details.causes.map((c: { field: string }) => c.field).sort(), ['spec.nodeName', 'spec.resources']);
    const created = await t.req('POST', `${V1}/namespaces/default/allocations`, placement('x', 'n1', 1));
    assert.equal(created.code, 403, created.text);
    const stopped = placement('y', 'n1', 1);
    stopped.spec.desiredStatus = 'stop';
    assert.equal((await t.req('POST', `${V1}/namespaces/default/allocations`, stopped)).code, 201);
    const totals = nodeTotals(await t.allocations()).get('n1')!;
    assert.equal(totals.cpu, 1000);
  } finally {
    await t.close();
  }
});

test('a node with more placements than one transaction holds commits in sequential transactions', async () => {
  const t = await commitTestServer();
  try {
    await t.node('big', 100_000, 1_000_000);
    await t.evaluation('e1', 'web');
    const ps = Array.from({ length: 300 }, (_, i) => placement(`a${i}`, 'big', 100, { index: i }));
    const r = await t.plan('e1', { placements: ps });
    assert.deepEqual(r.body.nodes, { big: { placed: 300 } });
    assert.equal((await t.allocations()).length, 300);
    const rec = decodeUsage((await t.store.get(usageKey('big'))).kv!.value)!;
    assert.equal(rec.allocs, 300);
    assert.equal(rec.used.cpu, 30_000);
  } finally {
    await t.close();
  }
});

test('the claim fences the plan', async () => {
  const t = await commitTestServer();
  try {
    await t.node('n1', 1000);
    await t.evaluation('e1', 'web', { phase: 'pending', claimedBy: 'w1', deliveries: 2, claimExpiresAt: '2030-01-01T00:00:00Z' });
    const cases = [
      { claim: undefined, code: 409, msg: /claimed by w1/ },
      { claim: { claimedBy: 'w2', deliveries: 2 }, code: 409, msg: /no longer held/ },
      { claim: { claimedBy: 'w1', deliveries: 1 }, code: 409, msg: /no longer held/ },
      { claim: { claimedBy: 'w1', deliveries: 2 }, code: 200 },
    ];
    for (const [i, c] of cases.entries()) {
      const r = await t.plan('e1', { claim: c.claim, placements: [placement(`a${i}`, 'n1', 10, { index: i })] });
      assert.equal(r.code, c.code, r.text);
      if (c.msg) assert.match(r.body.message, c.msg);
    }
    assert.equal((await t.plan('missing', {})).code, 404);
    await t.evaluation('done', 'web', { phase: 'complete' });
    assert.equal((await t.plan('done', {})).code, 409);
  } finally {
    await t.close();
  }
});

test('the outcome is written only with a full commit: status, new evaluations, follow-up links', async () => {
  const t = await commitTestServer();
  try {
    await t.node('n1', 500);
    await t.evaluation('e1', 'web');
    const outcome: EvalOutcome = {
      status: { phase: 'complete' as const, blockedEval: 'e1-blocked', queuedAllocations: { app: 1 } },
      create: [{ apiVersion: 'drover.dev/v1', kind: 'Evaluation', metadata: { name: 'e1-blocked' }, spec: { jobName: 'web', triggeredBy: 'queued-allocs', previousEval: 'e1' }, status: { phase: 'blocked', classEligibility: { c1: false } } }],
      followups: [],
    };
    const refused = await t.plan('e1', { placements: [placement('a1', 'n1', 900)], outcome });
    assert.equal(refused.body.outcomeApplied, false);
    assert.equal((await t.req('GET', `${V1}/namespaces/default/evaluations/e1-blocked`)).code, 404);
    const ok = await t.plan('e1', { placements: [placement('a1', 'n1', 400)], outcome });
    assert.equal(ok.body.outcomeApplied, true, ok.text);
    assert.equal(ok.body.evaluation!.status!.phase, 'complete');
    const blocked = (await t.req('GET', `${V1}/namespaces/default/evaluations/e1-blocked`)).body;
    assert.equal(blocked.status.phase, 'blocked');
    assert.deepEqual(blocked.status.classEligibility, { c1: false });
    assert.equal(blocked.metadata.managedFields.every((f: { manager: string }) => f.manager === 'drover-scheduler'), true);
    // The evaluation is finished: no further plan is accepted for it.
    assert.equal((await t.plan('e1', {})).code, 409);
    // Follow-up links on failed allocations.
    await t.evaluation('e2', 'web');
    const link = await t.plan('e2', {
      outcome: { status: { phase: 'complete' }, create: [{ apiVersion: 'drover.dev/v1', kind: 'Evaluation', metadata: { name: 'e2-f0' }, spec: { jobName: 'web', triggeredBy: 'alloc-failure', waitUntil: '2030-01-01T00:00:00Z' } }], followups: [{ name: 'a1', followupEval: 'e2-f0' }] },
    });
    assert.equal(link.body.outcomeApplied, true, link.text);
    assert.equal((await t.req('GET', `${V1}/namespaces/default/allocations/a1`)).body.spec.followupEval, 'e2-f0');
    assert.equal((await t.req('GET', `${V1}/namespaces/default/evaluations/e2-f0`)).body.status, undefined, 'pending: no status yet');
  } finally {
    await t.close();
  }
});

test('a plan computed from a view older than the evaluation is not committed', async () => {
  const t = await commitTestServer();
  try {
    await t.node('n1', 1000);
    await t.evaluation('e1', 'web');
    const first = await t.plan('e1', { placements: [placement('a1', 'n1', 100)] });
    const e2 = await t.evaluation('e2', 'web');
    const nodeRev = Number((await t.req('GET', `${V1}/nodes/n1`)).body.metadata.resourceVersion);
    const fresh = { jobs: 0, allocations: first.body.revision, nodes: nodeRev };
    const basis = { job: null, revisions: fresh, nodes: { n1: 'ready' as const } };
    const cases = [
      { name: 'allocations', revisions: { ...fresh, allocations: first.body.revision - 1 }, waitFor: { allocations: first.body.revision } },
      { name: 'nodes', revisions: { ...fresh, nodes: nodeRev - 1 }, waitFor: { nodes: nodeRev } },
    ];
    for (const c of cases) {
      const r = await t.plan('e2', { basis: { ...basis, revisions: c.revisions }, placements: [placement('a2', 'n1', 100, { index: 1 })] });
      assert.match(r.body.stale ?? '', new RegExp(`${c.name}.* changed`), c.name);
      assert.deepEqual(r.body.waitFor, c.waitFor, c.name);
      assert.deepEqual(r.body.placed, [], c.name);
    }
    const job = await t.plan('e2', { basis: { ...basis, job: { uid: 'x', generation: 1 } } });
    assert.deepEqual(job.body.refetch.jobs, ['web'], 'the worker saw a job the server does not have');
    assert.ok(Number(e2.metadata.resourceVersion) > first.body.revision);
    const ok = await t.plan('e2', { basis, placements: [placement('a2', 'n1', 100, { index: 1 })] });
    // A node the plan relied on went down after the claim: re-read it, plan again.
    const n1 = (await t.req('GET', `${V1}/nodes/n1`)).body;
    n1.status.phase = 'down';
    assert.equal((await t.req('PUT', `${V1}/nodes/n1/status`, n1)).code, 200);
    const down = await t.plan('e2', { basis });
    assert.deepEqual(down.body.refetch.nodes, ['n1']);
    assert.equal(ok.body.stale, undefined);
    assert.deepEqual(ok.body.placed, ['a2']);
  } finally {
    await t.close();
  }
});

test('admission hooks of the API server apply to the objects a plan creates', async () => {
  const hook: AdmissionHook = {
    kinds: ['Allocation'],
    mutate(_op, obj) {
      obj.metadata.labels = { ...obj.metadata.labels, 'drover.dev/job': (obj.spec as { jobName: string }).jobName };
    },
    validate(_op, obj) {
      return obj.metadata.name.startsWith('bad') ? [{ reason: 'FieldValueForbidden', field: 'metadata.name', message: 'Forbidden: bad name' }] : [];
    },
  };
  const t = await commitTestServer({ admission: [hook] });
  try {
    await t.node('n1', 1000);
    await t.evaluation('e1', 'web');
    const rejected = await t.plan('e1', { placements: [placement('good', 'n1', 10), placement('bad', 'n1', 10, { index: 1 })] });
    assert.equal(rejected.code, 422);
    assert.equal((await t.allocations()).length, 0, 'nothing is written when one object is refused');
    assert.equal((await t.plan('e1', { placements: [placement('good', 'n1', 10)] })).code, 200);
    assert.deepEqual((await t.allocations())[0]!.metadata.labels, { 'drover.dev/job': 'web' });
  } finally {
    await t.close();
  }
});

test('discovery lists the plan subresource', async () => {
  const t = await commitTestServer();
  try {
    const names = (await t.req('GET', V1)).body.resources.map((r: { name: string }) => r.name);
    assert.ok(names.includes('evaluations/plan'));
    assert.equal(names.indexOf('evaluations/plan'), names.indexOf('evaluations/status') + 1);
  } finally {
    await t.close();
  }
});
