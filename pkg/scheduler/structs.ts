// The scheduler's own normalized view of jobs, nodes and allocations. API objects are read once, through the
// adapters in adapters.ts, into these plain shapes with every default applied, so the pipeline never has to
// guess whether a field was omitted. Everything here is data: no methods, no I/O.
import type { ClientStatus, DesiredStatus } from '../../api/schemas/allocation-state.ts';

/** Job scheduler types (Nomad's): long-running, run-to-completion, one per node, one-shot per node. */
export type JobType = 'service' | 'batch' | 'system' | 'sysbatch';

/** The comparable resources fit and scoring look at. cpu in MHz. */
export interface Resources {
  cpu: number;
  memoryMB: number;
  diskMB: number;
}

/** The resource dimensions, in the order fit reports exhaustion. */
export type Dimension = 'cpu' | 'memory' | 'disk';

/** A port a group asks for: static when `static` is set, else dynamic (the scheduler picks one). */
export interface PortAsk {
  label: string;
  static?: number;
  to?: number;
}

/** A host port given to an allocation. */
export interface PortAssignment {
  label: string;
  value: number;
  to?: number;
}

/** A hard placement rule, normalized (`attribute` is `${...}` or a literal; `value` is always a string). */
export interface Constraint {
  attribute: string;
  operator: string;
  value: string;
}

/** A soft placement preference with its weight (-100..100). */
export interface Affinity extends Constraint {
  weight: number;
}

/** Spread allocations over the values of an attribute; `targets` maps value → percent. */
export interface Spread {
  attribute: string;
  weight: number;
  targets: Array<{ value: string; percent: number }>;
}

/** Rolling update settings the reconciler honours. maxParallel 0 means no limit (update all at once). */
export interface UpdatePolicy {
  maxParallel: number;
  /** Canaries placed beside the old version before any is replaced (absent: 0). */
  canary?: number;
}

/** How failed allocations are replaced elsewhere. Times in milliseconds. */
export interface ReschedulePolicy {
  attempts: number;
  intervalMs: number;
  delayMs: number;
  delayFunction: 'constant' | 'exponential' | 'fibonacci';
  maxDelayMs: number;
  unlimited: boolean;
}

/** A host volume a group needs on its node. */
export interface HostVolumeAsk {
  name: string;
  source: string;
  readOnly: boolean;
}

/** One task, reduced to what placement needs. */
export interface TaskView {
  name: string;
  driver: string;
  resources: Resources;
  lifecycle?: { hook: 'prestart' | 'poststart' | 'poststop'; sidecar: boolean };
}

/** A task group: the unit of placement. Constraints and affinities include job- and task-level ones. */
export interface GroupView {
  name: string;
  count: number;
  tasks: TaskView[];
  /** Distinct drivers the tasks need. */
  drivers: string[];
  /** What one allocation of the group consumes on its node (lifecycle phases folded in). */
  ask: Resources;
  ports: PortAsk[];
  hostVolumes: HostVolumeAsk[];
  constraints: Constraint[];
  affinities: Affinity[];
  spreads: Spread[];
  update: UpdatePolicy;
  migrateMaxParallel: number;
  reschedule: ReschedulePolicy;
  /** Hash of the fields whose change needs a new allocation (destructive update); see fingerprint.ts. */
  fingerprint: string;
}

/** A job as the scheduler sees it. */
export interface JobView {
  namespace: string;
  name: string;
  version: number;
  type: JobType;
  priority: number;
  datacenters: string[];
  /** True when the job is stopped (spec.stop) or deleted: every allocation should stop. */
  stopped: boolean;
  /** Job-level constraints only (groups already carry them merged); kept for distinct_* scope. */
  constraints: Constraint[];
  groups: GroupView[];
}

/** A task driver's fingerprint on a node. */
export interface DriverState {
  detected: boolean;
  healthy: boolean;
}

/** A node as the scheduler sees it. `capacity` is allocatable: total minus reserved. */
export interface NodeView {
  name: string;
  id: string;
  datacenter: string;
  nodeClass: string;
  eligible: boolean;
  ready: boolean;
  draining: boolean;
  /**
   * Its heartbeat Lease is overdue by the scheduler's own clock (worker/lease-deadlines.ts): it takes no new
   * allocations, though it is not down (its allocations stay until the health controller says so).
   */
  leaseOverdue?: boolean;
  capacity: Resources;
  drivers: Record<string, DriverState>;
  /** Fingerprinted attributes, without the `attr.` prefix (kernel.name, cpu.arch, unique.hostname...). */
  attributes: Record<string, string>;
  meta: Record<string, string>;
  hostVolumes: Record<string, { path: string; readOnly: boolean }>;
  /** Host ports nothing may be placed on (agent-reserved). */
  reservedPorts: number[];
  /** Hash of the class-level fields feasibility depends on; equal classes share feasibility results. */
  computedClass: string;
}

/** Desired and client status of an allocation (what the scheduler wants, what the agent reports). */
export type { DesiredStatus, ClientStatus };

/** One past reschedule of an allocation's chain. */
export interface RescheduleEvent {
  time: number;
  prevAllocId: string;
  prevNodeName?: string;
  delayMs: number;
}

/** An allocation as the scheduler sees it. */
export interface AllocView {
  /** The Allocation object's metadata.name: unique and stable. */
  id: string;
  namespace: string;
  /** Nomad's `<job>.<group>[<index>]`. */
  name: string;
  index: number;
  jobName: string;
  jobVersion: number;
  groupName: string;
  nodeName: string;
  desiredStatus: DesiredStatus;
  clientStatus: ClientStatus;
  resources: Resources;
  ports: PortAssignment[];
  /** Priority of the owning job (for preemption); 50 when unknown. */
  jobPriority: number;
  createTime: number;
  /** When the allocation reached a terminal client status (failure time drives the reschedule delay). */
  finishTime?: number;
  previousAllocation?: string;
  nextAllocation?: string;
  followupEval?: string;
  rescheduleEvents: RescheduleEvent[];
  /** Deployment health: true healthy, false unhealthy, undefined not yet known. */
  healthy?: boolean;
  /** The Deployment whose rollout placed the allocation. */
  deploymentName?: string;
  /** Placed as a canary of its deployment: beside the old version until the deployment is promoted. */
  canary?: boolean;
  /** Set by a drainer: move this allocation off its node now. */
  migrate?: boolean;
}

/** The allocation's name in Nomad's form. */
export function allocName(jobName: string, groupName: string, index: number): string {
  return `${jobName}.${groupName}[${index}]`;
}
