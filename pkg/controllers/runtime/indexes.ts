// The named indexes controllers share through the SharedInformerFactory, defined once so that every controller
// asking "allocations on node X" reads the same index (addIndex is idempotent for the same definition).
import type { Allocation, Deployment, Evaluation, Job } from '../../../api/schemas/index.ts';
import { jobKey, jobKeyOf } from '../../../api/schemas/job-key.ts';

/** Allocations by `spec.nodeName`. */
export const ALLOCS_BY_NODE = { name: 'allocations-by-node', values: (a: Allocation) => [a.spec.nodeName] } as const;

/** Allocations by job key (`namespace/jobName`). */
export const ALLOCS_BY_JOB = { name: 'allocations-by-job', values: (a: Allocation) => [jobKeyOf(a)] } as const;

/** Allocations by `namespace/deploymentName` (those placed by a deployment). */
export const ALLOCS_BY_DEPLOYMENT = {
  name: 'allocations-by-deployment',
  values: (a: Allocation) => (a.spec.deploymentName ? [`${a.metadata.namespace ?? 'default'}/${a.spec.deploymentName}`] : []),
} as const;

/** Deployments by job key. */
export const DEPLOYMENTS_BY_JOB = { name: 'deployments-by-job', values: (d: Deployment) => [jobKeyOf(d)] } as const;

/** Evaluations by job key. */
export const EVALS_BY_JOB = { name: 'evaluations-by-job', values: (e: Evaluation) => [jobKeyOf(e)] } as const;

/** Jobs by the job keys (`namespace/name`) their spec.dependsOn names: a job's dependents. */
export const JOBS_BY_DEPENDENCY = {
  name: 'jobs-by-dependency',
  values: (j: Job) => (j.spec.dependsOn ?? []).map((d) => jobKey(j.metadata.namespace ?? 'default', d)),
} as const;
