// exec: a process like raw_exec, but as an unprivileged user inside a task cgroup with memory and cpu
// limits; a task over its memory is OOM-killed by the kernel and reported so.
import { chmodSync, chownSync, existsSync, lchownSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Driver, DriverFingerprint, ExitResult, TaskConfig, TaskHandle, TaskStatus } from '../driver.ts';
import { checkProcessConfig, DEFAULT_PATH, processConfig, resolveCommand } from '../rawexec/config.ts';
import { inspectProcess, stateOf as processStateOf, type ProcessDriverDeps } from '../rawexec/driver.ts';
import { processEnv, runCommand } from '../rawexec/run.ts';
import { ProcessSupervisor } from '../rawexec/supervisor.ts';
import type { UserAccount } from '../rawexec/users.ts';
import { CgroupManager, killCgroup, oomKills, procsFiles, removeCgroup, type TaskCgroupPaths } from './cgroup.ts';
import { ensureDefaultUser, taskUser } from './user.ts';

/**
 * Joins the cgroups named by the first arguments, then execs the rest: the task is charged from its
 * first instruction. Fixed text; the task's own command and args reach it only as "$@", never parsed.
 */
const TRAMPOLINE = [
  'n=$1; shift',
  'while [ "$n" -gt 0 ]; do',
  '  echo $$ > "$1" || { echo "drover exec: cannot join cgroup $1" >&2; exit 125; }',
  '  shift; n=$((n-1))',
  'done',
  'exec "$@"',
].join('\n');

/** Options of the exec driver. */
export interface ExecDriverOptions extends ProcessDriverDeps {
  /** Default account for tasks without `user` (created when missing); default `drover-task`. */
  user?: string;
  /** Cgroup filesystem root; default /sys/fs/cgroup. */
  cgroupRoot?: string;
  /** Parent cgroup of every task; default `drover`. */
  cgroupParent?: string;
}

