import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkNodePlan } from './fit.ts';
import { computePlan } from '../schedule.ts';
import { mkNode, mkJob, mkGroup, mkAlloc } from '../testing/fixtures.ts';
import type { AllocView } from '../structs.ts';

const node = mkNode('n', { capacity: { cpu: 1000, memoryMB: 1000, diskMB: 1000 } });
const job = mkJob({ groups: [mkGroup({ ask: { cpu: 400, memoryMB: 100, diskMB: 0 }, ports: [{ label: 'http', static: 8080 }] })] });
const planFor = (allocs: AllocView[]) => computePlan({ evalId: 'e', job, nodes: [node], allocs, now: 0 }).plan.nodes.n;

test('a node plan fits against the state it was computed from', () => {
  const np = planFor([]);
  assert.deepEqual(checkNodePlan(node, [], np), { fits: true, usage: { cpu: 400, memoryMB: 100, diskMB: 0 } });
});

test('a racing commit that took the capacity makes the node plan fail with the exhausted dimension', () => {
  const np = planFor([]);
  const other = mkAlloc(mkJob({ name: 'other' }), 'n', 0, { resources: { cpu: 700, memoryMB: 10, diskMB: 0 } });
  assert.deepEqual(checkNodePlan(node, [other], np), { fits: false, reason: 'cpu exhausted', usage: { cpu: 1100, memoryMB: 110, diskMB: 0 } });
  // Terminal allocations hold nothing.
  assert.equal(checkNodePlan(node, [{ ...other, clientStatus: 'complete' }], np).fits, true);
});

test('a racing commit that took the port makes the node plan fail', () => {
  const np = planFor([]);
  const other = mkAlloc(mkJob({ name: 'other' }), 'n', 0, { resources: { cpu: 1, memoryMB: 1, diskMB: 0 }, ports: [{ label: 'x', value: 8080 }] });
  assert.equal(checkNodePlan(node, [other], np).reason, 'port 8080 collision');
});

test('stops in the node plan free their resources; a node that went down takes no placements', () => {
  const v1 = mkAlloc(job, 'n', 0, { resources: { cpu: 900, memoryMB: 10, diskMB: 0 } });
  const np = { place: planFor([]).place, stop: [{ id: v1.id }] } as Parameters<typeof checkNodePlan>[2];
  assert.equal(checkNodePlan(node, [v1], np).fits, true);
  assert.deepEqual(checkNodePlan({ ...node, ready: false }, [], planFor([])).reason, 'node not ready');
  assert.equal(checkNodePlan({ ...node, ready: false }, [v1], { place: [], stop: np.stop }).fits, true);
});

test('a placement whose allocation already exists is rejected (the plan was committed already)', () => {
  const np = planFor([]);
  assert.match(checkNodePlan(node, [np.place[0]], np).reason ?? '', /already exists/);
});
