// A rollout simulation for tests: the scheduler harness (API server, plan commit, scheduler workers), the real
// evaluator, the deployment controller on a ManualClock (progress deadlines move only when the test says), and
// fake agents that start every placed allocation and report its deployment health: an allocation of a version
// whose job meta says `broken: "true"` fails (unhealthy); others turn healthy when `healthyNow` says so. Every
// tick hands the allocations, as one consistent list, to `sample` (for invariants).
import type { Allocation, Job, JobSpec, JobVersion } from '../../../api/schemas/index.ts';
import { isLive } from '../../../api/schemas/allocation-state.ts';
import { ManualClock, realClock } from '../../clock/clock.ts';
import { silentLogger } from '../../log/logger.ts';
import { startHarness, type Harness } from '../../scheduler/testing/harness.ts';
import { createEvaluator, type Evaluator } from '../evaluator/evaluator.ts';
import { jobVersionName } from '../evaluator/versions.ts';
import { startDeploymentController, type DeploymentController } from './controller.ts';

/** 2030-01-01T00:00:00Z: where the controller's clock starts. */
export const SIM_T0 = Date.parse('2030-01-01T00:00:00Z');

/** Options of startRolloutSim. */
export interface RolloutSimOptions {
  nodes?: number;
  /** Whether a running allocation of a healthy version reports healthy at this tick (default: always). */
  healthyNow?: (a: Allocation) => boolean;
  /** Called with every tick's allocations. */
  sample?: (allocs: Allocation[]) => void;
}

/** A running simulation. */
export interface RolloutSim {
  h: Harness;
  clock: ManualClock;
  /** Register (or update) job `name`: one group `web` of `count` (per node for a system job), cpu `cpu` (change it for a destructive update). */
  putJob(name: string, o: { count: number; cpu: number; broken?: boolean; update: JobSpec['update']; type?: 'system' }): Promise<Job>;
  /** One round of the fake agents (also run every few ms in the background). */
  tick(): Promise<void>;
  close(): Promise<void>;
}

/** Whether an allocation counts as healthy for the invariants: live, running, and reported healthy. */
export const isHealthyAlloc = (a: Allocation) => isLive(a) && a.status?.clientStatus === 'running' && a.status.deploymentStatus?.healthy === true;

/** Start the simulation. */
export async function startRolloutSim(o: RolloutSimOptions = {}): Promise<RolloutSim> {
  const h = await startHarness({ workersPerProcess: 2 });
  const clock = new ManualClock(SIM_T0);
  const host = { client: h.client, logger: silentLogger };
  // Nodes first: the evaluator annotates the nodes it sees, which would race the harness's status write.
  for (let i = 0; i < (o.nodes ?? 4); i++) await h.addNode(`node-${i}`);
  const evaluator: Evaluator = createEvaluator({ ...host, clock: realClock });
  await evaluator.start();
  const controller: DeploymentController = await startDeploymentController({ ...host, clock });
  const broken = new Map<string, boolean>();
  const isBroken = async (a: Allocation) => {
    const key = jobVersionName(a.spec.jobName, a.spec.jobVersion);
    if (!broken.has(key)) {
      const v = await h.client.resource<JobVersion>('jobversions').get(key, { namespace: 'default' });
      broken.set(key, v.spec.jobSpec.meta?.broken === 'true');
    }
    return broken.get(key)!;
  };
  let ticking: Promise<void> = Promise.resolve();
  let stopped = false;
  const tick = () => (ticking = ticking.then(async () => {
    const allocs = await h.allocs();
    o.sample?.(allocs);
    for (const a of allocs) {
      if (!isLive(a)) continue;
      const status = a.status?.clientStatus ?? 'pending';
      const ds = a.status?.deploymentStatus;
      if (status === 'pending') await report(h, a, { clientStatus: 'running' });
      else if (a.spec.deploymentName && ds?.healthy === undefined) {
        if (await isBroken(a)) await report(h, a, { clientStatus: 'failed', deploymentStatus: { healthy: false } });
        else if (o.healthyNow?.(a) ?? true) await report(h, a, { deploymentStatus: { healthy: true } });
      }
    }
  }).catch(() => undefined));
  const loop = (async () => {
    while (!stopped) {
      await tick();
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  return {
    h, clock, tick,
    async putJob(name, j) {
      // The evaluator (its evaluated-generation annotation) and a revert also write the job: retry a lost race.
      for (;;) {
        try {
          return await h.putJob(name, [{ count: j.count, cpu: j.cpu }], {
            update: j.update,
            ...(j.type ? { type: j.type } : {}),
            meta: { broken: String(j.broken === true) },
            reschedule: { delay: '1s', delayFunction: 'constant', unlimited: true },
          });
        } catch (err) {
          if ((err as { code?: number }).code !== 409) throw err;
        }
      }
    },
    async close() {
      stopped = true;
      await loop;
      await controller.stop();
      await evaluator.stop();
      await h.close();
    },
  };
}

async function report(h: Harness, a: Allocation, status: Partial<NonNullable<Allocation['status']>>): Promise<void> {
  await h.client.resource<Allocation>('allocations').updateStatus({ ...a, status: { ...a.status, ...status } }).catch(() => undefined);
}

