// API creates/s against raw etcd puts/s at the same concurrency. The server runs here; the load (undici pool
// for the API, an etcd3 client for the raw puts) runs in a child process, so each side has a core.
import { fileURLToPath } from 'node:url';
import { parseBenchArgs, watchdog } from './lib/args.ts';
import { forkChild } from './lib/child.ts';
import { childPids, CpuMeter } from './lib/cpu.ts';
import { benchEtcd } from './lib/etcd.ts';
import { formatShares, saveProfile, startProfile, summarizeProfile, type CpuProfile } from './lib/profile.ts';
import { report, type BenchResult } from './lib/result.ts';
import { startBenchServer } from './lib/server.ts';
import { median } from './lib/stats.ts';
import type { CreatesClientArgs, CreatesClientResult } from './creates-client.ts';

const TARGET_RATIO = 0.6;

/** Cores used per process during one kind of phase, averaged over rounds. */
type PhaseCpu = Record<'raw' | 'api', Array<Record<string, number>>>;

/** Run the benchmark and return its result. */
export async function benchCreates(opts: { full: boolean; etcd?: string; set?: Record<string, number> }): Promise<BenchResult> {
  const etcd = await benchEtcd(opts.etcd);
  const server = await startBenchServer(etcd.endpoint, '/bench-api');
  try {
    const cfg: CreatesClientArgs = { etcd: etcd.endpoint, url: server.url, concurrency: 64, count: opts.full ? 20_000 : 3_000, rounds: opts.full ? 3 : 1, warmup: opts.full ? 2_000 : 500 };
    const cpu: PhaseCpu = { raw: [], api: [] };
    let meter: CpuMeter | undefined;
    // With --set profile=1 the server is profiled through the first API phase.
    let profiling: Promise<() => Promise<CpuProfile>> | undefined;
    let profile: Promise<CpuProfile> | undefined;
    const onMessage = (m: unknown) => {
      const { phase, edge } = m as { phase: 'raw' | 'api'; edge: 'start' | 'end' };
      if (edge === 'start') meter?.mark();
      else if (meter) cpu[phase].push(meter.read());
      if (opts.set?.profile && phase === 'api' && edge === 'start' && !profiling) profiling = startProfile();
      if (phase === 'api' && edge === 'end' && profiling && !profile) profile = profiling.then((stop) => stop());
    };
    const script = fileURLToPath(new URL('./creates-client.ts', import.meta.url));
    const child = forkChild<CreatesClientResult>(script, [JSON.stringify(cfg)], { timeoutMs: 600_000, onMessage });
    meter = new CpuMeter({ server: process.pid, client: child.proc.pid!, etcd: childPids('etcd')[0] ?? -1 });
    const r = await child.result.finally(() => child.stop());
    const prof = profile ? await profile : undefined;
    const raw = median(r.raw.map((x) => x.opsPerSec));
    const api = median(r.api.map((x) => x.opsPerSec));
    const ratio = api / raw;
    const errors = [...r.raw, ...r.api].reduce((n, x) => n + x.errors, 0);
    const firstError = [...r.raw, ...r.api].find((x) => x.firstError)?.firstError;
    const cores = (phase: 'raw' | 'api', proc: string) => median(cpu[phase].map((c) => c[proc]!));
    const coresText = (phase: 'raw' | 'api') => ['server', 'client', 'etcd', 'others'].map((p) => `${p} ${cores(phase, p).toFixed(2)}`).join(', ');
    return {
      name: 'creates',
      title: 'API creates/s vs raw etcd puts/s',
      headline: 1,
      setup: `${cfg.concurrency} in flight, ${cfg.count.toLocaleString('en-US')} ops per phase, ${cfg.rounds} round(s) of raw-then-API (median shown), payload ${r.payloadBytes} B (the stored Job); server in the bench process, load in a child process`,
      figures: [
        { label: 'raw etcd3 puts/s', value: raw, unit: 'ops/s' },
        { label: 'API POST creates/s (undici pool, keep-alive)', value: api, unit: 'ops/s' },
        { label: 'raw put latency p50 (ms)', value: median(r.raw.map((x) => x.p50)), unit: `ms (p99 ${median(r.raw.map((x) => x.p99)).toFixed(1)} ms)` },
        { label: 'API create latency p50 (ms)', value: median(r.api.map((x) => x.p50)), unit: `ms (p99 ${median(r.api.map((x) => x.p99)).toFixed(1)} ms)` },
        { label: 'API server CPU during API phase (1 = a core)', value: cores('api', 'server'), unit: 'cores' },
        { label: 'errors', value: errors, unit: '' },
      ],
      ratio: { value: ratio, meaning: 'API creates/s ÷ raw puts/s (higher is better)' },
      target: { text: `ratio >= ${TARGET_RATIO}`, met: ratio >= TARGET_RATIO && errors === 0 },
      notes: [
        `cores used, raw phase: ${coresText('raw')}; API phase: ${coresText('api')}`,
        ...r.raw.map((x, i) => `round ${i + 1}: raw ${Math.round(x.opsPerSec)}/s, API ${Math.round(r.api[i]!.opsPerSec)}/s`),
        ...(firstError ? [`first error: ${firstError}`] : []),
        ...(prof ? [`server CPU by package (API phase, busy time): ${formatShares(summarizeProfile(prof), 14)}; profile: ${saveProfile(prof, 'creates')}`] : []),
      ],
    };
  } finally {
    await server.close();
    await etcd.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  watchdog(900_000, 'creates');
  const args = parseBenchArgs();
  await report(await benchCreates(args));
}
