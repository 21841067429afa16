import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterSnapshot } from './cluster.ts';
import { PlanState } from './state.ts';
import { computePlan } from './schedule.ts';
import { mkAlloc, mkJob, mkNode, mkNodes, mkGroup } from './testing/fixtures.ts';

const job = mkJob();

test('upserting an allocation moves its usage with its node and status', () => {
  const s = ClusterSnapshot.from(mkNodes(2), []);
  const a = mkAlloc(job, 'node-0', 0, { ports: [{ label: 'http', value: 8080 }] });
  s.upsertAlloc(a);
  assert.deepEqual(s.usageOf('node-0').used, a.resources);
  assert.equal(s.usageOf('node-0').ports.get(8080), a.id);
  s.upsertAlloc({ ...a, nodeName: 'node-1' });
  assert.equal(s.usageOf('node-0').allocs.size, 0);
  assert.deepEqual(s.usageOf('node-1').used, a.resources);
  s.upsertAlloc({ ...a, nodeName: 'node-1', clientStatus: 'complete' });
  assert.equal(s.usageOf('node-1').allocs.size, 0);
  assert.equal(s.usageOf('node-1').ports.size, 0);
  assert.equal(s.jobAllocs('default', 'app').length, 1); // terminal allocations remain the job's history
  s.removeAlloc(a.id);
  assert.deepEqual(s.jobAllocs('default', 'app'), []);
});

test('removing a node keeps its allocations; nodes are listed by name', () => {
  const s = ClusterSnapshot.from([mkNode('b'), mkNode('a')], [mkAlloc(job, 'b', 0)]);
  assert.deepEqual(s.nodes().map((n) => n.name), ['a', 'b']);
  s.removeNode('b');
  assert.deepEqual(s.nodes().map((n) => n.name), ['a']);
  assert.equal(s.usageOf('b').allocs.size, 1);
});

test('a plan overlays the snapshot without changing it', () => {
  const s = ClusterSnapshot.from(mkNodes(3), [mkAlloc(job, 'node-0', 0)]);
  const before = s.usageOf('node-0');
  const overlay = new PlanState(s, job);
  overlay.remove(mkAlloc(job, 'node-0', 0));
  overlay.add(mkAlloc(job, 'node-1', 1));
  assert.equal(overlay.allocsOn('node-0').length, 0);
  assert.equal(overlay.jobCount('node-1', 'web'), 1);
  assert.equal(s.usageOf('node-0'), before);
  assert.equal(s.usageOf('node-0').allocs.size, 1);
  assert.equal(s.usageOf('node-1').allocs.size, 0);
  const grown = mkJob({ groups: [mkGroup({ count: 5 })] });
  const first = computePlan({ evalId: 'e', job: grown, cluster: s, now: 0 }).plan;
  assert.deepEqual(computePlan({ evalId: 'e', job: grown, cluster: s, now: 0 }).plan, first);
});

test('a snapshot and plain lists give the same plan', () => {
  const nodes = mkNodes(4);
  const allocs = [mkAlloc(job, 'node-0', 0), mkAlloc(mkJob({ name: 'other' }), 'node-1', 0)];
  const grown = mkJob({ groups: [mkGroup({ count: 3 })] });
  assert.deepEqual(
    computePlan({ evalId: 'e', job: grown, cluster: ClusterSnapshot.from(nodes, allocs), now: 0 }).plan,
    computePlan({ evalId: 'e', job: grown, nodes, allocs, now: 0 }).plan,
  );
});
