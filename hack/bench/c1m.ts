// The Nomad C1M shape on one machine, etcd-backed, through the API: J jobs × A allocations on N hollow nodes.
// Processes: etcd; one `drover server` (API server + evaluator + scheduler workers + health and drain
// controllers: the binary has no scheduler-only mode); one `drover agent --simulate N` (the hollow nodes, which
// report each allocation running); one load generator (c1m-client.ts) that POSTs the jobs and watches every
// allocation. Measured from the first POST: all placed, placements/s, first / 95 % / 99 % running; peak RSS of
// each process (sampled); CPU of each. Raw limit in the same run, after it, on the same etcd: transactions of 100
// puts of an allocation-sized value through etcd3 at the plan commit's concurrency.
//
//   node --import tsx hack/bench/c1m.ts --size quick|medium|full|case [--set profile=1] [--set jobs=J ...]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Evaluation } from '../../api/schemas/index.ts';
import { createClient } from '../../pkg/client/client.ts';
import { parseBenchArgs, watchdog } from './lib/args.ts';
import { forkChild } from './lib/child.ts';
import { childPids, CpuMeter } from './lib/cpu.ts';
import { countBy, evalSummary, logMessages, startHollowFleet, waitNodesSettled } from './lib/cluster.ts';
import { residentKb, startServer, type DroverProcess } from './lib/drover-process.ts';
import { benchEtcd, type BenchEtcd } from './lib/etcd.ts';
import { formatShares, saveProfile, summarizeProfile } from './lib/profile.ts';
import { monotonicUs, readMainProfile, topFunctions, windowProfile } from './lib/profile-window.ts';
import { report, type BenchResult } from './lib/result.ts';
import type { C1mClientArgs, C1mLoadResult, C1mProgress, RawPutsAnswer, RawPutsResult } from './c1m-client.ts';

/** The configurations: Nomad's C1M, one that finishes in a few minutes, a quick one, and the seed's case study. */
export const SIZES = {
  quick: { jobs: 20, count: 100, nodes: 200, limitS: 240 },
  medium: { jobs: 100, count: 1000, nodes: 1000, limitS: 900 },
  full: { jobs: 1000, count: 1000, nodes: 5000, limitS: 1800 },
  case: { jobs: 1, count: 1000, nodes: 100, limitS: 240 },
} as const;
export type C1mSize = keyof typeof SIZES;

/** Nomad's C1M target: a million placed within 60 s; the seed's case study (Nomad, 100 clients, 1,000 containers). */
const TARGET_ALL_PLACED_S = 60;
const CASE_STUDY = { scheduleMs: 1000, firstMs: 1000, p95Ms: 6000, p99Ms: 8000 };
/** The plan commit's transactions in flight: 16 nodes per plan (committer default) × 2 workers (drover server's). */
const COMMIT_CONCURRENCY = 32;
const PUTS_PER_TXN = 100;

/** Split `--size X` off the arguments (the rest are the shared benchmark flags). */
function sizeArg(argv: string[]): { size: C1mSize; rest: string[] } {
  const i = argv.indexOf('--size');
  // run.ts passes --full for "the recorded sizes": for this benchmark that is medium (full needs more memory
  // than the machine has, see docs/benchmarks.md); the real C1M shape is asked for by name.
  if (i < 0) return { size: argv.includes('--full') ? 'medium' : 'quick', rest: argv };
  const size = argv[i + 1] as C1mSize;
  if (!(size in SIZES)) throw new Error(`--size ${size}: expected one of ${Object.keys(SIZES).join(', ')}`);
  return { size, rest: [...argv.slice(0, i), ...argv.slice(i + 2)] };
}

/** Peak VmRSS of named processes, sampled every second. */
class RssSampler {
  readonly peakKb: Record<string, number> = {};
  private readonly timer: NodeJS.Timeout;
  constructor(private readonly pids: () => Record<string, number>) {
    this.timer = setInterval(() => this.sample(), 1000);
    this.sample();
  }
  sample(): void {
    for (const [name, pid] of Object.entries(this.pids())) {
      const kb = residentKb(pid).rssKb;
      if (Number.isFinite(kb)) this.peakKb[name] = Math.max(this.peakKb[name] ?? 0, kb);
    }
  }
  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }
}

