// The deployment watcher's judgement (Nomad's deploymentwatcher), as a pure function: from a Deployment, the job's
// allocations and the time, the deployment's next status — per group placed, healthy and unhealthy counts and the
// progress deadline — and whether the scheduler must look again (a new allocation turned healthy: the next batch
// may go). Time is a value; nothing here reads a clock or the API.
import type { Allocation, Deployment, DeploymentStatus } from '../../../api/schemas/index.ts';
import { parseDuration } from '../../../api/schemas/duration.ts';
import { isLive } from '../../../api/schemas/allocation-state.ts';
import { canariesPromoted, type DeploymentPhase } from '../../../api/schemas/deployment.ts';
import { rfc3339 } from '../../../api/schemas/timestamp.ts';
import { withConditions } from './conditions.ts';
import { systemSlots } from './spec.ts';

/** The descriptions of each phase (Nomad's wording). */
export const DEPLOYMENT_DESC = {
  running: 'Deployment is running',
  awaitingPromotion: 'Deployment is running but requires manual promotion',
  paused: 'Deployment is paused',
  successful: 'Deployment completed successfully',
  unhealthy: 'Failed due to unhealthy allocations',
  progressDeadline: 'Failed due to progress deadline',
  newerVersion: 'Cancelled because job is updated to a newer version',
  stopped: 'Cancelled because job is stopped',
  failedByUser: 'Deployment marked as failed',
} as const;

/** Progress of one group, counted from the allocations. */
export interface GroupCount {
  placed: number;
  healthy: number;
  unhealthy: number;
  /** Live canaries the deployment placed, by name, and how many of them are healthy. */
  canaries: string[];
  healthyCanaries: number;
}

/** What `assess` decided. */
export interface Assessment {
  /** The status to write (equal to the current one when nothing changed). */
  status: DeploymentStatus;
  phase: DeploymentPhase;
  /** Some group gained healthy allocations (or the rollout resumed): the scheduler should place the next batch. */
  evaluate: boolean;
  /** When to look again if nothing happens before (the earliest progress deadline), ms since the epoch. */
  recheckAt?: number;
}

/**
 * Counts a group's rollout: allocations the deployment placed (`placed`, ever), those of them live and healthy,
 * those reported unhealthy. Allocations moved to the deployment's version in place (not placed by it) count as
 * healthy while they run and were not found unhealthy: they kept running through the update.
 */
export function countGroup(d: Deployment, group: string, allocs: readonly Allocation[]): GroupCount {
  const name = d.metadata.name;
  const c: GroupCount = { placed: 0, healthy: 0, unhealthy: 0, canaries: [], healthyCanaries: 0 };
  for (const a of allocs) {
    if (a.spec.groupName !== group || a.spec.jobName !== d.spec.jobName) continue;
    const health = a.status?.deploymentStatus?.healthy;
    if (a.spec.deploymentName === name) {
      c.placed++;
      if (health === false) c.unhealthy++;
      else if (health === true && isLive(a)) c.healthy++;
      if (a.spec.canary === true && isLive(a)) {
        c.canaries.push(a.metadata.name);
        if (health === true) c.healthyCanaries++;
      }
    } else if (a.spec.jobVersion === d.spec.jobVersion && isLive(a) && a.status?.clientStatus === 'running' && health !== false) {
      c.healthy++;
    }
  }
  return c;
}

/**
 * The deployment's next status at `now`. A deployment already successful, failed or cancelled is left as it is.
 * `scheduled`: an evaluation of the job at the deployment's version (or later) has completed. A system job's
 * group is done only then — until the scheduler has placed the version, no allocation says how many nodes run it.
 * `held`: groups not yet placed that have dependencies (api/schemas/job-dependencies.ts dependencyGates): their
 * progress deadline has not started (no requireProgressBy); it starts at the first look after they are placed.
 */
