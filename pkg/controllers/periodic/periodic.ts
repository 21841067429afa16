// The periodic controller: for each periodic parent job, launches a child job at each cron time (planLaunch
// decides), waits on the clock until the next one (requeueAfter through the injected clock), and with
// prohibitOverlap skips a time while a child still runs. It only creates child Jobs (and Events about the
// parent); the evaluator and the scheduler run the children like any job. Child names carry the launch time, so
// a launch is a create that a second leader (or a retry) cannot repeat: AlreadyExists means done.
import type { Allocation, Evaluation, Job } from '../../../api/schemas/index.ts';
import { childJob, isChildOf, periodicChildName, periodicLaunchTime } from '../../../api/schemas/job-launch.ts';
import { jobKey } from '../../../api/schemas/job-key.ts';
import { rfc3339 } from '../../../api/schemas/timestamp.ts';
import { isAlreadyExists } from '../../apierrors/status.ts';
import type { Client } from '../../client/client.ts';
import type { Clock } from '../../clock/clock.ts';
import type { Logger } from '../../log/logger.ts';
import { recordEvent } from '../health/events.ts';
import {
  ALLOCS_BY_JOB, EVALS_BY_JOB, informersOf, splitKey, startController,
  type ControllerHost, type ReconcileResult, type SharedInformer, type WorkQueue,
} from '../runtime/index.ts';
import { isChildRunning } from './children.ts';
import { isLaunching, planLaunch, type ChildView } from './plan.ts';

/** The component name on Events and in logs. */
export const PERIODIC_COMPONENT = 'periodic-controller';

/**
 * The longest wait before a parent is looked at again. Timers cannot wait longer than 2^31 − 1 ms (Node fires
 * them at once instead), and a re-look now and then also follows a wall clock that was set.
 */
export const MAX_WAIT_MS = 60 * 60_000;

/** Jobs by the uid of the Job that controls them (children by parent). */
export const JOBS_BY_CONTROLLER = {
  name: 'jobs-by-controller',
  values: (j: Job) => (j.metadata.ownerReferences ?? []).filter((r) => r.kind === 'Job' && r.controller === true).map((r) => r.uid),
} as const;

/** Options of startPeriodicController. */
export interface PeriodicControllerOptions extends ControllerHost {
  /** Parents reconciled concurrently (default 2). */
  workers?: number;
  /** Stops the controller (and an unfinished start) when aborted. */
  signal?: AbortSignal;
}

/** A running periodic controller. */
export interface PeriodicController {
  readonly queue: WorkQueue<string>;
  /** The completed revision of each informer the controller reads (a test waits for its own write). */
  lastSyncResourceVersions(): { jobs: string; allocations: string; evaluations: string };
  /** Stop reconciling; resolves once running reconciles have returned. */
  stop(): Promise<void>;
}

/** Subscribe to the shared job, allocation and evaluation informers, then launch children until stopped. */
export async function startPeriodicController(opts: PeriodicControllerOptions): Promise<PeriodicController> {
  const { informers, owned } = informersOf(opts);
  const jobs = informers.informer<Job>('jobs');
  const allocs = informers.informer<Allocation>('allocations');
  const evals = informers.informer<Evaluation>('evaluations');
  jobs.addIndex(JOBS_BY_CONTROLLER);
  allocs.addIndex(ALLOCS_BY_JOB);
  evals.addIndex(EVALS_BY_JOB);
  const reconciler = new PeriodicReconciler({ client: opts.client, clock: opts.clock, logger: opts.logger.child({ controller: PERIODIC_COMPONENT }), jobs, allocs, evals });
  // A change to a child (or to its allocations and evaluations) matters to its parent's overlap rule.
  const ownerKey = (child: Job | undefined): string | undefined => {
    const owner = child?.metadata.ownerReferences?.find((r) => r.kind === 'Job' && r.controller === true);
    return owner ? jobKey(child!.metadata.namespace ?? 'default', owner.name) : undefined;
  };
  const parentOf = (namespace: string | undefined, jobName: string) => ownerKey(jobs.get(namespace ?? 'default', jobName));
  const controller = await startController({
    name: PERIODIC_COMPONENT,
    clock: opts.clock,
    logger: opts.logger,
    metrics: opts.metrics,
    signal: opts.signal,
    workers: opts.workers ?? 2,
    informers: { jobs, allocations: allocs, evaluations: evals },
    keys: {
      // A child's own event (its deletion included) names its parent through the child's ownerReference.
      jobs: (j: Job) => (j.spec.periodic ? jobKey(j.metadata.namespace ?? 'default', j.metadata.name) : ownerKey(j)),
      allocations: (a: Allocation) => parentOf(a.metadata.namespace, a.spec.jobName),
      evaluations: (e: Evaluation) => parentOf(e.metadata.namespace, e.spec.jobName),
    },
    reconcile: (key) => reconciler.reconcile(key),
  });
  return {
    queue: controller.queue,
    lastSyncResourceVersions: () => controller.lastSyncResourceVersions(),
    async stop() {
      await controller.stop();
      if (owned) informers.stop();
    },
  };
}

