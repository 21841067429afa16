// Invariants of computePlan over random clusters, jobs and histories (fast-check): whatever the input, a plan
// never overcommits a node, never gives one host port twice, never leaves more live allocations than desired,
// sorts every existing allocation into exactly one bucket, and is deterministic.
//
// The oracle is the test's own: what holds resources, how usage adds up against capacity and which datacenter a
// job may use are written out below from the spec's words, not imported from the scheduler (a property that
// judges with the code under test passes whatever that code gets wrong).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { computePlan, type ScheduleOptions } from './schedule.ts';
import { mkNode, mkGroup, mkJob } from './testing/fixtures.ts';
import { allocName, type AllocView, type ClientStatus, type DesiredStatus, type JobType, type NodeView, type Resources } from './structs.ts';
import { defaultReschedule } from './adapters.ts';
import type { Plan } from './plan/plan.ts';

// ── The oracle: independent of the scheduler's own arithmetic and predicates ──

/** An allocation holds its resources and ports while the scheduler wants it running and the agent has not finished it. */
function holds(a: Pick<AllocView, 'desiredStatus' | 'clientStatus'>): boolean {
  return a.desiredStatus === 'run' && a.clientStatus !== 'complete' && a.clientStatus !== 'failed' && a.clientStatus !== 'lost';
}

/** cpu, memory and disk of the allocations, added up dimension by dimension. */
function usageOf(allocs: AllocView[]): Resources {
  let cpu = 0, memoryMB = 0, diskMB = 0;
  for (const a of allocs) { cpu += a.resources.cpu; memoryMB += a.resources.memoryMB; diskMB += a.resources.diskMB; }
  return { cpu, memoryMB, diskMB };
}

/** The dimensions in which the allocations need more than the node has (empty when they fit). */
function overcommitted(allocs: AllocView[], capacity: Resources): string[] {
  const u = usageOf(allocs);
  return [
    ...(u.cpu > capacity.cpu ? [`cpu ${u.cpu} > ${capacity.cpu}`] : []),
    ...(u.memoryMB > capacity.memoryMB ? [`memory ${u.memoryMB} > ${capacity.memoryMB}`] : []),
    ...(u.diskMB > capacity.diskMB ? [`disk ${u.diskMB} > ${capacity.diskMB}`] : []),
  ];
}

/** The job may use the node's datacenter: `*` is any, otherwise the exact name (the only patterns generated here). */
function allowsDatacenter(datacenters: string[], dc: string): boolean {
  return datacenters.some((d) => d === '*' || d === dc);
}

const arbNode = fc.record({
  cpu: fc.integer({ min: 300, max: 4000 }),
  mem: fc.integer({ min: 256, max: 4096 }),
  disk: fc.integer({ min: 500, max: 8000 }),
  dc: fc.constantFrom('dc1', 'dc2'),
  state: fc.constantFrom('ready', 'ready', 'ready', 'ready', 'down', 'draining', 'ineligible'),
  rack: fc.constantFrom('r1', 'r2', 'r3'),
  reservedPort: fc.option(fc.constantFrom(8080, 20001), { nil: undefined }),
});

const arbGroup = fc.record({
  count: fc.integer({ min: 0, max: 6 }),
  cpu: fc.integer({ min: 50, max: 1500 }),
  mem: fc.integer({ min: 32, max: 1024 }),
  disk: fc.integer({ min: 0, max: 2000 }),
  staticPort: fc.option(fc.constantFrom(8080, 8081), { nil: undefined }),
  dynamicPorts: fc.integer({ min: 0, max: 2 }),
  distinct: fc.constantFrom('none', 'hosts', 'rack'),
  maxParallel: fc.integer({ min: 0, max: 2 }),
  spread: fc.boolean(),
});

const arbAlloc = fc.record({
  own: fc.boolean(),
  node: fc.integer({ min: 0, max: 8 }), // 8 and beyond the node count: a node that is gone
  group: fc.integer({ min: 0, max: 1 }),
  index: fc.integer({ min: 0, max: 7 }),
  version: fc.integer({ min: 1, max: 2 }),
  client: fc.constantFrom<ClientStatus>('running', 'running', 'pending', 'complete', 'failed', 'lost'),
  desired: fc.constantFrom<DesiredStatus>('run', 'run', 'run', 'stop'),
  priority: fc.integer({ min: 10, max: 90 }),
  cpu: fc.integer({ min: 50, max: 1500 }),
  mem: fc.integer({ min: 32, max: 1024 }),
  disk: fc.integer({ min: 0, max: 2000 }),
  port: fc.option(fc.constantFrom(8080, 8081, 20001, 20002), { nil: undefined }),
  finishedAgo: fc.integer({ min: 0, max: 120_000 }),
});

