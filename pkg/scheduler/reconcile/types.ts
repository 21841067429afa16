// The reconciler's input and its buckets: what must be placed, stopped, updated in place or replaced.
import type { AllocView, GroupView, JobView, NodeView } from '../structs.ts';

/** Why an allocation is to be placed. */
export type PlaceReason = 'new' | 'lost' | 'reschedule' | 'destructive' | 'migrate';

/** One allocation to place; `previous` is the allocation it replaces (its name is reused). */
export interface PlaceRequest {
  group: GroupView;
  name: string;
  index: number;
  reason: PlaceReason;
  previous?: AllocView;
  /** System jobs: the one node this allocation is meant for. */
  nodeName?: string;
  /** A canary of the current deployment, placed beside the allocation of the same index. */
  canary?: boolean;
}

/** One allocation to stop, and why (the text becomes the allocation's desiredDescription). */
export interface StopRequest {
  alloc: AllocView;
  description: string;
}

/** Counts of planned changes per group, like Nomad's DesiredUpdates (what `drover plan` prints). */
export interface DesiredChanges {
  place: number;
  stop: number;
  inplaceUpdate: number;
  destructiveUpdate: number;
  migrate: number;
  lost: number;
  ignore: number;
  reschedule: number;
}

/** The rollout a job version is going through, as far as the reconciler cares. */
export interface DeploymentView {
  /** The Deployment's name (api/schemas/deployment.ts deploymentNameOf): stamped on what the rollout places. */
  name?: string;
  jobVersion: number;
  /** A paused or failed rollout makes no further destructive updates. */
  paused: boolean;
  /** A failed rollout also reschedules none of its failed allocations (a broken version cannot drain the group). */
  failed: boolean;
  /** Groups whose canaries are promoted (by the operator or autoPromote). */
  promoted?: ReadonlySet<string>;
}

/** Input of the pure reconciler. `existing` holds every allocation of the job, terminal ones included. */
export interface ReconcileInput {
  job: JobView;
  existing: AllocView[];
  /**
   * Nodes hosting the job's allocations that are down, gone (null) or draining. Allocations on down or gone nodes
   * are lost; on draining nodes they migrate.
   */
  taintedNodes: ReadonlyMap<string, NodeView | null>;
  /** Milliseconds since the epoch: time is a value, never read from a clock here. */
  now: number;
  /** The evaluation being processed: a failed allocation whose follow-up eval this is may be rescheduled now. */
  evalId?: string;
  /** Earlier versions of the job, to tell in-place from destructive updates; unknown versions are destructive. */
  jobVersions?: ReadonlyMap<number, JobView>;
  deployment?: DeploymentView;
  /**
   * `<deploymentName>/<group>` of earlier deployments whose canaries were promoted: those canaries are ordinary
   * allocations now. Canaries of other earlier deployments are stopped (their rollout ended without them).
   */
  promotedCanaries?: ReadonlySet<string>;
  /** System and sysbatch jobs: nodes that should run the job (ready, eligible, in its datacenters). */
  readyNodes?: NodeView[];
  /** System and sysbatch jobs: nodes in the job's datacenters that are not ready or not eligible. */
  notReadyNodes?: ReadonlySet<string>;
}

/** A failed allocation to reschedule later, through a follow-up evaluation due at `at`. */
export interface RescheduleLater {
  alloc: AllocView;
  at: number;
}

/**
 * The reconciler's buckets. Every allocation of `existing` lands in exactly one of: stop, lost, inplaceUpdate,
 * destructiveUpdate[].previous, migrate[].previous, place[].previous (reschedules), ignore or history.
 * rescheduleLater only annotates allocations that are also in ignore.
 */
export interface ReconcileResult {
  /** New allocations and replacements of lost and failed ones. */
  place: PlaceRequest[];
  /** Stop `previous` and place a new allocation of the current version with the same name. */
  destructiveUpdate: PlaceRequest[];
  /** Move `previous` off its draining node: stop it and place a replacement elsewhere. */
  migrate: PlaceRequest[];
  /** Allocations moved to the current job version without restarting. */
  inplaceUpdate: AllocView[];
  stop: StopRequest[];
  /** Allocations on down or gone nodes: stopped with client status lost (replacements are in place). */
  lost: AllocView[];
  /** Left as they are: live allocations, and finished ones that still fill their slot (a batch run that completed). */
  ignore: AllocView[];
  /**
   * Terminal allocations that no longer count toward their group (stopped, replaced, lost, finished runs of an
   * older version): nothing to do, and not counted in desiredChanges, so a group's counts add up to the
   * allocations it has and will have, as Nomad's plan shows them.
   */
  history: AllocView[];
  rescheduleLater: RescheduleLater[];
  desiredChanges: Record<string, DesiredChanges>;
}

/** An empty result. */
export function emptyResult(): ReconcileResult {
  return { place: [], destructiveUpdate: [], migrate: [], inplaceUpdate: [], stop: [], lost: [], ignore: [], history: [], rescheduleLater: [], desiredChanges: {} };
}

/** Zero counts. */
export function emptyChanges(): DesiredChanges {
  return { place: 0, stop: 0, inplaceUpdate: 0, destructiveUpdate: 0, migrate: 0, lost: 0, ignore: 0, reschedule: 0 };
}

/** Fills `desiredChanges` from the buckets (one pass at the end keeps the counting in one place); history is not counted. */
export function countChanges(r: ReconcileResult): void {
  const of = (group: string): DesiredChanges => (r.desiredChanges[group] ??= emptyChanges());
  for (const p of r.place) {
    if (p.reason === 'reschedule') of(p.group.name).reschedule++;
    else of(p.group.name).place++;
  }
  for (const p of r.destructiveUpdate) of(p.group.name).destructiveUpdate++;
  for (const p of r.migrate) of(p.group.name).migrate++;
  for (const a of r.inplaceUpdate) of(a.groupName).inplaceUpdate++;
  for (const s of r.stop) of(s.alloc.groupName).stop++;
  for (const a of r.lost) of(a.groupName).lost++;
  for (const a of r.ignore) of(a.groupName).ignore++;
}
