// Runs task processes for the process drivers: spawn into a new process group with stdout/stderr on files,
// wait (as the parent, or by polling /proc for a process a previous agent started), stop with a signal and a
// SIGKILL deadline, and clean up the group.
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Clock } from '../../../clock/clock.ts';
import type { Logger } from '../../../log/logger.ts';
import type { ExitResult } from '../driver.ts';
import { signalName, signalNumber } from './config.ts';
import { processAlive, processGroupMembers, readProcStat } from './procfs.ts';

/** What to run: a program path (no shell), its argv after argv[0], and where its output goes. */
export interface ProcessSpec {
  file: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  uid?: number;
  gid?: number;
  stdoutPath: string;
  stderrPath: string;
}

/** A process identity that survives an agent restart: pid plus start time (ticks after boot). */
export interface ProcessRef {
  pid: number;
  startTime: number;
}

/** Exit code reported when the agent was not the process's parent, so the real status is lost. */
export const UNKNOWN_EXIT_CODE = -1;

/** Spawns and tracks task processes; one per driver instance. */
export class ProcessSupervisor {
  /** Exit of each process this instance spawned (it is their parent), by `pid:startTime`. */
  private readonly exits = new Map<string, Promise<ExitResult>>();
  private readonly pollMs: number;

  constructor(private readonly deps: { clock: Clock; logger: Logger; pollMs?: number }) {
    this.pollMs = deps.pollMs ?? 500;
  }

  /** Starts `spec` as the leader of a new process group; resolves once the program is running. */
  async spawn(spec: ProcessSpec): Promise<ProcessRef> {
    const out = openLog(spec.stdoutPath);
    let err: number;
    try {
      err = openLog(spec.stderrPath);
    } catch (e) {
      closeSync(out);
      throw e;
    }
    try {
      const child = spawn(spec.file, spec.args, {
        cwd: spec.cwd,
        env: spec.env,
        uid: spec.uid,
        gid: spec.gid,
        // A session of its own: the agent's Ctrl-C or death does not reach the task, and stop signals the group.
        detached: true,
        stdio: ['ignore', out, err],
      });
      const exit = new Promise<ExitResult>((resolve) => {
        child.once('exit', (code, signal) => resolve(toExit(code, signal)));
      });
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', (e) => reject(new Error(`cannot start ${spec.file}: ${(e as Error).message}`)));
      });
      const pid = child.pid!;
      const stat = readProcStat(pid);
      // A program that exited within microseconds has no /proc entry left; 0 never matches a live process.
      const ref = { pid, startTime: stat?.startTime ?? 0 };
      this.exits.set(key(ref), exit);
      return ref;
    } finally {
      closeSync(out);
      closeSync(err);
    }
  }

  /** True while the process runs. */
  running(ref: ProcessRef): boolean {
    return processAlive(ref.pid, ref.startTime);
  }

  /** True when this instance spawned `ref` (so its exit status is known). */
  isChild(ref: ProcessRef): boolean {
    return this.exits.has(key(ref));
  }

  /** Resolves when the process exits; for a process this instance did not spawn the exit code is unknown. */
  async wait(ref: ProcessRef): Promise<ExitResult> {
    const own = this.exits.get(key(ref));
    if (own) return own;
    while (this.running(ref)) await this.deps.clock.sleep(this.pollMs);
    return {
      exitCode: UNKNOWN_EXIT_CODE,
      oomKilled: false,
      err: 'exit status unknown: the task exited while a previous agent process was its parent',
    };
  }

  /** Sends `signal` to the process group, SIGKILL after `timeoutMs`; resolves when the leader is gone. */
  async stop(ref: ProcessRef, signal: string, timeoutMs: number): Promise<void> {
    if (!this.running(ref)) return;
    const sig = signalNumber(signal) ?? signalNumber('SIGTERM')!;
    if (signalNumber(signal) === undefined) this.deps.logger.warn('unknown kill signal; using SIGTERM', { signal });
    this.signalGroup(ref, sig);
    const exited = this.wait(ref);
    let timedOut = false;
    const timer = this.deps.clock.setTimeout(() => {
      timedOut = true;
      if (this.running(ref)) this.signalGroup(ref, signalNumber('SIGKILL')!);
    }, timeoutMs);
    await exited;
    timer.cancel();
    // Children the leader left behind share its group; the group id cannot be reused while any remain.
    this.killGroupNow(ref);
    if (timedOut) this.deps.logger.info('task did not stop in time; killed', { pid: ref.pid, timeoutMs });
  }

  /** Sends `signal` to the task's process (its leader, as Nomad's executor does), leaving it running. */
  signal(ref: ProcessRef, signal: string): void {
    const n = signalNumber(signal);
    if (n === undefined) throw new Error(`unknown signal ${JSON.stringify(signal)}`);
    if (!this.running(ref)) throw new Error('task is not running');
    process.kill(ref.pid, signalName(n)!);
  }

  /** SIGKILLs every process still in the task's group (pid-reuse safe) and forgets it; for destroy. */
  killGroup(ref: ProcessRef): void {
    if (this.running(ref)) this.signalGroup(ref, signalNumber('SIGKILL')!);
    for (const pid of processGroupMembers(ref.pid, ref.startTime)) trySignal(pid, 'SIGKILL');
    this.exits.delete(key(ref));
  }

  private killGroupNow(ref: ProcessRef): void {
    trySignal(-ref.pid, 'SIGKILL');
  }

  private signalGroup(ref: ProcessRef, sig: number): void {
    const name = signalName(sig) ?? 'SIGTERM';
    if (!trySignal(-ref.pid, name)) trySignal(ref.pid, name);
  }
}

function key(ref: ProcessRef): string {
  return `${ref.pid}:${ref.startTime}`;
}

function openLog(path: string): number {
  mkdirSync(dirname(path), { recursive: true });
  // Append: the agent rotates by copy-truncate, and a restarted task continues the same file.
  return openSync(path, 'a');
}

function trySignal(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** An ExitResult from node's (code, signal) pair; a signal death reads as 128 + n like a shell's `$?`. */
export function toExit(code: number | null, signal: NodeJS.Signals | null): ExitResult {
  if (signal) {
    const n = signalNumber(signal) ?? 0;
    return { exitCode: 128 + n, signal: n, oomKilled: false };
  }
  return { exitCode: code ?? UNKNOWN_EXIT_CODE, oomKilled: false };
}
