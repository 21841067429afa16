// Adapters from API objects (api/schemas) to the scheduler's views. Every default the scheduler relies on is
// applied here, defensively: objects built by tests or older clients may omit fields the API server would
// default, and the pipeline must not care.
import type { Job, JobSpec, Node, Allocation, TaskGroup, Task } from '../../api/schemas/index.ts';
import type {
  JobView, JobType, GroupView, TaskView, NodeView, AllocView, Constraint, Affinity, Spread, ReschedulePolicy,
  HostVolumeAsk, PortAsk, DriverState, ClientStatus, DesiredStatus, Resources,
} from './structs.ts';
import { allocName } from './structs.ts';
import { isClientTerminal } from '../../api/schemas/allocation-state.ts';
import { groupAsk } from './resources.ts';
import { parseDuration } from './duration.ts';
import { groupFingerprint, hashOf } from './fingerprint.ts';
import { jobVersion } from '../../api/schemas/job-version.ts';
import { isJobStopped } from '../../api/schemas/job-stopping.ts';

/** Nomad's defaults for task resources and the group's ephemeral disk. */
export const DEFAULT_TASK_CPU = 100;
export const DEFAULT_TASK_MEMORY_MB = 300;
export const DEFAULT_EPHEMERAL_DISK_MB = 300;
/** Priority of jobs and allocations whose job is unknown. */
export const DEFAULT_PRIORITY = 50;

const HOUR = 3_600_000;

/** Nomad's reschedule defaults per job type (system jobs are not rescheduled: every node runs its own). */
export function defaultReschedule(type: JobType): ReschedulePolicy {
  if (type === 'service') return { attempts: 0, intervalMs: 0, delayMs: 30_000, delayFunction: 'exponential', maxDelayMs: HOUR, unlimited: true };
  if (type === 'batch') return { attempts: 1, intervalMs: 24 * HOUR, delayMs: 5000, delayFunction: 'constant', maxDelayMs: 0, unlimited: false };
  return { attempts: 0, intervalMs: 0, delayMs: 0, delayFunction: 'constant', maxDelayMs: 0, unlimited: false };
}

/** A Job object → JobView, at its current version (api/schemas/job-version.ts); stopped when stopping (job-stopping.ts). */
export function jobFromApi(job: Job): JobView {
  const version = jobVersion(job);
  const view = jobFromSpec(job.metadata.namespace ?? 'default', job.metadata.name, version, job.spec);
  // A job being deleted (held by finalizers) is stopping: it places nothing and its allocations stop.
  return isJobStopped(job) ? { ...view, stopped: true } : view;
}

/** The view of a deleted job: stopped, without groups, so every allocation it left is stopped. */
export function deletedJob(namespace: string, name: string, type: JobType = 'service'): JobView {
  return { namespace, name, version: 0, type, priority: DEFAULT_PRIORITY, datacenters: ['*'], stopped: true, constraints: [], groups: [] };
}

/** A job spec at a given version → JobView (also used for JobVersion history objects). */
export function jobFromSpec(namespace: string, name: string, version: number, spec: JobSpec): JobView {
  const type = (spec.type ?? 'service') as JobType;
  const jobConstraints = (spec.constraints ?? []).map(constraintOf);
  return {
    namespace,
    name,
    version,
    type,
    priority: spec.priority ?? DEFAULT_PRIORITY,
    datacenters: spec.datacenters?.length ? spec.datacenters : ['*'],
    stopped: spec.stop === true,
    constraints: jobConstraints,
    groups: (spec.groups ?? []).map((g) => groupOf(spec, type, g)),
  };
}

