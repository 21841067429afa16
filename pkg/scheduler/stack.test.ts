import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildStack, DEFAULT_CONFIG } from './stack.ts';
import { PlanState } from './state.ts';
import { ClusterSnapshot } from './cluster.ts';
import { seededRandom } from './random.ts';
import { computePlan } from './schedule.ts';
import { mkNode, mkNodes, mkJob, mkGroup, mkAlloc } from './testing/fixtures.ts';
import type { AllocView, JobView, NodeView } from './structs.ts';
import type { Plan } from './plan/plan.ts';

const stackOver = (job: JobView, nodes: NodeView[], allocs: AllocView[] = [], config = DEFAULT_CONFIG) =>
  buildStack({ job, nodes, state: new PlanState(ClusterSnapshot.from(nodes, allocs), job), rng: seededRandom('eval-1'), config });

/** Placements per node of a plan. */
const placedOn = (plan: Plan): Record<string, number> =>
  Object.fromEntries(Object.entries(plan.nodes).filter(([, np]) => np.place.length).map(([n, np]) => [n, np.place.length]));

test('every filtered node is counted by reason and class; exhausted ones by dimension', () => {
  const job = mkJob({ datacenters: ['dc1'], constraints: [{ attribute: '${attr.kernel.name}', operator: '=', value: 'linux' }] });
  const nodes = [
    mkNode('good'),
    mkNode('down', { ready: false }),
    mkNode('cordoned', { eligible: false, nodeClass: 'gpu' }),
    mkNode('far', { datacenter: 'dc2', nodeClass: 'gpu' }),
    mkNode('nodriver', { drivers: {} }),
    mkNode('windows', { attributes: { 'kernel.name': 'windows' } }),
    mkNode('small', { capacity: { cpu: 4000, memoryMB: 100, diskMB: 100_000 } }),
  ];
  const { option, metric } = stackOver(job, nodes).select(job.groups[0]);
  assert.equal(option?.node.name, 'good');
  assert.equal(metric.nodesEvaluated, 7);
  assert.equal(metric.nodesFiltered, 5);
  assert.deepEqual(metric.constraintFiltered, {
    'node not ready': 1, 'node ineligible': 1, 'datacenter not in job': 1, 'missing drivers': 1, '${attr.kernel.name} = linux': 1,
  });
  assert.deepEqual(metric.classFiltered, { gpu: 2 });
  assert.equal(metric.nodesExhausted, 1);
  assert.deepEqual(metric.dimensionExhausted, { memory: 1 });
  assert.deepEqual(metric.nodesAvailable, { dc1: 4 }); // ready, eligible and in dc1
  assert.ok(metric.scores['good.binpack'] !== undefined && metric.scores['good.normalized-score'] !== undefined);
});

test('no fitting node: no option, and the metric says which dimension ran out', () => {
  const job = mkJob({ groups: [mkGroup({ ask: { cpu: 5000, memoryMB: 256, diskMB: 300 } })] });
  const { option, metric } = stackOver(job, mkNodes(3)).select(job.groups[0]);
  assert.equal(option, undefined);
  assert.deepEqual(metric.dimensionExhausted, { cpu: 3 });
});

test('bin-pack places on the busier node, spread on the idler one', () => {
  const other = mkJob({ name: 'other' });
  const nodes = [mkNode('busy'), mkNode('idle')];
  const load = [mkAlloc(other, 'busy', 0, { resources: { cpu: 3000, memoryMB: 6000, diskMB: 0 } })];
  const job = mkJob();
  assert.equal(stackOver(job, nodes, load).select(job.groups[0]).option?.node.name, 'busy');
  const spread = { ...DEFAULT_CONFIG, algorithm: 'spread' as const };
  assert.equal(stackOver(job, nodes, load, spread).select(job.groups[0]).option?.node.name, 'idle');
});

test('job anti-affinity spreads a group over nodes even when bin-packing', () => {
  const job = mkJob({ groups: [mkGroup({ count: 4 })] });
  const { plan } = computePlan({ evalId: 'e', job, nodes: mkNodes(4), allocs: [], now: 0 });
  assert.deepEqual(Object.values(placedOn(plan)), [1, 1, 1, 1]);
});

