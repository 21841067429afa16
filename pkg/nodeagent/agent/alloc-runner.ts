// The alloc runner: everything one allocation needs on this node. It fetches the job version the allocation
// runs (once; cached and persisted), builds the allocation directory, runs a TaskRunner per task in lifecycle
// order (lifecycle.ts), watches checks and deployment health, rotates logs, persists its state for agent
// restarts, and reports the allocation's status. Level-based: after any change it re-plans from the tasks' states.
import type { Allocation, AllocationStatus, Task } from '../../../api/schemas/index.ts';
import { groupMigrateStrategy, groupUpdateStrategy, type JobType } from '../../../api/schemas/index.ts';
import { isNotFound } from '../../apierrors/status.ts';
import type { Clock, Timer } from '../../clock/clock.ts';
import type { Logger } from '../../log/logger.ts';
import { Backoff, backoffOptions, CLIENT_BACKOFF, type BackoffOptions } from '../../retry/backoff.ts';
import type { Driver } from '../drivers/driver.ts';
import { AllocChecks, CHECKS_CONDITION, type ChecksSummary } from './alloc-checks.ts';
import { allocDirOf, buildAllocDir, destroyAllocDir, type AllocDir } from './alloc-dir.ts';
import { HealthWatcher, MIGRATE_HEALTH, healthRules } from './health.ts';
import type { JobSource } from './job-source.ts';
import { clientStatusOf, planLifecycle, type TaskView } from './lifecycle.ts';
import { logLimits, rotateIfNeeded } from './logs.ts';
import { restartRules } from './restart.ts';
import type { AllocSnapshot, JobFacts, StateStore } from './state.ts';
import type { OwnedStatus } from './status-writer.ts';
import type { InputReader } from './input-source.ts';
import type { NodeFacts } from './interpolate.ts';
import { buildTaskConfig, type PreparedTask } from './task-config.ts';
import { TemplateWatch } from './template-watch.ts';
import { TaskRunner, type TaskKind } from './task-runner.ts';

/** What an alloc runner needs from its agent. */
export interface AllocRunnerDeps {
  jobs: JobSource;
  drivers: ReadonlyMap<string, Driver>;
  state: StateStore;
  clock: Clock;
  logger: Logger;
  dataDir: string;
  datacenter: string;
  /** The node's address (env, checks). */
  address: string;
  hostVolumes: Record<string, { path: string; readOnly?: boolean }>;
  /** Receives every status change (the agent's StatusWriter coalesces and writes them). */
  report(status: OwnedStatus): void;
  /** Retry delays for fetching the job while the API server is away (default 500 ms doubling to 30 s). */
  backoff?: Partial<BackoffOptions>;
  /** How often log files are checked for rotation (default 2 s). */
  logRotateMs?: number;
  /** The node as it is registered (interpolation, templates). */
  node(): NodeFacts;
  /** ConfigMaps and Secrets templates read. */
  inputs: InputReader;
  /** Random source in [0, 1) (template splay). */
  random: () => number;
}

/** Runs one allocation. */
export class AllocRunner {
  private alloc: Allocation;
  private job: JobFacts | undefined;
  private readonly tasks = new Map<string, TaskRunner>();
  /** Per task with templates: the watch of what they read. */
  private readonly templateWatches = new Map<string, TemplateWatch>();
  private stopping: string | undefined;
  private failure: string | undefined;
  private readonly startedAt: number;
  private readonly dir: AllocDir;
  private readonly checks: AllocChecks;
  private health: HealthWatcher | undefined;
  private healthVerdict: AllocSnapshot['health'];
  private rotateTimer: Timer | undefined;
  /** The checks condition last reported: its status and since when (kept across reports of the same status). */
  private checksSince: { status: string; at: string } | undefined;
  private stepQueued = false;
  private finished = false;
  private closed = false;
  private lastSaved = '';
  /** No planning before run() has re-attached every task (a plan then could start a task twice). */
  private initialized = false;
  private readonly log: Logger;

