// The hollow nodes' allocation runner: ONE informer over every Allocation, filtered to the fleet's nodes, and a
// small level-based state machine per allocation driven by its latest cached copy:
//   desired run,  client pending  → after a short random delay: running (or failed: mock startError)
//   desired run,  client running  → mock runFor elapsed: complete / failed (exitCode); others run on
//   desired stop/evict, not ended → after a short random delay: complete (tasks killed)
// Reports go through the /status subresource as merge patches carrying the copy's resourceVersion as a
// precondition, so a report never lands on an allocation that changed since it was read.
import type { Allocation, AllocationStatus, TaskGroup } from '../../../api/schemas/index.ts';
import { isClientTerminal } from '../../../api/schemas/allocation-state.ts';
import { withAllocationConditions } from '../../../api/schemas/allocation-conditions.ts';
import { isConflict, isNotFound } from '../../apierrors/status.ts';
import type { Client } from '../../client/client.ts';
import { createInformer, type Informer } from '../../client/informer.ts';
import type { Clock, Timer } from '../../clock/clock.ts';
import type { Logger } from '../../log/logger.ts';
import { Limiter } from '../limiter.ts';
import type { JobSpecCache } from './jobs.ts';
import { allocEnding, endedStatus, startedStatus, stoppedStatus, taskBehaviour, type TaskBehaviour } from './tasks.ts';

/** Options of HollowAllocations. */
export interface HollowAllocationsOptions {
  client: Client;
  clock: Clock;
  logger: Logger;
  jobs: JobSpecCache;
  /** Whether `nodeName` is one of the fleet's nodes. */
  owns(nodeName: string): boolean;
  /** Delay before a placed allocation reports running, drawn uniformly from [min, max] ms. */
  startDelayMs: readonly [number, number];
  /** Delay before a stopped allocation reports complete, drawn uniformly from [min, max] ms. */
  stopDelayMs: readonly [number, number];
  /** Status reports in flight at once. */
  concurrency: number;
  /** Random source in [0, 1). */
  random: () => number;
}

/** Counters of the reports made. */
export interface AllocationStats {
  tracked: number;
  running: number;
  complete: number;
  failed: number;
  /** Reports refused because the allocation changed meanwhile (retried from the newer copy). */
  conflicts: number;
  errors: number;
}

type Step = 'start' | 'finish' | 'stop';

/** Per-allocation bookkeeping. `minRv`: copies older than this are stale (our own write is newer). */
interface Tracked {
  step?: Step;
  timer?: Timer;
  /** A report is in flight: events wait for its outcome (act() looks again afterwards). */
  writing: boolean;
  minRv: number;
}

const rvOf = (a: Allocation) => Number(a.metadata.resourceVersion ?? 0);
const keyOf = (a: Allocation) => `${a.metadata.namespace}/${a.metadata.name}`;

/** Runs the fleet's allocations in pretence. */
export class HollowAllocations {
  private readonly informer: Informer<Allocation>;
  private readonly tracked = new Map<string, Tracked>();
  private readonly limiter: Limiter;
  private readonly counters = { running: 0, complete: 0, failed: 0, conflicts: 0, errors: 0 };
  private stopped = false;

  constructor(private readonly opts: HollowAllocationsOptions) {
    this.informer = createInformer<Allocation>({ client: opts.client, kind: 'allocations', logger: opts.logger, clock: opts.clock });
    this.limiter = new Limiter(opts.concurrency);
    const onChange = (a: Allocation) => this.handle(keyOf(a));
    this.informer.on('add', onChange);
    this.informer.on('update', (_old, a) => onChange(a));
    this.informer.on('delete', (a) => this.untrack(keyOf(a)));
  }

  /** Start watching; resolves once the initial list is handled. */
  start(): Promise<void> {
    return this.informer.start();
  }

  /** Stop watching and cancel pending reports. */
  stop(): void {
    this.stopped = true;
    this.informer.stop();
    for (const key of [...this.tracked.keys()]) this.untrack(key);
  }

  /** Report counters. */
  stats(): AllocationStats {
    return { tracked: this.tracked.size, ...this.counters };
  }

  /** Look at the latest cached copy of `key` and make sure the right step is scheduled. */
  private handle(key: string): void {
    if (this.stopped) return;
    const a = this.cached(key);
    if (!a || !this.opts.owns(a.spec.nodeName) || isClientTerminal(a.status?.clientStatus)) return this.untrack(key);
    let t = this.tracked.get(key);
    if (!t) this.tracked.set(key, (t = { writing: false, minRv: 0 }));
    if (t.writing || rvOf(a) < t.minRv) return;
    if ((a.spec.desiredStatus ?? 'run') !== 'run') this.schedule(key, t, 'stop', this.delay(this.opts.stopDelayMs));
    else if (a.status?.clientStatus === 'running') this.scheduleFinish(key, t, a);
    else this.schedule(key, t, 'start', this.delay(this.opts.startDelayMs));
  }

  private schedule(key: string, t: Tracked, step: Step, delayMs: number | undefined): void {
    if (t.step === step) return;
    t.timer?.cancel();
    t.step = step;
    t.timer = delayMs === undefined ? undefined : this.opts.clock.setTimeout(() => void this.act(key, step), delayMs);
  }