test('distinct_hosts: at most one allocation of the group per node; the rest fail with the reason', () => {
  const job = mkJob({ groups: [mkGroup({ count: 3, constraints: [{ attribute: '', operator: 'distinct_hosts', value: 'true' }] })] });
  const { plan } = computePlan({ evalId: 'e', job, nodes: mkNodes(2), allocs: [], now: 0 });
  assert.deepEqual(Object.values(placedOn(plan)), [1, 1]);
  assert.equal(plan.queued.web, 1);
  assert.equal(plan.failedGroups.web.constraintFiltered.distinct_hosts, 2);
});

test('distinct_hosts at job level covers all groups', () => {
  const job = mkJob({
    constraints: [{ attribute: '', operator: 'distinct_hosts', value: '' }],
    groups: [mkGroup({ name: 'a' }), mkGroup({ name: 'b' })],
  });
  const { plan } = computePlan({ evalId: 'e', job, nodes: mkNodes(1), allocs: [], now: 0 });
  assert.equal(Object.values(placedOn(plan)).reduce((a, b) => a + b, 0), 1);
  assert.equal(Object.keys(plan.failedGroups).length, 1);
});

test('distinct_property: at most `value` allocations per attribute value', () => {
  const racks = (i: number) => ({ meta: { rack: i < 2 ? 'r1' : 'r2' } });
  const one = mkJob({ groups: [mkGroup({ count: 3, constraints: [{ attribute: '${meta.rack}', operator: 'distinct_property', value: '' }] })] });
  const r1 = computePlan({ evalId: 'e', job: one, nodes: mkNodes(3, racks), allocs: [], now: 0 }).plan;
  assert.equal(r1.queued.web, 1);
  assert.match(Object.keys(r1.failedGroups.web.constraintFiltered).join(), /distinct_property: \$\{meta\.rack\}=r[12] used by 1 allocs/);
  const two = mkJob({ groups: [mkGroup({ count: 3, constraints: [{ attribute: '${meta.rack}', operator: 'distinct_property', value: '2' }] })] });
  const r2 = computePlan({ evalId: 'e', job: two, nodes: mkNodes(3, racks), allocs: [], now: 0 }).plan;
  assert.deepEqual(r2.queued, {});
});

test('spread targets: 70/30 over datacenters', () => {
  const nodes = mkNodes(10, (i) => ({ datacenter: i < 5 ? 'dc1' : 'dc2' }));
  const job = mkJob({
    groups: [mkGroup({ count: 10, spreads: [{ attribute: '${node.datacenter}', weight: 100, targets: [{ value: 'dc1', percent: 70 }, { value: 'dc2', percent: 30 }] }] })],
  });
  const { plan } = computePlan({ evalId: 'e', job, nodes, allocs: [], now: 0 });
  const perDc: Record<string, number> = {};
  for (const np of Object.values(plan.nodes)) for (const a of np.place) perDc[nodes.find((n) => n.name === a.nodeName)!.datacenter] = (perDc[nodes.find((n) => n.name === a.nodeName)!.datacenter] ?? 0) + 1;
  assert.deepEqual(perDc, { dc1: 7, dc2: 3 });
});

test('even spread without targets: equal counts per rack', () => {
  const nodes = mkNodes(9, (i) => ({ meta: { rack: `r${i % 3}` } }));
  const job = mkJob({ groups: [mkGroup({ count: 6, spreads: [{ attribute: '${meta.rack}', weight: 50, targets: [] }] })] });
  const { plan } = computePlan({ evalId: 'e', job, nodes, allocs: [], now: 0 });
  const perRack: Record<string, number> = {};
  for (const np of Object.values(plan.nodes)) for (const a of np.place) {
    const rack = nodes.find((n) => n.name === a.nodeName)!.meta.rack;
    perRack[rack] = (perRack[rack] ?? 0) + 1;
  }
  assert.deepEqual(perRack, { r0: 2, r1: 2, r2: 2 });
});

