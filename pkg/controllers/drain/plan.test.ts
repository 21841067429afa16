// planDrain as a table: batches of migrate.maxParallel per group paced by healthy allocations, batch work left to
// finish, system jobs last (or ignored), everything at the deadline, completion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Allocation, Job, Node } from '../../../api/schemas/index.ts';
import fc from 'fast-check';
import { isLive } from '../../../api/schemas/allocation-state.ts';
import { deadlineOf, isHealthy, isMarked, planDrain } from './plan.ts';

const T0 = Date.parse('2030-01-01T00:00:00Z');

const drainingNode = (drain: NonNullable<Node['spec']>['drain'] = { deadline: '1h', startedAt: '2030-01-01T00:00:00Z' }): Node => ({
  apiVersion: 'drover.dev/v1', kind: 'Node', metadata: { name: 'd1' }, spec: { eligibility: 'ineligible', drain }, status: { phase: 'ready' },
});

const job = (name: string, type: 'service' | 'batch' | 'system' | 'sysbatch', count: number, maxParallel?: number, extra: Partial<Job['spec']> = {}): Job => ({
  apiVersion: 'drover.dev/v1', kind: 'Job', metadata: { name, namespace: 'default' },
  spec: { type, groups: [{ name: 'g', count, ...(maxParallel ? { migrate: { maxParallel } } : {}), tasks: [{ name: 't', driver: 'mock' }] }], ...extra },
});

interface AllocOpts {
  node?: string;
  client?: 'pending' | 'running' | 'complete' | 'failed' | 'lost';
  desired?: 'run' | 'stop';
  marked?: boolean;
  healthy?: boolean;
  /** The allocation this one replaced (spec.previousAllocation). */
  replaces?: string;
}

const alloc = (jobName: string, index: number, o: AllocOpts = {}): Allocation => ({
  apiVersion: 'drover.dev/v1', kind: 'Allocation',
  metadata: { name: `${jobName}-${index}-${o.node ?? 'd1'}`, namespace: 'default' },
  spec: {
    nodeName: o.node ?? 'd1', jobName, jobVersion: 0, groupName: 'g', index, desiredStatus: o.desired ?? 'run',
    ...(o.marked ? { desiredTransition: { migrate: true } } : {}),
    ...(o.replaces ? { previousAllocation: o.replaces } : {}),
  },
  status: { clientStatus: o.client ?? 'running', ...(o.healthy !== undefined ? { deploymentStatus: { healthy: o.healthy } } : {}) },
});

const jobsOf = (...js: Array<Job | [string, undefined]>) => new Map(js.map((j) => (Array.isArray(j) ? [`default/${j[0]}`, undefined] : [`default/${j.metadata.name}`, j])));
const names = (as: Allocation[]) => as.map((a) => a.metadata.name);

interface Case {
  name: string;
  node?: Node;
  allocs: Allocation[];
  jobs: Map<string, Job | undefined>;
  now?: number;
  migrate: string[];
  done?: boolean;
}