const arbInput = fc.record({
  nodes: fc.array(arbNode, { minLength: 1, maxLength: 8 }),
  type: fc.constantFrom<JobType>('service', 'service', 'batch', 'system', 'sysbatch'),
  priority: fc.integer({ min: 10, max: 90 }),
  datacenters: fc.constantFrom(['*'], ['dc1'], ['dc2', 'dc1']),
  stopped: fc.integer({ min: 0, max: 9 }).map((n) => n < 2),
  groups: fc.array(arbGroup, { minLength: 1, maxLength: 2 }),
  allocs: fc.array(arbAlloc, { maxLength: 14 }),
  algorithm: fc.constantFrom<'binpack' | 'spread'>('binpack', 'spread'),
  preempt: fc.boolean(),
  evalId: fc.string({ minLength: 1, maxLength: 8 }),
});

type Arb = typeof arbInput extends fc.Arbitrary<infer T> ? T : never;

/** The input as plain lists, so the properties can recompute everything from them. */
type ListInput = ScheduleOptions & { nodes: NodeView[]; allocs: AllocView[] };

function buildInput(a: Arb): ListInput {
  const nodes: NodeView[] = a.nodes.map((n, i) =>
    mkNode(`n${i}`, {
      capacity: { cpu: n.cpu, memoryMB: n.mem, diskMB: n.disk }, datacenter: n.dc, meta: { rack: n.rack },
      ready: n.state !== 'down', draining: n.state === 'draining', eligible: n.state !== 'ineligible',
      reservedPorts: n.reservedPort ? [n.reservedPort] : [],
    }));
  const groups = a.groups.map((g, i) => mkGroup({
    name: `g${i}`, count: g.count, ask: { cpu: g.cpu, memoryMB: g.mem, diskMB: g.disk },
    ports: [...(g.staticPort ? [{ label: 'fixed', static: g.staticPort }] : []), ...Array.from({ length: g.dynamicPorts }, (_, k) => ({ label: `d${k}` }))],
    constraints: g.distinct === 'hosts' ? [{ attribute: '', operator: 'distinct_hosts', value: 'true' }]
      : g.distinct === 'rack' ? [{ attribute: '${meta.rack}', operator: 'distinct_property', value: '2' }] : [],
    spreads: g.spread ? [{ attribute: '${meta.rack}', weight: 50, targets: [] }] : [],
    update: { maxParallel: g.maxParallel }, fingerprint: 'fp-2',
    reschedule: defaultReschedule(a.type),
  }));
  const job = mkJob({ type: a.type, priority: a.priority, datacenters: [...a.datacenters], stopped: a.stopped, version: 2, groups });
  return { evalId: a.evalId, job, nodes, allocs: validAllocs(a, nodes), now: 200_000, config: { algorithm: a.algorithm, portRange: { min: 20000, max: 20004 }, preemption: { service: a.preempt, batch: a.preempt, system: true, sysbatch: a.preempt } } };
}

/** Existing allocations that respect capacity and ports (the starting state must be valid for the properties to mean anything). */
function validAllocs(a: Arb, nodes: NodeView[]): AllocView[] {
  const out: AllocView[] = [];
  a.allocs.forEach((x, i) => {
    const node = nodes[x.node];
    const jobName = x.own ? 'app' : `other${i % 3}`;
    const groupName = x.own ? `g${Math.min(x.group, a.groups.length - 1)}` : 'w';
    const alloc: AllocView = {
      id: `a${i}`, namespace: 'default', name: allocName(jobName, groupName, x.index), index: x.index, jobName, jobVersion: x.version,
      groupName, nodeName: node?.name ?? `gone${x.node}`, desiredStatus: x.desired, clientStatus: x.client,
      resources: { cpu: x.cpu, memoryMB: x.mem, diskMB: x.disk }, ports: x.port ? [{ label: 'p', value: x.port }] : [],
      jobPriority: x.own ? a.priority : x.priority, createTime: i, finishTime: 200_000 - x.finishedAgo, rescheduleEvents: [],
    };
    if (holds(alloc) && node) {
      const live = out.filter((o) => o.nodeName === node.name && holds(o));
      if (overcommitted([...live, alloc], node.capacity).length > 0) return;
      const held = new Set([...node.reservedPorts, ...live.flatMap((o) => o.ports.map((p) => p.value))]);
      if (alloc.ports.some((p) => held.has(p.value))) return;
    }
    out.push(alloc);
  });
  return out;
}

