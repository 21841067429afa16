// CPU time of processes from /proc (Linux), to show how a run used the machine's cores.
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SEC = 100; // USER_HZ on Linux

/** User+system CPU time of process `pid` in ms (NaN when unreadable). */
export function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) / TICKS_PER_SEC) * 1000; // utime, stime
  } catch {
    return NaN;
  }
}

/** CPU time (ms) the whole machine spent busy (all cores, /proc/stat: everything but idle and iowait). */
export function machineBusyMs(): number {
  const line = safeRead('/proc/stat').split('\n')[0] ?? '';
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  if (v.length < 5) return NaN;
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  return ((total - v[3]! - v[4]!) / TICKS_PER_SEC) * 1000;
}

/** Pids of this process's direct children whose command name is `comm`. */
export function childPids(comm: string): number[] {
  const pids: number[] = [];
  for (const task of safeList(`/proc/${process.pid}/task`)) {
    const children = safeRead(`/proc/${process.pid}/task/${task}/children`).trim();
    for (const p of children ? children.split(/\s+/) : []) {
      if (safeRead(`/proc/${p}/comm`).trim() === comm) pids.push(Number(p));
    }
  }
  return pids;
}

/** A CPU meter over named processes: `mark()` starts an interval, `read()` gives cores used per process since. */
export class CpuMeter {
  private start = new Map<string, number>();
  private t0 = 0;

  constructor(private readonly pids: Record<string, number>) {}

  /** Start an interval now. */
  mark(): void {
    this.t0 = performance.now();
    for (const [name, pid] of Object.entries(this.pids)) this.start.set(name, processCpuMs(pid));
    this.start.set('machine', machineBusyMs());
  }

  /**
   * Cores used by each process since `mark()` (1 = one core busy the whole time), plus `others`: what every
   * other process on the machine used meanwhile (other people's work on a shared machine skews figures), and
   * `wallMs`, the interval's length.
   */
  read(): Record<string, number> {
    const wall = performance.now() - this.t0;
    const out: Record<string, number> = {};
    let ours = 0;
    for (const [name, pid] of Object.entries(this.pids)) {
      out[name] = (processCpuMs(pid) - this.start.get(name)!) / wall;
      ours += out[name]!;
    }
    out.others = Math.max(0, (machineBusyMs() - this.start.get('machine')!) / wall - ours);
    out.wallMs = wall;
    return out;
  }
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
