// Batch DAGs through the real pieces: the scheduler harness (API server, plan commit, workers), the evaluator and
// the job status controller on a manual clock, and a fake agent (this test) that completes running allocations
// in a random order. Jobs form a random DAG, and so do the groups of each job. Property: a group has allocations
// only once every job its job depends on and every group it depends on has completed, and every group runs in
// the end. The oracle is written here: the groups whose dependencies this test has completed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Allocation, Job } from '../../../api/schemas/index.ts';
import { ManualClock } from '../../clock/clock.ts';
import { silentLogger } from '../../log/logger.ts';
import { startHarness } from '../../scheduler/testing/harness.ts';
import { startJobStatusController } from '../jobstatus/controller.ts';
import { createEvaluator } from './evaluator.ts';

/** i's dependencies among 0..i-1 (so no cycle). */
const dagOf = (n: number) => fc.tuple(...Array.from({ length: n }, (_, i) => fc.subarray(Array.from({ length: i }, (_, j) => j))));

/**
 * A DAG on n jobs (job i may depend only on jobs < i), each job a DAG of 1-3 groups the same way; the jobs are
 * created in a shuffled order, and `picks` choose which live allocation completes at each step.
 */
const dagArb = fc.integer({ min: 2, max: 5 }).chain((n) =>
  fc.record({
    deps: dagOf(n),
    groups: fc.tuple(...Array.from({ length: n }, () => fc.integer({ min: 1, max: 3 }).chain(dagOf))),
    order: fc.shuffledSubarray(Array.from({ length: n }, (_, i) => i), { minLength: n, maxLength: n }),
    picks: fc.array(fc.nat(), { minLength: 15, maxLength: 15 }),
  }),
);

test('batch DAGs of jobs and of groups: dependents place only after their dependencies complete, in any completion order', async () => {
  const h = await startHarness({ workersPerProcess: 2 });
  const clock = new ManualClock(Date.now());
  const evaluator = createEvaluator({ client: h.client, clock, logger: silentLogger });
  await evaluator.start();
  const status = await startJobStatusController({ client: h.client, clock, logger: silentLogger });
  await h.addNode('n1', { cpu: 100_000, memoryMB: 100_000 });
  const jobs = h.client.resource<Job>('jobs');
  const allocations = h.client.resource<Allocation>('allocations');
  let run = 0;
  try {
    await fc.assert(
      fc.asyncProperty(dagArb, async ({ deps, groups, order, picks }) => {
        const prefix = `r${++run}`;
        const name = (i: number) => `${prefix}-j${i}`;
        const n = deps.length;
        // Created in a shuffled order: a dependent may exist before what it depends on (it waits).
        for (const i of order) {
          await jobs.create({
            apiVersion: 'drover.dev/v1', kind: 'Job', metadata: { name: name(i), namespace: 'default' },
            spec: {
              type: 'batch', dependsOn: deps[i]!.map(name),
              groups: groups[i]!.map((gd, g) => ({ name: `g${g}`, dependsOn: gd.map((d) => `g${d}`), tasks: [{ name: 't', driver: 'mock', config: {}, resources: { cpu: 10, memoryMB: 10 } }] })),
            },
          });
        }
        // What this test (the fake agent) has completed: `job/group`.
        const completed = new Set<string>();
        const unit = (i: number, g: number) => `${i}/${g}`;
        const jobDone = (i: number) => groups[i]!.every((_, g) => completed.has(unit(i, g)));
        // The oracle: a group may run once every job its job depends on and every group it depends on completed.
        const allowed = (i: number, g: number) => deps[i]!.every(jobDone) && groups[i]![g]!.every((d) => completed.has(unit(i, d)));
        const all = [...Array(n).keys()].flatMap((i) => groups[i]!.map((_, g) => [i, g] as const));
        const mine = async () => (await allocations.list({ namespace: 'default' })).items.filter((a) => a.spec.jobName.startsWith(`${prefix}-`));
        const unitOf = (a: Allocation) => [Number(a.spec.jobName.slice(prefix.length + 2)), Number(a.spec.groupName.slice(1))] as const;
        for (let step = 0; step < all.length; step++) {
          const free = all.filter(([i, g]) => !completed.has(unit(i, g)) && allowed(i, g));
          const live = await h.until(`groups ${free.map(([i, g]) => `${name(i)}/g${g}`).join(', ')} placed (step ${step})`, async () => {
            const list = await mine();
            const early = list.filter((a) => !allowed(...unitOf(a)));
            assert.deepEqual(early.map((a) => `${a.spec.jobName}/${a.spec.groupName}`), [], `placed before a dependency completed (completed: ${[...completed].join(', ') || 'none'})`);
            const placed = new Set(list.map((a) => unit(...unitOf(a))));
            return free.every(([i, g]) => placed.has(unit(i, g))) && list.filter((a) => !completed.has(unit(...unitOf(a))));
          });
          // The fake agent completes one of the live allocations, chosen by the generated pick.
          const a = live[picks[step]! % live.length]!;
          await allocations.updateStatus({ ...a, status: { ...a.status, clientStatus: 'complete' } });
          completed.add(unit(...unitOf(a)));
        }
        assert.equal(completed.size, all.length);
      }),
      { numRuns: 6 },
    );
  } finally {
    await status.stop();
    await evaluator.stop();
    await h.close();
  }
});
