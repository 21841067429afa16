// Job: Nomad's job specification (job → groups → tasks) as a Kubernetes resource, and its status.
import { Type } from '@sinclair/typebox';
import { Obj, StringEnum, StringMap, MapOf, Duration, Int, DnsLabel, DnsSubdomain, Conditions, KeyedList } from './common.ts';
import { envelope } from './meta.ts';
import {
  Constraint, Affinity, Spread, UpdateStrategy, MigrateStrategy, ReschedulePolicy, RestartPolicy, EphemeralDisk,
  VolumeRequest, Network,
} from './policies.ts';
import { Task, Service } from './task.ts';

/** Scheduler types: long-running service, run-to-completion batch, one per node system and sysbatch. */
export const JOB_TYPES = ['service', 'batch', 'system', 'sysbatch'] as const;

/** A group of tasks placed together on one node: the unit of scheduling. */
export const TaskGroup = Obj(
  {
    name: DnsLabel({ description: 'Group name, unique within the job.' }),
    count: Type.Optional(Int({ minimum: 0, default: 1, description: 'Number of allocations of this group to run.' })),
    dependsOn: Type.Optional(
      Type.Array(DnsLabel(), { uniqueItems: true, description: 'Groups of this job that must be Ready (service: their count running healthy; batch: complete) before this group is first placed.' }),
    ),
    constraints: Type.Optional(Type.Array(Constraint, { description: 'Group-level constraints.' })),
    affinities: Type.Optional(Type.Array(Affinity, { description: 'Group-level affinities.' })),
    spreads: Type.Optional(Type.Array(Spread, { description: 'Group-level spreads.' })),
    tasks: KeyedList(Task, 'name', { minItems: 1, description: 'Tasks run together in each allocation.' }),
    services: Type.Optional(KeyedList(Service, 'name', { description: 'Services registered for the group (group network ports).' })),
    update: Type.Optional(UpdateStrategy),
    migrate: Type.Optional(MigrateStrategy),
    reschedule: Type.Optional(ReschedulePolicy),
    restart: Type.Optional(RestartPolicy),
    ephemeralDisk: Type.Optional(EphemeralDisk),
    volumes: Type.Optional(MapOf(VolumeRequest, { description: 'Volumes the group needs, by the name tasks mount them with.' })),
    network: Type.Optional(Network),
    meta: Type.Optional(StringMap({ description: 'Arbitrary metadata, merged over the job meta.' })),
    stopAfterClientDisconnect: Type.Optional(Duration({ description: 'Stop the allocation when its node has been disconnected this long.' })),
    maxClientDisconnect: Type.Optional(Duration({ description: 'Keep the allocation (unknown) this long on a disconnected node before replacing it.' })),
  },
  { description: 'A set of tasks co-located in one allocation.' },
);

/** Run the job on a cron schedule: each launch is a child job. */
export const Periodic = Obj(
  {
    cron: Type.Optional(Type.String({ minLength: 1, description: 'One cron expression: 5 fields (minute hour day-of-month month day-of-week) or @hourly, @daily, @weekly, @monthly, @yearly. Give this or crons.' })),
    crons: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1, description: 'Several cron expressions (Nomad\'s crons): a launch at each time any of them names. Give this or cron.' })),
    prohibitOverlap: Type.Optional(Type.Boolean({ default: false, description: 'Skip a launch while a previous child job is still running.' })),
    timeZone: Type.Optional(Type.String({ default: 'UTC', description: 'IANA time zone the cron expressions are read in, e.g. Europe/Paris.' })),
    enabled: Type.Optional(Type.Boolean({ default: true, description: 'Whether launches happen (false: the job is kept, nothing is launched).' })),
  },
  { description: 'Makes the job a periodic template: nothing runs under its own name; at each cron time a child job <name>-periodic-<unix seconds> is launched.' },
);

/** Make the job a template dispatched with a payload and meta. */
export const Parameterized = Obj(
  {
    payload: Type.Optional(StringEnum(['optional', 'required', 'forbidden'], { default: 'optional', description: 'Whether a dispatch carries a payload (delivered to tasks with dispatchPayload).' })),
    metaRequired: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'Meta keys a dispatch must supply.' })),
    metaOptional: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'Meta keys a dispatch may supply; any other key is refused.' })),
  },
  { description: 'Makes the job a template: nothing runs under its own name; each `drover job dispatch` creates a child job <name>-dispatch-<unix seconds>-<random>.' },
);

/** The largest dispatch payload, before base64 (Nomad's 16 KiB). */
export const MAX_PAYLOAD_BYTES = 16 * 1024;

