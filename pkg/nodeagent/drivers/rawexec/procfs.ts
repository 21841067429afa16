// Reading /proc so a process can be recognised again after the agent restarts: a pid alone is not an
// identity (pids are reused), a pid plus its start time (field 22 of /proc/<pid>/stat) is.
import { readdirSync, readFileSync } from 'node:fs';

/** The few fields of /proc/<pid>/stat the drivers use. */
export interface ProcStat {
  pid: number;
  /** One letter: R running, S sleeping, Z zombie, ... */
  state: string;
  ppid: number;
  pgrp: number;
  /** Clock ticks after boot when the process started (field 22): with the pid, a process identity. */
  startTime: number;
}

/** Parses a /proc/<pid>/stat line; undefined when it is malformed. */
export function parseProcStat(line: string): ProcStat | undefined {
  // Field 2 (comm) is in parentheses and may itself hold spaces and ')': split after the last ')'.
  const close = line.lastIndexOf(')');
  if (close < 0) return undefined;
  const pid = Number(line.slice(0, line.indexOf(' ')));
  const rest = line.slice(close + 2).split(' ');
  // rest[0] is field 3 (state), so field N is rest[N - 3].
  const startTime = Number(rest[22 - 3]);
  if (!Number.isInteger(pid) || !Number.isFinite(startTime)) return undefined;
  return { pid, state: rest[0] ?? '?', ppid: Number(rest[1]), pgrp: Number(rest[2]), startTime };
}

/** The stat of a live process, or undefined when there is none with that pid. */
export function readProcStat(pid: number): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** True while the process `pid` that started at `startTime` exists and has not exited (zombies have). */
export function processAlive(pid: number, startTime: number): boolean {
  const st = readProcStat(pid);
  return st !== undefined && st.startTime === startTime && st.state !== 'Z' && st.state !== 'X';
}

/** Live members of process group `pgrp` that started no earlier than `minStartTime` (guards pgid reuse). */
export function processGroupMembers(pgrp: number, minStartTime: number): number[] {
  const out: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!/^[0-9]+$/.test(e)) continue;
    const st = readProcStat(Number(e));
    if (st && st.pgrp === pgrp && st.startTime >= minStartTime && st.state !== 'Z') out.push(st.pid);
  }
  return out;
}
