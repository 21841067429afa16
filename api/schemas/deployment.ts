// Deployment: the rollout of one job version, tracked per group (canaries, health, promotion).
import { Type } from '@sinclair/typebox';
import { Obj, StringEnum, MapOf, Duration, Timestamp, Int, Conditions } from './common.ts';
import { envelope } from './meta.ts';

/** Targets of one group in a deployment. */
export const DeploymentGroupSpec = Obj(
  {
    desiredTotal: Int({ minimum: 0, description: 'Allocations wanted at the new version.' }),
    desiredCanaries: Type.Optional(Int({ minimum: 0, default: 0, description: 'Canaries wanted before promotion.' })),
    autoRevert: Type.Optional(Type.Boolean({ default: false, description: 'Revert to the last stable version on failure.' })),
    autoPromote: Type.Optional(Type.Boolean({ default: false, description: 'Promote when the canaries are healthy.' })),
    progressDeadline: Type.Optional(Duration({ description: 'Time allowed between healthy allocations.' })),
    promoted: Type.Optional(Type.Boolean({ default: false, description: 'Promote the canaries (set by drover deployment promote); takes effect once every canary is healthy (status.groups.*.promoted).' })),
  },
  { description: 'Deployment targets of a group.' },
);

/** What the deployment rolls out. */
export const DeploymentSpec = Obj(
  {
    jobName: Type.String({ minLength: 1, description: 'Job being deployed.' }),
    jobVersion: Int({ minimum: 0, description: 'Version being deployed.' }),
    groups: MapOf(DeploymentGroupSpec, { description: 'Targets per group.' }),
    jobType: Type.Optional(StringEnum(['service', 'system'], { description: "The deployed job's type (absent: service). A system job's group is done once every live allocation of it runs the new version healthy, on however many nodes run it then; desiredTotal is that number when the deployment began." })),
    paused: Type.Optional(Type.Boolean({ default: false, description: 'Pause the rollout (set by drover deployment pause, cleared by resume).' })),
    failed: Type.Optional(Type.Boolean({ default: false, description: 'Fail the rollout now (set by drover deployment fail); autoRevert applies.' })),
  },
  { description: 'The rollout requested.' },
);

/** Progress of one group. */
export const DeploymentGroupStatus = Obj(
  {
    placed: Type.Optional(Int({ minimum: 0, description: 'Allocations placed.' })),
    healthy: Type.Optional(Int({ minimum: 0, description: 'Healthy allocations.' })),
    unhealthy: Type.Optional(Int({ minimum: 0, description: 'Unhealthy allocations.' })),
    promoted: Type.Optional(Type.Boolean({ description: 'Canaries promoted: asked for (or autoPromote) and every canary healthy; the rest of the rollout goes on.' })),
    placedCanaries: Type.Optional(Type.Array(Type.String(), { description: 'Canary allocation names.' })),
    requireProgressBy: Type.Optional(Timestamp({ description: 'Deadline for the next healthy allocation.' })),
  },
  { description: 'Rollout progress of a group.' },
);

/** Progress of the deployment. */
export const DeploymentStatus = Obj(
  {
    phase: Type.Optional(StringEnum(['running', 'paused', 'failed', 'successful', 'cancelled'], { description: 'Deployment phase.' })),
    description: Type.Optional(Type.String({ description: 'Details of the phase.' })),
    groups: Type.Optional(MapOf(DeploymentGroupStatus, { description: 'Progress per group.' })),
    observedGeneration: Type.Optional(Int({ minimum: 0, description: 'The metadata.generation this status reflects.' })),
    conditions: Type.Optional(Conditions()),
  },
  { description: 'Observed state of the deployment.' },
);

/** The Deployment object schema. */
export const DeploymentSchema = envelope({
  kind: 'Deployment', spec: DeploymentSpec, status: DeploymentStatus, description: 'The rollout of a job version.',
});

// The phase and its predicate live in deployment-phase.ts (no runtime imports: the dashboard's bundle uses it).
export { isDeploymentActive, type DeploymentPhase } from './deployment-phase.ts';

/** The one name of the deployment of `jobName` at `version`: the scheduler stamps it before the object exists. */
export function deploymentNameOf(jobName: string, version: number): string {
  return `${jobName}-deploy-${version}`;
}


/** The fields of a group's rollout that decide its promotion. */
interface PromotionInputs {
  target: { desiredCanaries?: number; promoted?: boolean; autoPromote?: boolean };
  status?: { promoted?: boolean };
  /** The group's live canaries of this deployment reported healthy. */
  healthyCanaries: number;
}

/**
 * Whether a group's canaries are promoted (the rest of its rollout may go): the deployment controller recorded
 * it, or a promotion is asked for (the operator's, or autoPromote) and every canary is healthy — as Nomad, which
 * refuses to promote unhealthy canaries: a failing canary promoted would stop healthy old allocations for it.
 * The deployment controller and the scheduler both judge by this, so neither waits for the other's write.
 */
export function canariesPromoted(p: PromotionInputs): boolean {
  const wanted = p.target.desiredCanaries ?? 0;
  if (p.status?.promoted === true) return true;
  if (wanted === 0) return p.target.promoted === true;
  return (p.target.promoted === true || p.target.autoPromote === true) && p.healthyCanaries >= wanted;
}

/** The job-spec fields the deployment rule reads. */
interface RolloutSpec {
  type?: string;
  stop?: boolean;
  update?: { maxParallel?: number };
  groups: Array<{ update?: { maxParallel?: number } }>;
}

/**
 * Whether a version of a job is rolled out by a Deployment: a service or system job (system as in Nomad 1.11),
 * not stopped, with an update block whose maxParallel (job's, overridden by the group's; default 1) is above 0 in
 * some group (Nomad's rule). Batch and sysbatch jobs have none.
 */
export function wantsDeployment(spec: RolloutSpec): boolean {
  const type = spec.type ?? 'service';
  if ((type !== 'service' && type !== 'system') || spec.stop === true) return false;
  return spec.groups.some((g) => {
    if (!g.update && !spec.update) return false;
    return (g.update?.maxParallel ?? spec.update?.maxParallel ?? 1) > 0;
  });
}