  constructor(
    private readonly deps: AllocRunnerDeps,
    alloc: Allocation,
    private readonly restored?: AllocSnapshot,
  ) {
    this.alloc = alloc;
    this.log = deps.logger.child({ alloc: alloc.metadata.name, namespace: alloc.metadata.namespace });
    this.startedAt = restored?.startedAt ?? deps.clock.now();
    this.stopping = restored?.stopping;
    this.failure = restored?.failure;
    this.healthVerdict = restored?.health;
    this.dir = allocDirOf(deps.dataDir, this.uid, alloc.spec.resources?.diskMB);
    this.checks = new AllocChecks({ clock: deps.clock, logger: this.log, address: deps.address, changed: () => this.changed() });
  }

  /** The allocation's uid (its directory and state file are named by it). */
  get uid(): string {
    return this.alloc.metadata.uid!;
  }

  /** The allocation as last seen. */
  get allocation(): Allocation {
    return this.alloc;
  }

  /** Every task has finished (or the allocation failed before any ran). */
  get terminal(): boolean {
    return this.finished;
  }

  /** The allocation directory. */
  get allocDir(): AllocDir {
    return this.dir;
  }

  /** The job version the runner applies (after an in-place update, the new one); undefined until fetched. */
  get jobVersion(): number | undefined {
    return this.job?.version;
  }

  /** The task runners by name (empty until the job is known). */
  get taskRunners(): ReadonlyMap<string, TaskRunner> {
    return this.tasks;
  }

  /** Start: restore or fetch the job, build the directory, re-attach or start tasks. */
  async run(): Promise<void> {
    if (this.restored?.job) this.job = this.restored.job;
    else if (!this.failure) this.job = await this.fetchJob(this.alloc.spec.jobVersion);
    if (this.closed) return;
    if (this.job) {
      try {
        await buildAllocDir(this.dir);
      } catch (err) {
        this.failure = `building the allocation directory failed: ${(err as Error).message}`;
        this.job = undefined;
      }
    }
    if (!this.job) {
      this.initialized = true;
      return this.changed();
    }
    if (this.alloc.spec.desiredStatus && this.alloc.spec.desiredStatus !== 'run') this.stopping ??= this.desiredReason();
    if (isLost(this.alloc)) this.stopping ??= LOST_REASON;
    for (const task of this.job.group.tasks) this.tasks.set(task.name, this.newTaskRunner(task));
    // Re-attach before planning, so a task still running is never started a second time.
    await Promise.all([...this.tasks.values()].map((t) => t.resume()));
    // Re-attached tasks: render again to watch their inputs, acting on whatever changed while we were away.
    for (const [name, w] of this.templateWatches) if (this.tasks.get(name)?.isRunning) w.trigger();
    this.initialized = true;
    this.setupHealth();
    this.scheduleRotation();
    // The scheduler may have moved the allocation to a newer version while the job was being fetched.
    if (this.alloc.spec.jobVersion !== this.job.version) void this.updateJobVersion(this.alloc.spec.jobVersion);
    this.changed();
  }

  /** A newer version of the allocation (desired status, job version, deployment). */
  update(alloc: Allocation): void {
    if (alloc.metadata.uid !== this.uid || this.closed) return;
    const prev = this.alloc;
    this.alloc = alloc;
    if (alloc.spec.desiredStatus && alloc.spec.desiredStatus !== 'run' && !this.stopping) this.stopping = this.desiredReason();
    // The cluster gave up on this allocation while we were away (node down): its replacement runs elsewhere.
    if (isLost(alloc) && !this.stopping) this.stopping = LOST_REASON;
    if (this.job && alloc.spec.jobVersion !== prev.spec.jobVersion) void this.updateJobVersion(alloc.spec.jobVersion);
    if (alloc.spec.deploymentName !== prev.spec.deploymentName) {
      this.health?.stop();
      this.health = undefined;
      this.healthVerdict = undefined;
      this.setupHealth();
    }
    this.changed();
  }

  /** The allocation was deleted: kill every task, remove its directory and state. */
  async destroy(): Promise<void> {
    this.stopping ??= 'allocation deleted';
    this.closed = true;
    this.stopTimers();
    await Promise.all([...this.tasks.values()].map((t) => t.kill('allocation deleted')));
    await this.deps.state.remove(this.uid);
    await destroyAllocDir(this.dir);
  }