function groupOf(spec: JobSpec, type: JobType, g: TaskGroup): GroupView {
  const tasks = (g.tasks ?? []).map(taskOf);
  const taskConstraints = (g.tasks ?? []).flatMap((t) => (t.constraints ?? []).map(constraintOf));
  const taskAffinities = (g.tasks ?? []).flatMap((t) => (t.affinities ?? []).map(affinityOf));
  const update = g.update ?? spec.update;
  return {
    name: g.name,
    count: g.count ?? 1,
    tasks,
    drivers: [...new Set(tasks.map((t) => t.driver))],
    ask: groupAsk(tasks, g.ephemeralDisk?.sizeMB ?? DEFAULT_EPHEMERAL_DISK_MB),
    ports: (g.network?.ports ?? []).map((p): PortAsk => ({ label: p.label, static: p.static, to: p.to })),
    hostVolumes: hostVolumesOf(g),
    constraints: [...(g.constraints ?? []).map(constraintOf), ...taskConstraints],
    affinities: [...(spec.affinities ?? []), ...(g.affinities ?? [])].map(affinityOf).concat(taskAffinities),
    spreads: [...(spec.spreads ?? []), ...(g.spreads ?? [])].map(spreadOf),
    // No update block means no rolling update: every destructive change is applied at once (Nomad's rule).
    update: { maxParallel: update ? (g.update?.maxParallel ?? spec.update?.maxParallel ?? 1) : 0, canary: g.update?.canary ?? spec.update?.canary ?? 0 },
    migrateMaxParallel: g.migrate?.maxParallel ?? spec.migrate?.maxParallel ?? 1,
    reschedule: rescheduleOf(type, spec.reschedule, g.reschedule),
    fingerprint: groupFingerprint(g as unknown as Record<string, unknown>, spec.meta, spec.payload),
  };
}

function taskOf(t: Task): TaskView {
  const r = t.resources ?? {};
  const resources: Resources = { cpu: r.cpu ?? DEFAULT_TASK_CPU, memoryMB: r.memoryMB ?? DEFAULT_TASK_MEMORY_MB, diskMB: r.diskMB ?? 0 };
  const view: TaskView = { name: t.name, driver: t.driver, resources };
  if (t.lifecycle) view.lifecycle = { hook: t.lifecycle.hook, sidecar: t.lifecycle.sidecar === true };
  return view;
}

function hostVolumesOf(g: TaskGroup): HostVolumeAsk[] {
  return Object.entries(g.volumes ?? {})
    .filter(([, v]) => v.type === 'host')
    .map(([name, v]) => ({ name, source: v.source, readOnly: v.readOnly === true }));
}

/** A raw constraint → normalized (operator defaults to `=`, values become strings). */
export function constraintOf(c: { attribute?: string; operator?: string; value?: unknown }): Constraint {
  return { attribute: c.attribute ?? '', operator: c.operator ?? '=', value: c.value === undefined ? '' : String(c.value) };
}

function affinityOf(a: { attribute?: string; operator?: string; value?: unknown; weight?: number }): Affinity {
  return { ...constraintOf(a), weight: a.weight ?? 50 };
}

function spreadOf(s: { attribute: string; weight?: number; targets?: Array<{ value: string; percent: number }> }): Spread {
  return { attribute: s.attribute, weight: s.weight ?? 50, targets: (s.targets ?? []).map((t) => ({ value: t.value, percent: t.percent })) };
}

type RawReschedule = JobSpec['reschedule'];

function rescheduleOf(type: JobType, jobLevel: RawReschedule, groupLevel: RawReschedule): ReschedulePolicy {
  const p = defaultReschedule(type);
  for (const r of [jobLevel, groupLevel]) {
    if (!r) continue;
    if (r.attempts !== undefined) p.attempts = r.attempts;
    if (r.interval !== undefined) p.intervalMs = parseDuration(r.interval, p.intervalMs);
    if (r.delay !== undefined) p.delayMs = parseDuration(r.delay, p.delayMs);
    if (r.delayFunction !== undefined) p.delayFunction = r.delayFunction;
    if (r.maxDelay !== undefined) p.maxDelayMs = parseDuration(r.maxDelay, p.maxDelayMs);
    if (r.unlimited !== undefined) p.unlimited = r.unlimited;
  }
  return p;
}

