// The task groups hollow nodes need to pretend to run an allocation. An Allocation names its job and version
// rather than embedding the spec, so the agent fetches each job version once and keeps it: the current Job
// when its version matches, else the JobVersion history object.
import type { Job, JobSpec, JobVersion, TaskGroup } from '../../../api/schemas/index.ts';
import { isNotFound } from '../../apierrors/status.ts';
import type { Client } from '../../client/client.ts';
import type { Logger } from '../../log/logger.ts';
import { jobVersion } from '../../../api/schemas/job-version.ts';

/** Fetches and caches job specs by namespace, name and version. */
export class JobSpecCache {
  private readonly specs = new Map<string, Promise<JobSpec | undefined>>();

  constructor(private readonly client: Pick<Client, 'resource'>, private readonly logger: Logger) {}

  /** The group `groupName` of job `jobName` at `version`, or undefined when it cannot be found. */
  async group(namespace: string, jobName: string, version: number, groupName: string): Promise<TaskGroup | undefined> {
    const spec = await this.spec(namespace, jobName, version);
    return spec?.groups.find((g) => g.name === groupName);
  }

  /** The job spec at `version` (one fetch per key; a failed fetch is forgotten so it is retried). */
  spec(namespace: string, jobName: string, version: number): Promise<JobSpec | undefined> {
    const key = `${namespace}/${jobName}@${version}`;
    let p = this.specs.get(key);
    if (!p) {
      p = this.fetch(namespace, jobName, version).catch((err) => {
        this.specs.delete(key);
        this.logger.warn('fetching a job spec failed', { job: `${namespace}/${jobName}`, version, err });
        return undefined;
      });
      this.specs.set(key, p);
    }
    return p;
  }

  private async fetch(namespace: string, jobName: string, version: number): Promise<JobSpec | undefined> {
    let job: Job | undefined;
    try {
      job = await this.client.resource<Job>('jobs').get(jobName, { namespace });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    if (job && jobVersion(job) === version) return job.spec;
    const history = await this.client.resource<JobVersion>('jobversions').listAll({ namespace, fieldSelector: `spec.jobName=${jobName}` });
    const recorded = history.items.find((v) => v.spec.version === version);
    // Without history the current spec is the best guess (its tasks rarely change their driver config).
    return recorded?.spec.jobSpec ?? job?.spec;
  }
}