const web3 = job('web', 'service', 3, 1);
const cases: Case[] = [
  {
    name: 'maxParallel 1: one allocation of the group at a time, lowest index first',
    allocs: [alloc('web', 2), alloc('web', 0), alloc('web', 1)],
    jobs: jobsOf(web3),
    migrate: ['web-0-d1'],
  },
  {
    name: 'maxParallel 2 marks two',
    allocs: [alloc('web', 0), alloc('web', 1), alloc('web', 2)],
    jobs: jobsOf(job('web', 'service', 3, 2)),
    migrate: ['web-0-d1', 'web-1-d1'],
  },
  {
    name: 'the job-level migrate block applies when the group has none',
    allocs: [alloc('web', 0), alloc('web', 1), alloc('web', 2)],
    jobs: jobsOf(job('web', 'service', 3, undefined, { migrate: { maxParallel: 3 } })),
    migrate: ['web-0-d1', 'web-1-d1', 'web-2-d1'],
  },
  {
    name: 'a marked allocation not yet replaced holds the next batch back',
    allocs: [alloc('web', 0, { marked: true }), alloc('web', 1), alloc('web', 2)],
    jobs: jobsOf(web3),
    migrate: [],
  },
  {
    name: 'a pending replacement holds the next batch back',
    allocs: [alloc('web', 0, { marked: true, desired: 'stop' }), alloc('web', 0, { node: 'n2', client: 'pending' }), alloc('web', 1), alloc('web', 2)],
    jobs: jobsOf(web3),
    migrate: [],
  },
  {
    name: 'an unhealthy replacement holds the next batch back',
    allocs: [alloc('web', 0, { node: 'n2', healthy: false }), alloc('web', 1), alloc('web', 2)],
    jobs: jobsOf(web3),
    migrate: [],
  },
  {
    name: 'a running replacement not yet judged healthy (migrate.minHealthyTime) holds the next batch back',
    allocs: [alloc('web', 0, { marked: true, desired: 'stop' }), alloc('web', 0, { node: 'n2', replaces: 'web-0-d1' }), alloc('web', 1), alloc('web', 2)],
    jobs: jobsOf(web3),
    migrate: [],
  },
  {
    name: 'a running, healthy replacement lets the next batch go',
    allocs: [alloc('web', 0, { marked: true, desired: 'stop' }), alloc('web', 0, { node: 'n2', healthy: true, replaces: 'web-0-d1' }), alloc('web', 1), alloc('web', 2)],
    jobs: jobsOf(web3),
    migrate: ['web-1-d1'],
  },
  {
    name: 'groups and jobs are paced independently',
    allocs: [alloc('web', 0), alloc('web', 1), alloc('web', 2), alloc('api', 0), alloc('api', 1)],
    jobs: jobsOf(web3, job('api', 'service', 2, 1)),
    migrate: ['web-0-d1', 'api-0-d1'],
  },
  {
    name: 'batch allocations are left to finish before the deadline',
    allocs: [alloc('report', 0), alloc('report', 1)],
    jobs: jobsOf(job('report', 'batch', 2, 1)),
    migrate: [],
  },
  {
    name: 'system allocations wait while other work remains',
    allocs: [alloc('web', 0), alloc('web', 1), alloc('web', 2), alloc('logs', 0)],
    jobs: jobsOf(web3, job('logs', 'system', 1)),
    migrate: ['web-0-d1'],
  },
  {
    name: 'system allocations go once nothing else is left',
    allocs: [alloc('web', 0, { desired: 'stop', marked: true }), alloc('logs', 0)],
    jobs: jobsOf(web3, job('logs', 'system', 1)),
    migrate: ['logs-0-d1'],
  },
  {
    name: 'ignoreSystemJobs: system allocations are never marked and do not hold the drain',
    node: drainingNode({ ignoreSystemJobs: true }),
    allocs: [alloc('logs', 0)],
    jobs: jobsOf(job('logs', 'system', 1)),
    migrate: [],
    done: true,
  },
  {
    name: 'at the deadline everything left goes at once, system jobs included',
    allocs: [alloc('web', 0, { marked: true }), alloc('web', 1), alloc('web', 2), alloc('report', 0), alloc('logs', 0)],
    jobs: jobsOf(web3, job('report', 'batch', 1), job('logs', 'system', 1)),
    now: T0 + 3_600_000,
    migrate: ['web-1-d1', 'web-2-d1', 'report-0-d1', 'logs-0-d1'],
  },
  {
    name: 'deadline "0" forces at once',
    node: drainingNode({ deadline: '0', startedAt: '2030-01-01T00:00:00Z' }),
    allocs: [alloc('web', 0), alloc('web', 1)],
    jobs: jobsOf(web3),
    migrate: ['web-0-d1', 'web-1-d1'],
  },
  {
    name: 'a job that is gone or stopped has nothing to keep available',
    allocs: [alloc('gone', 0), alloc('gone', 1), alloc('halt', 0), alloc('halt', 1)],
    jobs: jobsOf(['gone', undefined], job('halt', 'service', 2, 1, { stop: true })),
    migrate: ['gone-0-d1', 'gone-1-d1', 'halt-0-d1', 'halt-1-d1'],
  },
  {
    name: 'finished and stopped allocations do not count: the drain is done',
    allocs: [alloc('web', 0, { client: 'complete' }), alloc('web', 1, { desired: 'stop' }), alloc('web', 2, { client: 'lost' }), alloc('web', 3, { node: 'n2' })],
    jobs: jobsOf(web3),
    migrate: [],
    done: true,
  },
];

for (const c of cases) {
  test(`planDrain: ${c.name}`, () => {
    const plan = planDrain({ node: c.node ?? drainingNode(), allocs: c.allocs, jobs: c.jobs, now: c.now ?? T0 + 60_000 });
    assert.deepEqual(names(plan.migrate), c.migrate);
    assert.equal(plan.done, c.done ?? false);
  });
}

test('the deadline counts from startedAt, is reported until it passes, and is absent without one', () => {
  assert.equal(deadlineOf(drainingNode(), 0), T0 + 3_600_000);
  assert.equal(deadlineOf(drainingNode({ deadline: '30m' }), 5), 5 + 1_800_000, 'no startedAt yet: from the fallback');
  assert.equal(deadlineOf(drainingNode({}), 0), undefined);
  const before = planDrain({ node: drainingNode(), allocs: [alloc('report', 0)], jobs: jobsOf(job('report', 'batch', 1)), now: T0 });
  assert.equal(before.deadlineAt, T0 + 3_600_000);
  assert.equal(before.forced, false);
  const after = planDrain({ node: drainingNode(), allocs: [alloc('report', 0)], jobs: jobsOf(job('report', 'batch', 1)), now: T0 + 3_600_000 });
  assert.equal(after.forced, true);
  assert.equal(after.deadlineAt, undefined);
});

test('property: before the deadline a drain never takes a group below count − maxParallel healthy allocations', () => {
  const status = fc.constantFrom('pending', 'running', 'complete', 'failed', 'lost') as fc.Arbitrary<NonNullable<AllocOpts['client']>>;
  const arbAlloc = fc.record({
    node: fc.constantFrom('d1', 'n2'),
    client: status,
    desired: fc.constantFrom('run', 'run', 'stop') as fc.Arbitrary<'run' | 'stop'>,
    marked: fc.boolean(),
    healthy: fc.option(fc.boolean(), { nil: undefined }),
  });
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 4 }), fc.array(arbAlloc, { maxLength: 10 }), (count, maxParallel, specs) => {
      const allocs = specs.map((o, i) => alloc('web', i, o));
      const healthyBefore = allocs.filter(isHealthy).length;
      const plan = planDrain({ node: drainingNode(), allocs, jobs: jobsOf(job('web', 'service', count, maxParallel)), now: T0 });
      assert.ok(plan.migrate.length <= maxParallel);
      for (const a of plan.migrate) assert.ok(a.spec.nodeName === 'd1' && isLive(a) && !isMarked(a), 'only live, unmarked allocations of the node');
      const healthyAfter = healthyBefore - plan.migrate.filter(isHealthy).length;
      if (plan.migrate.length > 0) assert.ok(healthyAfter >= count - maxParallel, `healthy ${healthyBefore} → ${healthyAfter}, count ${count}, maxParallel ${maxParallel}`);
    }),
  );
});