  // A running allocation ends on its own only if some mock task exits; when is known from its start time.
  private scheduleFinish(key: string, t: Tracked, a: Allocation): void {
    if (t.step === 'finish') return;
    this.schedule(key, t, 'finish', undefined);
    void this.behaviours(a).then((behaviours) => {
      const ending = behaviours && allocEnding(behaviours);
      if (!ending || t.step !== 'finish' || this.tracked.get(key) !== t) return;
      const started = Math.min(...Object.values(a.status?.taskStates ?? {}).map((s) => Date.parse(s.startedAt ?? '') || this.opts.clock.now()));
      const due = (Number.isFinite(started) ? started : this.opts.clock.now()) + ending.afterMs;
      t.timer = this.opts.clock.setTimeout(() => void this.act(key, 'finish'), Math.max(0, due - this.opts.clock.now()));
    });
  }

  /** Perform `step` on the latest copy: compute the status and write it. */
  private async act(key: string, step: Step): Promise<void> {
    const t = this.tracked.get(key);
    const a = this.cached(key);
    if (!t || !a || t.step !== step) return;
    t.timer = undefined;
    t.writing = true;
    const status = await this.statusFor(step, a);
    const outcome = status ? await this.report(a, status) : 'skipped';
    t.writing = false;
    t.step = undefined;
    // Written: the copy we read is now stale. Conflict: it was already stale. Either way wait for a newer one.
    if (outcome === 'written' || outcome === 'conflict') t.minRv = Math.max(t.minRv, rvOf(a) + 1);
    this.handle(key);
  }

  private async statusFor(step: Step, a: Allocation): Promise<AllocationStatus | undefined> {
    const now = this.opts.clock.now();
    const prior = a.status?.taskStates ?? {};
    const behaviours = await this.behaviours(a);
    if (step === 'stop') return stoppedStatus(Object.keys(behaviours ?? prior), prior, now);
    if (!behaviours) return undefined;
    if (step === 'start') return withDeploymentHealth(a, startedStatus(behaviours, Date.parse(a.metadata.creationTimestamp ?? '') || now, now), now);
    const ending = allocEnding(behaviours);
    return ending && endedStatus(behaviours, prior, ending, now);
  }

  private async report(a: Allocation, status: AllocationStatus): Promise<'written' | 'conflict' | 'failed'> {
    const { observedGeneration, conditions } = withAllocationConditions({ ...a, status: { ...a.status, ...status } }, this.opts.clock.now());
    const patch = { metadata: { resourceVersion: a.metadata.resourceVersion }, status: { ...status, observedGeneration, conditions } };
    try {
      await this.limiter.run(() => this.opts.client.resource<Allocation>('allocations').patch(a.metadata.name, patch, 'merge', { namespace: a.metadata.namespace, subresource: 'status' }));
      const cs = status.clientStatus as 'running' | 'complete' | 'failed';
      this.counters[cs]++;
      return 'written';
    } catch (err) {
      if (isConflict(err)) {
        this.counters.conflicts++;
        return 'conflict';
      }
      if (!isNotFound(err)) {
        this.counters.errors++;
        this.opts.logger.warn('reporting allocation status failed', { alloc: keyOf(a), err });
      }
      return 'failed';
    }
  }

  private async behaviours(a: Allocation): Promise<Record<string, TaskBehaviour> | undefined> {
    const group: TaskGroup | undefined = await this.opts.jobs.group(a.metadata.namespace ?? 'default', a.spec.jobName, a.spec.jobVersion, a.spec.groupName);
    if (!group) return Object.fromEntries(Object.keys(a.spec.resources?.tasks ?? {}).map((name) => [name, { kind: 'run' as const }]));
    return Object.fromEntries(group.tasks.map((task) => [task.name, taskBehaviour(task)]));
  }

  private cached(key: string): Allocation | undefined {
    const i = key.indexOf('/');
    return this.informer.get(key.slice(0, i), key.slice(i + 1));
  }

  private untrack(key: string): void {
    const t = this.tracked.get(key);
    if (!t) return;
    t.timer?.cancel();
    t.step = undefined;
    if (!t.writing) this.tracked.delete(key);
  }

  private delay([min, max]: readonly [number, number]): number {
    return Math.round(min + (max - min) * this.opts.random());
  }
}

/**
 * A hollow node's verdict on an allocation a rollout placed (pkg/controllers/deployment) or one that replaced
 * another (a migration off a draining node waits for it, pkg/controllers/drain): healthy as soon as it runs,
 * unhealthy when it failed to start. It has no checks to wait for, so minHealthyTime is not waited out.
 */
function withDeploymentHealth(a: Allocation, status: AllocationStatus, now: number): AllocationStatus {
  if ((!a.spec.deploymentName && !a.spec.previousAllocation) || a.status?.deploymentStatus?.healthy !== undefined) return status;
  if (status.clientStatus !== 'running' && status.clientStatus !== 'failed') return status;
  return { ...status, deploymentStatus: { healthy: status.clientStatus === 'running', timestamp: new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z'), ...(a.spec.canary ? { canary: true } : {}) } };
}