  /** The agent is stopping: stop timers and checks and save state; tasks keep running for the next agent. */
  async shutdown(): Promise<void> {
    if (!this.closed) await this.deps.state.save(this.snapshot());
    this.closed = true;
    this.stopTimers();
    for (const t of this.tasks.values()) t.detach();
  }

  /** The persisted form. */
  snapshot(): AllocSnapshot {
    const { apiVersion, kind, metadata, spec } = this.alloc;
    const tasks = Object.fromEntries([...this.tasks].map(([n, t]) => [n, t.snapshot()]));
    const snap: AllocSnapshot = { format: 1, alloc: { apiVersion, kind, metadata, spec }, tasks, startedAt: this.startedAt };
    if (this.job) snap.job = this.job;
    if (this.stopping) snap.stopping = this.stopping;
    if (this.healthVerdict) snap.health = this.healthVerdict;
    if (this.failure) snap.failure = this.failure;
    return snap;
  }

  /** The status the agent reports. */
  status(): OwnedStatus {
    const views = this.views();
    const taskStates = Object.fromEntries([...this.tasks].map(([n, t]) => [n, structuredClone(t.state)]));
    if (this.failure) return { clientStatus: 'failed', clientDescription: this.failure, taskStates };
    const clientStatus = clientStatusOf(views);
    const out: OwnedStatus = { clientStatus, clientDescription: describe(clientStatus, this.stopping), taskStates };
    const checks = this.job ? this.checks.summary(this.alloc, this.job.group) : undefined;
    if (checks) out.conditions = [this.checksCondition(checks)];
    if (this.healthVerdict && this.healthVerdict.deployment === this.healthKey()) {
      out.deploymentStatus = { healthy: this.healthVerdict.healthy, timestamp: new Date(this.healthVerdict.at).toISOString() };
      if (this.alloc.spec.canary) out.deploymentStatus.canary = true;
    }
    return out;
  }

  private checksCondition(summary: ChecksSummary): Condition {
    // After an agent restart the stored condition says since when its status holds.
    this.checksSince ??= storedSince(this.alloc);
    if (this.checksSince?.status !== summary.status) this.checksSince = { status: summary.status, at: new Date(this.deps.clock.now()).toISOString() };
    return { type: CHECKS_CONDITION, ...summary, lastTransitionTime: this.checksSince.at };
  }

  // Coalesce the many changes of one moment (events of several tasks) into one planning step.
  private changed(): void {
    if (this.stepQueued || this.closed || !this.initialized) return;
    this.stepQueued = true;
    queueMicrotask(() => {
      this.stepQueued = false;
      if (!this.closed) this.step();
    });
  }

  private step(): void {
    if (this.job) {
      let actions = planLifecycle(this.views(), this.stopping);
      if (actions.beginStop && !this.stopping) {
        this.stopping = actions.beginStop;
        actions = planLifecycle(this.views(), this.stopping);
      }
      for (const name of actions.start) this.tasks.get(name)?.start();
      for (const name of actions.kill) void this.tasks.get(name)?.kill(this.stopping ?? 'stopping');
      this.checks.sync(this.alloc, this.job.group, this.tasks, !this.stopping);
      this.observeHealth();
      if (actions.done && actions.start.length === 0) this.finish();
    } else {
      this.finish();
    }
    this.deps.report(this.status());
    this.save();
  }

  private save(): void {
    const snap = this.snapshot();
    const text = JSON.stringify(snap);
    if (text === this.lastSaved) return;
    this.lastSaved = text;
    void this.deps.state.save(snap);
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.stopTimers();
    this.log.info('allocation finished', { clientStatus: this.status().clientStatus });
  }

  private views(): TaskView[] {
    return [...this.tasks.values()].map((t) => ({
      name: t.name,
      kind: t.kind,
      sidecar: t.sidecar,
      leader: t.task.leader === true,
      started: t.hasStarted,
      running: t.isRunning,
      dead: t.isDead,
      failed: t.state.failed === true,
      active: t.isActive,
    }));
  }

