// An allocation's Ready, Reconciling and Stalled conditions (kstatus' convention, as Jobs and Deployments have
// them), so `kubectl wait --for=condition=Ready allocations.drover.dev/NAME` and status-convention tools judge an
// allocation. The one definition; every writer of allocation status applies it: the node agent's status writer,
// the hollow nodes, the health controller (lost) and the plan commit (lost). An allocation the plan commit has
// just created has no status yet: no Ready condition, which `kubectl wait` reads as not ready.
//
//   desired run, pending             Reconciling  Pending        (the node has not started its tasks)
//   desired run, running             Ready        Running        (checks passing or none; a deployment's
//                                    Reconciling  ChecksPending   health verdict of unhealthy is Stalled)
//                                    Stalled      Unhealthy
//   desired run, complete            Ready        Complete       (every main task finished successfully)
//   desired stop/evict, not finished Reconciling  Stopping
//   desired stop/evict, finished     Ready        Stopped        (what the scheduler asked for)
//   failed                           Stalled      Failed
//   lost                             Stalled      Lost
import type { Allocation, AllocationStatus } from './index.ts';
import { settleConditions, type ConditionInput } from './conditions.ts';

/** The condition type the node agent reports for its checks (True when every check passes). */
export const CHECKS_PASSING = 'ChecksPassing';

/** The three kstatus condition types. */
export const ALLOC_CONDITION_TYPES = ['Ready', 'Reconciling', 'Stalled'] as const;
type AllocConditionType = (typeof ALLOC_CONDITION_TYPES)[number];

/** What the conditions are computed from. */
export type AllocationFacts = Pick<Allocation, 'spec'> & { status?: AllocationStatus };

/** Which of the three holds, and why. */
export function allocationPhase(a: AllocationFacts): { on: AllocConditionType | undefined; reason: string; message: string } {
  const s = a.status ?? {};
  const desired = a.spec.desiredStatus ?? 'run';
  const client = s.clientStatus ?? 'pending';
  const said = s.clientDescription ?? '';
  if (client === 'lost') return { on: 'Stalled', reason: 'Lost', message: said || 'the allocation is lost: its node is down' };
  if (client === 'failed') return { on: 'Stalled', reason: 'Failed', message: said || 'tasks failed' };
  if (desired !== 'run') {
    if (client === 'complete') return { on: 'Ready', reason: 'Stopped', message: a.spec.desiredDescription ?? said };
    return { on: 'Reconciling', reason: 'Stopping', message: a.spec.desiredDescription ?? 'the scheduler stops this allocation' };
  }
  if (client === 'complete') return { on: 'Ready', reason: 'Complete', message: said || 'all tasks have completed' };
  if (client === 'pending') return { on: 'Reconciling', reason: 'Pending', message: said || 'no tasks have started' };
  if (s.deploymentStatus?.healthy === false) return { on: 'Stalled', reason: 'Unhealthy', message: 'the deployment judged the allocation unhealthy' };
  const checks = s.conditions?.find((c) => c.type === CHECKS_PASSING);
  if (checks && checks.status !== 'True') return { on: 'Reconciling', reason: 'ChecksPending', message: checks.message ?? 'checks are not passing yet' };
  return { on: 'Ready', reason: 'Running', message: said || 'tasks are running' };
}

/**
 * `a.status` with Ready, Reconciling and Stalled computed for it (other condition types kept, in their order),
 * and `observedGeneration`; a condition whose status did not change keeps its lastTransitionTime.
 */
export function withAllocationConditions(a: AllocationFacts & { metadata?: { generation?: number } }, now: number): AllocationStatus {
  const status = a.status ?? {};
  const generation = a.metadata?.generation ?? 1;
  const { on, reason, message } = allocationPhase(a);
  const next: ConditionInput[] = ALLOC_CONDITION_TYPES.map((type) => ({ type, status: type === on ? 'True' : 'False', reason, message }));
  const kept = (status.conditions ?? []).filter((c) => !(ALLOC_CONDITION_TYPES as readonly string[]).includes(c.type));
  const settled = settleConditions(status.conditions, next, generation, now);
  return { ...status, observedGeneration: generation, conditions: [...kept, ...settled] };
}
