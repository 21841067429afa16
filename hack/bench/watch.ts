// Watch fan-out: W watchers on one kind while jobs are written at R/s; delivery latency = receive − send,
// where "send" is stamped into each job (an annotation) just before its write. The API server runs here; the
// watchers and the load generator share a child process (the 2 cores: server on one, client on the other,
// etcd wherever the kernel puts it). The raw limit is one etcd3 watch on the same keys in the same child.
// Writers: `api` POSTs the jobs (the whole server at work), `etcd` puts their stored form straight into etcd
// (the fan-out alone). `--set sweep=1` runs the fan-out at several rates to find what this machine sustains.
import { fileURLToPath } from 'node:url';
import { parseBenchArgs, watchdog } from './lib/args.ts';
import { forkChild } from './lib/child.ts';
import { childPids, CpuMeter } from './lib/cpu.ts';
import { benchEtcd } from './lib/etcd.ts';
import { report, type BenchResult } from './lib/result.ts';
import { startBenchServer } from './lib/server.ts';
import { fmt } from './lib/stats.ts';
import type { WatchClientArgs, WatchClientResult } from './watch-client.ts';

const TARGET_P99_MS = 100;

/** Options of the watch benchmarks. */
export interface WatchBenchOptions {
  full: boolean;
  etcd?: string;
  set?: Record<string, number>;
  writer: 'api' | 'etcd';
}

/** One scenario's outcome. */
interface Scenario {
  cfg: WatchClientArgs;
  r: WatchClientResult;
  cores: Record<string, number>;
  errorEvents: number;
  met: boolean;
}

/** ERROR events the server sent on watches (watches ended by 410/429/500), from its /metrics. */
async function watchErrors(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let n = 0;
  for (const m of text.matchAll(/^apiserver_watch_events_total\{([^}]*)\} (\d+)/gm)) if (m[1]!.includes('type="ERROR"')) n += Number(m[2]);
  return n;
}

/** Start a server on its own store prefix, run the client child against it, and stop the server. */
async function runScenario(etcdEndpoint: string, prefix: string, shape: Pick<WatchClientArgs, 'watchers' | 'rate' | 'durationMs' | 'warmupMs' | 'writer'>): Promise<Scenario> {
  const server = await startBenchServer(etcdEndpoint, prefix);
  try {
    const cfg: WatchClientArgs = { ...shape, url: server.url, etcd: etcdEndpoint, etcdJobsPrefix: `${prefix}/registry/drover.dev/jobs/`, drainMs: 15_000 };
    let cores: Record<string, number> = {};
    let meter: CpuMeter | undefined;
    const onMessage = (m: unknown) => {
      const { edge } = m as { edge: 'start' | 'end' };
      if (edge === 'start') meter?.mark();
      else if (meter) cores = meter.read();
    };
    const script = fileURLToPath(new URL('./watch-client.ts', import.meta.url));
    const child = forkChild<WatchClientResult>(script, [JSON.stringify(cfg)], { timeoutMs: 300_000, onMessage });
    meter = new CpuMeter({ server: process.pid, client: child.proc.pid!, etcd: childPids('etcd')[0] ?? -1 });
    const r = await child.result.finally(() => child.stop());
    const errorEvents = await watchErrors(server.url);
    const met = r.ours.p99 < TARGET_P99_MS && r.delivered === r.expected && errorEvents === 0 && r.achievedRate >= cfg.rate * 0.95;
    return { cfg, r, cores, errorEvents, met };
  } finally {
    await server.close();
  }
}

const perDeliveryUs = (s: Scenario) => ((s.cores.server! * s.cores.wallMs!) / s.r.delivered) * 1000;

