import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectPreemptions, netPriority, preemptionScore, type PreemptionInput } from './preempt.ts';
import { computePlan } from '../schedule.ts';
import { mkAlloc, mkJob, mkGroup, mkNode } from '../testing/fixtures.ts';
import type { AllocView, Resources } from '../structs.ts';

const node = mkNode('n', { capacity: { cpu: 4000, memoryMB: 4000, diskMB: 10_000 } });
const victim = (id: string, priority: number, cpu: number, over: Partial<AllocView> = {}) =>
  mkAlloc(mkJob({ name: `job-${id}`, priority }), 'n', 0, { id, resources: { cpu, memoryMB: 100, diskMB: 0 }, jobPriority: priority, ...over });
const ask = (cpu: number): Resources => ({ cpu, memoryMB: 100, diskMB: 0 });
const input = (allocs: AllocView[], cpu: number, over: Partial<PreemptionInput> = {}): PreemptionInput => ({
  node, allocs, ask: ask(cpu), staticPorts: [], jobPriority: 70, job: { namespace: 'default', name: 'app' }, minDelta: 10, ...over,
});
const ids = (xs?: AllocView[]) => xs?.map((a) => a.id).sort();

interface Case {
  name: string;
  allocs: AllocView[];
  cpu: number;
  over?: Partial<PreemptionInput>;
  want: string[] | undefined;
}

const cases: Case[] = [
  { name: 'nothing to evict when only higher or close priorities run', allocs: [victim('a', 65, 4000)], cpu: 1000, want: undefined },
  { name: 'exactly the priority delta is enough', allocs: [victim('a', 60, 4000)], cpu: 1000, want: ['a'] },
  { name: 'lowest priority first', allocs: [victim('low', 10, 2000), victim('mid', 40, 2000)], cpu: 1500, want: ['low'] },
  { name: 'the closest in size rather than several small ones', allocs: [victim('s1', 20, 500), victim('s2', 20, 500), victim('s3', 20, 500), victim('big', 20, 2500)], cpu: 2000, want: ['big'] },
  { name: 'several when one is not enough', allocs: [victim('a', 20, 1500), victim('b', 20, 1500), victim('c', 20, 1000)], cpu: 2800, want: ['a', 'b'] },
  { name: 'never allocations of the same job', allocs: [victim('self', 10, 4000, { jobName: 'app' })], cpu: 1000, want: undefined },
  { name: 'not when even evicting everything eligible is not enough', allocs: [victim('a', 20, 2000), victim('hi', 90, 2000)], cpu: 3000, want: undefined },
  {
    name: 'the holder of a needed static port must go',
    allocs: [victim('port', 20, 100, { ports: [{ label: 'http', value: 8080 }] }), victim('other', 10, 100)],
    cpu: 100, over: { staticPorts: [8080] }, want: ['port'],
  },
  {
    name: 'a static port held by a higher priority allocation cannot be freed',
    allocs: [victim('port', 65, 100, { ports: [{ label: 'http', value: 8080 }] })],
    cpu: 100, over: { staticPorts: [8080] }, want: undefined,
  },
];

for (const c of cases) {
  test(`preemption: ${c.name}`, () => {
    assert.deepEqual(ids(selectPreemptions(input(c.allocs, c.cpu, c.over))), c.want);
  });
}

test('preemption score prefers fewer and lower-priority victims', () => {
  const one = [victim('a', 20, 1)];
  const many = [victim('a', 20, 1), victim('b', 20, 1), victim('c', 20, 1)];
  const high = [victim('a', 60, 1)];
  assert.ok(netPriority(one) < netPriority(many) && netPriority(one) < netPriority(high));
  assert.ok(preemptionScore(one) > preemptionScore(many) && preemptionScore(one) > preemptionScore(high));
  assert.ok(preemptionScore(one) > 0 && preemptionScore(one) < 1);
});

test('a system job preempts a lower-priority batch allocation on a full node; a service job (default config) does not', () => {
  const batchJob = mkJob({ name: 'crunch', type: 'batch', priority: 20 });
  const filler = mkAlloc(batchJob, 'n', 0, { id: 'filler', resources: { cpu: 3800, memoryMB: 1000, diskMB: 0 }, jobPriority: 20 });
  const sysJob = mkJob({ name: 'agent', type: 'system', priority: 80, groups: [mkGroup({ name: 'agent' })] });
  const { plan } = computePlan({ evalId: 'e', job: sysJob, nodes: [node], allocs: [filler], now: 0 });
  const np = plan.nodes.n;
  assert.equal(np.place.length, 1);
  assert.deepEqual(np.place[0].preempts, ['filler']);
  assert.deepEqual(np.stop.map((s) => [s.id, s.desiredStatus, s.preemptedBy]), [['filler', 'evict', np.place[0].id]]);
  assert.ok(np.usage.cpu <= node.capacity.cpu);

  const svc = mkJob({ name: 'web', priority: 80 });
  const p2 = computePlan({ evalId: 'e', job: svc, nodes: [node], allocs: [filler], now: 0 }).plan;
  assert.equal(p2.queued.web, 1);
  const p3 = computePlan({ evalId: 'e', job: svc, nodes: [node], allocs: [filler], now: 0, config: { preemption: { service: true, batch: false, system: true, sysbatch: false } } }).plan;
  assert.deepEqual(p3.nodes.n.place[0].preempts, ['filler']);
});