/** The exec driver: `{command, args}` as an unprivileged user with cgroup limits. */
export class ExecDriver implements Driver {
  readonly name = 'exec';
  private readonly procs: ProcessSupervisor;
  private readonly cgroups: CgroupManager;
  private readonly setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));
  private defaultAccount?: UserAccount;

  constructor(private readonly opts: ExecDriverOptions) {
    this.procs = new ProcessSupervisor(opts);
    this.cgroups = new CgroupManager({ root: opts.cgroupRoot, parent: opts.cgroupParent });
  }

  async fingerprint(): Promise<DriverFingerprint> {
    const problem = this.unavailable();
    if (problem) return { detected: true, healthy: false, description: problem };
    const support = this.cgroups.detect();
    const user = this.defaultUser();
    return {
      detected: true,
      healthy: true,
      description: `isolated processes as ${user.name} (uid ${user.uid}); ${support.description}`,
      attributes: { 'driver.exec': '1', 'driver.exec.cgroup': `v${support.version}`, 'driver.exec.user': user.name },
    };
  }

  validateConfig(config: Record<string, unknown>): string[] {
    return checkProcessConfig(config);
  }

  async start(task: TaskConfig): Promise<TaskHandle> {
    const problems = checkProcessConfig(task.config);
    if (problems.length) throw new Error(problems.join('; '));
    const problem = this.unavailable();
    if (problem) throw new Error(`exec driver unavailable on this node: ${problem}`);
    const cfg = processConfig(task.config);
    const user = task.user ? taskUser(task.user) : this.defaultUser();
    const env = { PATH: DEFAULT_PATH, ...task.env };
    const file = resolveCommand(cfg.command, task.taskDir, env.PATH);
    giveTaskDirs(task, user);
    const memoryMB = task.resources.memoryMaxMB && task.resources.memoryMaxMB > task.resources.memoryMB ? task.resources.memoryMaxMB : task.resources.memoryMB;
    const cgroup = this.cgroups.create(cgroupName(task, this.opts.clock.now()), {
      memoryBytes: memoryMB * 1024 * 1024,
      memoryLowBytes: memoryMB !== task.resources.memoryMB ? task.resources.memoryMB * 1024 * 1024 : undefined,
      cpuShares: task.resources.cpuMHz,
    });
    try {
      const ref = await this.procs.spawn({ ...this.wrap(cgroup, user, file, cfg.args), cwd: task.taskDir, env, stdoutPath: task.stdoutPath, stderrPath: task.stderrPath });
      this.opts.logger.debug('exec task started', { taskId: task.id, pid: ref.pid, user: user.name, cgroup: cgroup.dirs });
      const state: ExecState = { pid: ref.pid, startTime: ref.startTime, cwd: task.taskDir, uid: user.uid, gid: user.gid, cgroup };
      return { driver: this.name, taskId: task.id, state: { ...state }, startedAt: new Date(this.opts.clock.now()).toISOString() };
    } catch (e) {
      removeCgroup(cgroup);
      throw e;
    }
  }

  async wait(handle: TaskHandle): Promise<ExitResult> {
    const s = stateOf(handle);
    const exit = await this.procs.wait(s);
    return { ...exit, oomKilled: oomKills(s.cgroup) > 0 };
  }

  async stop(handle: TaskHandle, signal: string, timeoutMs: number): Promise<void> {
    const s = stateOf(handle);
    await this.procs.stop(s, signal, timeoutMs);
    killCgroup(s.cgroup);
  }

  async signal(handle: TaskHandle, signal: string): Promise<void> {
    this.procs.signal(stateOf(handle), signal);
  }

  async destroy(handle: TaskHandle): Promise<void> {
    const s = stateOf(handle);
    this.procs.killGroup(s);
    // Killed processes leave the cgroup only once the kernel has reaped them: retry the rmdir briefly.
    for (let i = 0; i < 100; i++) {
      killCgroup(s.cgroup);
      if (removeCgroup(s.cgroup)) return;
      await this.opts.clock.sleep(20);
    }
    this.opts.logger.warn('task cgroup still busy; left behind', { taskId: handle.taskId, cgroup: s.cgroup.dirs });
  }

  async inspect(handle: TaskHandle): Promise<TaskStatus> {
    const s = stateOf(handle);
    const status = await inspectProcess(this.procs, s);
    if (status.exit) status.exit = { ...status.exit, oomKilled: oomKills(s.cgroup) > 0 };
    return status;
  }

  async recover(handle: TaskHandle): Promise<boolean> {
    try {
      return this.procs.running(stateOf(handle));
    } catch {
      return false;
    }
  }

  async exec(handle: TaskHandle, command: string, args: string[], timeoutMs: number): Promise<{ exitCode: number; output: string }> {
    const s = stateOf(handle);
    const env = { PATH: DEFAULT_PATH, ...processEnv(s.pid) };
    let file: string;
    try {
      file = resolveCommand(command, s.cwd, env.PATH);
    } catch (e) {
      return { exitCode: 127, output: (e as Error).message };
    }
    const user = { name: String(s.uid), uid: s.uid, gid: s.gid };
    return runCommand({ ...this.wrap(s.cgroup, user, file, args), cwd: s.cwd, env, timeoutMs }, this.opts.clock);
  }

  /** The trampoline command line: join `cgroup`, drop to `user`, exec `file args` (no shell parsing). */
  private wrap(cgroup: TaskCgroupPaths, user: UserAccount, file: string, args: string[]): { file: string; args: string[] } {
    const files = procsFiles(cgroup);
    const drop = [this.setpriv!, `--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', '--no-new-privs', '--'];
    return { file: '/bin/sh', args: ['-c', TRAMPOLINE, 'drover-exec', String(files.length), ...files, ...drop, file, ...args] };
  }

  /** Why this node cannot run exec tasks, or undefined when it can. */
  private unavailable(): string | undefined {
    if (process.getuid?.() !== 0) return 'the agent is not root, so it can neither switch users nor create cgroups';
    if (!this.setpriv) return 'setpriv (util-linux) is not installed';
    const support = this.cgroups.detect();
    return support.usable ? undefined : support.description;
  }

  private defaultUser(): UserAccount {
    this.defaultAccount ??= ensureDefaultUser(this.opts.user ?? 'drover-task');
    return this.defaultAccount;
  }
}

/** The handle state of an exec task. */
export interface ExecState {
  pid: number;
  startTime: number;
  cwd: string;
  uid: number;
  gid: number;
  cgroup: TaskCgroupPaths;
}

function stateOf(handle: TaskHandle): ExecState {
  const base = processStateOf(handle);
  const cg = handle.state.cgroup as Partial<TaskCgroupPaths> | undefined;
  if (!cg || (cg.version !== 1 && cg.version !== 2) || !Array.isArray(cg.dirs)) throw new Error(`task handle ${handle.taskId} has no cgroup state`);
  return { ...base, uid: base.uid ?? 65534, gid: base.gid ?? 65534, cgroup: { version: cg.version, dirs: cg.dirs.map(String) } };
}

/** A cgroup directory name unique per start (a restarted task must not inherit the old OOM count). */
function cgroupName(task: TaskConfig, now: number): string {
  return `${task.allocId}.${task.taskName}.${now.toString(36)}`.replace(/[^A-Za-z0-9_.-]/g, '_');
}

/**
 * Gives the task user the directories it writes: its task dir, local/, secrets/ and tmp/ by ownership, with
 * what the agent delivered into them (templates, artifacts, the dispatch payload — a 0600 secret must be the
 * task's to read); the shared alloc/data and alloc/tmp by mode 1777 (tasks of one allocation may run as
 * different users).
 */
function giveTaskDirs(task: TaskConfig, user: UserAccount): void {
  for (const d of [task.taskDir, ...['local', 'secrets', 'tmp'].map((s) => join(task.taskDir, s))]) {
    try {
      if (!statSync(d).isDirectory()) continue;
      chownSync(d, user.uid, user.gid);
      if (d === task.taskDir) continue;
      // lchown: a symlink an artifact unpacked is handed over itself, never what it points at.
      for (const entry of readdirSync(d, { recursive: true }) as string[]) lchownSync(join(d, entry), user.uid, user.gid);
    } catch {
      // missing: nothing to hand over
    }
  }
  for (const d of ['data', 'tmp'].map((s) => join(task.allocDir, 'alloc', s))) {
    try {
      if (statSync(d).isDirectory()) chmodSync(d, 0o1777);
    } catch {
      // missing: nothing to share
    }
  }
}
