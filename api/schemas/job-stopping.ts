// When a job is stopping: the one definition. A job is stopped by `spec.stop`, and a job with a deletionTimestamp
// (held by finalizers — `foregroundDeletion`, `orphan`, or a user's own — after its delete) is stopping too: it
// places nothing new and every allocation of it is stopped, exactly as for a stopped job. The evaluator, the
// scheduler's view of the job, the plan commit (which refuses placements for it), the periodic controller and
// the dispatch endpoint all read this.
import type { Job } from './index.ts';

/** Whether the job is gone or going: absent, being deleted (deletionTimestamp), or stopped (spec.stop). */
export function isJobStopped(job: Pick<Job, 'metadata' | 'spec'> | undefined): boolean {
  return !job || !!job.metadata.deletionTimestamp || job.spec.stop === true;
}
