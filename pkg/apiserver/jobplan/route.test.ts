// The job plan subresource through app.inject(): placements for a job that fits, why one does not (exhausted
// dimension, constraint filter), the diff and planned updates of a running job, validation as a create does it,
// and that nothing is ever stored.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { kinds } from '../../../api/schemas/index.ts';
import { planCommitPlugin } from '../../plancommit/route.ts';
import { testServer, type TestServer } from '../test-support.ts';
import { jobPlanPlugin } from './route.ts';
import { addNode, createJob, planPath, runAllocs, webJob, type Send } from './test-support.ts';
import type { JobPlanResult } from './types.ts';

let t: TestServer;
let send: Send;

before(async () => {
  // The plan commit places the running allocations the dry runs plan around (runAllocs).
  t = await testServer({ kinds, plugins: [planCommitPlugin(), jobPlanPlugin()] });
  send = (method, path, body) => t.req(method, path, body);
  // Three linux nodes with 4000 MHz and 4096 MB each.
  for (const n of ['n1', 'n2', 'n3']) await addNode(send, n);
});
after(() => t.close());

async function plan(job: unknown, name = (job as { metadata: { name: string } }).metadata.name, query = ''): Promise<JobPlanResult> {
  const r = await t.req('POST', planPath(name, query), job);
  assert.equal(r.code, 200, r.text);
  return r.body as JobPlanResult;
}

const placedOn = (r: JobPlanResult) => Object.entries(r.nodes).flatMap(([node, np]) => np.place.map((p) => `${p.name}@${node}`)).sort();

test('a job that fits: every allocation placed, the whole job Added, nothing stored', async () => {
  const before = await t.store.status();
  const r = await plan(webJob('fits', { count: 3 }));
  assert.equal(r.kind, 'JobPlanResult');
  assert.equal(r.jobModifyIndex, 0);
  assert.equal(r.currentVersion, undefined);
  assert.deepEqual(r.failedGroups, {});
  assert.deepEqual(r.queued, {});
  assert.equal(r.desiredChanges.web!.place, 3);
  assert.equal(placedOn(r).length, 3);
  assert.ok(placedOn(r).every((p) => /^fits\.web\[[0-2]\]@n[1-3]$/.test(p)), placedOn(r).join());
  assert.equal(r.diff.type, 'Added');
  assert.deepEqual(r.diff.taskGroups.map((g) => [g.name, g.type, g.updates]), [['web', 'Added', { create: 3 }]]);
  assert.deepEqual(r.diff.taskGroups[0]!.tasks.map((x) => [x.name, x.type, x.annotations]), [['server', 'Added', ['forces create']]]);
  // Schema defaults are applied before planning: the added job shows its defaulted priority.
  assert.ok(r.diff.fields.some((f) => f.name === 'priority' && f.type === 'Added' && f.new === '50'), JSON.stringify(r.diff.fields));

  const after = await t.store.status();
  assert.equal(after.revision, before.revision, 'a dry run writes nothing');
  assert.equal((await t.req('GET', '/apis/drover.dev/v1/namespaces/default/jobs/fits')).code, 404);
  assert.equal((await t.req('GET', '/apis/drover.dev/v1/namespaces/default/allocations')).body.items.length, 0);
});

test('the same request against the same state gives the same placements', async () => {
  const [a, b] = [await plan(webJob('same', { count: 2 })), await plan(webJob('same', { count: 2 }))];
  assert.deepEqual(a.nodes, b.nodes);
});

test('a job that does not fit: every node evaluated and exhausted by memory', async () => {
  const r = await plan(webJob('big', { count: 4, memoryMB: 5000 }));
  const m = r.failedGroups.web!;
  assert.ok(m, JSON.stringify(r));
  assert.equal(m.nodesEvaluated, 3);
  assert.equal(m.nodesFiltered, 0);
  assert.equal(m.nodesExhausted, 3);
  assert.deepEqual(m.dimensionExhausted, { memory: 3 });
  assert.equal(m.coalescedFailures, 3, 'the other three placements are coalesced into the first failure');
  assert.deepEqual(r.queued, { web: 4 });
  assert.deepEqual(r.nodes, {});
  assert.equal(r.desiredChanges.web!.place, 4);
});

test('a constraint no node meets: filtered by the constraint\'s own text', async () => {
  const r = await plan(webJob('win', { count: 2, constraints: [{ attribute: '${attr.kernel.name}', value: 'windows' }] }));
  const m = r.failedGroups.web!;
  assert.equal(m.nodesEvaluated, 3);
  assert.equal(m.nodesFiltered, 3);
  assert.deepEqual(m.constraintFiltered, { '${attr.kernel.name} = windows': 3 });
  assert.equal(m.nodesExhausted, 0);
  assert.deepEqual(r.queued, { web: 2 });
});

