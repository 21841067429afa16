// The job plan subresource (`drover plan`): a server-side dry run of a Job against the running cluster.
export { jobPlanPlugin, JOB_PLAN_ROUTE } from './route.ts';
export type { JobPlanOptions } from './route.ts';
export { planJob, jobPlanKinds, PLAN_MANAGER } from './planner.ts';
export type { JobPlanKinds, JobPlanRequest } from './planner.ts';
export { jobDiff } from './diff.ts';
export { annotate, groupUpdates } from './annotate.ts';
export * from './types.ts';
