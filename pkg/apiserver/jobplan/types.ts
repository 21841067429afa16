// The job plan subresource's wire format: POST .../namespaces/{ns}/jobs/{name}/plan takes a Job and answers a
// JobPlanResult. Plain JSON, shaped after Nomad's JobPlanResponse (Diff, Annotations.DesiredTGUpdates,
// FailedTGAllocs, JobModifyIndex) in camelCase, so the CLI and scripts all read one answer.
import type { AllocMetric } from '../../scheduler/metrics.ts';
import type { JobType, PortAssignment, Resources } from '../../scheduler/structs.ts';
import type { PlaceReason } from '../../scheduler/reconcile/types.ts';

/** How a part of the job changed between the running job and the planned one. */
export type DiffType = 'Added' | 'Deleted' | 'Edited' | 'None';

/** One scalar field: `old`/`new` are rendered as strings (absent on the side where the field is absent). */
export interface FieldDiff {
  type: DiffType;
  /** The field's key, e.g. `count`, `image`, `args[1]`. */
  name: string;
  old?: string;
  new?: string;
  /** E.g. `forces create` / `forces destroy` on a changed count. */
  annotations?: string[];
}

/** A nested object (or one element of a list of objects): its own fields and objects. */
export interface ObjectDiff {
  type: DiffType;
  /** The key, e.g. `config`, `resources`, `ports[http]`, or `constraints` for an element of a list without keys. */
  name: string;
  fields: FieldDiff[];
  objects: ObjectDiff[];
}

/** A task's diff; annotations say what it forces (`forces create/destroy update`, `forces in-place update`...). */
export interface TaskDiff extends ObjectDiff {
  annotations: string[];
}

/** A task group's diff and the scheduler's planned changes to it (`updates`: `create` → 2, `in-place update` → 1). */
export interface TaskGroupDiff extends ObjectDiff {
  tasks: TaskDiff[];
  updates: Record<string, number>;
}

/** The whole job's diff: job-level fields and objects, then its groups. */
export interface JobDiff {
  type: DiffType;
  /** The job's name. */
  id: string;
  fields: FieldDiff[];
  objects: ObjectDiff[];
  taskGroups: TaskGroupDiff[];
}

/** What the scheduler would do to one group, by bucket (Nomad's DesiredUpdates). `canary` is always 0 for now. */
export interface GroupChanges {
  place: number;
  stop: number;
  inPlaceUpdate: number;
  destructiveUpdate: number;
  migrate: number;
  ignore: number;
  canary: number;
  /** Allocations on down or gone nodes, stopped (their replacements count in `place`). */
  lost: number;
  /** Failed allocations replaced now (their replacements are placements too). */
  reschedule: number;
}

/** A new allocation the plan would create. */
export interface PlannedPlacement {
  /** The Allocation name it would get (ephemeral: a real evaluation names its own). */
  id: string;
  /** Nomad's `<job>.<group>[<index>]`. */
  name: string;
  group: string;
  reason: PlaceReason;
  /** The allocation it replaces. */
  previousAllocation?: string;
  resources: Resources;
  ports: PortAssignment[];
  /** The normalized score the node won with. */
  score: number;
  /** Allocations of other jobs it would evict. */
  preempts: string[];
}

/** An allocation the plan would stop or evict. */
export interface PlannedStop {
  id: string;
  name: string;
  group: string;
  /** Other jobs' allocations appear here when preempted. */
  job: string;
  desiredStatus: 'stop' | 'evict';
  description: string;
  /** Set when the allocation's node is down or gone. */
  clientStatus?: 'lost';
}

/** An allocation the plan would move to the new job version in place. */
export interface PlannedUpdate {
  id: string;
  name: string;
  fromVersion: number;
  toVersion: number;
}

/** Everything the plan would change on one node, with the node's usage after the plan. */
export interface NodePlacements {
  place: PlannedPlacement[];
  stop: PlannedStop[];
  update: PlannedUpdate[];
  usage: Resources;
  capacity: Resources;
}

/** The answer of the job plan subresource. Nothing was stored to compute it. */
export interface JobPlanResult {
  apiVersion: 'drover.dev/v1';
  kind: 'JobPlanResult';
  namespace: string;
  jobName: string;
  jobType: JobType;
  /** The version the plan was computed for (the running version when the spec is unchanged). */
  jobVersion: number;
  /** The running job's version; absent when the job does not exist yet. */
  currentVersion?: number;
  /**
   * The running job's resourceVersion as a number (Nomad's JobModifyIndex); 0 when the job does not exist.
   * A check-and-set submit succeeds only while the job is still at this index.
   */
  jobModifyIndex: number;
  diff: JobDiff;
  /** Planned changes per group. */
  desiredChanges: Record<string, GroupChanges>;
  /** Planned changes per node, nodes sorted by name. */
  nodes: Record<string, NodePlacements>;
  /** Groups with placements that found no node: why, as Nomad's FailedTGAllocs. */
  failedGroups: Record<string, AllocMetric>;
  /** Placements not made per group (what a blocked evaluation would wait for). */
  queued: Record<string, number>;
  /** Each group's last successful placement metric (its top scores explain `--verbose`). */
  placementMetrics: Record<string, AllocMetric>;
  /** Failed allocations whose reschedule would wait for a follow-up evaluation (ms since epoch). */
  followups: Array<{ waitUntil: number; allocIds: string[] }>;
  /** The watch-cache revisions (nodes, allocations, jobs) the plan was computed from. */
  basis: { nodes: number; allocations: number; jobs: number };
}

/** Nomad's group update labels, the keys of TaskGroupDiff.updates. */
export const UPDATE_TYPES = {
  ignore: 'ignore',
  create: 'create',
  destroy: 'destroy',
  migrate: 'migrate',
  canary: 'canary',
  inPlaceUpdate: 'in-place update',
  destructiveUpdate: 'create/destroy update',
} as const;

/** Nomad's task and field annotations. */
export const ANNOTATIONS = {
  forcesCreate: 'forces create',
  forcesDestroy: 'forces destroy',
  forcesInPlaceUpdate: 'forces in-place update',
  forcesDestructiveUpdate: 'forces create/destroy update',
} as const;
