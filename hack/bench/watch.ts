// Watch fan-out: W watchers on one kind while jobs are created at R/s; delivery latency = receive − send,
// where "send" is stamped into each job (an annotation) just before its POST. The API server runs here; the
// watchers and the load generator share a child process (the 2 cores: server on one, client on the other,
// etcd wherever the kernel puts it). The raw limit is one etcd3 watch on the same keys in the same child.
import { fileURLToPath } from 'node:url';
import { parseBenchArgs, watchdog } from './lib/args.ts';
import { forkChild } from './lib/child.ts';
import { childPids, CpuMeter } from './lib/cpu.ts';
import { benchEtcd } from './lib/etcd.ts';
import { report, type BenchResult } from './lib/result.ts';
import { startBenchServer } from './lib/server.ts';
import type { WatchClientArgs, WatchClientResult } from './watch-client.ts';

const TARGET_P99_MS = 100;
const STORE_PREFIX = '/bench-watch';

/** ERROR events the server sent on watches (watches ended by 410/429/500), from its /metrics. */
async function watchErrors(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let n = 0;
  for (const m of text.matchAll(/^apiserver_watch_events_total\{([^}]*)\} (\d+)/gm)) if (m[1]!.includes('type="ERROR"')) n += Number(m[2]);
  return n;
}

/** Run the benchmark and return its result. */
export async function benchWatch(opts: { full: boolean; etcd?: string; set?: Record<string, number>; writer: 'api' | 'etcd' }): Promise<BenchResult> {
  const etcd = await benchEtcd(opts.etcd);
  const server = await startBenchServer(etcd.endpoint, STORE_PREFIX);
  try {
    const cfg: WatchClientArgs = {
      url: server.url,
      etcd: etcd.endpoint,
      etcdJobsPrefix: `${STORE_PREFIX}/registry/drover.dev/jobs/`,
      watchers: opts.set?.watchers ?? (opts.full ? 1000 : 250),
      rate: opts.set?.rate ?? (opts.full ? 1000 : 250),
      durationMs: (opts.set?.seconds ?? (opts.full ? 15 : 4)) * 1000,
      warmupMs: opts.full ? 3_000 : 1_000,
      drainMs: 15_000,
      writer: opts.writer,
    };
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
    const delivered = r.delivered / r.expected;
    const met = r.ours.p99 < TARGET_P99_MS && r.delivered === r.expected && errorEvents === 0 && r.achievedRate >= cfg.rate * 0.95;
    const how = opts.writer === 'api' ? 'POSTed through the API (undici, 64 connections)' : 'put straight into etcd in their stored form (the API server only fans out)';
    return {
      name: opts.writer === 'api' ? 'watch' : 'watch-direct',
      title: `${r.watchers.toLocaleString('en-US')} watchers, ${cfg.rate.toLocaleString('en-US')} events/s, writes ${opts.writer === 'api' ? 'through the API' : 'straight to etcd'}: delivery latency`,
      setup: `${r.watchers} HTTP NDJSON watches on jobs (raw sockets, bytes scanned for the stamp, no JSON.parse); ${cfg.rate} Jobs/s for ${cfg.durationMs / 1000} s after ${cfg.warmupMs / 1000} s of warm-up, ${how}; server in the bench process, watchers + load generator in one child process`,
      figures: [
        { label: 'creates sent per second (achieved)', value: r.achievedRate, unit: '/s' },
        { label: 'events delivered / expected', value: delivered, unit: `(${r.delivered.toLocaleString('en-US')} of ${r.expected.toLocaleString('en-US')})` },
        { label: 'delivery latency p50 (send → watcher)', value: r.ours.p50, unit: 'ms' },
        { label: 'delivery latency p90', value: r.ours.p90, unit: 'ms' },
        { label: 'delivery latency p99', value: r.ours.p99, unit: 'ms' },
        { label: 'delivery latency max', value: r.ours.max, unit: 'ms' },
        { label: 'raw etcd3 watch latency p50 (same writes)', value: r.raw.p50, unit: 'ms' },
        { label: 'raw etcd3 watch latency p99', value: r.raw.p99, unit: 'ms' },
        { label: `${opts.writer === 'api' ? 'create' : 'etcd put'} latency p50 under this load`, value: r.createP50, unit: `ms (p99 ${r.createP99.toFixed(1)} ms)` },
        { label: 'API server CPU during the load (1 = a core)', value: cores.server ?? NaN, unit: 'cores' },
        { label: 'API server CPU per event delivered to one watcher', value: ((cores.server! * cores.wallMs!) / r.delivered) * 1000, unit: 'µs' },
        { label: 'client process CPU (watchers + load)', value: cores.client ?? NaN, unit: 'cores' },
        { label: 'etcd CPU', value: cores.etcd ?? NaN, unit: 'cores' },
        { label: 'CPU used by other processes on the machine meanwhile', value: cores.others ?? NaN, unit: 'cores' },
      ],
      ratio: { value: r.ours.p99 / r.raw.p99, meaning: 'p99 ours ÷ p99 of a raw etcd watch (lower is better)' },
      target: { text: `p99 < ${TARGET_P99_MS} ms with every event delivered at the full rate`, met },
      notes: [
        `connect ${r.watchers} watches: ${Math.round(r.connectMs)} ms; catch-up after the load: ${Math.round(r.drainMs)} ms; fewest events a watcher got: ${r.minPerWatcher}`,
        `watch connections closed by the server: ${r.closedStreams}; ERROR events sent (server metric): ${errorEvents}; failed writes: ${r.sendFailures}; pacer stalls (512 in flight): ${r.pacerStalls}`,
      ],
    };
  } finally {
    await server.close();
    await etcd.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  watchdog(600_000, 'watch');
  const args = parseBenchArgs();
  await report(await benchWatch(args));
}