test('an update of a running job: field diff, annotations, planned updates and the modify index', async () => {
  const job = await createJob(send, webJob('svc', { count: 2 }));
  await runAllocs(send, job, ['n1', 'n2']);
  const storeBefore = await t.store.status();

  // Unchanged: nothing to do, every allocation ignored, the diff is None.
  const same = await plan(webJob('svc', { count: 2 }));
  assert.equal(same.diff.type, 'None');
  assert.equal(same.currentVersion, 1);
  assert.equal(same.jobVersion, 1);
  assert.equal(same.jobModifyIndex, Number(job.metadata.resourceVersion));
  assert.deepEqual(same.diff.taskGroups.map((g) => [g.type, g.updates]), [['None', { ignore: 2 }]]);
  assert.deepEqual(same.nodes, {});

  // More instances and a new environment: one placement, two destructive updates.
  const changed = await plan(webJob('svc', { count: 3, env: { MODE: 'fast' } }));
  assert.equal(changed.diff.type, 'Edited');
  assert.equal(changed.jobVersion, 2);
  const g = changed.diff.taskGroups[0]!;
  assert.equal(g.type, 'Edited');
  assert.deepEqual(g.updates, { create: 1, 'create/destroy update': 2 });
  assert.deepEqual(g.fields, [{ type: 'Edited', name: 'count', old: '2', new: '3', annotations: ['forces create'] }]);
  const task = g.tasks[0]!;
  assert.deepEqual([task.type, task.annotations], ['Edited', ['forces create/destroy update']]);
  assert.deepEqual(task.objects, [{ type: 'Added', name: 'env', fields: [{ type: 'Added', name: 'MODE', new: 'fast' }], objects: [] }]);
  assert.equal(changed.desiredChanges.web!.destructiveUpdate, 2);
  assert.equal(changed.desiredChanges.web!.place, 1);
  const stopped = Object.values(changed.nodes).flatMap((np) => np.stop.map((s) => s.name)).sort();
  assert.deepEqual(stopped, ['svc.web[0]', 'svc.web[1]']);
  assert.equal(placedOn(changed).length, 3);

  // A field tasks take without a restart: in-place updates on the same nodes.
  const inplace = await plan(webJob('svc', { count: 2, killTimeout: '30s' }));
  assert.deepEqual(inplace.diff.taskGroups[0]!.updates, { 'in-place update': 2 });
  assert.deepEqual(inplace.diff.taskGroups[0]!.tasks[0]!.annotations, ['forces in-place update']);
  assert.deepEqual(inplace.diff.taskGroups[0]!.tasks[0]!.fields, [{ type: 'Edited', name: 'killTimeout', old: '5s', new: '30s' }]);
  const updates = Object.entries(inplace.nodes).flatMap(([node, np]) => np.update.map((u) => `${u.name}@${node} v${u.fromVersion}->v${u.toVersion}`)).sort();
  assert.deepEqual(updates, ['svc.web[0]@n1 v1->v2', 'svc.web[1]@n2 v1->v2']);

  // Contextual: unchanged fields come back as None (for verbose output).
  const ctx = await plan(webJob('svc', { count: 2, killTimeout: '30s' }), 'svc', '?contextual=true');
  assert.ok(ctx.diff.taskGroups[0]!.tasks[0]!.fields.some((f) => f.name === 'driver' && f.type === 'None' && f.new === 'mock'));

  assert.equal((await t.store.status()).revision, storeBefore.revision, 'plans of a running job write nothing');
});

test('the running allocations hold capacity: a plan sees the room they take', async () => {
  const job = await createJob(send, webJob('hog', { count: 3, memoryMB: 3000 }));
  await runAllocs(send, job, ['n1', 'n2', 'n3']);
  // Each node has 4096 MB; 3000 MB (plus svc's 256 MB on n1, n2) is taken, so 1500 MB fits nowhere.
  const r = await plan(webJob('more', { count: 1, memoryMB: 1500 }));
  assert.deepEqual(r.failedGroups.web?.dimensionExhausted, { memory: 3 });
});

