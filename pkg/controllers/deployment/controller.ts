// The deployment controller (Nomad's deployment watcher): per job, keeps one Deployment for the job's current
// version when it has an update block, cancels those of older versions, judges the current one's progress from
// its allocations' health (progress.ts), asks the scheduler for the next batch when allocations turn healthy,
// marks the version stable when the rollout succeeds, and re-registers the last stable version when a rollout
// with autoRevert fails. Level-based: each reconcile of a job key re-reads the job, its deployments and its
// allocations from the shared informers.
import { dependencyAllocOf, dependencyGates, hasDependencies } from '../../../api/schemas/job-dependencies.ts';
import type { Allocation, Deployment, Evaluation, Job } from '../../../api/schemas/index.ts';
import { deploymentNameOf, isDeploymentActive, wantsDeployment } from '../../../api/schemas/deployment.ts';
import { isNotFound, isConflict } from '../../apierrors/status.ts';
import {
  ALLOCS_BY_JOB, DEPLOYMENTS_BY_JOB, EVALS_BY_JOB, informersOf, startController, type ControllerHost, type ReconcileResult, type SharedInformer, type WorkQueue,
} from '../runtime/index.ts';
import { jobKey, jobKeyOf } from '../../../api/schemas/job-key.ts';
import { versionOf } from '../evaluator/versions.ts';
import { assess, DEPLOYMENT_DESC } from './progress.ts';
import { withConditions } from './conditions.ts';
import { autoReverts, newDeployment, ownedBy } from './spec.ts';
import {
  DEPLOYMENT_COMPONENT, createDeployment, lastStable, markStable, phaseEvent, requestEvaluation, revertJob, writeStatus, type WriteDeps,
} from './writes.ts';

/** Options of startDeploymentController. */
export interface DeploymentControllerOptions extends ControllerHost {
  /** Jobs reconciled concurrently (default 2). */
  workers?: number;
  /** Stops the controller when aborted. */
  signal?: AbortSignal;
}

/** A running deployment controller. */
export interface DeploymentController {
  /** The queue of job keys (tests watch its length). */
  readonly queue: WorkQueue<string>;
  /** Stop reconciling; resolves once running reconciles have returned. */
  stop(): Promise<void>;
}

/** Subscribe to the shared job, deployment and allocation informers and reconcile job keys until stopped. */
export async function startDeploymentController(opts: DeploymentControllerOptions): Promise<DeploymentController> {
  const logger = opts.logger.child({ controller: DEPLOYMENT_COMPONENT });
  const { informers, owned } = informersOf(opts);
  const jobs = informers.informer<Job>('jobs');
  const deployments = informers.informer<Deployment>('deployments');
  const allocs = informers.informer<Allocation>('allocations');
  const evals = informers.informer<Evaluation>('evaluations');
  deployments.addIndex(DEPLOYMENTS_BY_JOB);
  allocs.addIndex(ALLOCS_BY_JOB);
  evals.addIndex(EVALS_BY_JOB);
  const r = new DeploymentReconciler({ ...opts, logger }, jobs, deployments, allocs, evals);
  const controller = await startController({
    name: DEPLOYMENT_COMPONENT,
    clock: opts.clock,
    logger,
    metrics: opts.metrics,
    signal: opts.signal,
    workers: opts.workers ?? 2,
    informers: { jobs, deployments, allocations: allocs, evaluations: evals },
    keys: {
      jobs: (j: Job) => jobKey(j.metadata.namespace ?? 'default', j.metadata.name),
      deployments: (d: Deployment) => jobKeyOf(d),
      // Only allocations a rollout can count: placed by one, or of a job whose rollout is under way.
      allocations: (a: Allocation) => (a.spec.deploymentName || deployments.countByIndex(DEPLOYMENTS_BY_JOB, jobKeyOf(a)) > 0 ? jobKeyOf(a) : undefined),
      // A system job's rollout is judged once the scheduler has placed its version (see assess).
      evaluations: (e: Evaluation) => (e.spec.type === 'system' && e.status?.phase === 'complete' ? jobKeyOf(e) : undefined),
    },
    reconcile: (key) => r.reconcile(key),
  });
  return {
    queue: controller.queue,
    async stop() {
      await controller.stop();
      if (owned) informers.stop();
    },
  };
}

/** The per-job decisions, separated from the wiring above. */
class DeploymentReconciler {
  private readonly w: WriteDeps;

