// The property, over the scheduler harness with the deployment controller on a fake clock: random
// interleavings of health reports, job updates (some versions broken: their allocations fail), promote, pause,
// resume and fail, and progress-deadline clock jumps, with and without canaries. The oracle is written here, from the definitions, not borrowed
// from the code under test:
//   - live allocations (desired run, client pending/running) never exceed count + maxParallel + canaries;
//   - healthy ones (live, running, deploymentStatus.healthy true) are never fewer than count − maxParallel,
//     once the first version has rolled out;
//   - once the actions stop (and a paused rollout is resumed, its canaries promoted), every Deployment ends
//     successful, failed or cancelled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Allocation, Deployment, Job } from '../../../api/schemas/index.ts';
import { startRolloutSim, type RolloutSim } from './testing.ts';

type Action =
  | { kind: 'update'; broken: boolean }
  | { kind: 'pause' | 'resume' | 'fail' | 'promote' }
  | { kind: 'advance'; ms: number }
  | { kind: 'wait'; ms: number };

const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ kind: fc.constant('update' as const), broken: fc.boolean() }),
  fc.record({ kind: fc.constantFrom('pause' as const, 'resume' as const, 'fail' as const, 'promote' as const) }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 1000, max: 40_000 }) }),
  fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 10, max: 300 }) }),
);

const NS = { namespace: 'default' };
const TERMINAL = new Set(['successful', 'failed', 'cancelled']);

/** The oracle's own reading of the allocations. */
const liveOf = (allocs: Allocation[]) =>
  allocs.filter((a) => a.spec.jobName === 'web' && (a.spec.desiredStatus ?? 'run') === 'run' && ['pending', 'running'].includes(a.status?.clientStatus ?? 'pending'));
const healthyOf = (allocs: Allocation[]) => liveOf(allocs).filter((a) => a.status?.clientStatus === 'running' && a.status.deploymentStatus?.healthy === true);

/** One line per allocation of the job, for a failure message. */
const describeAllocs = (allocs: Allocation[]) =>
  allocs.filter((a) => a.spec.jobName === 'web').map((a) =>
    `${a.metadata.name} v${a.spec.jobVersion} ${a.spec.deploymentName ?? '-'}${a.spec.canary ? ' canary' : ''} desired=${a.spec.desiredStatus ?? 'run'} client=${a.status?.clientStatus ?? 'pending'} healthy=${a.status?.deploymentStatus?.healthy} next=${a.spec.nextAllocation ?? ''} rv=${a.metadata.resourceVersion}`,
  ).join('\n');

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The spec with every group's canaries promoted. */
const promoteAll = (d: Deployment): Deployment['spec'] => ({
  ...d.spec, groups: Object.fromEntries(Object.entries(d.spec.groups).map(([g, t]) => [g, { ...t, promoted: true }])),
});

async function setSpec(s: RolloutSim, change: (d: Deployment) => Deployment['spec']): Promise<void> {
  const job = await s.h.client.resource<Job>('jobs').get('web', NS);
  const deployments = s.h.client.resource<Deployment>('deployments');
  const d = await deployments.get(`web-deploy-${job.metadata.generation}`, NS).catch(() => undefined);
  if (!d || TERMINAL.has(d.status?.phase ?? 'running')) return;
  await deployments.update({ ...d, spec: change(d) }).catch(() => undefined); // lost to the controller's write: skip
}

test('rollouts: never over count + maxParallel live, never under count − maxParallel healthy, every deployment ends', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.record({
        count: fc.integer({ min: 2, max: 4 }),
        maxParallel: fc.integer({ min: 1, max: 2 }),
        canary: fc.integer({ min: 0, max: 1 }),
        autoPromote: fc.boolean(),
        autoRevert: fc.boolean(),
        healthyPercent: fc.integer({ min: 20, max: 100 }),
        seed: fc.integer(),
        actions: fc.array(action, { minLength: 3, maxLength: 8 }),
      }),
      async (p) => {
        const rng = mulberry32(p.seed);
        const violations: string[] = [];
        let watching = false;
        let samples = 0;
        let firstBad = '';
        const s = await startRolloutSim({
          healthyNow: () => rng() * 100 < p.healthyPercent,
          sample: (allocs) => {
            if (!watching) return;
            samples++;
            const live = liveOf(allocs).length;
            const healthy = healthyOf(allocs).length;
            if (live > p.count + p.maxParallel + p.canary) violations.push(`${live} live > ${p.count} + ${p.maxParallel} + ${p.canary}`);
            if (healthy < p.count - p.maxParallel) violations.push(`${healthy} healthy < ${p.count} - ${p.maxParallel}`);
            if (violations.length > 0 && !firstBad) firstBad = describeAllocs(allocs);
          },
        });
        try {
          const update = {
            maxParallel: p.maxParallel, canary: p.canary, autoPromote: p.autoPromote, healthCheck: 'task_states' as const, minHealthyTime: '0s',
            progressDeadline: '30s', autoRevert: p.autoRevert,
          };
          let cpu = 100;
          await s.putJob('web', { count: p.count, cpu, update });
          await s.h.until('the first version rolled out', async () => {
            const d = await s.h.client.resource<Deployment>('deployments').get('web-deploy-1', NS).catch(() => undefined);
            return d?.status?.phase === 'successful';
          });
          watching = true;
          for (const a of p.actions) {
            if (a.kind === 'update') await s.putJob('web', { count: p.count, cpu: (cpu += 10), update, broken: a.broken });
            else if (a.kind === 'pause') await setSpec(s, (d) => ({ ...d.spec, paused: true }));
            else if (a.kind === 'resume') await setSpec(s, (d) => ({ ...d.spec, paused: false }));
            else if (a.kind === 'fail') await setSpec(s, (d) => ({ ...d.spec, failed: true }));
            else if (a.kind === 'promote') await setSpec(s, promoteAll);
            else if (a.kind === 'advance') s.clock.advance(a.ms);
            await new Promise((r) => setTimeout(r, a.kind === 'wait' ? a.ms : 50));
          }
          const open = await s.h.until('every deployment terminal', async () => {
            // The operator's part, again each round (a write lost to the controller's is skipped): resume a paused
            // rollout, promote canaries (a rollout waiting on them waits for ever).
            await setSpec(s, (d) => ({ ...promoteAll(d), paused: false }));
            s.clock.advance(10_000);
            await new Promise((r) => setTimeout(r, 50));
            const all = (await s.h.client.resource<Deployment>('deployments').list(NS)).items;
            return all.every((d) => TERMINAL.has(d.status?.phase ?? '')) ? all : undefined;
          });
          assert.ok(open.length >= 1);
          assert.ok(samples > 0, 'the invariants were sampled');
          assert.deepEqual(violations, [], `at the first violation:\n${firstBad}`);
        } finally {
          await s.close();
        }
      },
    ),
    { numRuns: 6, endOnFailure: true },
  );
});