export function assess(d: Deployment, allocs: readonly Allocation[], now: number, o: { scheduled?: boolean; held?: ReadonlySet<string> } = {}): Assessment {
  const scheduled = o.scheduled ?? true;
  const held = o.held ?? new Set<string>();
  const prev = d.status ?? {};
  const prevPhase: DeploymentPhase = prev.phase ?? 'running';
  if (prevPhase === 'successful' || prevPhase === 'failed' || prevPhase === 'cancelled') return { status: prev, phase: prevPhase, evaluate: false };
  if (d.spec.failed === true) {
    return { status: withConditions({ ...prev, phase: 'failed', description: DEPLOYMENT_DESC.failedByUser }, d.metadata.generation ?? 1, now), phase: 'failed', evaluate: false };
  }
  const paused = d.spec.paused === true;
  const resumed = prevPhase === 'paused' && !paused;
  const groups: NonNullable<DeploymentStatus['groups']> = {};
  let evaluate = resumed;
  let done = true;
  let failure: string | undefined;
  let recheckAt: number | undefined;
  let awaitingOperator = false;
  for (const [g, target] of Object.entries(d.spec.groups)) {
    const before = prev.groups?.[g];
    const c = countGroup(d, g, allocs);
    const progressMs = target.progressDeadline ? parseDuration(target.progressDeadline) : 0;
    const gained = c.healthy > (before?.healthy ?? 0);
    if (gained) evaluate = true;
    const wanted = target.desiredCanaries ?? 0;
    const promoted = canariesPromoted({ target, status: before, healthyCanaries: c.healthyCanaries });
    if (promoted && before?.promoted !== true && wanted > 0) evaluate = true; // the rest of the rollout may go
    const awaitingPromotion = wanted > 0 && !promoted;
    // Every canary healthy, the promotion up to an operator: the progress deadline does not run meanwhile.
    const waiting = awaitingPromotion && c.healthyCanaries >= wanted;
    awaitingOperator ||= waiting;
    // The deadline restarts with each newly healthy allocation, and with a resume (a pause stops the clock).
    // Whole seconds, rounded up: the status holds an RFC 3339 time, and a deadline must never come early.
    const fresh = Math.ceil((now + progressMs) / 1000) * 1000;
    let by = before?.requireProgressBy !== undefined && !gained && !resumed ? Date.parse(before.requireProgressBy) : fresh;
    if (paused || waiting) by = fresh;
    const system = d.spec.jobType === 'system';
    const total = system ? systemSlots(d.spec.jobName, g, allocs) : target.desiredTotal;
    const groupDone = !awaitingPromotion && c.healthy >= total && (!system || scheduled);
    done &&= groupDone;
    if (!groupDone && !paused && !waiting && !held.has(g)) {
      if (c.unhealthy > 0 && progressMs === 0) failure ??= DEPLOYMENT_DESC.unhealthy;
      if (progressMs > 0 && now >= by) failure ??= DEPLOYMENT_DESC.progressDeadline;
      if (progressMs > 0) recheckAt = Math.min(recheckAt ?? by, by);
    }
    groups[g] = {
      placed: c.placed, healthy: c.healthy, unhealthy: c.unhealthy, promoted,
      ...(wanted > 0 ? { placedCanaries: c.canaries } : {}),
      ...(progressMs > 0 && !held.has(g) ? { requireProgressBy: rfc3339(by) } : {}),
    };
  }
  const phase: DeploymentPhase = done ? 'successful' : failure ? 'failed' : paused ? 'paused' : 'running';
  const running = awaitingOperator ? DEPLOYMENT_DESC.awaitingPromotion : DEPLOYMENT_DESC.running;
  const description = done ? DEPLOYMENT_DESC.successful : failure ?? (paused ? DEPLOYMENT_DESC.paused : running);
  const status = withConditions({ ...prev, phase, description, groups }, d.metadata.generation ?? 1, now);
  return { status, phase, evaluate: evaluate && phase === 'running', ...(phase === 'running' && recheckAt !== undefined ? { recheckAt } : {}) };
}
