// The job status controller's public surface (see README.md).
export { startJobStatusController, transitions, JOB_STATUS_COMPONENT, type JobStatusController, type JobStatusControllerOptions } from './controller.ts';
export { startJobStatusComponent, JOB_STATUS_LEASE, type JobStatusComponentOptions } from './component.ts';
export { computeJobStatus, jobState, latestDeployment, isOpenEval, placementMessage, READY, RECONCILING, STALLED, type JobStatusInput } from './compute.ts';
export { settleConditions, conditionOf, type Condition, type ConditionInput } from '../../../api/schemas/conditions.ts';
