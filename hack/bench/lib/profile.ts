// CPU profiles of the process under test for one measured phase (node:inspector), summarised by where the
// time went: our packages, each npm dependency, node's own modules, GC, idle.
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

/** A V8 CPU profile (the .cpuprofile format). */
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Time spent in one category. */
export interface ProfileShare {
  category: string;
  ms: number;
  /** Share of the busy time (everything but idle). */
  share: number;
}

/** Start profiling this process; the returned function stops and returns the profile. */
export async function startProfile(): Promise<() => Promise<CpuProfile>> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  return async () => {
    const { profile } = (await session.post('Profiler.stop')) as { profile: CpuProfile };
    session.disconnect();
    return profile;
  };
}

/** Write `profile` to a temporary file (open it in Chrome DevTools) and return the path. */
export function saveProfile(profile: CpuProfile, name: string): string {
  const path = join(tmpdir(), `drover-bench-${name}-${Date.now()}.cpuprofile`);
  writeFileSync(path, JSON.stringify(profile));
  return path;
}

/** Busy time by category, largest first: an npm package, `pkg/<dir>`, `api/schemas`, `node:<module>`, `gc`. */
export function summarizeProfile(profile: CpuProfile): ProfileShare[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const totals = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const c = categoryOf(id, byId, parent);
    totals.set(c, (totals.get(c) ?? 0) + us);
  }
  totals.delete('idle');
  const busy = [...totals.values()].reduce((a, b) => a + b, 0);
  return [...totals].map(([category, us]) => ({ category, ms: us / 1000, share: us / busy })).sort((a, b) => b.ms - a.ms);
}

/** One line: the top `n` categories with their share of busy time. */
export function formatShares(shares: ProfileShare[], n = 10): string {
  return shares
    .slice(0, n)
    .map((s) => `${s.category} ${(s.share * 100).toFixed(0)}%`)
    .join(', ');
}

// A sample belongs to the nearest frame (itself or a caller) whose script says where it comes from; native
// frames such as writev count for the JS that called them.
function categoryOf(id: number, byId: Map<number, ProfileNode>, parent: Map<number, number>): string {
  const fn = byId.get(id)!.callFrame.functionName;
  if (fn === '(idle)') return 'idle';
  if (fn === '(garbage collector)') return 'gc';
  if (fn === '(program)') return 'program';
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const url = byId.get(cur)!.callFrame.url;
    if (!url) continue;
    const npm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    if (npm) return npm[1]!;
    const ours = /\/(pkg\/[^/]+|api\/schemas|hack\/bench|cmd\/drover)\//.exec(url);
    if (ours) return ours[1]!;
    const node = /^node:(?:internal\/)?([^/]+)/.exec(url);
    if (node) return `node:${node[1]}`;
  }
  return 'native';
}