/** A Node object → NodeView. Capacity is status.resources minus status.reserved. */
export function nodeFromApi(node: Node): NodeView {
  const spec = node.spec ?? {};
  const status = node.status ?? {};
  const total = status.resources ?? {};
  const reserved = status.reserved ?? {};
  const drivers: Record<string, DriverState> = {};
  for (const [name, d] of Object.entries(status.drivers ?? {})) drivers[name] = { detected: d.detected === true, healthy: d.healthy === true };
  const hostVolumes: NodeView['hostVolumes'] = {};
  // The agent's fingerprint first, then operator-declared volumes (spec wins: it is the operator's intent).
  for (const [name, v] of Object.entries({ ...(status.hostVolumes ?? {}), ...(spec.hostVolumes ?? {}) })) {
    hostVolumes[name] = { path: v.path, readOnly: v.readOnly === true };
  }
  const view: NodeView = {
    name: node.metadata.name,
    id: node.metadata.uid ?? node.metadata.name,
    datacenter: spec.datacenter ?? 'dc1',
    nodeClass: spec.nodeClass ?? '',
    eligible: (spec.eligibility ?? 'eligible') === 'eligible',
    ready: status.phase === 'ready',
    draining: spec.drain !== undefined && spec.drain !== null,
    capacity: {
      cpu: Math.max(0, (total.cpu ?? 0) - (reserved.cpu ?? 0)),
      memoryMB: Math.max(0, (total.memoryMB ?? 0) - (reserved.memoryMB ?? 0)),
      diskMB: Math.max(0, (total.diskMB ?? 0) - (reserved.diskMB ?? 0)),
    },
    drivers,
    attributes: { ...(status.attributes ?? {}) },
    meta: { ...(spec.meta ?? {}) },
    hostVolumes,
    reservedPorts: [],
    computedClass: '',
  };
  view.computedClass = computeClass(view);
  return view;
}

/**
 * The computed class: a hash of what class-level feasibility depends on (datacenter, class, non-unique
 * attributes and meta, drivers, host volumes). Nodes with equal classes are interchangeable for constraints.
 */
export function computeClass(node: Omit<NodeView, 'computedClass'> | NodeView): string {
  const notUnique = (m: Record<string, string>) => Object.fromEntries(Object.entries(m).filter(([k]) => !k.startsWith('unique.')));
  return 'v1:' + hashOf({
    dc: node.datacenter, cls: node.nodeClass, attr: notUnique(node.attributes), meta: notUnique(node.meta),
    drivers: node.drivers, volumes: node.hostVolumes,
  });
}

/** Facts about an allocation that live on its job, not on the Allocation object. */
export interface AllocContext {
  jobPriority?: number;
}

/** An Allocation object → AllocView. */
export function allocFromApi(alloc: Allocation, ctx: AllocContext = {}): AllocView {
  const spec = alloc.spec;
  const status = alloc.status ?? {};
  const index = spec.index ?? 0;
  const res = spec.resources;
  const tasks = Object.values(res?.tasks ?? {});
  const clientStatus = (status.clientStatus ?? 'pending') as ClientStatus;
  const view: AllocView = {
    id: alloc.metadata.name,
    namespace: alloc.metadata.namespace ?? 'default',
    name: allocName(spec.jobName, spec.groupName, index),
    index,
    jobName: spec.jobName,
    jobVersion: spec.jobVersion,
    groupName: spec.groupName,
    nodeName: spec.nodeName,
    desiredStatus: (spec.desiredStatus ?? 'run') as DesiredStatus,
    clientStatus,
    resources: {
      cpu: tasks.reduce((n, t) => n + (t.cpu ?? 0), 0),
      memoryMB: tasks.reduce((n, t) => n + (t.memoryMB ?? 0), 0),
      diskMB: res?.diskMB ?? 0,
    },
    ports: (res?.ports ?? []).map((p) => ({ label: p.label, value: p.value, to: p.to })),
    jobPriority: ctx.jobPriority ?? DEFAULT_PRIORITY,
    createTime: Date.parse(alloc.metadata.creationTimestamp ?? '') || 0,
    previousAllocation: spec.previousAllocation,
    nextAllocation: spec.nextAllocation,
    followupEval: spec.followupEval,
    rescheduleEvents: (spec.rescheduleTracker?.events ?? []).map((e) => ({
      time: Date.parse(e.rescheduleTime) || 0,
      prevAllocId: e.prevAllocName,
      prevNodeName: e.prevNodeName,
      delayMs: parseDuration(e.delay, 0),
    })),
    healthy: status.deploymentStatus?.healthy,
  };
  if (spec.desiredTransition?.migrate === true) view.migrate = true;
  if (spec.deploymentName) view.deploymentName = spec.deploymentName;
  if (spec.canary === true) view.canary = true;
  const finished = Object.values(status.taskStates ?? {}).map((t) => Date.parse(t.finishedAt ?? '') || 0);
  if (isClientTerminal(clientStatus)) {
    view.finishTime = finished.length ? Math.max(...finished) : view.createTime;
  }
  return view;
}
