// Heartbeat cost of N hollow nodes on the API server. The server is a real `drover dev` (memory store) or, with
// `--set etcd=1`, `drover server` on a fresh etcd: its own process, with the controllers it always runs (the
// health controller watches every node lease). First the raw limit: its maximum Lease update throughput, a tight
// loop of CAS PUTs from a forked client (heartbeats-client.ts). Then `drover agent --simulate N` in another
// process registers N nodes and renews each lease every 10 s; after a warm-up, over a fixed window, the server's
// requests/s (deltas of /metrics apiserver_request_duration_seconds_count) and CPU (/proc/<pid>/stat).
// Ratio: heartbeat requests/s ÷ maximum lease updates/s, the share of the server's capacity heartbeats take.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NODE_LEASE_NAMESPACE } from '../../api/schemas/well-known.ts';
import { parseBenchArgs, watchdog } from './lib/args.ts';
import { forkChild } from './lib/child.ts';
import { childPids, CpuMeter } from './lib/cpu.ts';
import { countDeltas, requestCounts, residentKb, startDev, startDrover, startServer, type DroverProcess } from './lib/drover-process.ts';
import { benchEtcd, type BenchEtcd } from './lib/etcd.ts';
import { report, type BenchResult } from './lib/result.ts';
import type { CasClientArgs, CasClientResult } from './heartbeats-client.ts';

const HEARTBEAT_INTERVAL_S = 10;
/** Heartbeats should leave most of the server to everything else: at most this share of its lease-update capacity. */
const TARGET_SHARE = 0.5;

