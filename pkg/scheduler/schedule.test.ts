import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computePlan, batchFollowups, defaultAllocId } from './schedule.ts';
import { mkNode, mkNodes, mkJob, mkGroup, mkAlloc } from './testing/fixtures.ts';
import { DESC } from './reconcile/descriptions.ts';
import type { JobView } from './structs.ts';

const small = (name: string) => mkNode(name, { capacity: { cpu: 1000, memoryMB: 1000, diskMB: 1000 } });

test('a destructive update stops the old allocation and places its replacement under the same name', () => {
  const v1 = mkJob();
  const v2: JobView = { ...v1, version: 2, groups: [mkGroup({ fingerprint: 'fp-2' })] };
  const old = mkAlloc(v1, 'n', 0);
  // One small node: the replacement fits only because the old allocation's resources are freed first.
  const { plan } = computePlan({ evalId: 'e', job: v2, nodes: [small('n')], allocs: [old], now: 0 });
  const np = plan.nodes.n;
  assert.deepEqual(np.stop.map((s) => [s.id, s.description]), [[old.id, DESC.updating]]);
  assert.equal(np.place[0].name, old.name);
  assert.equal(np.place[0].jobVersion, 2);
  assert.equal(np.place[0].previousAllocation, old.id);
  assert.deepEqual(np.usage, v2.groups[0].ask);
});

test('a destructive update whose replacement fits nowhere keeps the old allocation running', () => {
  const v1 = mkJob();
  const v2: JobView = { ...v1, version: 2, groups: [mkGroup({ fingerprint: 'fp-2', ask: { cpu: 5000, memoryMB: 10, diskMB: 0 } })] };
  const old = mkAlloc(v1, 'n', 0);
  const { plan } = computePlan({ evalId: 'e', job: v2, nodes: [small('n')], allocs: [old], now: 0 });
  assert.deepEqual(plan.nodes, {});
  assert.equal(plan.queued.web, 1);
  assert.deepEqual(plan.failedGroups.web.dimensionExhausted, { cpu: 1 });
});

test('an in-place update is recorded as an update; a constraint the node now fails makes it destructive', () => {
  const v1 = mkJob();
  const v2 = { ...v1, version: 2 };
  const alloc = mkAlloc(v1, 'node-0', 0);
  const inPlace = computePlan({ evalId: 'e', job: v2, nodes: mkNodes(2), allocs: [alloc], now: 0, jobVersions: new Map([[1, v1]]) }).plan;
  assert.deepEqual(inPlace.nodes['node-0'].update, [{ id: alloc.id, name: alloc.name, nodeName: 'node-0', fromVersion: 1, toVersion: 2 }]);
  const fenced: JobView = { ...v2, constraints: [{ attribute: '${node.unique.name}', operator: '!=', value: 'node-0' }] };
  const moved = computePlan({ evalId: 'e', job: fenced, nodes: mkNodes(2), allocs: [alloc], now: 0, jobVersions: new Map([[1, v1]]) }).plan;
  assert.equal(moved.nodes['node-0'].stop[0].id, alloc.id);
  assert.equal(moved.nodes['node-1'].place[0].name, alloc.name);
});

test('an allocation on a down node is stopped as lost and replaced elsewhere', () => {
  const job = mkJob();
  const alloc = mkAlloc(job, 'node-0', 0);
  const nodes = [mkNode('node-0', { ready: false }), mkNode('node-1')];
  const { plan } = computePlan({ evalId: 'e', job, nodes, allocs: [alloc], now: 0 });
  assert.deepEqual(plan.nodes['node-0'].stop.map((s) => [s.id, s.clientStatus, s.description]), [[alloc.id, 'lost', DESC.lost]]);
  assert.equal(plan.nodes['node-1'].place[0].reason, 'lost');
});

test('an allocation on a draining node migrates to another node', () => {
  const job = mkJob();
  const alloc = mkAlloc(job, 'node-0', 0);
  const { plan } = computePlan({ evalId: 'e', job, nodes: [mkNode('node-0', { draining: true }), mkNode('node-1')], allocs: [alloc], now: 0 });
  assert.equal(plan.nodes['node-0'].stop[0].description, DESC.migrating);
  assert.deepEqual([plan.nodes['node-1'].place[0].reason, plan.nodes['node-1'].place[0].name], ['migrate', alloc.name]);
});

test('a migration a drainer marked stops its allocation even when no other node has room; an unmarked one stays', () => {
  const job = mkJob();
  const nodes = [mkNode('node-0', { draining: true, eligible: false })];
  const marked = computePlan({ evalId: 'e', job, nodes, allocs: [mkAlloc(job, 'node-0', 0, { migrate: true })], now: 0 }).plan;
  assert.deepEqual(marked.nodes['node-0'].stop.map((s) => s.description), [DESC.migrating]);
  assert.equal(marked.nodes['node-0'].place.length, 0);
  assert.equal(marked.queued.web, 1, 'the replacement waits for room in the blocked evaluation');
  const paced = computePlan({ evalId: 'e', job, nodes, allocs: [mkAlloc(job, 'node-0', 0)], now: 0 }).plan;
  assert.deepEqual(paced.nodes, {}, 'the scheduler\'s own migration keeps the allocation until its replacement fits');
  assert.equal(paced.queued.web, 1);
});

