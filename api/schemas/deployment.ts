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
    promoted: Type.Optional(Type.Boolean({ default: false, description: 'Canaries promoted (set by drover deployment promote).' })),
  },
  { description: 'Deployment targets of a group.' },
);

/** What the deployment rolls out. */
export const DeploymentSpec = Obj(
  {
    jobName: Type.String({ minLength: 1, description: 'Job being deployed.' }),
    jobVersion: Int({ minimum: 0, description: 'Version being deployed.' }),
    groups: MapOf(DeploymentGroupSpec, { description: 'Targets per group.' }),
    paused: Type.Optional(Type.Boolean({ default: false, description: 'Pause the rollout.' })),
  },
  { description: 'The rollout requested.' },
);

/** Progress of one group. */
export const DeploymentGroupStatus = Obj(
  {
    placed: Type.Optional(Int({ minimum: 0, description: 'Allocations placed.' })),
    healthy: Type.Optional(Int({ minimum: 0, description: 'Healthy allocations.' })),
    unhealthy: Type.Optional(Int({ minimum: 0, description: 'Unhealthy allocations.' })),
    promoted: Type.Optional(Type.Boolean({ description: 'Canaries promoted.' })),
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
    conditions: Type.Optional(Conditions()),
  },
  { description: 'Observed state of the deployment.' },
);

/** The Deployment object schema. */
export const DeploymentSchema = envelope({
  kind: 'Deployment', spec: DeploymentSpec, status: DeploymentStatus, description: 'The rollout of a job version.',
});