/** Run the benchmark and return its result. */
export async function benchC1m(size: C1mSize, opts: { etcd?: string; set?: Record<string, number> }): Promise<BenchResult> {
  const base = SIZES[size];
  const jobs = opts.set?.jobs ?? base.jobs;
  const count = opts.set?.count ?? base.count;
  const nodes = opts.set?.nodes ?? base.nodes;
  const limitMs = (opts.set?.seconds ?? base.limitS) * 1000;
  const profile = opts.set?.profile === 1;
  const expected = jobs * count;
  const dir = mkdtempSync(join(tmpdir(), 'drover-bench-c1m-'));
  const notes: string[] = [];
  const log = (s: string) => process.stderr.write(`c1m[${size}]: ${s}\n`);
  let etcd: BenchEtcd | undefined;
  let server: (DroverProcess & { url: string }) | undefined;
  let fleet: DroverProcess | undefined;
  let sampler: RssSampler | undefined;
  try {
    etcd = await benchEtcd(opts.etcd);
    const etcdPid = opts.etcd ? undefined : childPids('etcd')[0];
    // A heap big enough for a million allocations in the watch cache and the scheduler's view of them.
    const nodeArgs = [`--max-old-space-size=${expected >= 500_000 ? 16384 : 8192}`, ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [])];
    server = await startServer(etcd.endpoint, { nodeArgs });
    const r0 = performance.now();
    // The fleet's informer holds every allocation too (about 10 KiB each with status): past node's default heap.
    const fleetArgs = expected >= 200_000 ? [`--max-old-space-size=${expected >= 500_000 ? 16384 : 8192}`] : [];
    fleet = await startHollowFleet(server.url, nodes, fleetArgs);
    const registerMs = performance.now() - r0;
    const client = createClient({ server: server.url, userAgent: 'drover-bench/c1m' });
    // A cluster at rest before the jobs come: every node ready, and seen by the evaluator.
    await waitNodesSettled(client, nodes);
    const settleMs = performance.now() - r0 - registerMs;
    notes.push(`${nodes.toLocaleString('en-US')} hollow nodes registered in ${(registerMs / 1000).toFixed(1)} s, all ready and seen by the evaluator ${(settleMs / 1000).toFixed(1)} s later (both before the measurement); they report running after a random 0.1–1 s`);
    log(`${nodes} hollow nodes registered in ${(registerMs / 1000).toFixed(1)} s, settled in ${(settleMs / 1000).toFixed(1)} s; submitting ${jobs} jobs × ${count}`);

    const cfg: C1mClientArgs = { url: server.url, etcd: etcd.endpoint, jobs, count, submitConcurrency: 8, limitMs, prefix: 'c1m', cpu: 20, memoryMB: 10 };
    let rawAnswer: (v: RawPutsResult) => void = () => {};
    const rawDone = new Promise<RawPutsResult>((r) => (rawAnswer = r));
    const onMessage = (m: unknown) => {
      const p = (m as C1mProgress).progress;
      if (p) log(`${(p.elapsedMs / 1000).toFixed(0)} s: ${p.submitted}/${jobs} jobs submitted, ${p.placed} placed, ${p.running} running, ${p.ended} failed/stopped of ${expected}`);
      const raw = (m as RawPutsAnswer).rawResult;
      if (raw) rawAnswer(raw);
    };
    const loadgen = forkChild<C1mLoadResult>(fileURLToPath(new URL('./c1m-client.ts', import.meta.url)), [JSON.stringify(cfg)], { timeoutMs: limitMs + 120_000, onMessage });
    const pids = { server: server.pid, fleet: fleet.pid, loadgen: loadgen.proc.pid!, ...(etcdPid ? { etcd: etcdPid } : {}) };
    sampler = new RssSampler(() => pids);
    const meter = new CpuMeter(pids);
    meter.mark();
    const fromUs = monotonicUs();
    let load: C1mLoadResult;
    let cpu: Record<string, number>;
    let toUs: number;
    let raw: RawPutsResult;
    try {
      load = await loadgen.result;
      toUs = monotonicUs();
      cpu = meter.read();
      sampler.stop();
      const evals = await client.resource<Evaluation>('evaluations').listAll({ namespace: 'default' });
      notes.push(evalSummary(evals.items));
      const nodeList = await client.resource('nodes').listAll({});
      notes.push(`nodes at the end: ${countBy(nodeList.items, (n) => (n.status as { phase?: string } | undefined)?.phase ?? '(none)')}`);
      const valueBytes = Math.round(Number.isFinite(load.allocBytes) ? load.allocBytes : 800);
      loadgen.send({ raw: { valueBytes, putsPerTxn: PUTS_PER_TXN, concurrency: COMMIT_CONCURRENCY, durationMs: expected >= 100_000 ? 15_000 : 8000 } });
      const rawLimitMs = 120_000;
      raw = await Promise.race([rawDone, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`raw etcd puts: no answer within ${rawLimitMs} ms`)), rawLimitMs).unref())]);
    } finally {
      await loadgen.stop();
      await client.close();
    }
    const hwm = { server: residentKb(server.pid).hwmKb, fleet: residentKb(fleet.pid).hwmKb };
    const warnings = logMessages(server.log());
    if (warnings) notes.push(`the server's last log lines (warn and above), by message: ${warnings}`);
    await fleet.stop();
    await server.stop(60_000); // SIGTERM: a profiled server writes its profile as it exits
    if (profile) notes.push(profileNotes(dir, fromUs, toUs));
    return result({ size, jobs, count, nodes, expected, load, raw, cpu, peakKb: sampler.peakKb, hwm, registerMs, notes, profile });
  } finally {
    sampler?.stop();
    await fleet?.stop();
    await server?.stop();
    await etcd?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Where the server's CPU went during the measured phase: by package and the top functions by self time. */
function profileNotes(dir: string, fromUs: number, toUs: number): string {
  const prof = readMainProfile(dir);
  if (!prof) return 'server CPU profile: none written';
  const w = windowProfile(prof, fromUs, toUs);
  const fns = topFunctions(w, 15).map((f) => `${(f.share * 100).toFixed(1)}% ${f.fn}`);
  const path = saveProfile(prof, 'c1m-server');
  return `server CPU profile (--cpu-prof, measured phase only; whole run saved as ${path}), by package: ${formatShares(summarizeProfile(w), 12)}; top functions by self time: ${fns.join('; ')}`;
}

interface Measured {
  size: C1mSize;
  jobs: number;
  count: number;
  nodes: number;
  expected: number;
  load: C1mLoadResult;
  raw: RawPutsResult;
  cpu: Record<string, number>;
  peakKb: Record<string, number>;
  hwm: { server: number; fleet: number };
  registerMs: number;
  notes: string[];
  profile: boolean;
}

/** The figures, ratio and target of one run. */
function result(m: Measured): BenchResult {
  const { load, raw, expected } = m;
  // The k-th of N, not of those that made it: an allocation never placed or running counts as never.
  const at = (sorted: number[], p: number) => sorted[Math.ceil((p / 100) * expected) - 1] ?? NaN;
  const allPlacedMs = load.placed >= expected ? at(load.placedTimes, 100) : NaN;
  const placementsPerSec = (expected / allPlacedMs) * 1000;
  // The middle 90 %: the rate once the pipeline is full, without the first job's and the last one's tails.
  const steady = ((0.9 * expected) / (at(load.placedTimes, 95) - at(load.placedTimes, 5))) * 1000;
  const mib = (kb: number | undefined) => (kb ?? NaN) / 1024;
  const isCase = m.size === 'case';
  const title = isCase
    ? `Case study: ${expected.toLocaleString('en-US')} allocations (one job) on ${m.nodes} hollow nodes, etcd`
    : `C1M shape (${m.size}): ${m.jobs.toLocaleString('en-US')} jobs × ${m.count.toLocaleString('en-US')} allocations on ${m.nodes.toLocaleString('en-US')} hollow nodes, etcd`;
  const p = (v: number) => at(load.runningTimes, v);
  const met = isCase
    ? allPlacedMs < CASE_STUDY.scheduleMs && (load.runningTimes[0] ?? NaN) < CASE_STUDY.firstMs && p(95) < CASE_STUDY.p95Ms && p(99) < CASE_STUDY.p99Ms
    : allPlacedMs < TARGET_ALL_PLACED_S * 1000;
  const fmtCores = Object.entries(m.cpu).filter(([k]) => k !== 'wallMs').map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ');
  m.notes.unshift(
    `jobs POSTed 8 at a time: the last answered at ${(load.submitMs / 1000).toFixed(1)} s, ${load.submitErrors} errors${load.firstSubmitError ? ` (first: ${load.firstSubmitError})` : ''}`,
    `placed ${load.placed.toLocaleString('en-US')} / running ${load.running.toLocaleString('en-US')} of ${expected.toLocaleString('en-US')}; failed or lost ${load.failedOrLost}, stopped ${load.stopped}${load.timedOut ? `; MISSED: the load generator gave up at its limit` : ''}`,
    `first placed at ${fmtS((load.placedTimes[0] ?? NaN))}, 50 % placed at ${fmtS(at(load.placedTimes, 50))}, 95 % at ${fmtS(at(load.placedTimes, 95))}; steady rate (5 %→95 % placed): ${Math.round(steady).toLocaleString('en-US')} placements/s`,
    `cores used over the measured phase (${(m.cpu.wallMs! / 1000).toFixed(0)} s): ${fmtCores}`,
    `peak RSS sampled every second: ${Object.entries(m.peakKb).map(([k, v]) => `${k} ${mib(v).toFixed(0)} MiB`).join(', ')} (VmHWM: server ${mib(m.hwm.server).toFixed(0)}, fleet ${mib(m.hwm.fleet).toFixed(0)} MiB)`,
    `raw: ${raw.txns.toLocaleString('en-US')} txns of ${PUTS_PER_TXN} puts of ${Math.round(load.allocBytes)} B (an allocation as the plan commit writes it), ${COMMIT_CONCURRENCY} in flight, ${(raw.elapsedMs / 1000).toFixed(0)} s after the run on the same etcd: p50 ${raw.p50TxnMs.toFixed(1)} ms, p99 ${raw.p99TxnMs.toFixed(1)} ms per txn`,
    `watch stream read by the load generator: ${(load.watchBytes / 2 ** 20).toFixed(0)} MiB, re-opened ${load.reopened} times`,
  );
  return {
    name: isCase ? 'c1m-case' : `c1m-${m.size}`,
    title,
    setup: `etcd 1 member (--quota-backend-bytes 8 GiB) ← drover server (API + evaluator + 2 scheduler workers + health/drain controllers, one process) ← drover agent --simulate ${m.nodes} (one process) and a load generator (one process: ${m.jobs} service jobs of count ${m.count}, docker task cpu 20 MHz / 10 MB / disk 10 MB, POSTed 8 at a time; one NDJSON watch on every allocation); times from the first POST${m.profile ? '; server run with --cpu-prof' : ''}`,
    figures: [
      { label: isCase ? 'time to schedule (all placed)' : 'time from submit to all placed', value: allPlacedMs / 1000, unit: 's' },
      { label: 'placements/s (all ÷ time to all placed)', value: placementsPerSec, unit: '/s' },
      { label: 'time to first running', value: (load.runningTimes[0] ?? NaN) / 1000, unit: 's' },
      { label: 'time to 95 % running', value: p(95) / 1000, unit: 's' },
      { label: 'time to 99 % running', value: p(99) / 1000, unit: 's' },
      { label: 'time to 100 % running', value: p(100) / 1000, unit: 's' },
      { label: 'peak RSS: drover server', value: mib(m.peakKb.server), unit: 'MiB' },
      { label: 'peak RSS: etcd', value: mib(m.peakKb.etcd), unit: 'MiB' },
      { label: 'peak RSS: hollow-node process', value: mib(m.peakKb.fleet), unit: 'MiB' },
      { label: 'peak RSS: load generator', value: mib(m.peakKb.loadgen), unit: 'MiB' },
      { label: `raw: etcd puts/s (txns of ${PUTS_PER_TXN}, ${COMMIT_CONCURRENCY} in flight)`, value: raw.putsPerSec, unit: '/s' },
    ],
    ratio: { value: placementsPerSec / raw.putsPerSec, meaning: 'placements/s ÷ raw etcd batched puts/s (higher is better)' },
    target: isCase
      ? { text: `the seed's case study: < ${CASE_STUDY.scheduleMs / 1000} s to schedule, ${CASE_STUDY.firstMs / 1000} s to first running, ${CASE_STUDY.p95Ms / 1000} s to 95 %, ${CASE_STUDY.p99Ms / 1000} s to 99 %`, met }
      : { text: `all placed within ${TARGET_ALL_PLACED_S} s (Nomad C1M's goal for 1,000 × 1,000)`, met },
    notes: m.notes,
  };
}

const fmtS = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

if (import.meta.url === `file://${process.argv[1]}`) {
  const { size, rest } = sizeArg(process.argv.slice(2));
  watchdog((SIZES[size].limitS + 900) * 1000, `c1m ${size}`);
  const args = parseBenchArgs(rest);
  await report(await benchC1m(size, args));
}
