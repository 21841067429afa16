// The task runner: one task of an allocation through its driver — validate, set up, start, wait, apply the
// restart policy, kill with the task's signal then SIGKILL after its timeout — recording every step as a task
// event on its TaskState. The alloc runner decides *when* each task runs (lifecycle); this decides *how*.
import type { Task, TaskEvent, TaskState } from '../../../api/schemas/index.ts';
import { formatDuration, parseDuration } from '../../../api/schemas/index.ts';
import type { Clock, Timer } from '../../clock/clock.ts';
import type { Logger } from '../../log/logger.ts';
import type { Driver, ExitResult, TaskConfig, TaskHandle } from '../drivers/driver.ts';
import { TaskInputError } from './input-error.ts';
import { RestartTracker, type RestartCounters, type RestartRules } from './restart.ts';

/** When a task runs relative to the allocation's main tasks. */
export type TaskKind = 'main' | 'prestart' | 'poststart' | 'poststop';

/** The task event types the agent records, oldest first on `status.taskStates[task].events`. */
export const TASK_EVENTS = [
  'Received', 'Setup', 'Started', 'Terminated', 'Restarting', 'Restart Signaled', 'Signaling', 'Killing', 'Killed', 'Failed', 'Driver Failure',
  'Failed Artifact Download', 'Template Failure',
] as const;

/** A task event type. */
export type TaskEventType = (typeof TASK_EVENTS)[number];

/** What a task runner needs. */
export interface TaskRunnerDeps {
  task: Task;
  kind: TaskKind;
  sidecar: boolean;
  /** Undefined when the node has no such driver: the task fails with a clear event. */
  driver: Driver | undefined;
  rules: RestartRules;
  /** A clean exit ends the task for good (batch jobs, non-sidecar hooks); otherwise it is restarted. */
  terminalOnSuccess: boolean;
  clock: Clock;
  logger: Logger;
  /** Build the task directory and the driver's TaskConfig; a throw is a setup failure (unrecoverable). */
  prepare(): Promise<TaskConfig>;
  /** Called after every change of state, events or handle (the alloc runner persists and reports). */
  changed(): void;
  /** Events kept per task (default 25). */
  maxEvents?: number;
}

/** The persisted part of a task runner. */
export interface TaskRunnerSnapshot {
  state: TaskState;
  handle?: TaskHandle;
  restart: RestartCounters;
}

const DEFAULT_KILL_TIMEOUT_MS = 5000;

/** Runs one task. */
export class TaskRunner {
  readonly name: string;
  private readonly st: TaskState;
  private readonly tracker: RestartTracker;
  private currentHandle: TaskHandle | undefined;
  private loopDone: Promise<void> | undefined;
  private killReason: string | undefined;
  private restartReason: string | undefined;
  /** The pending restart is not a failure (a re-rendered template): no restart-policy count, no delay. */
  private restartUncounted = false;
  private stopping = false;
  private sleeping: { timer: Timer; wake: () => void } | undefined;
  private setupDone = false;
  /** Set when the agent shuts down: the task keeps running for the next agent, this runner just lets go. */
  private detached = false;

  constructor(
    private deps: TaskRunnerDeps,
    restored?: TaskRunnerSnapshot,
  ) {
    this.name = deps.task.name;
    this.tracker = new RestartTracker(deps.rules, restored?.restart);
    this.st = restored ? structuredClone(restored.state) : { state: 'pending', restarts: 0, events: [] };
    this.currentHandle = restored?.handle;
    this.setupDone = !!restored;
    if (!restored) this.event('Received', 'Task received by the agent');
  }

  /** The task's state as reported on the allocation. */
  get state(): TaskState {
    return this.st;
  }

  /** The running task's driver handle, if any. */
  get handle(): TaskHandle | undefined {
    return this.currentHandle;
  }

  get kind(): TaskKind {
    return this.deps.kind;
  }

  get sidecar(): boolean {
    return this.deps.sidecar;
  }

