// The job status controller: for each job, computes its status (compute.ts) from the shared informers' jobs,
// allocations, evaluations, deployments and job versions, and writes it through /status by compare-and-swap on
// the copy it computed from (a lost race is retried by the work queue). It never writes spec or metadata, and
// keeps the evaluator's status.evaluatedGeneration as it finds it. Transitions of the job's status and of its
// Ready / Stalled conditions are recorded as Events about the job, for `drover describe job`.
import { isDeepStrictEqual } from 'node:util';
import type { Allocation, Deployment, Evaluation, Job, JobStatus, JobVersion } from '../../../api/schemas/index.ts';
import { jobKeyOf } from '../../../api/schemas/job-key.ts';
import { jobVersion } from '../../../api/schemas/job-version.ts';
import { isNotFound } from '../../apierrors/status.ts';
import type { Logger } from '../../log/logger.ts';
import { recordEvent } from '../health/events.ts';
import { jobVersionName } from '../evaluator/versions.ts';
import {
  ALLOCS_BY_JOB, DEPLOYMENTS_BY_JOB, EVALS_BY_JOB, JOBS_BY_DEPENDENCY, informersOf, objectKey, splitKey, startController,
  type ControllerHost, type SharedInformer, type WorkQueue,
} from '../runtime/index.ts';
import { computeJobStatus, READY, STALLED } from './compute.ts';
import { conditionOf } from '../../../api/schemas/conditions.ts';
import { dependencyAllocOf, dependencyGates, hasDependencies, heldGroups } from '../../../api/schemas/job-dependencies.ts';

/** The component name on Events, in logs and as the field manager of its writes. */
export const JOB_STATUS_COMPONENT = 'job-status-controller';

/** Options of startJobStatusController. */
export interface JobStatusControllerOptions extends ControllerHost {
  /** Jobs reconciled concurrently (default 2). */
  workers?: number;
  /** Stops the controller (and an unfinished start) when aborted. */
  signal?: AbortSignal;
}

/** A running job status controller. */
export interface JobStatusController {
  readonly queue: WorkQueue<string>;
  /** The resourceVersion each informer has caught up to. */
  lastSyncResourceVersions(): Record<string, string>;
  /** Reconcile one job key (`namespace/name`) now (tests, tools). */
  reconcile(key: string): Promise<void>;
  stop(): Promise<void>;
}

/** What the reconciler reads. */
interface Caches {
  jobs: SharedInformer<Job>;
  allocs: SharedInformer<Allocation>;
  evals: SharedInformer<Evaluation>;
  deployments: SharedInformer<Deployment>;
  versions: SharedInformer<JobVersion>;
}

/** Subscribe to the shared informers, then keep every job's status current until stopped. */
export async function startJobStatusController(opts: JobStatusControllerOptions): Promise<JobStatusController> {
  const log = opts.logger.child({ controller: JOB_STATUS_COMPONENT });
  const { informers, owned } = informersOf(opts);
  const caches: Caches = {
    jobs: informers.informer<Job>('jobs'),
    allocs: informers.informer<Allocation>('allocations'),
    evals: informers.informer<Evaluation>('evaluations'),
    deployments: informers.informer<Deployment>('deployments'),
    versions: informers.informer<JobVersion>('jobversions'),
  };
  caches.allocs.addIndex(ALLOCS_BY_JOB);
  caches.evals.addIndex(EVALS_BY_JOB);
  caches.deployments.addIndex(DEPLOYMENTS_BY_JOB);
  caches.jobs.addIndex(JOBS_BY_DEPENDENCY);
  const reconcile = (key: string) => reconcileJobStatus(opts, log, caches, key);
  const byJob = (o: { metadata: { namespace?: string }; spec: { jobName: string } }) => jobKeyOf(o);
  const controller = await startController({
    name: JOB_STATUS_COMPONENT,
    clock: opts.clock,
    logger: opts.logger,
    metrics: opts.metrics,
    signal: opts.signal,
    workers: opts.workers ?? 2,
    informers: { jobs: caches.jobs, allocations: caches.allocs, evaluations: caches.evals, deployments: caches.deployments, jobversions: caches.versions },
    // A job's status change is news to the jobs that depend on it (what they wait for).
    keys: { jobs: (j: Job) => [objectKey(j), ...caches.jobs.byIndex(JOBS_BY_DEPENDENCY, objectKey(j)).map(objectKey)], allocations: byJob, evaluations: byJob, deployments: byJob, jobversions: byJob },
    reconcile: (key) => reconcile(key),
  });
  return {
    queue: controller.queue,
    lastSyncResourceVersions: () => controller.lastSyncResourceVersions(),
    reconcile,
    async stop() {
      await controller.stop();
      if (owned) informers.stop();
    },
  };
}

/** Compute the job's status and write it if it changed; record Events for the transitions. */
async function reconcileJobStatus(opts: JobStatusControllerOptions, log: Logger, caches: Caches, key: string): Promise<void> {
  const { namespace = 'default', name } = splitKey(key);
  const job = caches.jobs.get(namespace, name);
  if (!job || job.metadata.deletionTimestamp) return;
  const version = caches.versions.get(namespace, jobVersionName(name, jobVersion(job)));
  const allocs = caches.allocs.byIndex(ALLOCS_BY_JOB, key);
  const held = hasDependencies(job) ? heldGroups(dependencyGates(job, (n) => caches.jobs.get(namespace, n), allocs.map(dependencyAllocOf))) : undefined;
  const next = computeJobStatus({
    job,
    held,
    allocs,
    evals: caches.evals.byIndex(EVALS_BY_JOB, key),
    deployments: caches.deployments.byIndex(DEPLOYMENTS_BY_JOB, key),
    stable: version?.spec.stable === true,
    now: opts.clock.now(),
  });
  if (isDeepStrictEqual(next, job.status ?? {})) return;
  try {
    // CAS on the cached copy: a status computed from a stale job is never written (Conflict → retried).
    await opts.client.resource<Job>('jobs').updateStatus({ ...job, status: next });
  } catch (err) {
    if (isNotFound(err)) return;
    throw err;
  }
  for (const e of transitions(job.status, next)) {
    await recordEvent(opts.client, log, { object: job, component: JOB_STATUS_COMPONENT, now: opts.clock.now(), ...e });
  }
}

/** The Events a status change deserves: the job status moving, Ready turning True, Stalled turning True. */
export function transitions(before: JobStatus | undefined, after: JobStatus): Array<{ reason: string; message: string; type: 'Normal' | 'Warning' }> {
  const out: Array<{ reason: string; message: string; type: 'Normal' | 'Warning' }> = [];
  if (before?.status !== after.status && after.status) {
    out.push({ reason: `Job${after.status[0]!.toUpperCase()}${after.status.slice(1)}`, message: `job status ${before?.status ?? '<none>'} → ${after.status} (version ${after.version})`, type: 'Normal' });
  }
  const turned = (type: string) => {
    const was = conditionOf(before?.conditions, type);
    const now = conditionOf(after.conditions, type);
    return now?.status === 'True' && (was?.status !== 'True' || was.reason !== now.reason) ? now : undefined;
  };
  const ready = turned(READY);
  if (ready) out.push({ reason: ready.reason ?? 'Ready', message: `ready at version ${after.version}: ${ready.message ?? ''}`.trim(), type: 'Normal' });
  const stalled = turned(STALLED);
  if (stalled) out.push({ reason: stalled.reason ?? 'Stalled', message: stalled.message ?? '', type: 'Warning' });
  return out;
}