  private newTaskRunner(task: Task): TaskRunner {
    const job = this.job!;
    const kind: TaskKind = task.lifecycle?.hook ?? 'main';
    const sidecar = !!task.lifecycle?.sidecar && kind !== 'poststop';
    // Artifacts are fetched before the first start only (Nomad's artifact hook runs once per task).
    const artifacts = { fetched: false };
    if (task.templates?.length) {
      this.templateWatches.set(task.name, new TemplateWatch({
        inputs: this.deps.inputs, clock: this.deps.clock, logger: this.log.child({ task: task.name }), random: this.deps.random,
        render: async () => (await this.prepareTask(task, { fetched: true })).templates,
        runner: () => this.tasks.get(task.name),
      }));
    }
    return new TaskRunner(
      {
        task,
        kind,
        sidecar,
        driver: this.deps.drivers.get(task.driver),
        rules: restartRules(job.type, job.group.restart, task.restart),
        terminalOnSuccess: job.type === 'batch' || job.type === 'sysbatch' || (kind !== 'main' && !sidecar),
        clock: this.deps.clock,
        logger: this.log.child({ task: task.name }),
        prepare: async () => {
          const prepared = await this.prepareTask(task, artifacts);
          this.templateWatches.get(task.name)?.arm(prepared.templates.refs);
          return prepared.config;
        },
        changed: () => this.changed(),
      },
      this.restored?.tasks[task.name],
    );
  }

  private prepareTask(spec: Task, artifacts: { fetched: boolean }): Promise<PreparedTask> {
    const task = this.currentTask(spec.name) ?? spec;
    return buildTaskConfig({
      alloc: this.alloc, group: this.job!.group, task, dir: this.dir, datacenter: this.deps.datacenter, address: this.deps.address,
      hostVolumes: this.deps.hostVolumes, jobMeta: this.job!.meta, payload: this.job!.payload, region: this.job!.region,
      node: this.deps.node(), inputs: this.deps.inputs, artifacts,
    });
  }

  private currentTask(name: string): Task | undefined {
    return this.job?.group.tasks.find((t) => t.name === name);
  }

  // Fetch the job at `version`; retried with backoff while the API server is away. A job version that does
  // not exist fails the allocation (with a description saying so) rather than the agent.
  private async fetchJob(version: number): Promise<JobFacts | undefined> {
    const { namespace = 'default' } = this.alloc.metadata;
    const backoff = new Backoff(backoffOptions(CLIENT_BACKOFF, this.deps.backoff));
    while (!this.closed) {
      try {
        const job = await this.deps.jobs.get(namespace, this.alloc.spec.jobName, version);
        const group = job.spec.groups.find((g) => g.name === this.alloc.spec.groupName);
        if (!group) {
          this.failure = `group "${this.alloc.spec.groupName}" not found in job "${job.name}" version ${version}`;
          return undefined;
        }
        return { type: (job.spec.type ?? 'service') as JobType, version, group, update: groupUpdateStrategy(job.spec.update, group.update), migrate: groupMigrateStrategy(job.spec.migrate, group.migrate), meta: job.spec.meta, payload: job.spec.payload, region: job.spec.region };
      } catch (err) {
        if (isNotFound(err)) {
          this.failure = `failed to fetch the job: ${(err as Error).message}`;
          return undefined;
        }
        this.log.warn('fetching the job failed, will retry', { err });
        await this.deps.clock.sleep(backoff.next());
      }
    }
    return undefined;
  }