  get task(): Task {
    return this.deps.task;
  }

  /** Started at least once (a restored dead task counts too). */
  get hasStarted(): boolean {
    return this.st.startedAt !== undefined;
  }

  get isDead(): boolean {
    return this.st.state === 'dead';
  }

  get isRunning(): boolean {
    return this.st.state === 'running';
  }

  /** Whether the runner's loop is going (starting, running or waiting to restart). */
  get isActive(): boolean {
    return this.loopDone !== undefined && !this.isDead;
  }

  /** The persisted form. */
  snapshot(): TaskRunnerSnapshot {
    return { state: structuredClone(this.st), handle: this.currentHandle, restart: this.tracker.snapshot() };
  }

  /** Apply an in-place job update (restart policy, kill settings, services, logs). */
  update(task: Task, rules: RestartRules): void {
    this.deps = { ...this.deps, task, rules };
    this.tracker.setRules(rules);
  }

  /** Start the task unless it already runs or is dead. */
  start(): void {
    if (this.loopDone || this.isDead) return;
    this.loopDone = this.loop(undefined, false);
  }

  /**
   * After an agent restart: re-attach to the recorded handle (driver.recover). A task that is gone is handled
   * like a failed one (restart policy); no handle means it never started or was between restarts.
   */
  async resume(): Promise<void> {
    if (this.loopDone || this.isDead) return;
    const handle = this.currentHandle;
    if (!handle) {
      if (this.hasStarted) this.start();
      return;
    }
    let alive = false;
    try {
      alive = !!this.deps.driver && (await this.deps.driver.recover(handle));
    } catch (err) {
      this.deps.logger.warn('recover failed', { task: this.name, err });
    }
    if (this.loopDone || this.isDead) return;
    if (alive) {
      this.deps.logger.info('re-attached to task', { task: this.name, taskId: handle.taskId });
      this.st.state = 'running';
      this.loopDone = this.loop(handle, false);
    } else {
      this.currentHandle = undefined;
      this.event('Driver Failure', 'Task was lost while the agent was not running');
      this.loopDone = this.loop(undefined, true);
    }
  }

  /** Kill the task (the signal, then SIGKILL after killTimeout); resolves once it is dead. */
  async kill(reason: string): Promise<void> {
    if (this.isDead || this.detached) return;
    if (this.killReason === undefined) this.killReason = reason;
    this.sleeping?.wake();
    if (!this.loopDone) {
      this.markDead(false);
      return;
    }
    if (this.currentHandle) await this.stopHandle(this.currentHandle, this.killReason);
    await this.loopDone;
  }

  /**
   * Restart the running task. check_restart's restarts are counted by the restart policy; a re-rendered
   * template's (`counted: false`) are not and happen at once, as in Nomad.
   */
  async restart(reason: string, opts: { counted?: boolean } = {}): Promise<void> {
    const handle = this.currentHandle;
    if (!handle || this.killReason !== undefined || this.restartReason !== undefined) return;
    this.restartReason = reason;
    this.restartUncounted = opts.counted === false;
    this.event('Restart Signaled', reason);
    await this.stopHandle(handle, reason, false);
  }

  /** Send `signal` to the running task (a template's changeMode signal); the driver must support it. */
  async signal(signal: string, reason: string): Promise<void> {
    const handle = this.currentHandle;
    const driver = this.deps.driver;
    if (!handle || !driver || this.killReason !== undefined || this.restartReason !== undefined) return;
    if (!driver.signal) {
      this.event('Driver Failure', `${reason}: driver "${driver.name}" cannot signal tasks`);
      return;
    }
    this.event('Signaling', `${reason}: sent ${signal}`);
    try {
      await driver.signal(handle, signal);
    } catch (err) {
      this.event('Driver Failure', `sending ${signal} failed: ${errorMessage(err)}`);
    }
  }

  /** Record an event that changes nothing else (a template that failed to re-render under a running task). */
  note(type: TaskEventType, message: string): void {
    this.event(type, message);
  }

