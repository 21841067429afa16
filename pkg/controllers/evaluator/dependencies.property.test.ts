// Batch DAGs through the real pieces: the scheduler harness (API server, plan commit, workers), the evaluator and
// the job status controller on a manual clock, and a fake agent (this test) that completes running allocations
// in a random order. Property: a job has allocations only once every job it depends on has completed, and every
// job runs in the end. The oracle is written here: the jobs whose dependencies this test has completed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Allocation, Job } from '../../../api/schemas/index.ts';
import { ManualClock } from '../../clock/clock.ts';
import { silentLogger } from '../../log/logger.ts';
import { startHarness } from '../../scheduler/testing/harness.ts';
import { startJobStatusController } from '../jobstatus/controller.ts';
import { createEvaluator } from './evaluator.ts';

/** A DAG on n jobs: job i may depend only on jobs < i (so no cycle), then the names are shuffled. */
const dagArb = fc.integer({ min: 2, max: 5 }).chain((n) =>
  fc.record({
    deps: fc.tuple(...Array.from({ length: n }, (_, i) => fc.subarray(Array.from({ length: i }, (_, j) => j)))),
    order: fc.shuffledSubarray(Array.from({ length: n }, (_, i) => i), { minLength: n, maxLength: n }),
    picks: fc.array(fc.nat(), { minLength: n, maxLength: n }),
  }),
);

test('batch DAG: dependents place only after their dependencies complete, in any completion order', async () => {
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
      fc.asyncProperty(dagArb, async ({ deps, order, picks }) => {
        const prefix = `r${++run}`;
        const name = (i: number) => `${prefix}-j${i}`;
        const n = deps.length;
        // Created in a shuffled order: a dependent may exist before what it depends on (it waits).
        for (const i of order) {
          await jobs.create({
            apiVersion: 'drover.dev/v1', kind: 'Job', metadata: { name: name(i), namespace: 'default' },
            spec: {
              type: 'batch', dependsOn: deps[i]!.map(name),
              groups: [{ name: 'g', tasks: [{ name: 't', driver: 'mock', config: {}, resources: { cpu: 10, memoryMB: 10 } }] }],
            },
          });
        }
        const completed = new Set<number>();
        const mine = async () => (await allocations.list({ namespace: 'default' })).items.filter((a) => a.spec.jobName.startsWith(`${prefix}-`));
        const jobOf = (a: Allocation) => Number(a.spec.jobName.slice(prefix.length + 2));
        for (let step = 0; step < n; step++) {
          // The oracle: exactly the jobs not yet completed whose dependencies all are.
          const free = [...Array(n).keys()].filter((i) => !completed.has(i) && deps[i]!.every((d) => completed.has(d)));
          const live = await h.until(`jobs ${free.map(name).join(', ')} placed (step ${step})`, async () => {
            const list = await mine();
            const early = list.filter((a) => !deps[jobOf(a)]!.every((d) => completed.has(d)));
            assert.deepEqual(early.map((a) => a.spec.jobName), [], `placed before a dependency completed (completed: ${[...completed].map(name).join(', ') || 'none'})`);
            const placed = new Set(list.map(jobOf));
            return free.every((i) => placed.has(i)) && list.filter((a) => !completed.has(jobOf(a)));
          });
          // The fake agent completes one of the live allocations, chosen by the generated pick.
          const a = live[picks[step]! % live.length]!;
          await allocations.updateStatus({ ...a, status: { ...a.status, clientStatus: 'complete' } });
          completed.add(jobOf(a));
        }
        assert.equal(completed.size, n);
      }),
      { numRuns: 6 },
    );
  } finally {
    await status.stop();
    await evaluator.stop();
    await h.close();
  }
});
