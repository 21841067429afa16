// The named indexes controllers share through the SharedInformerFactory, defined once so that every controller
// asking "allocations on node X" reads the same index (addIndex is idempotent for the same definition).
import type { Allocation, Evaluation } from '../../../api/schemas/index.ts';

const jobKey = (namespace: string, name: string) => `${namespace}/${name}`; // MERGE: the one jobKey

/** Allocations by `spec.nodeName`. */
export const ALLOCS_BY_NODE = { name: 'allocations-by-node', values: (a: Allocation) => [a.spec.nodeName] } as const;

/** Allocations by job key (`namespace/jobName`). */
export const ALLOCS_BY_JOB = { name: 'allocations-by-job', values: (a: Allocation) => [jobKey(a.metadata.namespace ?? 'default', a.spec.jobName)] } as const;

/** Allocations by `namespace/deploymentName` (those placed by a deployment). */
export const ALLOCS_BY_DEPLOYMENT = {
  name: 'allocations-by-deployment',
  values: (a: Allocation) => (a.spec.deploymentName ? [`${a.metadata.namespace ?? 'default'}/${a.spec.deploymentName}`] : []),
} as const;

/** Evaluations by job key. */
export const EVALS_BY_JOB = { name: 'evaluations-by-job', values: (e: Evaluation) => [jobKey(e.metadata.namespace ?? 'default', e.spec.jobName)] } as const;
