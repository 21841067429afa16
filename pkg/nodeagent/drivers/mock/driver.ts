// mock: a task that is only a timer. Its behaviour comes from the task config (Nomad's mock driver), so
// agent and end-to-end tests exercise start failures, exit codes and slow stops without real workloads.
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseDuration } from '../../../../api/schemas/duration.ts';
import type { Clock, Timer } from '../../../clock/clock.ts';
import type { Logger } from '../../../log/logger.ts';
import type { Driver, DriverFingerprint, ExitResult, TaskConfig, TaskHandle, TaskStatus } from '../driver.ts';
import { signalNumber } from '../rawexec/config.ts';

/** The mock task config: every field optional. */
export interface MockConfig {
  /** How long the task runs before exiting with `exitCode` (Go duration); absent = until stopped. */
  runFor?: string;
  exitCode?: number;
  /** Start rejects with this message (a driver failure the agent must report, e.g. "image not found"). */
  startError?: string;
  /** How long the task takes to exit after the kill signal; past the kill timeout it is SIGKILLed. */
  killAfter?: string;
  /** Text written to the task's stdout / stderr file at start. */
  stdout?: string;
  stderr?: string;
  /** Exit code of every `exec` (script check) in the task; default 0. */
  execExitCode?: number;
}

const FIELDS: Record<keyof MockConfig, 'duration' | 'code' | 'string'> = {
  runFor: 'duration', exitCode: 'code', startError: 'string', killAfter: 'duration', stdout: 'string', stderr: 'string', execExitCode: 'code',
};

/** The persisted state of a mock task: enough to rebuild it after an agent restart. */
interface MockState {
  startedAtMs: number;
  /** Absent: runs until stopped. */
  runForMs?: number;
  exitCode: number;
  killAfterMs: number;
  execExitCode: number;
}

interface Running {
  state: MockState;
  exit?: ExitResult;
  exited: Promise<ExitResult>;
  finish(exit: ExitResult): void;
  timer?: Timer;
}

/** The mock driver: deterministic under a ManualClock. */
export class MockDriver implements Driver {
  readonly name = 'mock';
  private readonly tasks = new Map<string, Running>();

  constructor(private readonly deps: { clock: Clock; logger: Logger }) {}

  async fingerprint(): Promise<DriverFingerprint> {
    return { detected: true, healthy: true, description: 'mock tasks (timers driven by task config)', attributes: { 'driver.mock': '1' } };
  }

  validateConfig(config: Record<string, unknown>): string[] {
    const problems: string[] = [];
    for (const [key, value] of Object.entries(config)) {
      const kind = FIELDS[key as keyof MockConfig];
      if (!kind) problems.push(`config.${key}: unknown field (allowed: ${Object.keys(FIELDS).join(', ')})`);
      else if (kind === 'duration' && durationMs(value) === undefined) problems.push(`config.${key}: must be a duration such as "10s" or "1m30s"`);
      else if (kind === 'code' && !(Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 255)) problems.push(`config.${key}: must be an integer from 0 to 255`);
      else if (kind === 'string' && typeof value !== 'string') problems.push(`config.${key}: must be a string`);
    }
    return problems;
  }

  async start(task: TaskConfig): Promise<TaskHandle> {
    const problems = this.validateConfig(task.config);
    if (problems.length) throw new Error(problems.join('; '));
    const cfg = task.config as MockConfig;
    if (cfg.startError) throw new Error(cfg.startError);
    writeOutput(task.stdoutPath, cfg.stdout);
    writeOutput(task.stderrPath, cfg.stderr);
    const state: MockState = {
      startedAtMs: this.deps.clock.now(),
      runForMs: cfg.runFor === undefined ? undefined : durationMs(cfg.runFor),
      exitCode: cfg.exitCode ?? 0,
      killAfterMs: cfg.killAfter === undefined ? 0 : durationMs(cfg.killAfter)!,
      execExitCode: cfg.execExitCode ?? 0,
    };
    const handle: TaskHandle = { driver: this.name, taskId: task.id, state: { ...state }, startedAt: new Date(state.startedAtMs).toISOString() };
    this.run(handle, state);
    return handle;
  }