/** The live allocations per node once the plan is applied. */
function applied(input: ListInput, plan: Plan): Map<string, AllocView[]> {
  const stopped = new Set(Object.values(plan.nodes).flatMap((np) => np.stop.map((s) => s.id)));
  const byNode = new Map<string, AllocView[]>();
  const live = [...input.allocs.filter((a) => holds(a) && !stopped.has(a.id)), ...Object.values(plan.nodes).flatMap((np) => np.place)];
  for (const a of live) byNode.set(a.nodeName, [...(byNode.get(a.nodeName) ?? []), a]);
  return byNode;
}

const RUNS = { numRuns: 300, seed: 20_251_101 };

test('property: no node is over capacity and no host port is given twice', () => {
  fc.assert(fc.property(arbInput, (a) => {
    const input = buildInput(a);
    const { plan } = computePlan(input);
    for (const [nodeName, allocs] of applied(input, plan)) {
      const node = input.nodes.find((n) => n.name === nodeName);
      if (!node) continue;
      assert.deepEqual(overcommitted(allocs, node.capacity), [], `node ${nodeName} overcommitted`);
      const ports = [...node.reservedPorts, ...allocs.flatMap((x) => x.ports.map((p) => p.value))];
      assert.equal(new Set(ports).size, ports.length, `port collision on ${nodeName}: ${ports}`);
      if (plan.nodes[nodeName]) assert.deepEqual(plan.nodes[nodeName].usage, usageOf(allocs));
    }
  }), RUNS);
});

test('property: never more live allocations than desired, and placements only on usable nodes', () => {
  fc.assert(fc.property(arbInput, (a) => {
    const input = buildInput(a);
    const { job } = input;
    const { plan } = computePlan(input);
    const live = [...applied(input, plan).values()].flat().filter((x) => x.jobName === job.name);
    const system = job.type === 'system' || job.type === 'sysbatch';
    for (const g of job.groups) {
      const mine = live.filter((x) => x.groupName === g.name);
      const want = job.stopped ? 0 : g.count;
      if (!system) assert.ok(mine.length <= want, `${g.name}: ${mine.length} live > ${want}`);
      else for (const n of new Set(mine.map((x) => x.nodeName))) assert.ok(mine.filter((x) => x.nodeName === n).length <= want);
    }
    for (const np of Object.values(plan.nodes)) {
      for (const p of np.place) {
        const node = input.nodes.find((n) => n.name === p.nodeName)!;
        assert.ok(node.ready && node.eligible && !node.draining && allowsDatacenter(job.datacenters, node.datacenter));
      }
    }
  }), RUNS);
});

test('property: every allocation of the job lands in exactly one bucket', () => {
  fc.assert(fc.property(arbInput, (a) => {
    const input = buildInput(a);
    const { reconcile: r } = computePlan(input);
    const seen = [
      ...r.stop.map((s) => s.alloc), ...r.lost, ...r.inplaceUpdate, ...r.ignore, ...r.history,
      ...r.destructiveUpdate.map((p) => p.previous!), ...r.migrate.map((p) => p.previous!),
      ...r.place.filter((p) => p.reason === 'reschedule').map((p) => p.previous!),
    ].map((x) => x.id).sort();
    const mine = input.allocs.filter((x) => x.jobName === input.job.name).map((x) => x.id).sort();
    assert.deepEqual(seen, mine);
  }), RUNS);
});

test('property: the same input gives the same plan', () => {
  fc.assert(fc.property(arbInput, (a) => {
    assert.deepEqual(computePlan(buildInput(a)).plan, computePlan(buildInput(a)).plan);
  }), { ...RUNS, numRuns: 100 });
});
