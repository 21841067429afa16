// The version a job is at: the one definition. A job's version is its `metadata.generation`, which the API server
// bumps on every spec change in the same write, so it is never stale. `status.version` mirrors it for people
// and tools (the job status controller writes it), but lags a spec change by one status write: nothing that
// places or runs allocations may read it (the scheduler, the evaluator, the drainer and the agents all call this).
// A revert is a spec change like any other, so it gets a new version (as in Nomad).

/** The version `job` is at now: its metadata.generation (1 when absent, as the API server starts it). */
export function jobVersion(job: { metadata: { generation?: number } }): number {
  return job.metadata.generation ?? 1;
}
