// Evaluation: a request to reconcile one job's allocations, claimed and processed by a scheduler worker.
import { Type } from '@sinclair/typebox';
import { Obj, StringEnum, StringMap, MapOf, Timestamp, Int, Conditions } from './common.ts';
import { envelope } from './meta.ts';
import { JOB_TYPES } from './job.ts';

/** Why an evaluation was created (Nomad's trigger reasons). */
export const TRIGGERS = [
  'job-register', 'job-deregister', 'node-update', 'node-drain', 'alloc-failure', 'periodic-job', 'deployment-watcher',
  'rolling-update', 'queued-allocs', 'preemption', 'failed-follow-up', 'max-plan-attempts', 'scheduled',
  'job-dependency',
] as const;

/** What an evaluation asks for. */
export const EvaluationSpec = Obj(
  {
    jobName: Type.String({ minLength: 1, description: 'Job to evaluate.' }),
    jobVersion: Type.Optional(Int({ minimum: 0, description: 'Job version at trigger time.' })),
    priority: Type.Optional(Int({ minimum: 1, maximum: 100, default: 50, description: 'Priority, copied from the job.' })),
    type: Type.Optional(StringEnum(JOB_TYPES, { default: 'service', description: 'Scheduler to use, from the job type.' })),
    triggeredBy: StringEnum(TRIGGERS, { description: 'What caused the evaluation.' }),
    nodeName: Type.Optional(Type.String({ description: 'Node whose change triggered the evaluation.' })),
    deploymentName: Type.Optional(Type.String({ description: 'Deployment the evaluation is for.' })),
    waitUntil: Type.Optional(Timestamp({ description: 'Do not process before this time (delayed reschedules).' })),
    previousEval: Type.Optional(Type.String({ description: 'Evaluation this one follows up.' })),
  },
  { description: 'What to evaluate and why.' },
);

/** Why placements of one group failed. */
export const AllocMetric = Obj(
  {
    nodesEvaluated: Type.Optional(Int({ minimum: 0, description: 'Nodes considered.' })),
    nodesFiltered: Type.Optional(Int({ minimum: 0, description: 'Nodes removed by feasibility checks.' })),
    nodesAvailable: Type.Optional(MapOf(Int({ minimum: 0 }), { description: 'Ready nodes per datacenter.' })),
    nodesExhausted: Type.Optional(Int({ minimum: 0, description: 'Feasible nodes without enough resources.' })),
    classFiltered: Type.Optional(MapOf(Int({ minimum: 0 }), { description: 'Filtered nodes per node class.' })),
    constraintFiltered: Type.Optional(MapOf(Int({ minimum: 0 }), { description: 'Filtered nodes per failed constraint.' })),
    classExhausted: Type.Optional(MapOf(Int({ minimum: 0 }), { description: 'Exhausted nodes per node class.' })),
    dimensionExhausted: Type.Optional(MapOf(Int({ minimum: 0 }), { description: 'Exhausted nodes per resource dimension (cpu, memory, ports...).' })),
    quotaExhausted: Type.Optional(Type.Array(Type.String(), { description: 'Exhausted quota dimensions.' })),
    scores: Type.Optional(MapOf(Type.Number(), { description: 'Top node scores, by "<node>.<scorer>".' })),
    coalescedFailures: Type.Optional(Int({ minimum: 0, description: 'Further identical failures folded into this one.' })),
  },
  { description: 'Placement metrics of a group.' },
);

/** Progress and outcome of an evaluation. */
export const EvaluationStatus = Obj(
  {
    phase: Type.Optional(StringEnum(['pending', 'blocked', 'complete', 'failed', 'canceled'], { description: 'Evaluation phase.' })),
    statusDescription: Type.Optional(Type.String({ description: 'Details of the phase.' })),
    claimedBy: Type.Optional(Type.String({ description: 'Worker holding the claim.' })),
    claimExpiresAt: Type.Optional(Timestamp({ description: 'When the claim lapses if not acked.' })),
    deliveries: Type.Optional(Int({ minimum: 0, description: 'Times the evaluation has been claimed.' })),
    blockedEval: Type.Optional(Type.String({ description: 'Blocked evaluation created for unplaced allocations.' })),
    nextEval: Type.Optional(Type.String({ description: 'Evaluation created to follow up this one.' })),
    failedTGAllocs: Type.Optional(MapOf(AllocMetric, { description: 'Placement failures per group.' })),
    queuedAllocations: Type.Optional(MapOf(Int({ minimum: 0 }), { description: 'Unplaced allocations per group.' })),
    classEligibility: Type.Optional(MapOf(Type.Boolean(), { description: 'Node classes known (in)eligible, for unblocking.' })),
    escapedComputedClass: Type.Optional(Type.Boolean({ description: 'Feasibility depended on attributes outside the computed class.' })),
    snapshotRevision: Type.Optional(Type.String({ description: 'Store revision the scheduler worked from.' })),
    annotations: Type.Optional(StringMap({ description: 'Plan annotations (desired changes per group), for drover plan.' })),
    conditions: Type.Optional(Conditions()),
  },
  { description: 'Observed state of the evaluation.' },
);

/** The Evaluation object schema. */
export const EvaluationSchema = envelope({
  kind: 'Evaluation', spec: EvaluationSpec, status: EvaluationStatus, description: 'A unit of scheduling work for one job.',
});
