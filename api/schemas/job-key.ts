// The key of a job: `namespace/name`. Jobs, their evaluations and their allocations are grouped by it in every
// cache and index (evaluator, drainer, scheduler, plan commit), so it has one spelling.

/** `namespace/name` of a job. */
export function jobKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** The key of the job an Evaluation or Allocation belongs to: `spec.jobName` in the object's namespace. */
export function jobKeyOf(obj: { metadata: { namespace?: string }; spec: { jobName: string } }): string {
  return jobKey(obj.metadata.namespace ?? 'default', obj.spec.jobName);
}
