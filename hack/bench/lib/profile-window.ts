// A `node --cpu-prof` profile of another process, cut to the benchmark's measured phase and summarised by the
// functions that used the most CPU themselves (self time), next to profile.ts's summary by package.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CpuProfile } from './profile.ts';

/** A .cpuprofile as node writes it: the samples' timestamps start at `startTime` (µs, CLOCK_MONOTONIC). */
interface TimedProfile extends CpuProfile {
  startTime: number;
  endTime: number;
  nodes: Array<CpuProfile['nodes'][number] & { callFrame: { functionName: string; url: string; lineNumber?: number } }>;
}

/** One function's self time. */
export interface FunctionShare {
  /** `name (file:line)`, the file relative to the repository or node_modules. */
  fn: string;
  ms: number;
  /** Share of the busy time (everything but idle). */
  share: number;
}

/** Now on the clock V8 stamps profiles with (µs): `process.hrtime` is CLOCK_MONOTONIC too. */
export function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/**
 * The main thread's `.cpuprofile` in `dir`, parsed; undefined when there is none. Node writes one per thread
 * (tsx's loader hooks run in a worker thread of their own): the main thread's is the biggest.
 */
export function readMainProfile(dir: string): TimedProfile | undefined {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => ({ f, size: statSync(join(dir, f)).size }));
  const main = files.sort((a, b) => b.size - a.size)[0];
  return main ? (JSON.parse(readFileSync(join(dir, main.f), 'utf8')) as TimedProfile) : undefined;
}

/**
 * The samples of `profile` taken between `fromUs` and `toUs` (monotonicUs() of any process on this machine);
 * the others are kept as idle so the result's shares are of the window alone.
 */
export function windowProfile(profile: TimedProfile, fromUs: number, toUs: number): TimedProfile {
  const idle = profile.nodes.find((n) => n.callFrame.functionName === '(idle)')?.id ?? -1;
  const samples: number[] = [];
  let t = profile.startTime;
  let inside = 0;
  profile.samples.forEach((id, i) => {
    t += profile.timeDeltas[i] ?? 0;
    const keep = t >= fromUs && t <= toUs;
    if (keep) inside++;
    samples.push(keep ? id : idle);
  });
  return inside === 0 ? profile : { ...profile, samples };
}

/** Self time by function, largest first (idle excluded; GC and `(program)` kept as their own lines). */
export function topFunctions(profile: TimedProfile, n = 15): FunctionShare[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    if (!node || node.callFrame.functionName === '(idle)') return;
    const us = profile.timeDeltas[i] ?? 0;
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(pkg|api|cmd|hack)\//, '$1/');
    // tsx's transformed sources often report line 0: then the file alone.
    const where = lineNumber ? `${file}:${lineNumber + 1}` : file;
    const key = url ? `${functionName || '(anonymous)'} (${where})` : functionName || '(native)';
    self.set(key, (self.get(key) ?? 0) + us);
    busy += us;
  });
  return [...self]
    .map(([fn, us]) => ({ fn, ms: us / 1000, share: us / busy }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, n);
}