test('validated and defaulted as a create: invalid jobs, unknown fields, bad paths', async () => {
  const bad = webJob('bad') as unknown as { spec: { type: string } };
  bad.spec.type = 'nonsense';
  const invalid = await t.req('POST', planPath('bad'), bad);
  assert.equal(invalid.code, 422);
  assert.equal(invalid.body.reason, 'Invalid');
  assert.ok(invalid.body.details.causes.some((c: { field: string }) => c.field === 'spec.type'), invalid.text);

  const unknown = webJob('unk') as unknown as { spec: Record<string, unknown> };
  unknown.spec.colour = 'blue';
  assert.equal((await t.req('POST', planPath('unk'), unknown)).code, 422);

  const mismatch = await t.req('POST', planPath('other'), webJob('named'));
  assert.equal(mismatch.code, 400);
  assert.equal(mismatch.body.kind, 'Status');

  assert.equal((await t.req('POST', planPath('empty'))).code, 400);
  const noNs = await t.req('POST', '/apis/drover.dev/v1/namespaces/nowhere/jobs/x/plan', webJob('x'));
  assert.equal(noNs.code, 404);
  assert.equal((await t.req('POST', planPath('fits', '?contextual=maybe'), webJob('fits'))).code, 400);
});

test('a rolling update part-way through: the counts add up to the three allocations the group has', async () => {
  // The case: three running allocations, [0] already replaced by the new version, [1] and [2] to go one
  // at a time. The old [0], stopped and complete, is history: it used to be counted as one more ignore (the issue
  // saw 5 ignore for three allocations, with more history behind them).
  const small = { count: 3, cpu: 100, memoryMB: 64, maxParallel: 1 };
  const v1 = await createJob(send, webJob('roll', small));
  await runAllocs(send, v1, ['n1', 'n2', 'n3']);
  const current = (await t.req('GET', '/apis/drover.dev/v1/namespaces/default/jobs/roll')).body;
  const v2 = webJob('roll', { ...small, env: { MODE: 'fast' } });
  const put = await t.req('PUT', '/apis/drover.dev/v1/namespaces/default/jobs/roll', { ...v2, metadata: { ...v2.metadata, resourceVersion: current.metadata.resourceVersion } });
  assert.equal(put.code, 200, put.text);
  // The first destructive update, as a scheduler commits it, and the agents' reports.
  const V1 = '/apis/drover.dev/v1/namespaces/default';
  assert.equal((await t.req('POST', `${V1}/evaluations`, { apiVersion: 'drover.dev/v1', kind: 'Evaluation', metadata: { name: 'roll-update' }, spec: { jobName: 'roll', triggeredBy: 'job-register' } })).code, 201);
  const committed = await t.req('POST', `${V1}/evaluations/roll-update/plan`, {
    stops: [{ name: 'roll-web-0', desiredStatus: 'stop', description: 'alloc is being updated due to job update' }],
    placements: [{
      apiVersion: 'drover.dev/v1', kind: 'Allocation', metadata: { name: 'roll-web-0-v2' },
      spec: {
        nodeName: 'n1', jobName: 'roll', jobVersion: put.body.metadata.generation, groupName: 'web', index: 0, previousAllocation: 'roll-web-0',
        resources: { tasks: { server: { cpu: 100, memoryMB: 64 } }, diskMB: 300, ports: [] },
      },
    }],
    updates: [],
  });
  assert.equal(committed.code, 200, committed.text);
  assert.equal(committed.body.placed.length, 1, committed.text);
  for (const [name, clientStatus] of [['roll-web-0', 'complete'], ['roll-web-0-v2', 'running'], ['roll-web-1', 'running'], ['roll-web-2', 'running']]) {
    const a = (await t.req('GET', `${V1}/allocations/${name}`)).body;
    const r = await t.req('PUT', `${V1}/allocations/${name}/status`, { ...a, status: { ...a.status, clientStatus } });
    assert.equal(r.code, 200, r.text);
  }

  const r = await plan(v2);
  assert.equal(r.diff.type, 'None');
  assert.deepEqual(r.diff.taskGroups.map((g) => g.updates), [{ 'create/destroy update': 1, ignore: 2 }]);
  const c = r.desiredChanges.web!;
  assert.equal(c.stop + c.lost + c.inPlaceUpdate + c.destructiveUpdate + c.migrate + c.ignore, 3, 'what the group has');
  assert.equal(c.place + c.reschedule + c.inPlaceUpdate + c.destructiveUpdate + c.migrate + c.ignore, 3, 'what it will have');
});

test('a job whose dependencies are not Ready plans no placement for its waiting groups', async () => {
  const waiting = webJob('waits', { count: 2 });
  waiting.spec.dependsOn = ['not-there-yet'];
  const r = await plan(waiting);
  assert.deepEqual(placedOn(r), [], 'held: the workers would place nothing of it');
  assert.deepEqual(r.failedGroups, {}, 'waiting is not a failed placement');
  const free = webJob('free', { count: 2 });
  assert.equal(placedOn(await plan(free)).length, 2);
});