test('a system allocation marked lost while its node was down is stopped as lost when the node is back, and replaced there', () => {
  const job = mkJob({ type: 'system', groups: [mkGroup({ name: 'agent' })] });
  const lost = mkAlloc(job, 'node-0', 0, { clientStatus: 'lost' });
  const { plan } = computePlan({ evalId: 'e', job, nodes: [mkNode('node-0')], allocs: [lost], now: 0 });
  assert.deepEqual(plan.nodes['node-0'].stop.map((s) => [s.id, s.clientStatus, s.description]), [[lost.id, 'lost', DESC.lost]]);
  assert.deepEqual(plan.nodes['node-0'].place.map((p) => [p.name, p.previousAllocation]), [[lost.name, lost.id]]);
});

test('stops are applied before placements, so freed capacity is reused in the same plan', () => {
  const job = mkJob({ groups: [mkGroup({ name: 'old', count: 0 }), mkGroup({ name: 'new', count: 1, ask: { cpu: 900, memoryMB: 10, diskMB: 0 } })] });
  const running = mkAlloc(job, 'n', 0, { groupName: 'old', name: 'app.old[0]', resources: { cpu: 900, memoryMB: 10, diskMB: 0 } });
  const { plan } = computePlan({ evalId: 'e', job, nodes: [small('n')], allocs: [running], now: 0 });
  assert.equal(plan.nodes.n.stop.length, 1);
  assert.equal(plan.nodes.n.place.length, 1);
  assert.equal(plan.nodes.n.usage.cpu, 900);
});

test('failures of a group are coalesced: the first keeps the metric, the rest are counted', () => {
  const job = mkJob({ groups: [mkGroup({ count: 5, ask: { cpu: 2000, memoryMB: 10, diskMB: 0 } })] });
  const { plan } = computePlan({ evalId: 'e', job, nodes: [small('a'), small('b')], allocs: [], now: 0 });
  assert.equal(plan.queued.web, 5);
  assert.equal(plan.failedGroups.web.coalescedFailures, 4);
  assert.equal(plan.failedGroups.web.nodesEvaluated, 2);
  assert.deepEqual(plan.failedGroups.web.dimensionExhausted, { cpu: 2 });
  assert.deepEqual(plan.classEligibility, { [small('a').computedClass]: true });
});

test('system jobs: a node failing constraints is skipped, a full node is a failure', () => {
  const job = mkJob({ type: 'system', constraints: [{ attribute: '${meta.role}', operator: '!=', value: 'edge' }], groups: [mkGroup({ name: 'agent', ask: { cpu: 500, memoryMB: 10, diskMB: 0 } })] });
  const nodes = [mkNode('ok'), mkNode('edge', { meta: { role: 'edge' } }), mkNode('full', { capacity: { cpu: 100, memoryMB: 1000, diskMB: 1000 } })];
  const { plan } = computePlan({ evalId: 'e', job, nodes, allocs: [], now: 0 });
  assert.deepEqual(Object.keys(plan.nodes), ['ok']);
  assert.equal(plan.queued.agent, 1);
  assert.deepEqual(plan.failedGroups.agent.dimensionExhausted, { cpu: 1 });
});

test('delayed reschedules become follow-up evaluations batched in 5 s windows', () => {
  const job = mkJob({ groups: [mkGroup({ count: 3 })] });
  const failed = [0, 1, 2].map((i) => mkAlloc(job, `node-${i}`, i, { clientStatus: 'failed', finishTime: [1000, 3000, 20_000][i] }));
  const { plan } = computePlan({ evalId: 'e', job, nodes: mkNodes(3), allocs: failed, now: 5000 });
  assert.deepEqual(plan.followups, [
    { waitUntil: 31_000, allocIds: [failed[0].id, failed[1].id] },
    { waitUntil: 50_000, allocIds: [failed[2].id] },
  ]);
  assert.deepEqual(plan.nodes, {});
  assert.deepEqual(batchFollowups([]), []);
});

test('allocation ids are DNS-1123 names, deterministic per eval and unique per placement', () => {
  const a = defaultAllocId('eval-1', 'app', 'web', 0, 0);
  assert.match(a, /^app-web-0-[0-9a-f]{8}$/);
  assert.equal(a, defaultAllocId('eval-1', 'app', 'web', 0, 0));
  assert.notEqual(a, defaultAllocId('eval-2', 'app', 'web', 0, 0));
  assert.ok(defaultAllocId('e', 'j'.repeat(200), 'g'.repeat(100), 12, 3).length <= 253);
  const job = mkJob({ groups: [mkGroup({ count: 20 })] });
  const ids = Object.values(computePlan({ evalId: 'e', job, nodes: mkNodes(5), allocs: [], now: 0 }).plan.nodes).flatMap((np) => np.place.map((p) => p.id));
  assert.equal(new Set(ids).size, 20);
});

test('held groups (waiting for dependencies) place nothing; the other groups of the plan go ahead', () => {
  const job = mkJob({ groups: [mkGroup({ name: 'db' }), mkGroup({ name: 'web', count: 2 })] });
  const held = computePlan({ evalId: 'e', job, nodes: mkNodes(2), allocs: [], now: 0, held: new Set(['web']) }).plan;
  const placed = Object.values(held.nodes).flatMap((n) => n.place.map((p) => p.groupName));
  assert.deepEqual(placed, ['db']);
  assert.deepEqual(held.failedGroups, {}, 'a held group is not a failed placement');
  const free = computePlan({ evalId: 'e', job, nodes: mkNodes(2), allocs: [], now: 0, held: new Set() }).plan;
  assert.deepEqual(Object.values(free.nodes).flatMap((n) => n.place.map((p) => p.groupName)).sort(), ['db', 'web', 'web']);
});