/** What the per-parent work reads and writes: the informers' caches (or fakes of them), a client, the clock. */
export interface PeriodicReconcilerDeps {
  client: Pick<Client, 'resource'>;
  clock: Clock;
  logger: Logger;
  jobs: Pick<SharedInformer<Job>, 'get' | 'byIndex'>;
  allocs: Pick<SharedInformer<Allocation>, 'byIndex'>;
  evals: Pick<SharedInformer<Evaluation>, 'byIndex'>;
}

/** The per-parent work, apart from the wiring (exported for tests that drive it over fake caches). */
export class PeriodicReconciler {
  /** The latest launch time decided per parent uid in this term (launched or skipped). */
  private readonly decided = new Map<string, number>();
  private readonly log: Logger;
  private readonly jobs: PeriodicReconcilerDeps['jobs'];
  private readonly allocs: PeriodicReconcilerDeps['allocs'];
  private readonly evals: PeriodicReconcilerDeps['evals'];

  constructor(private readonly opts: PeriodicReconcilerDeps) {
    ({ logger: this.log, jobs: this.jobs, allocs: this.allocs, evals: this.evals } = opts);
  }

  /** Launch or skip what is due for the parent `namespace/name`, and say when to look again. */
  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitKey(key);
    const parent = this.jobs.get(namespace, name);
    if (!parent?.spec.periodic || !isLaunching(parent)) {
      if (parent?.metadata.uid) this.decided.delete(parent.metadata.uid);
      return;
    }
    const uid = parent.metadata.uid!;
    const now = this.opts.clock.now();
    const plan = planLaunch({ parent, children: this.childViews(parent), now, decided: this.decided.get(uid) });
    if (plan.launch !== undefined) {
      await this.launch(parent, plan.launch);
      this.decided.set(uid, plan.launch);
    } else if (plan.skip !== undefined) {
      this.decided.set(uid, plan.skip);
      this.log.info('periodic launch skipped: a child is still running', { job: key, at: rfc3339(plan.skip) });
      await recordEvent(this.opts.client, this.log, {
        object: parent, reason: 'PeriodicLaunchSkipped', type: 'Normal', component: PERIODIC_COMPONENT, now,
        message: `launch of ${rfc3339(plan.skip)} skipped: prohibitOverlap and a previous child is still running`,
      });
    }
    return plan.wakeAt !== undefined ? { requeueAfter: Math.min(MAX_WAIT_MS, Math.max(0, plan.wakeAt - now)) } : undefined;
  }

  /** The parent's periodic children (dispatched ones aside) with their launch times and whether they run. */
  private childViews(parent: Job): ChildView[] {
    const namespace = parent.metadata.namespace ?? 'default';
    return this.jobs.byIndex(JOBS_BY_CONTROLLER, parent.metadata.uid!).filter((c) => isChildOf(c, parent)).flatMap((c) => {
      const launchMs = periodicLaunchTime(parent.metadata.name, c.metadata.name);
      if (launchMs === undefined) return [];
      const childKey = jobKey(namespace, c.metadata.name);
      return [{ launchMs, active: isChildRunning(c, { allocs: this.allocs.byIndex(ALLOCS_BY_JOB, childKey), evals: this.evals.byIndex(EVALS_BY_JOB, childKey) }) }];
    });
  }

  /** Create the child of `launchMs`; one that exists already was launched before. */
  private async launch(parent: Job, launchMs: number): Promise<void> {
    const name = periodicChildName(parent.metadata.name, launchMs);
    try {
      await this.opts.client.resource<Job>('jobs').create(childJob(parent, name));
    } catch (err) {
      if (isAlreadyExists(err)) return;
      throw err;
    }
    this.log.info('periodic child launched', { job: parent.metadata.name, namespace: parent.metadata.namespace, child: name });
    await recordEvent(this.opts.client, this.log, {
      object: parent, reason: 'PeriodicLaunch', type: 'Normal', component: PERIODIC_COMPONENT, now: this.opts.clock.now(),
      message: `launched ${name} for ${rfc3339(launchMs)}`,
    });
  }
}