/** One scenario at the target shape (1,000 × 1,000/s with --full). */
export async function benchWatch(opts: WatchBenchOptions): Promise<BenchResult> {
  const etcd = await benchEtcd(opts.etcd);
  try {
    const s = await runScenario(etcd.endpoint, `/bench-watch-${opts.writer}`, {
      watchers: opts.set?.watchers ?? (opts.full ? 1000 : 250),
      rate: opts.set?.rate ?? (opts.full ? 1000 : 250),
      durationMs: (opts.set?.seconds ?? (opts.full ? 15 : 4)) * 1000,
      warmupMs: opts.full ? 3_000 : 1_000,
      writer: opts.writer,
    });
    const { cfg, r, cores } = s;
    const how = opts.writer === 'api' ? 'POSTed through the API (undici, 64 connections)' : 'put straight into etcd in their stored form (the API server only fans out)';
    return {
      name: opts.writer === 'api' ? 'watch' : 'watch-direct',
      title: `${r.watchers.toLocaleString('en-US')} watchers, ${cfg.rate.toLocaleString('en-US')} events/s, writes ${opts.writer === 'api' ? 'through the API' : 'straight to etcd'}: delivery latency`,
      headline: 4,
      setup: `${r.watchers} HTTP NDJSON watches on jobs (raw sockets, bytes scanned for the stamp, no JSON.parse); ${cfg.rate} Jobs/s for ${cfg.durationMs / 1000} s after ${cfg.warmupMs / 1000} s of warm-up, ${how}; server in the bench process, watchers + load generator in one child process`,
      figures: [
        { label: 'writes per second (achieved)', value: r.achievedRate, unit: '/s' },
        { label: 'events delivered / expected', value: r.delivered / r.expected, unit: `(${r.delivered.toLocaleString('en-US')} of ${r.expected.toLocaleString('en-US')})` },
        { label: 'delivery latency p50 (send → watcher)', value: r.ours.p50, unit: 'ms' },
        { label: 'delivery latency p90', value: r.ours.p90, unit: 'ms' },
        { label: 'delivery latency p99', value: r.ours.p99, unit: 'ms' },
        { label: 'delivery latency max', value: r.ours.max, unit: 'ms' },
        { label: 'raw etcd3 watch latency p50 (same writes)', value: r.raw.p50, unit: 'ms' },
        { label: 'raw etcd3 watch latency p99', value: r.raw.p99, unit: 'ms' },
        { label: `${opts.writer === 'api' ? 'create' : 'etcd put'} latency p50 under this load`, value: r.createP50, unit: `ms (p99 ${r.createP99.toFixed(1)} ms)` },
        { label: 'API server CPU during the load (1 = a core)', value: cores.server ?? NaN, unit: 'cores' },
        { label: 'API server CPU per event delivered to one watcher', value: perDeliveryUs(s), unit: 'µs' },
        { label: 'client process CPU (watchers + load)', value: cores.client ?? NaN, unit: 'cores' },
        { label: 'etcd CPU', value: cores.etcd ?? NaN, unit: 'cores' },
        { label: 'CPU used by other processes on the machine meanwhile', value: cores.others ?? NaN, unit: 'cores' },
      ],
      ratio: { value: r.ours.p99 / r.raw.p99, meaning: 'p99 ours ÷ p99 of a raw etcd watch (lower is better)' },
      target: { text: `p99 < ${TARGET_P99_MS} ms with every event delivered at the full rate`, met: s.met },
      notes: [
        `connect ${r.watchers} watches: ${Math.round(r.connectMs)} ms; catch-up after the load: ${Math.round(r.drainMs)} ms; fewest events a watcher got: ${r.minPerWatcher}`,
        `watch connections closed by the server: ${r.closedStreams}; ERROR events sent (server metric): ${s.errorEvents}; failed writes: ${r.sendFailures}; pacer stalls (512 in flight): ${r.pacerStalls}`,
      ],
    };
  } finally {
    await etcd.stop();
  }
}

/** The fan-out alone (writes straight to etcd) at several rates, each on a fresh server: where does it hold? */
export async function benchWatchSweep(opts: WatchBenchOptions): Promise<BenchResult> {
  const watchers = opts.set?.watchers ?? (opts.full ? 1000 : 250);
  const rates = opts.full ? [100, 250, 500, 1000] : [50, 250];
  const etcd = await benchEtcd(opts.etcd);
  try {
    const runs: Scenario[] = [];
    for (const rate of rates) {
      runs.push(await runScenario(etcd.endpoint, `/bench-sweep-${rate}`, { watchers, rate, durationMs: (opts.full ? 10 : 3) * 1000, warmupMs: opts.full ? 2_000 : 1_000, writer: 'etcd' }));
    }
    const held = runs.filter((s) => s.met).map((s) => s.cfg.rate);
    const best = held.length ? Math.max(...held) : 0;
    const top = runs[runs.length - 1]!;
    return {
      name: 'watch-sweep',
      title: `${watchers.toLocaleString('en-US')} watchers: fan-out latency by event rate (writes straight to etcd)`,
      headline: runs.length * 3 - 2,
      setup: `one fresh API server per rate; ${runs[0]!.cfg.durationMs / 1000} s per rate after warm-up; otherwise as watch-direct`,
      figures: runs.flatMap((s) => [
        { label: `${s.cfg.rate}/s: delivery p50`, value: s.r.ours.p50, unit: 'ms' },
        { label: `${s.cfg.rate}/s: delivery p99`, value: s.r.ours.p99, unit: `ms (raw etcd watch p99 ${fmt(s.r.raw.p99)} ms; ${s.met ? 'held' : 'NOT held'})` },
        { label: `${s.cfg.rate}/s: server CPU`, value: s.cores.server!, unit: `cores (${fmt(perDeliveryUs(s))} µs per delivery; others ${fmt(s.cores.others!)} cores)` },
      ]),
      ratio: { value: top.r.ours.p99 / top.r.raw.p99, meaning: `p99 ours ÷ p99 raw etcd watch at ${top.cfg.rate}/s (lower is better)` },
      target: { text: `p99 < ${TARGET_P99_MS} ms at ${rates[rates.length - 1]}/s (highest rate held: ${best}/s)`, met: top.met },
      notes: runs.map((s) => `${s.cfg.rate}/s: delivered ${s.r.delivered.toLocaleString('en-US')} of ${s.r.expected.toLocaleString('en-US')}, catch-up ${Math.round(s.r.drainMs)} ms, ERROR events ${s.errorEvents}`),
    };
  } finally {
    await etcd.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  watchdog(900_000, 'watch');
  const args = parseBenchArgs();
  await report(await (args.set.sweep ? benchWatchSweep(args) : benchWatch(args)));
}
