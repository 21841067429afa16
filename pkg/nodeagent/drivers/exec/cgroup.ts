// Per-task control groups for the exec driver: cgroup v2 when the unified hierarchy has the memory
// controller, else the v1 memory and cpu hierarchies (hybrid hosts). Tasks live under `<parent>/<name>`.
import { accessSync, constants, existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What the host offers for task limits. */
export interface CgroupSupport {
  /** 2 (unified), 1 (legacy memory/cpu hierarchies) or 0 (none usable). */
  version: 0 | 1 | 2;
  /** True when a task cgroup can be created and limited. */
  usable: boolean;
  /** One line for the node's driver health. */
  description: string;
}

/** Limits applied to one task cgroup. */
export interface CgroupLimits {
  /** Hard memory limit (the task is OOM-killed past it; 0 = none); swap is capped at the same total. */
  memoryBytes: number;
  /** Soft reservation when a separate hard maximum was asked for. */
  memoryLowBytes?: number;
  /** Relative CPU weight in v1 shares units (Nomad: 1 share per MHz). */
  cpuShares: number;
}

/** The directories of one task cgroup (one per hierarchy) and how the task joins it. */
export interface TaskCgroupPaths {
  version: 1 | 2;
  /** Cgroup directories: [unified] for v2, [memory, cpu] for v1. */
  dirs: string[];
}

/** Creates, inspects and removes task cgroups under one parent. */
export class CgroupManager {
  private readonly root: string;
  private readonly parent: string;

  constructor(opts: { root?: string; parent?: string } = {}) {
    this.root = opts.root ?? '/sys/fs/cgroup';
    this.parent = opts.parent ?? 'drover';
  }

  /** Which hierarchy to use and whether this process may create cgroups in it. */
  detect(): CgroupSupport {
    const layout = this.layout();
    if (!layout) return { version: 0, usable: false, description: `no cgroup memory controller found under ${this.root} (neither v2 with "memory" nor v1 memory/)` };
    try {
      for (const dir of layout.parents) {
        mkdirSync(dir, { recursive: true });
        accessSync(dir, constants.W_OK);
      }
      if (layout.version === 2) enableControllers(this.root, layout.parents[0]!);
    } catch (e) {
      return { version: layout.version, usable: false, description: `cgroup v${layout.version} is not writable here (${(e as Error).message}); exec needs root and a writable ${layout.parents.join(', ')}` };
    }
    return { version: layout.version, usable: true, description: `cgroup v${layout.version} limits under ${layout.parents.join(', ')}` };
  }

  /** Creates the cgroup `name` with `limits`; throws with the failing file when the kernel refuses. */
  create(name: string, limits: CgroupLimits): TaskCgroupPaths {
    const layout = this.layout();
    if (!layout) throw new Error(`no cgroup memory controller under ${this.root}`);
    const dirs = layout.parents.map((p) => join(p, name));
    for (const d of dirs) mkdirSync(d, { recursive: true });
    const paths: TaskCgroupPaths = { version: layout.version, dirs };
    try {
      applyLimits(paths, limits);
    } catch (e) {
      removeCgroup(paths);
      throw e;
    }
    return paths;
  }

  private layout(): { version: 1 | 2; parents: string[] } | undefined {
    const unified = join(this.root, 'cgroup.controllers');
    if (existsSync(unified) && readFileSync(unified, 'utf8').split(/\s+/).includes('memory')) {
      return { version: 2, parents: [join(this.root, this.parent)] };
    }
    if (existsSync(join(this.root, 'memory', 'memory.limit_in_bytes'))) {
      const cpu = ['cpu', 'cpu,cpuacct'].map((c) => join(this.root, c)).find((d) => existsSync(join(d, 'cpu.shares')));
      const parents = [join(this.root, 'memory', this.parent)];
      if (cpu) parents.push(join(cpu, this.parent));
      return { version: 1, parents };
    }
    return undefined;
  }
}

/** The `cgroup.procs` files a process writes its pid to, to join the task cgroup in every hierarchy. */
export function procsFiles(paths: TaskCgroupPaths): string[] {
  return paths.dirs.map((d) => join(d, 'cgroup.procs'));
}

/** How many processes the kernel OOM-killed in the cgroup. */
export function oomKills(paths: TaskCgroupPaths): number {
  const file = paths.version === 2 ? join(paths.dirs[0]!, 'memory.events') : join(paths.dirs[0]!, 'memory.oom_control');
  try {
    const m = /^oom_kill (\d+)$/m.exec(readFileSync(file, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Pids in the cgroup (from the first hierarchy). */
export function cgroupPids(paths: TaskCgroupPaths): number[] {
  try {
    return readFileSync(join(paths.dirs[0]!, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** SIGKILLs everything in the cgroup, even processes that left the task's process group. */
export function killCgroup(paths: TaskCgroupPaths): void {
  if (paths.version === 2 && existsSync(join(paths.dirs[0]!, 'cgroup.kill'))) {
    try {
      writeFileSync(join(paths.dirs[0]!, 'cgroup.kill'), '1');
      return;
    } catch {
      // fall back to one signal per pid
    }
  }
  for (const pid of cgroupPids(paths)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Removes the cgroup directories; true when all are gone (false while processes remain). */
export function removeCgroup(paths: TaskCgroupPaths): boolean {
  let gone = true;
  for (const d of paths.dirs) {
    try {
      rmdirSync(d);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') gone = false;
    }
  }
  return gone;
}

function applyLimits(paths: TaskCgroupPaths, limits: CgroupLimits): void {
  const mem = String(limits.memoryBytes);
  const [memDir, cpuDir] = paths.version === 2 ? [paths.dirs[0]!, paths.dirs[0]!] : [paths.dirs[0]!, paths.dirs[1]];
  const limited = limits.memoryBytes > 0;
  if (paths.version === 2) {
    if (limited) write(memDir, 'memory.max', mem);
    writeIfPresent(memDir, 'memory.swap.max', '0');
    if (limits.memoryLowBytes) writeIfPresent(memDir, 'memory.low', String(limits.memoryLowBytes));
    // One OOM kills the whole task, like a container: a half-killed task is worse than a restarted one.
    writeIfPresent(memDir, 'memory.oom.group', '1');
    writeIfPresent(cpuDir!, 'cpu.weight', String(sharesToWeight(limits.cpuShares)));
  } else {
    // memsw (memory + swap) must be >= the memory limit, so it is written after it.
    if (limited) write(memDir, 'memory.limit_in_bytes', mem);
    if (limited) writeIfPresent(memDir, 'memory.memsw.limit_in_bytes', mem);
    if (limits.memoryLowBytes) writeIfPresent(memDir, 'memory.soft_limit_in_bytes', String(limits.memoryLowBytes));
    if (cpuDir) write(cpuDir, 'cpu.shares', String(Math.max(2, Math.round(limits.cpuShares))));
  }
}

/** v1 shares (2..262144) to v2 weight (1..10000), the conversion runc and systemd use. */
export function sharesToWeight(shares: number): number {
  const s = Math.min(262_144, Math.max(2, Math.round(shares)));
  return 1 + Math.floor(((s - 2) * 9999) / 262_142);
}

function enableControllers(root: string, parent: string): void {
  // v2: a child only gets a controller its parent lists in cgroup.subtree_control.
  const available = readFileSync(join(root, 'cgroup.controllers'), 'utf8').split(/\s+/);
  const wanted = ['memory', 'cpu'].filter((c) => available.includes(c));
  for (const dir of [root, parent]) {
    const on = readFileSync(join(dir, 'cgroup.subtree_control'), 'utf8').split(/\s+/);
    const missing = wanted.filter((c) => !on.includes(c));
    if (missing.length) writeFileSync(join(dir, 'cgroup.subtree_control'), missing.map((c) => `+${c}`).join(' '));
  }
}

function write(dir: string, file: string, value: string): void {
  try {
    writeFileSync(join(dir, file), value);
  } catch (e) {
    throw new Error(`cannot set ${file}=${value} in ${dir}: ${(e as Error).message}`);
  }
}

function writeIfPresent(dir: string, file: string, value: string): void {
  if (existsSync(join(dir, file))) write(dir, file, value);
}