test('affinities pull placements to matching nodes (and negative weights push away)', () => {
  const nodes = mkNodes(6, (i) => ({ meta: { tier: i % 2 ? 'gold' : 'silver' } }));
  const likes = mkJob({ groups: [mkGroup({ count: 3, affinities: [{ attribute: '${meta.tier}', operator: '=', value: 'gold', weight: 100 }] })] });
  const liked = computePlan({ evalId: 'e', job: likes, nodes, allocs: [], now: 0 }).plan;
  for (const n of Object.keys(placedOn(liked))) assert.equal(nodes.find((x) => x.name === n)!.meta.tier, 'gold');
  const avoids = mkJob({ groups: [mkGroup({ count: 3, affinities: [{ attribute: '${meta.tier}', operator: '=', value: 'gold', weight: -100 }] })] });
  const avoided = computePlan({ evalId: 'e', job: avoids, nodes, allocs: [], now: 0 }).plan;
  for (const n of Object.keys(placedOn(avoided))) assert.equal(nodes.find((x) => x.name === n)!.meta.tier, 'silver');
});

test('a rescheduled allocation avoids the node it failed on', () => {
  const job = mkJob();
  const failed = mkAlloc(job, 'node-0', 0, { clientStatus: 'failed', finishTime: 0 });
  for (const evalId of ['a', 'b', 'c', 'd']) {
    const { plan } = computePlan({ evalId, job, nodes: mkNodes(2), allocs: [failed], now: 60_000 });
    assert.deepEqual(Object.keys(placedOn(plan)), ['node-1'], evalId);
    const placed = plan.nodes['node-1'].place[0];
    assert.equal(placed.previousAllocation, failed.id);
    assert.equal(placed.name, failed.name);
    assert.equal(placed.rescheduleEvents.length, 1);
  }
});

test('static ports never collide on a node; dynamic ports are distinct per node', () => {
  const job = mkJob({ groups: [mkGroup({ count: 2, ports: [{ label: 'http', static: 8080 }], ask: { cpu: 10, memoryMB: 10, diskMB: 0 } })] });
  const { plan } = computePlan({ evalId: 'e', job, nodes: mkNodes(1), allocs: [], now: 0 });
  assert.equal(plan.nodes['node-0'].place.length, 1);
  assert.deepEqual(plan.failedGroups.web.dimensionExhausted, { 'network: reserved port collision http=8080': 1 });
  const dyn = mkJob({ groups: [mkGroup({ count: 40, ports: [{ label: 'a' }, { label: 'b' }], ask: { cpu: 10, memoryMB: 10, diskMB: 0 } })] });
  const held = mkAlloc(mkJob({ name: 'other' }), 'node-0', 0, { ports: [{ label: 'x', value: 20000 }] });
  const p2 = computePlan({ evalId: 'e', job: dyn, nodes: mkNodes(1), allocs: [held], now: 0, config: { portRange: { min: 20000, max: 20080 } } }).plan;
  const ports = p2.nodes['node-0'].place.flatMap((a) => a.ports.map((p) => p.value));
  assert.equal(ports.length, 80);
  assert.equal(new Set([...ports, 20000]).size, 81);
});

test('class results are cached, but constraints on unique attributes are checked per node', () => {
  const job = mkJob({ constraints: [{ attribute: '${node.unique.name}', operator: '!=', value: 'node-1' }], groups: [mkGroup({ count: 3 })] });
  const { plan } = computePlan({ evalId: 'e', job, nodes: mkNodes(3), allocs: [], now: 0 });
  assert.equal(plan.nodes['node-1'], undefined);
  assert.equal(plan.escapedComputedClass, true);
  assert.equal(plan.nodes['node-0'].place.length + plan.nodes['node-2'].place.length, 3);
});

test('the same eval id gives the same plan; the node walk depends on the eval id', () => {
  const job = mkJob({ groups: [mkGroup({ count: 5, ports: [{ label: 'http' }] })] });
  const nodes = mkNodes(20);
  const a = computePlan({ evalId: 'same', job, nodes, allocs: [], now: 0 }).plan;
  const b = computePlan({ evalId: 'same', job, nodes, allocs: [], now: 0 }).plan;
  assert.deepEqual(a, b);
  const placements = (evalId: string) => Object.keys(placedOn(computePlan({ evalId, job, nodes, allocs: [], now: 0 }).plan)).join();
  const seen = new Set(['x1', 'x2', 'x3', 'x4', 'x5'].map(placements));
  assert.ok(seen.size > 1);
});