  /** Let go of the task without touching it (agent shutdown): later exits are the next agent's to see. */
  detach(): void {
    this.detached = true;
    this.sleeping?.wake();
  }

  /** Run a command in the task's context (script checks). */
  async exec(command: string, args: string[], timeoutMs: number): Promise<{ exitCode: number; output: string }> {
    const handle = this.currentHandle;
    const driver = this.deps.driver;
    if (!handle || !driver) throw new Error('task is not running');
    if (!driver.exec) throw new Error(`driver "${driver.name}" cannot run script checks`);
    return driver.exec(handle, command, args, timeoutMs);
  }

  /** Resolves when the runner's loop has ended (immediately if it never started). */
  async done(): Promise<void> {
    await this.loopDone;
  }

  private async loop(attached: TaskHandle | undefined, lost: boolean): Promise<void> {
    let handle = attached;
    let failedBeforeRun = lost;
    for (;;) {
      let exit: ExitResult | undefined;
      if (!handle && !failedBeforeRun) {
        if (this.killReason !== undefined) return this.markDead(false);
        const started = await this.startTask();
        if (this.detached) return;
        if (started === 'killed') return this.markDead(false);
        if (started === 'unrecoverable') return this.markDead(true);
        if (started === 'error') failedBeforeRun = true;
        else handle = started;
      }
      if (handle) {
        exit = await this.waitTask(handle);
        if (this.detached) return;
        handle = undefined;
        if (this.killReason !== undefined) {
          this.event('Killed', 'Task successfully killed', exitFields(exit));
          return this.markDead(false);
        }
      }
      const signaled = this.restartReason;
      const uncounted = this.restartUncounted;
      this.restartReason = undefined;
      this.restartUncounted = false;
      if (signaled && uncounted && !failedBeforeRun) {
        this.st.restarts = (this.st.restarts ?? 0) + 1;
        this.st.state = 'pending';
        this.event('Restarting', `${signaled}; Task restarting in 0s`);
        continue;
      }
      const success = !failedBeforeRun && !!exit && exit.exitCode === 0 && !exit.err && !exit.oomKilled && !signaled;
      failedBeforeRun = false;
      const decision = this.tracker.next(this.deps.clock.now(), { success, terminalOnSuccess: this.deps.terminalOnSuccess });
      if (decision.action === 'done') return this.markDead(false);
      if (decision.action === 'fail') {
        this.event('Failed', decision.reason);
        return this.markDead(true);
      }
      this.st.restarts = (this.st.restarts ?? 0) + 1;
      this.st.state = 'pending';
      const why = signaled ?? (decision.reason === 'Restart within policy' ? undefined : decision.reason);
      this.event('Restarting', `${why ? `${why}; ` : ''}Task restarting in ${formatDuration(decision.delayMs)}`);
      await this.sleep(decision.delayMs);
      if (this.detached) return;
      if (this.killReason !== undefined) {
        this.event('Killed', 'Task killed while waiting to restart');
        return this.markDead(false);
      }
    }
  }

