// Job version history. The scheduler tells an in-place from a destructive update by comparing a running
// allocation's job version with the job's current spec, and agents fetch the version an allocation runs; both
// read JobVersion objects. The evaluator records one per job generation before it evaluates that generation, so
// every version that allocations can be placed at has its record. Old records are pruned: the newest
// KEEP_VERSIONS stay, and so does every version a live allocation still runs.
import type { Job, JobVersion } from '../../../api/schemas/index.ts';
import { API_VERSION } from '../../../api/schemas/kind.ts';
import { isAlreadyExists, isNotFound } from '../../apierrors/status.ts';
import type { Client } from '../../client/client.ts';
import type { Logger } from '../../log/logger.ts';
import { jobVersion } from '../../../api/schemas/job-version.ts';
import { recordOwnerRefs } from '../../../api/schemas/owner.ts';

/** How many recent versions of a job are kept (Nomad keeps 6). */
export const KEEP_VERSIONS = 6;

/** The JobVersion name for `job` at `version`. */
export const jobVersionName = (job: string, version: number) => `${job}-v${version}`;

/** The version a job is at (api/schemas/job-version.ts). */
export const versionOf = (job: Job): number => jobVersion(job);

/** Record the job's current spec as a JobVersion (idempotent), then prune old versions nothing runs. */
export async function recordJobVersion(deps: { client: Client; logger: Logger }, job: Job, liveVersions: number[]): Promise<void> {
  const namespace = job.metadata.namespace ?? 'default';
  const version = versionOf(job);
  const versions = deps.client.resource<JobVersion>('jobversions');
  const record: JobVersion = {
    apiVersion: API_VERSION,
    kind: 'JobVersion',
    metadata: {
      name: jobVersionName(job.metadata.name, version),
      namespace,
      labels: { 'drover.dev/job': job.metadata.name },
      ownerReferences: recordOwnerRefs(job),
    },
    spec: { jobName: job.metadata.name, version, jobSpec: job.spec },
  } as JobVersion;
  try {
    await versions.create(record);
  } catch (err) {
    if (!isAlreadyExists(err)) throw err; // recorded by an earlier pass (versions are immutable)
  }
  await prune(deps, namespace, job.metadata.name, version, liveVersions);
}

async function prune(deps: { client: Client; logger: Logger }, namespace: string, jobName: string, current: number, liveVersions: number[]): Promise<void> {
  const versions = deps.client.resource<JobVersion>('jobversions');
  const all = await versions.listAll({ namespace, fieldSelector: `spec.jobName=${jobName}` });
  const newestFirst = all.items.map((v) => v.spec.version).sort((a, b) => b - a);
  const keep = new Set([current, ...newestFirst.slice(0, KEEP_VERSIONS), ...liveVersions]);
  for (const v of all.items) {
    if (keep.has(v.spec.version)) continue;
    try {
      await versions.delete(v.metadata.name, { namespace, preconditions: { resourceVersion: v.metadata.resourceVersion } });
      deps.logger.debug('pruned job version', { job: jobName, version: v.spec.version });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