  // An in-place update: the scheduler bumped the version without replacing the allocation, so only fields that
  // can change under a running task did (restart policy, kill settings, services, logs).
  private async updateJobVersion(version: number): Promise<void> {
    let facts: JobFacts | undefined;
    try {
      const job = await this.deps.jobs.get(this.alloc.metadata.namespace ?? 'default', this.alloc.spec.jobName, version);
      const group = job.spec.groups.find((g) => g.name === this.alloc.spec.groupName);
      if (group) facts = { ...this.job!, version, group, update: groupUpdateStrategy(job.spec.update, group.update), migrate: groupMigrateStrategy(job.spec.migrate, group.migrate), meta: job.spec.meta, payload: job.spec.payload, region: job.spec.region };
    } catch (err) {
      this.log.warn('fetching the updated job failed; keeping the previous version', { version, err });
    }
    if (!facts || this.closed || this.alloc.spec.jobVersion !== version) return;
    this.job = facts;
    for (const task of facts.group.tasks) this.tasks.get(task.name)?.update(task, restartRules(facts.type, facts.group.restart, task.restart));
    this.checks.stopAll();
    this.changed();
  }

  private desiredReason(): string {
    return this.alloc.spec.desiredDescription ?? `allocation desired status is ${this.alloc.spec.desiredStatus}`;
  }

  /**
   * What the health verdict is for: the allocation's deployment (judged by the update block), or, for a service
   * allocation outside any deployment, MIGRATE_HEALTH (judged by the migrate block); undefined: no verdict.
   */
  private healthKey(): string | undefined {
    const deployment = this.alloc.spec.deploymentName;
    if (deployment) return deployment;
    return this.job?.type === 'service' ? MIGRATE_HEALTH : undefined;
  }

  private setupHealth(): void {
    const key = this.healthKey();
    if (!this.job || key === undefined || this.health) return;
    if (this.healthVerdict?.deployment === key) return;
    const rules = healthRules(key === MIGRATE_HEALTH ? this.job.migrate : this.job.update);
    this.health = new HealthWatcher(rules, this.deps.clock, (healthy, at) => {
      this.healthVerdict = { healthy, at, deployment: key };
      this.log.info('allocation health', { healthy });
      this.changed();
    });
    this.health.start(this.startedAt);
  }

  private observeHealth(): void {
    if (!this.health || !this.job) return;
    const all = [...this.tasks.values()];
    const mustRun = all.filter((t) => t.kind === 'main' || t.sidecar);
    this.health.observe({
      tasksRunning: mustRun.every((t) => t.isRunning),
      taskFailed: all.some((t) => t.state.failed === true),
      checksPassing: this.checks.allPassing(this.job.group),
    });
  }

  private scheduleRotation(): void {
    if (this.closed || this.finished) return;
    this.rotateTimer = this.deps.clock.setTimeout(() => void this.rotateLogs().finally(() => this.scheduleRotation()), this.deps.logRotateMs ?? 2000);
  }

  private async rotateLogs(): Promise<void> {
    for (const t of this.tasks.values()) {
      if (!t.isRunning) continue;
      const limits = logLimits(t.task.logs);
      for (const stream of ['stdout', 'stderr'] as const) {
        await rotateIfNeeded(this.dir.logs, t.name, stream, limits).catch((err) => this.log.warn('log rotation failed', { task: t.name, err }));
      }
    }
  }

  private stopTimers(): void {
    for (const w of this.templateWatches.values()) w.stop();
    this.rotateTimer?.cancel();
    this.rotateTimer = undefined;
    this.health?.stop();
    this.checks.stopAll();
  }
}

function describe(status: string, stopping: string | undefined): string {
  if (status === 'failed') return 'Failed tasks';
  if (status === 'complete') return stopping && stopping !== 'all main tasks finished' ? `All tasks have stopped: ${stopping}` : 'All tasks have completed';
  if (status === 'running') return stopping ? `Stopping: ${stopping}` : 'Tasks are running';
  return 'No tasks have started';
}

type Condition = NonNullable<AllocationStatus['conditions']>[number];

const LOST_REASON = 'allocation is lost: its node was down and the scheduler replaced it';

/** The cluster marked the allocation lost (the agent itself never reports lost). */
function isLost(alloc: Allocation): boolean {
  return alloc.status?.clientStatus === 'lost';
}

function storedSince(alloc: Allocation): { status: string; at: string } | undefined {
  const c = alloc.status?.conditions?.find((x) => x.type === CHECKS_CONDITION);
  return c?.lastTransitionTime ? { status: c.status, at: c.lastTransitionTime } : undefined;
}