  // Validate, set up and start; 'unrecoverable' for problems a retry cannot fix (bad config, no driver).
  private async startTask(): Promise<TaskHandle | 'unrecoverable' | 'error' | 'killed'> {
    const { driver, task } = this.deps;
    if (!driver) {
      this.event('Driver Failure', `driver "${task.driver}" is not available on this node`);
      this.event('Failed', 'Error was unrecoverable');
      return 'unrecoverable';
    }
    const problems = safeValidate(driver, task.config ?? {});
    if (problems.length > 0) {
      this.event('Driver Failure', `invalid ${task.driver} config: ${problems.join('; ')}`);
      this.event('Failed', 'Error was unrecoverable');
      return 'unrecoverable';
    }
    let cfg: TaskConfig;
    try {
      cfg = await this.deps.prepare();
    } catch (err) {
      if (err instanceof TaskInputError) {
        this.event(err.event, err.message);
        if (err.retryable) return 'error';
      } else {
        this.event('Driver Failure', `task setup failed: ${errorMessage(err)}`);
      }
      this.event('Failed', 'Error was unrecoverable');
      return 'unrecoverable';
    }
    if (!this.setupDone) {
      this.setupDone = true;
      this.event('Setup', 'Building task directory');
    }
    if (this.killReason !== undefined) return 'killed';
    let handle: TaskHandle;
    try {
      handle = await driver.start(cfg);
    } catch (err) {
      this.event('Driver Failure', errorMessage(err));
      return 'error';
    }
    this.currentHandle = handle;
    this.st.state = 'running';
    this.st.startedAt = new Date(this.deps.clock.now()).toISOString();
    delete this.st.finishedAt;
    this.event('Started', 'Task started by the agent');
    // A kill that arrived while the driver was starting the task could not reach it; stop it now.
    if (this.killReason !== undefined) void this.stopHandle(handle, this.killReason);
    return handle;
  }

  private async waitTask(handle: TaskHandle): Promise<ExitResult> {
    const driver = this.deps.driver!;
    let exit: ExitResult;
    try {
      exit = await driver.wait(handle);
    } catch (err) {
      exit = { exitCode: -1, oomKilled: false, err: errorMessage(err) };
    }
    if (this.detached) return exit;
    this.currentHandle = undefined;
    this.stopping = false;
    await driver.destroy(handle).catch((err) => this.deps.logger.warn('driver destroy failed', { task: this.name, err }));
    if (this.killReason === undefined) {
      if (exit.err) this.event('Driver Failure', exit.err);
      else this.event('Terminated', exit.oomKilled ? 'OOM Killed' : `Exit Code: ${exit.exitCode}${exit.signal ? `, Signal: ${exit.signal}` : ''}`, exitFields(exit));
    }
    return exit;
  }

  private async stopHandle(handle: TaskHandle, reason: string, announce = true): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const signal = this.deps.task.killSignal ?? 'SIGTERM';
    const timeoutMs = this.deps.task.killTimeout ? parseDuration(this.deps.task.killTimeout) : DEFAULT_KILL_TIMEOUT_MS;
    if (announce) this.event('Killing', `${reason}: sent ${signal}, force kill after ${formatDuration(timeoutMs)}`);
    try {
      await this.deps.driver!.stop(handle, signal, timeoutMs);
    } catch (err) {
      this.deps.logger.warn('driver stop failed', { task: this.name, err });
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.killReason !== undefined || this.detached) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        this.sleeping?.timer.cancel();
        this.sleeping = undefined;
        resolve();
      };
      this.sleeping = { timer: this.deps.clock.setTimeout(wake, ms), wake };
    });
  }

  private markDead(failed: boolean): void {
    this.st.state = 'dead';
    this.st.failed = failed;
    this.st.finishedAt = new Date(this.deps.clock.now()).toISOString();
    this.deps.changed();
  }

  private event(type: TaskEventType, message: string, extra: Partial<TaskEvent> = {}): void {
    const events = (this.st.events ??= []);
    events.push({ type, time: new Date(this.deps.clock.now()).toISOString(), message, ...extra });
    const max = this.deps.maxEvents ?? 25;
    if (events.length > max) events.splice(0, events.length - max);
    this.deps.logger.debug('task event', { task: this.name, type, message });
    this.deps.changed();
  }
}

function exitFields(exit: ExitResult | undefined): Partial<TaskEvent> {
  if (!exit || exit.err) return {};
  const out: Partial<TaskEvent> = { exitCode: exit.exitCode };
  if (exit.signal) out.signal = exit.signal;
  if (exit.oomKilled) out.oomKilled = true;
  return out;
}

// validateConfig must not throw for user input, but a driver bug should still fail only this task.
function safeValidate(driver: Driver, config: Record<string, unknown>): string[] {
  try {
    return driver.validateConfig(config);
  } catch (err) {
    return [errorMessage(err)];
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
