// The drain controller: for each node with spec.drain, marks its allocations for migration batch by batch
// (planDrain decides which), asks for a node-drain evaluation of each job it marked, and once nothing is left (or
// at the deadline, with everything left marked) clears spec.drain (the node stays ineligible) and records an Event.
// It writes only spec.desiredTransition of Allocations and spec.drain of Nodes; the scheduler does the moving.
import type { Allocation, Job, Node } from '../../../api/schemas/index.ts';
import { formatDuration } from '../../../api/schemas/duration.ts';
import { isNotFound } from '../../apierrors/status.ts';
import type { Logger } from '../../log/logger.ts';
import { rfc3339 } from '../../../api/schemas/timestamp.ts';
import { recordEvent } from '../health/events.ts';
import { ALLOCS_BY_JOB, ALLOCS_BY_NODE, informersOf, startController, type ControllerHost, type ReconcileResult, type SharedInformer, type WorkQueue } from '../runtime/index.ts';
import { createDrainEvaluation } from './evals.ts';
import { isLive } from '../../../api/schemas/allocation-state.ts';
import { jobKeyOf } from '../../../api/schemas/job-key.ts';
import { isMarked, planDrain } from './plan.ts';

/** The component name on Events and in logs. */
export const DRAIN_COMPONENT = 'drain-controller';
/** How often a draining node is looked at even when nothing it watches changed (a safety net). */
export const DEFAULT_DRAIN_RESYNC_MS = 30_000;

/** Options of startDrainController. */
export interface DrainControllerOptions extends ControllerHost {
  /** Nodes reconciled concurrently (default 2). */
  workers?: number;
  /** Re-check a draining node at least this often (default 30 s). */
  resyncMs?: number;
  /** Stops the controller (and an unfinished start) when aborted. */
  signal?: AbortSignal;
}

/** A running drain controller. */
export interface DrainController {
  readonly queue: WorkQueue<string>;
  /** The resourceVersion each informer has caught up to: a change at or below it has been queued. */
  lastSyncResourceVersions(): { nodes: string; allocations: string };
  /** Stop reconciling and watching; resolves once running reconciles have returned. */
  stop(): Promise<void>;
}

/** Subscribe to the shared node and allocation informers, then reconcile draining nodes until stopped. */
export async function startDrainController(opts: DrainControllerOptions): Promise<DrainController> {
  const log = opts.logger.child({ controller: DRAIN_COMPONENT });
  const { informers, owned } = informersOf(opts);
  const nodes = informers.informer<Node>('nodes');
  const allocs = informers.informer<Allocation>('allocations');
  allocs.addIndex(ALLOCS_BY_NODE);
  allocs.addIndex(ALLOCS_BY_JOB);
  // The draining nodes, kept from the node events: few, and most allocation events concern none of them.
  const draining = new Set<string>();
  const untrack = nodes.addEventHandler({
    add: (n) => trackDrain(draining, n),
    update: (_old, n) => trackDrain(draining, n),
    delete: (n) => void draining.delete(n.metadata.name),
  });
  const reconciler = new DrainReconciler(opts, log, nodes, allocs);
  const controller = await startController({
    name: DRAIN_COMPONENT,
    clock: opts.clock,
    logger: opts.logger,
    metrics: opts.metrics,
    signal: opts.signal,
    workers: opts.workers ?? 2,
    informers: { nodes, allocations: allocs },
    keys: {
      nodes: (n: Node) => (n.spec?.drain != null ? n.metadata.name : undefined),
      // An allocation change matters to the drain of its own node, and to the drains of nodes that host
      // allocations of the same job (a replacement turning healthy lets the next batch go).
      allocations: (a: Allocation) => {
        if (draining.size === 0) return undefined;
        const job = jobKeyOf(a);
        return [...draining].filter((d) => d === a.spec.nodeName || allocs.byIndex(ALLOCS_BY_NODE, d).some((other) => jobKeyOf(other) === job));
      },
    },
    reconcile: (name) => reconciler.reconcile(name),
  });
  return {
    queue: controller.queue,
    lastSyncResourceVersions: () => controller.lastSyncResourceVersions(),
    async stop() {
      await controller.stop();
      untrack();
      if (owned) informers.stop();
    },
  };
}

/** The per-node work, apart from the wiring. */
class DrainReconciler {
  /** Marked allocations an evaluation has been asked for in this term, so each mark gets at least one. */
  private readonly evaluated = new Set<string>();

  constructor(
    private readonly opts: DrainControllerOptions,
    private readonly log: Logger,
    private readonly nodes: SharedInformer<Node>,
    private readonly allocs: SharedInformer<Allocation>,
  ) {}

