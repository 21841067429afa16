// When an allocation holds its node's resources: the one definition. The plan committer's fit check and the
// no-overcommit argument (pkg/plancommit/README.md) rest on it, and so do the scheduler, the evaluator, the
// drainer, the health controller, the node agents and the tests' oracles: they must all count the same set.
//
// An allocation is *live* (it holds cpu, memory, disk and ports on its node) while the scheduler wants it to run
// (`spec.desiredStatus` run, the default) and the agent has not reported it finished (`status.clientStatus`
// pending, the default, or running). It is *terminal* otherwise: stopped or evicted by a plan, or complete,
// failed or lost. A plan frees a stopped allocation's room in the same commit that stops it, so a replacement
// can take it at once; terminal never turns live again (pkg/apiserver/allocation-guard.ts refuses it).
import type { Static } from '@sinclair/typebox';
import type { AllocationSpec, AllocationStatus } from './allocation.ts';

/** What the scheduler wants of an allocation. */
export type DesiredStatus = NonNullable<Static<typeof AllocationSpec>['desiredStatus']>;

/** What the node agent reports of an allocation. */
export type ClientStatus = NonNullable<Static<typeof AllocationStatus>['clientStatus']>;

/** The two fields that decide liveness; absent means the schema's default (run, pending). */
export interface AllocationState {
  desiredStatus?: DesiredStatus;
  clientStatus?: ClientStatus;
}

/** Whether the agent reports the allocation finished: complete, failed or lost. */
export function isClientTerminal(clientStatus: ClientStatus | undefined): boolean {
  return clientStatus === 'complete' || clientStatus === 'failed' || clientStatus === 'lost';
}

/** Whether the allocation no longer holds its node's resources: not desired to run, or finished. */
export function isTerminal(s: AllocationState): boolean {
  return (s.desiredStatus ?? 'run') !== 'run' || isClientTerminal(s.clientStatus);
}

/** The same predicate over an Allocation object: it holds resources and ports on `spec.nodeName`. */
export function isLive(a: { spec: { desiredStatus?: DesiredStatus }; status?: { clientStatus?: ClientStatus } }): boolean {
  return !isTerminal({ desiredStatus: a.spec.desiredStatus, clientStatus: a.status?.clientStatus });
}

/**
 * Lost but not stopped: the health controller reported it lost (its node went down) before any plan stopped it.
 * Terminal, yet still to be stopped by the scheduler (and replaced), so it never stays `run / lost` for good.
 */
export function isLostUnstopped(s: AllocationState): boolean {
  return (s.desiredStatus ?? 'run') === 'run' && s.clientStatus === 'lost';
}

/**
 * Whether the allocation runs healthy: live, reported running, and not reported unhealthy. Without a health
 * signal (no checks, or no verdict yet) a running allocation counts as healthy, as in the scheduler and the
 * drainer; a deployment's own verdict (Deployment status) is what gates a rollout.
 */
export function isRunningHealthy(a: { spec: { desiredStatus?: DesiredStatus }; status?: { clientStatus?: ClientStatus; deploymentStatus?: { healthy?: boolean } } }): boolean {
  return isRunningHealthyState({ desiredStatus: a.spec.desiredStatus, clientStatus: a.status?.clientStatus, healthy: a.status?.deploymentStatus?.healthy });
}

/** The same predicate over the flat fields (the scheduler's AllocView has them): `healthy` false is unhealthy. */
export function isRunningHealthyState(s: AllocationState & { healthy?: boolean }): boolean {
  return !isTerminal(s) && s.clientStatus === 'running' && s.healthy !== false;
}
