// Where an alloc runner gets the job spec its allocation runs. Allocations carry only the job's name and version
// (DESIGN: hot objects stay small); the agent fetches each version once and caches it — versions are immutable.
// A version is the Job itself while it is current (its generation: api/schemas/job-version.ts, as the scheduler reads it), otherwise the
// JobVersion object of that job and version (history).
import type { Job, JobSpec, JobVersion } from '../../../api/schemas/index.ts';
import { apiError, isNotFound } from '../../apierrors/status.ts';
import type { Client } from '../../client/client.ts';
import { jobVersion } from '../../../api/schemas/job-version.ts';

/** One job spec at one version. */
export interface JobAtVersion {
  namespace: string;
  name: string;
  version: number;
  spec: JobSpec;
}

/** Fetches job versions through the API and remembers them. */
export class JobSource {
  private readonly cache = new Map<string, Promise<JobAtVersion>>();

  constructor(private readonly client: Client) {}

  /** The job `name` at `version`; throws NotFound when the job is gone, NetworkError while the server is away. */
  get(namespace: string, name: string, version: number): Promise<JobAtVersion> {
    const key = `${namespace}/${name}@${version}`;
    let p = this.cache.get(key);
    if (!p) {
      p = this.fetch(namespace, name, version);
      this.cache.set(key, p);
      // A failed fetch (API server away, not yet written) must not be remembered.
      p.catch(() => this.cache.delete(key));
    }
    return p;
  }

  private async fetch(namespace: string, name: string, version: number): Promise<JobAtVersion> {
    let job: Job | undefined;
    try {
      job = await this.client.resource<Job>('jobs').get(name, { namespace });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    if (job && currentVersion(job) === version) return { namespace, name, version, spec: job.spec };
    const history = await this.client.resource<JobVersion>('jobversions').listAll({ namespace, fieldSelector: `spec.jobName=${name}` });
    const hit = history.items.find((v) => v.spec.version === version);
    if (hit) return { namespace, name, version, spec: hit.spec.jobSpec };
    // No history of that version: the current spec is the best guess (the hollow nodes' rule too). An allocation
    // the scheduler still wants at an old version differs from it only in place-updatable fields or is about
    // to be replaced.
    if (job) return { namespace, name, version, spec: job.spec };
    throw apiError('NotFound', `job "${name}" version ${version} not found in namespace "${namespace}"`, { name, kind: 'jobversions' });
  }
}

/** The version a Job is at now: what the scheduler stamps on the allocations it places. */
export function currentVersion(job: Job): number {
  return jobVersion(job);
}