/** The desired state of a job. */
export const JobSpec = Obj(
  {
    type: Type.Optional(StringEnum(JOB_TYPES, { default: 'service', description: 'Scheduler type.' })),
    priority: Type.Optional(Int({ minimum: 1, maximum: 100, default: 50, description: 'Scheduling priority; higher may preempt lower.' })),
    datacenters: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), { default: ['*'], minItems: 1, description: 'Datacenters the job may run in; glob patterns, "*" = any.' }),
    ),
    region: Type.Optional(Type.String({ default: 'global', description: 'Region the job runs in.' })),
    allAtOnce: Type.Optional(Type.Boolean({ default: false, description: 'Place all allocations at once or none (gang scheduling).' })),
    constraints: Type.Optional(Type.Array(Constraint, { description: 'Job-level constraints, inherited by every group.' })),
    affinities: Type.Optional(Type.Array(Affinity, { description: 'Job-level affinities.' })),
    spreads: Type.Optional(Type.Array(Spread, { description: 'Job-level spreads.' })),
    update: Type.Optional(UpdateStrategy),
    migrate: Type.Optional(MigrateStrategy),
    reschedule: Type.Optional(ReschedulePolicy),
    groups: KeyedList(TaskGroup, 'name', { minItems: 1, description: 'Task groups.' }),
    meta: Type.Optional(StringMap({ description: 'Arbitrary metadata, available to tasks as NOMAD_META_<key>.' })),
    periodic: Type.Optional(Periodic),
    parameterized: Type.Optional(Parameterized),
    payload: Type.Optional(
      Type.String({
        maxLength: Math.ceil(MAX_PAYLOAD_BYTES / 3) * 4,
        pattern: '^[A-Za-z0-9+/]*={0,2}$',
        description: 'Base64 payload of a dispatched job (set by dispatch), written into the task directory of each task with dispatchPayload; at most 16 KiB decoded.',
      }),
    ),
    stop: Type.Optional(Type.Boolean({ default: false, description: 'Stop all allocations while keeping the job.' })),
    dependsOn: Type.Optional(
      Type.Array(DnsSubdomain(), {
        uniqueItems: true,
        description: 'Jobs of this namespace that must be Ready (service: deployment successful and allocations healthy; batch: complete) before this job is first placed. A job not there yet is waited for; a cycle is refused.',
      }),
    ),
  },
  { description: 'What to run: groups of tasks and the policies that govern them.' },
);

/** Allocation counts of one group by client status. */
export const GroupSummary = Obj(
  {
    queued: Type.Optional(Int({ minimum: 0, description: 'Allocations wanted but not placed.' })),
    starting: Type.Optional(Int({ minimum: 0, description: 'Allocations placed, not yet running.' })),
    running: Type.Optional(Int({ minimum: 0, description: 'Running allocations.' })),
    complete: Type.Optional(Int({ minimum: 0, description: 'Completed allocations.' })),
    failed: Type.Optional(Int({ minimum: 0, description: 'Failed allocations.' })),
    lost: Type.Optional(Int({ minimum: 0, description: 'Allocations lost with their node.' })),
  },
  { description: 'Allocation counts of a group.' },
);

/** The job's latest deployment, as the job status controller last read it. */
export const JobDeploymentRef = Obj(
  {
    name: Type.String({ minLength: 1, description: 'Deployment object name.' }),
    jobVersion: Type.Optional(Int({ minimum: 0, description: 'Job version it rolls out.' })),
    phase: Type.Optional(Type.String({ description: 'Its phase (running, paused, successful, failed, cancelled).' })),
    description: Type.Optional(Type.String({ description: 'Its description of the phase.' })),
  },
  { description: 'The latest deployment of the job.' },
);

/** The observed state of a job (written through /status: the job status controller, and the evaluator's record). */
export const JobStatus = Obj(
  {
    version: Type.Optional(Int({ minimum: 0, description: 'Version the status describes (= metadata.generation when observedGeneration is current; history in JobVersion objects).' })),
    status: Type.Optional(StringEnum(['pending', 'running', 'dead'], { description: "Nomad's job status. pending: no allocation running yet (or only queued); running: an allocation is live; dead: stopped, or every allocation finished and nothing more is wanted." })),
    stable: Type.Optional(Type.Boolean({ description: 'Whether the current version has deployed successfully (its JobVersion is marked stable).' })),
    observedGeneration: Type.Optional(Int({ minimum: 0, description: 'The metadata.generation this status reflects.' })),
    evaluatedGeneration: Type.Optional(Int({ minimum: 0, description: 'The metadata.generation the evaluator last created an evaluation for (its record, so it neither misses nor repeats a job change).' })),
    summary: Type.Optional(MapOf(GroupSummary, { description: 'Allocation counts per group.' })),
    latestDeployment: Type.Optional(JobDeploymentRef),
    conditions: Type.Optional(Conditions()),
  },
  { description: 'Observed state of the job. Conditions: Ready (the generation observed, every group at its count running and healthy, the deployment of this version successful if there is one), Reconciling (work in progress toward the spec), Stalled (progress needs help: placements failed, or the deployment failed).' },
);

/** The Job object schema. */
export const JobSchema = envelope({ kind: 'Job', spec: JobSpec, status: JobStatus, description: 'A job: the declarative unit of work.' });