/** Run the benchmark and return its result. */
export async function benchHeartbeats(opts: { full: boolean; etcd?: string; set?: Record<string, number> }): Promise<BenchResult> {
  const nodes = opts.set?.nodes ?? (opts.full ? 5000 : 1000);
  const onEtcd = opts.set?.etcd === 1;
  const windowMs = (opts.set?.seconds ?? (opts.full ? 60 : 20)) * 1000;
  const warmupMs = (opts.full ? 1.5 : 1) * HEARTBEAT_INTERVAL_S * 1000;
  const casLevels = opts.set?.workers ? [opts.set.workers] : opts.full ? [64, 256, 512] : [64, 256];
  // Twice over in full runs: on a shared machine one pass can land in someone else's burst.
  const casRounds = opts.full ? 2 : 1;
  const casMs = (opts.full ? 10 : 6) * 1000;
  const idleMs = 5000;
  const dir = mkdtempSync(join(tmpdir(), 'drover-bench-heartbeats-'));
  let etcd: BenchEtcd | undefined;
  let server: (DroverProcess & { url: string }) | undefined;
  let fleet: DroverProcess | undefined;
  const notes: string[] = [];
  try {
    if (onEtcd) etcd = await benchEtcd(opts.etcd);
    server = onEtcd ? await startServer(etcd!.endpoint) : await startDev(join(dir, 'dev'));
    const pids = (extra: Record<string, number>) => ({ server: server!.pid, ...extra, ...(onEtcd && !opts.etcd ? { etcd: childPids('etcd')[0] ?? -1 } : {}) });

    // The server's own idle load (controllers, dev's local agent), to tell the heartbeats' share apart.
    await new Promise((r) => setTimeout(r, 2000));
    const idleMeter = new CpuMeter(pids({}));
    idleMeter.mark();
    await new Promise((r) => setTimeout(r, idleMs));
    const idle = idleMeter.read();

    // Raw limit: the tight CAS loop at each level, while the server has nothing else to do.
    const casCfg: CasClientArgs = { url: server.url, levels: Array.from({ length: casRounds }, () => casLevels).flat(), warmupMs: 2000, durationMs: casMs, namespace: NODE_LEASE_NAMESPACE };
    const casCpu: Array<Record<string, number>> = []; // one per level run, in order
    let meter: CpuMeter | undefined;
    const onMessage = (m: unknown) => {
      const { edge } = m as { edge: 'start' | 'end' };
      if (edge === 'start') meter?.mark();
      else if (meter) casCpu.push(meter.read());
    };
    const casChild = forkChild<CasClientResult>(fileURLToPath(new URL('./heartbeats-client.ts', import.meta.url)), [JSON.stringify(casCfg)], { timeoutMs: 300_000, onMessage });
    meter = new CpuMeter(pids({ client: casChild.proc.pid! }));
    const levels = await casChild.result.finally(() => casChild.stop());
    const best = levels.reduce((b, l, i) => (l.opsPerSec > levels[b]!.opsPerSec ? i : b), 0);
    const cas = levels[best]!;

    // The fleet: registration (2 requests per node), then renewals spread evenly over the interval.
    const r0 = performance.now();
    fleet = await startDrover(['agent', '--simulate', String(nodes), '--server', server.url, '--heartbeat-interval', `${HEARTBEAT_INTERVAL_S}s`, '--log-level', 'warn'], {
      ready: /hollow nodes/, timeoutMs: 600_000, name: 'drover agent --simulate',
    });
    const registerMs = performance.now() - r0;
    await new Promise((r) => setTimeout(r, warmupMs));
    const hbMeter = new CpuMeter(pids({ fleet: fleet.pid }));
    const before = await requestCounts(server.url);
    hbMeter.mark();
    await new Promise((r) => setTimeout(r, windowMs));
    const cpu = hbMeter.read();
    const after = await requestCounts(server.url);
    const serverRss = residentKb(server.pid);
    const fleetRss = residentKb(fleet.pid);
    const deltas = countDeltas(before, after);
    const perSec = (n: number) => (n / cpu.wallMs!) * 1000;
    const total = [...deltas.values()].reduce((a, b) => a + b, 0);
    const leasePuts = [...deltas].filter(([k]) => k.startsWith('PUT leases ')).reduce((a, [, v]) => a + v, 0);
    const failures = [...deltas].filter(([k]) => !/ [23]\d\d$/.test(k)).reduce((a, [, v]) => a + v, 0);
    const heartbeatRate = perSec(leasePuts);
    const share = heartbeatRate / cas.opsPerSec;
    const expected = nodes / HEARTBEAT_INTERVAL_S;
    const casServerCores = casCpu[best]?.server ?? NaN;
    const top = [...deltas].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([k, v]) => `${k}: ${perSec(v).toFixed(1)}/s`).join(', ');
    notes.push(
      `requests during the window by verb, resource, code: ${top}`,
      ...levels.map((l, i) => `raw CAS loop, ${l.workers} in flight: ${Math.round(l.opsPerSec).toLocaleString('en-US')} updates/s (${l.ops.toLocaleString('en-US')} in ${(l.elapsedMs / 1000).toFixed(1)} s), p50 ${l.p50Ms.toFixed(1)} ms, p99 ${l.p99Ms.toFixed(1)} ms, ${l.errors} errors${l.firstError ? ` (first: ${l.firstError})` : ''}; cores: ${fmtCores(casCpu[i] ?? {})}`),
      `server idle (before any load, ${idleMs / 1000} s): ${fmtCores(idle)}`,
      `heartbeat window cores: ${fmtCores(cpu)}`,
      `server CPU per 1,000 lease updates/s: ${(((cpu.server! - idle.server!) / heartbeatRate) * 1000).toFixed(2)} cores at the heartbeat rate (above its idle load), ${(((casServerCores - idle.server!) / cas.opsPerSec) * 1000).toFixed(2)} cores at the maximum`,
      `registration of ${nodes.toLocaleString('en-US')} nodes (lease + Node each, 32 in flight): ${(registerMs / 1000).toFixed(1)} s; warm-up ${warmupMs / 1000} s before the window`,
      `RSS with ${nodes.toLocaleString('en-US')} nodes: server ${(serverRss.rssKb / 1024).toFixed(0)} MiB (after the CAS loop's ${levels.reduce((n, l) => n + l.ops, 0).toLocaleString('en-US')} updates too), fleet process ${(fleetRss.rssKb / 1024).toFixed(0)} MiB`,
      ...(onEtcd ? [] : ['drover dev also runs one real local agent (one more lease, every 10 s): negligible beside the fleet']),
    );
    const store = onEtcd ? 'etcd (`drover server`)' : 'memory store (`drover dev`)';
    return {
      name: onEtcd ? 'heartbeats-etcd' : 'heartbeats',
      title: `Heartbeats of ${nodes.toLocaleString('en-US')} hollow nodes on the API server, ${store}`,
      setup: `${onEtcd ? `drover server on a fresh etcd` : 'drover dev'} (own process, with its controllers) ← \`drover agent --simulate ${nodes} --heartbeat-interval ${HEARTBEAT_INTERVAL_S}s\` (another process); requests from /metrics deltas and CPU from /proc over a ${windowMs / 1000} s window after a ${warmupMs / 1000} s warm-up; raw limit: leases updated by CAS PUT in a tight loop from a forked client before the fleet starts, ${casLevels.join(' / ')} in flight for ${casMs / 1000} s each${casRounds > 1 ? `, ${casRounds} rounds` : ''} (the best run counts)`,
      figures: [
        { label: 'lease renewals (PUT leases)', value: heartbeatRate, unit: `req/s (expected ${expected.toFixed(0)})` },
        { label: 'all API requests during the window', value: perSec(total), unit: 'req/s' },
        { label: 'API server CPU during heartbeats', value: cpu.server! * 100, unit: '% of one core' },
        { label: 'API server CPU when idle (before the fleet)', value: idle.server! * 100, unit: '% of one core' },
        { label: 'fleet process CPU', value: cpu.fleet! * 100, unit: '% of one core' },
        ...(cpu.etcd !== undefined ? [{ label: 'etcd CPU', value: cpu.etcd * 100, unit: '% of one core' }] : []),
        { label: 'raw: max lease CAS updates/s (tight loop)', value: cas.opsPerSec, unit: `req/s (${cas.workers} in flight)` },
        { label: 'raw: API server CPU at that maximum', value: casServerCores * 100, unit: '% of one core' },
        { label: 'failed requests (not 2xx/3xx) in the window', value: failures, unit: 'requests' },
      ],
      headline: 2,
      ratio: { value: share, meaning: 'heartbeat req/s ÷ max lease updates/s = share of capacity heartbeats take (lower is better)' },
      target: { text: `share ≤ ${TARGET_SHARE}, renewals within 10 % of ${expected.toFixed(0)}/s, no failures`, met: share <= TARGET_SHARE && Math.abs(heartbeatRate - expected) <= expected * 0.1 && failures === 0 },
      notes,
    };
  } finally {
    await fleet?.stop();
    await server?.stop();
    await etcd?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function fmtCores(c: Record<string, number>): string {
  return Object.entries(c)
    .filter(([k]) => k !== 'wallMs')
    .map(([k, v]) => `${k} ${v.toFixed(2)}`)
    .join(', ');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  watchdog(900_000, 'heartbeats');
  const args = parseBenchArgs();
  await report(await benchHeartbeats(args));
}