  wait(handle: TaskHandle): Promise<ExitResult> {
    return this.attach(handle).exited;
  }

  async stop(handle: TaskHandle, signal: string, timeoutMs: number): Promise<void> {
    const t = this.attach(handle);
    if (t.exit) return;
    t.timer?.cancel();
    const sig = signalNumber(signal) ?? 15;
    // A task slower than the kill timeout is SIGKILLed at the timeout, like a real process.
    const [after, exit] = t.state.killAfterMs <= timeoutMs ? [t.state.killAfterMs, signalExit(sig)] : [timeoutMs, signalExit(9)];
    t.timer = this.deps.clock.setTimeout(() => t.finish(exit), after);
    await t.exited;
  }

  async destroy(handle: TaskHandle): Promise<void> {
    const t = this.tasks.get(key(handle));
    if (!t) return;
    t.timer?.cancel();
    if (!t.exit) t.finish(signalExit(9));
    this.tasks.delete(key(handle));
  }

  async inspect(handle: TaskHandle): Promise<TaskStatus> {
    const t = this.attach(handle);
    return t.exit ? { state: 'exited', exit: t.exit } : { state: 'running' };
  }

  async recover(handle: TaskHandle): Promise<boolean> {
    const state = stateOf(handle);
    if (!state) return false;
    if (this.tasks.has(key(handle))) return !this.tasks.get(key(handle))!.exit;
    // A task whose runFor elapsed while the agent was away is gone, like an exited process.
    if (state.runForMs !== undefined && this.deps.clock.now() >= state.startedAtMs + state.runForMs) return false;
    this.run(handle, state);
    return true;
  }

  async exec(handle: TaskHandle, command: string, args: string[]): Promise<{ exitCode: number; output: string }> {
    const t = this.attach(handle);
    return { exitCode: t.state.execExitCode, output: `mock exec: ${[command, ...args].join(' ')}\n` };
  }

  /** The running task for `handle`, rebuilt from its state when this instance has not seen it. */
  private attach(handle: TaskHandle): Running {
    const existing = this.tasks.get(key(handle));
    if (existing) return existing;
    const state = stateOf(handle);
    if (!state) throw new Error(`task handle ${handle.taskId} has no mock state`);
    return this.run(handle, state);
  }

  private run(handle: TaskHandle, state: MockState): Running {
    let finish!: (exit: ExitResult) => void;
    const exited = new Promise<ExitResult>((resolve) => (finish = resolve));
    const t: Running = {
      state,
      exited,
      finish: (exit) => {
        if (t.exit) return;
        t.exit = exit;
        finish(exit);
      },
    };
    if (state.runForMs !== undefined) {
      const left = Math.max(0, state.startedAtMs + state.runForMs - this.deps.clock.now());
      t.timer = this.deps.clock.setTimeout(() => t.finish({ exitCode: state.exitCode, oomKilled: false }), left);
    }
    this.tasks.set(key(handle), t);
    return t;
  }
}

function key(handle: TaskHandle): string {
  return `${handle.taskId}@${handle.startedAt}`;
}

function stateOf(handle: TaskHandle): MockState | undefined {
  const s = handle.state as Partial<MockState>;
  if (typeof s?.startedAtMs !== 'number') return undefined;
  return { startedAtMs: s.startedAtMs, runForMs: s.runForMs, exitCode: s.exitCode ?? 0, killAfterMs: s.killAfterMs ?? 0, execExitCode: s.execExitCode ?? 0 };
}

function signalExit(sig: number): ExitResult {
  return { exitCode: 128 + sig, signal: sig, oomKilled: false };
}

function durationMs(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return parseDuration(value);
  } catch {
    return undefined;
  }
}

function writeOutput(path: string, text: string | undefined): void {
  if (text === undefined) return;
  mkdirSync(dirname(path), { recursive: true });
  appendFileSync(path, text);
}
