// raw_exec: the task is a plain child process of the agent's user (or task.user), without isolation.
import type { Clock } from '../../../clock/clock.ts';
import type { Logger } from '../../../log/logger.ts';
import type { Driver, DriverFingerprint, ExitResult, TaskConfig, TaskHandle, TaskStatus } from '../driver.ts';
import { checkProcessConfig, DEFAULT_PATH, processConfig, resolveCommand } from './config.ts';
import { processEnv, runCommand } from './run.ts';
import { ProcessSupervisor, type ProcessRef } from './supervisor.ts';
import { lookupUser } from './users.ts';

/** Dependencies of the process drivers. */
export interface ProcessDriverDeps {
  clock: Clock;
  logger: Logger;
  /** How often a recovered (not our child) process is checked for exit; default 500 ms. */
  pollMs?: number;
}

/** The raw_exec driver: `{command, args}` run directly, no shell, in its own process group. */
export class RawExecDriver implements Driver {
  readonly name = 'raw_exec';
  private readonly procs: ProcessSupervisor;

  constructor(private readonly deps: ProcessDriverDeps) {
    this.procs = new ProcessSupervisor(deps);
  }

  async fingerprint(): Promise<DriverFingerprint> {
    return { detected: true, healthy: true, description: 'runs tasks as plain processes (no isolation)', attributes: { 'driver.raw_exec': '1' } };
  }

  validateConfig(config: Record<string, unknown>): string[] {
    return checkProcessConfig(config);
  }

  async start(task: TaskConfig): Promise<TaskHandle> {
    const problems = checkProcessConfig(task.config);
    if (problems.length) throw new Error(problems.join('; '));
    const cfg = processConfig(task.config);
    const env = { PATH: DEFAULT_PATH, ...task.env };
    const file = resolveCommand(cfg.command, task.taskDir, env.PATH);
    let ids: { uid?: number; gid?: number } = {};
    if (task.user) {
      const user = lookupUser(task.user);
      if (!user) throw new Error(`user ${JSON.stringify(task.user)} does not exist on this node`);
      ids = { uid: user.uid, gid: user.gid };
    }
    const ref = await this.procs.spawn({ file, args: cfg.args, cwd: task.taskDir, env, ...ids, stdoutPath: task.stdoutPath, stderrPath: task.stderrPath });
    this.deps.logger.debug('raw_exec task started', { taskId: task.id, pid: ref.pid });
    const state: RawExecState = { pid: ref.pid, startTime: ref.startTime, cwd: task.taskDir, ...ids };
    return { driver: this.name, taskId: task.id, state: { ...state }, startedAt: new Date(this.deps.clock.now()).toISOString() };
  }

  wait(handle: TaskHandle): Promise<ExitResult> {
    return this.procs.wait(stateOf(handle));
  }

  stop(handle: TaskHandle, signal: string, timeoutMs: number): Promise<void> {
    return this.procs.stop(stateOf(handle), signal, timeoutMs);
  }

  async signal(handle: TaskHandle, signal: string): Promise<void> {
    this.procs.signal(stateOf(handle), signal);
  }

  async destroy(handle: TaskHandle): Promise<void> {
    this.procs.killGroup(stateOf(handle));
  }

  async inspect(handle: TaskHandle): Promise<TaskStatus> {
    return inspectProcess(this.procs, stateOf(handle));
  }

  async recover(handle: TaskHandle): Promise<boolean> {
    const state = tryStateOf(handle);
    return state !== undefined && this.procs.running(state);
  }

  async exec(handle: TaskHandle, command: string, args: string[], timeoutMs: number): Promise<{ exitCode: number; output: string }> {
    const state = stateOf(handle);
    // The task's own environment and directory, so a check sees what the task sees.
    const env = { PATH: DEFAULT_PATH, ...processEnv(state.pid) };
    let file: string;
    try {
      file = resolveCommand(command, state.cwd, env.PATH);
    } catch (e) {
      return { exitCode: 127, output: (e as Error).message };
    }
    return runCommand({ file, args, cwd: state.cwd, env, uid: state.uid, gid: state.gid, timeoutMs }, this.deps.clock);
  }
}

/** The handle state of a process task. */
export interface RawExecState extends ProcessRef {
  cwd: string;
  uid?: number;
  gid?: number;
}

/** The typed state of a process driver's handle; throws on a handle of another shape. */
export function stateOf(handle: TaskHandle): RawExecState {
  const s = tryStateOf(handle);
  if (!s) throw new Error(`task handle ${handle.taskId} has no process state (driver ${handle.driver})`);
  return s;
}

function tryStateOf(handle: TaskHandle): RawExecState | undefined {
  const s = handle.state as Partial<RawExecState>;
  if (typeof s?.pid !== 'number' || typeof s.startTime !== 'number') return undefined;
  return { pid: s.pid, startTime: s.startTime, cwd: typeof s.cwd === 'string' ? s.cwd : '/', uid: s.uid, gid: s.gid };
}

/** A process task's status: running, or exited with its status when this instance is its parent. */
export async function inspectProcess(procs: ProcessSupervisor, ref: ProcessRef): Promise<TaskStatus> {
  if (procs.running(ref)) return { state: 'running' };
  return procs.isChild(ref) ? { state: 'exited', exit: await procs.wait(ref) } : { state: 'exited' };
}