  constructor(
    private readonly opts: DeploymentControllerOptions,
    private readonly jobs: SharedInformer<Job>,
    private readonly deployments: SharedInformer<Deployment>,
    private readonly allocs: SharedInformer<Allocation>,
    private readonly evals: SharedInformer<Evaluation>,
  ) {
    this.w = { client: opts.client, logger: opts.logger };
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const slash = key.indexOf('/');
    const job = this.jobs.get(key.slice(0, slash), key.slice(slash + 1));
    if (!job) return; // its deployments go with it (owner references)
    const mine = this.deployments.byIndex(DEPLOYMENTS_BY_JOB, key);
    const version = versionOf(job);
    const currentName = wantsDeployment(job.spec) ? deploymentNameOf(job.metadata.name, version) : undefined;
    for (const d of mine) {
      if ((d.metadata.name === currentName && ownedBy(d, job)) || !isDeploymentActive(d.status?.phase)) continue;
      const status = { ...d.status, phase: 'cancelled' as const, description: job.spec.stop ? DEPLOYMENT_DESC.stopped : DEPLOYMENT_DESC.newerVersion };
      await this.finish(d, withConditions(status, d.metadata.generation ?? 1, this.opts.clock.now()));
    }
    if (!currentName) return;
    const cur = mine.find((d) => d.metadata.name === currentName);
    if (cur && !ownedBy(cur, job)) return this.removeStale(cur);
    if (!cur) {
      const allocs = this.allocs.byIndex(ALLOCS_BY_JOB, key);
      await createDeployment(this.w, newDeployment(job, version, allocs), this.opts.clock.now());
      return; // its add event queues the job again
    }
    return this.progress(job, cur, version);
  }

  private async progress(job: Job, d: Deployment, version: number): Promise<ReconcileResult | void> {
    const phase = d.status?.phase;
    if (phase === 'successful') return markStable(this.w, d);
    if (phase === 'failed') return this.revert(job, d, version);
    if (!isDeploymentActive(phase)) return;
    const now = this.opts.clock.now();
    const ns = job.metadata.namespace ?? 'default';
    const key = jobKey(ns, job.metadata.name);
    const allocs = this.allocs.byIndex(ALLOCS_BY_JOB, key);
    const held = hasDependencies(job) ? new Set(dependencyGates(job, (n) => this.jobs.get(ns, n), allocs.map(dependencyAllocOf)).keys()) : undefined;
    const placedBy = this.evals.byIndex(EVALS_BY_JOB, key).find((e) => e.status?.phase === 'complete' && (e.spec.jobVersion ?? -1) >= d.spec.jobVersion);
    let a = assess(d, allocs, now, { scheduled: placedBy !== undefined, held });
    if (a.phase === 'successful' && d.spec.jobType === 'system' && placedBy) a = assess(d, await this.allocsSince(job, placedBy), now, { held });
    // The evaluation first: it is named after the progress, so a status write lost to a conflict repeats nothing.
    if (a.evaluate) await requestEvaluation(this.w, job, d, Object.values(a.status.groups ?? {}).reduce((n, g) => n + (g.healthy ?? 0), 0));
    if (a.phase === 'failed' && autoReverts(d)) {
      const to = await lastStable(this.w, job, d.spec.jobVersion);
      a.status.description += to ? ` - rolling back to job version ${to.spec.version}` : ' - no stable job version to auto revert to';
    }
    if (JSON.stringify(a.status) !== JSON.stringify(d.status ?? {})) {
      const written = await (a.phase === (phase ?? 'running') ? writeStatus(this.w, d, a.status) : this.finish(d, a.status));
      if (a.phase === 'successful') await markStable(this.w, written);
      if (a.phase === 'failed') await this.revert(job, written, version);
    }
    if (a.recheckAt !== undefined) return { requeueAfter: Math.max(0, a.recheckAt - now) };
  }

  /**
   * The job's allocations read from the API no older than the evaluation's completion. A system rollout's end is
   * judged on these: the plan commit writes the allocations before it marks the evaluation complete, but this
   * process's allocation cache may not have them yet, and a slot not seen would look done.
   */
  private async allocsSince(job: Job, ev: Evaluation): Promise<Allocation[]> {
    const list = await this.opts.client.resource<Allocation>('allocations').list({
      namespace: job.metadata.namespace ?? 'default', fieldSelector: `spec.jobName=${job.metadata.name}`, resourceVersion: ev.metadata.resourceVersion,
    });
    return list.items;
  }

  /** Write a phase change and record it as an Event. */
  private async finish(d: Deployment, status: NonNullable<Deployment['status']>): Promise<Deployment> {
    const written = await writeStatus(this.w, d, status);
    this.opts.logger.info('deployment phase', { deployment: d.metadata.name, phase: status.phase, description: status.description });
    await phaseEvent(this.w, written, status, this.opts.clock.now());
    return written;
  }

  /** A failed rollout with autoRevert, still the job's current version: re-register the last stable version. */
  private async revert(job: Job, d: Deployment, version: number): Promise<void> {
    if (!autoReverts(d) || d.spec.jobVersion !== version) return;
    const to = await lastStable(this.w, job, d.spec.jobVersion);
    if (to) await revertJob(this.w, job, to, d, this.opts.clock.now());
  }

  /** A deployment left by an earlier job of the same name (deleted and created again): it goes, ours follows. */
  private async removeStale(d: Deployment): Promise<void> {
    try {
      await this.opts.client.resource<Deployment>('deployments').delete(d.metadata.name, { namespace: d.metadata.namespace, preconditions: { uid: d.metadata.uid } });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }
}