  async reconcile(name: string): Promise<ReconcileResult | void> {
    const node = this.nodes.get(undefined, name);
    const drain = node?.spec?.drain;
    if (!node || !drain) return;
    const now = this.opts.clock.now();
    // The deadline counts from startedAt; a drain requested without one starts now.
    if (!drain.startedAt) {
      await this.client<Node>('nodes').update({ ...node, spec: { ...node.spec, drain: { ...drain, startedAt: rfc3339(now) } } });
      return;
    }
    const onNode = this.allocs.byIndex(ALLOCS_BY_NODE, name).filter(isLive);
    const jobs = await this.jobsOf(onNode);
    const related = [...jobs.keys()].flatMap((k) => this.allocs.byIndex(ALLOCS_BY_JOB, k));
    const plan = planDrain({ node, allocs: related, jobs, now });

    const failures: unknown[] = [];
    const markedNow: Allocation[] = [];
    for (const a of plan.migrate) {
      await this.markForMigration(a).then((m) => markedNow.push(m), (err) => failures.push(err));
    }
    await this.requestEvaluations(name, jobs, markedNow).catch((err) => failures.push(err));
    if (failures.length > 0) throw failures[0];

    // At the deadline the drain ends, as Nomad's drainer ends it: everything left is marked and each job has its
    // evaluation, and the scheduler stops marked allocations whether or not their replacements find room.
    if (plan.done || plan.forced) return this.complete(node, now, plan.remaining.length);
    if (markedNow.length > 0) {
      this.log.info('allocations marked for migration', { node: name, allocations: markedNow.map((a) => a.metadata.name), forced: plan.forced });
    }
    const untilDeadline = plan.deadlineAt !== undefined ? plan.deadlineAt - now : Infinity;
    return { requeueAfter: Math.max(1, Math.min(untilDeadline, this.opts.resyncMs ?? DEFAULT_DRAIN_RESYNC_MS)) };
  }

  /** The jobs of `allocs` by key; a job that is gone maps to undefined. */
  private async jobsOf(allocs: Allocation[]): Promise<Map<string, Job | undefined>> {
    const jobs = new Map<string, Job | undefined>();
    for (const a of allocs) {
      const key = jobKeyOf(a);
      if (jobs.has(key)) continue;
      try {
        jobs.set(key, await this.client<Job>('jobs').get(a.spec.jobName, { namespace: a.metadata.namespace }));
      } catch (err) {
        if (!isNotFound(err)) throw err;
        jobs.set(key, undefined);
      }
    }
    return jobs;
  }

  private markForMigration(a: Allocation): Promise<Allocation> {
    return this.client<Allocation>('allocations').update({ ...a, spec: { ...a.spec, desiredTransition: { ...a.spec.desiredTransition, migrate: true } } });
  }

  /**
   * One node-drain evaluation per job with marked allocations on the node that no evaluation was asked for yet
   * in this term: the ones just marked, and any the cache shows marked and still live (marks a previous leader
   * made before it could ask, or a failed request here).
   */
  private async requestEvaluations(nodeName: string, jobs: Map<string, Job | undefined>, markedNow: Allocation[]): Promise<void> {
    const owed = new Map<string, Allocation[]>();
    const cached = this.allocs.byIndex(ALLOCS_BY_NODE, nodeName).filter((a) => isLive(a) && isMarked(a));
    for (const a of [...markedNow, ...cached]) {
      if (this.evaluated.has(uidOf(a))) continue;
      const list = owed.get(jobKeyOf(a)) ?? [];
      if (!list.some((b) => uidOf(b) === uidOf(a))) owed.set(jobKeyOf(a), [...list, a]);
    }
    for (const [key, marked] of owed) {
      const job = jobs.get(key);
      if (job) {
        const evalName = await createDrainEvaluation(this.opts.client, job, nodeName);
        this.log.debug('node-drain evaluation created', { node: nodeName, job: key, evaluation: evalName });
      }
      for (const a of marked) this.evaluated.add(uidOf(a));
    }
  }

  /** Clears spec.drain (the node stays ineligible) and records the Event; `left`: allocations still moving off. */
  private async complete(node: Node, now: number, left: number): Promise<void> {
    const { drain, ...spec } = node.spec ?? {};
    const started = drain?.startedAt ? Date.parse(drain.startedAt) : NaN;
    await this.client<Node>('nodes').update({ ...node, spec: { ...spec, eligibility: 'ineligible' } });
    const took = Number.isNaN(started) ? '' : ` after ${formatDuration(Math.max(0, now - started))}`;
    const forced = left > 0 ? ` at its deadline, ${left} allocation${left === 1 ? '' : 's'} marked to migrate` : '';
    this.log.info('drain complete', { node: node.metadata.name, ...(left > 0 ? { deadline: true, left } : {}) });
    await recordEvent(this.opts.client, this.log, { object: node, reason: 'DrainComplete', message: `node drain complete${took}${forced}; the node stays ineligible`, component: DRAIN_COMPONENT, now });
  }

  private client<T extends Allocation | Node | Job>(plural: string) {
    return this.opts.client.resource<T>(plural);
  }
}

function uidOf(a: Allocation): string {
  return a.metadata.uid ?? `${a.metadata.namespace}/${a.metadata.name}`;
}

function trackDrain(draining: Set<string>, n: Node): void {
  if (n.spec?.drain != null) draining.add(n.metadata.name);
  else draining.delete(n.metadata.name);
}
