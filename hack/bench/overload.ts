// Issue 10's overload experiment: one `drover server` on etcd with 100 hollow nodes and 2,800 running
// allocations (28 jobs × 100: 28 per node, as in the issue), then 300 list+watch clients and 40 writers for 2 minutes (overload-client.ts, its own process).
// Reported: nodes marked down (NodeDown Events), allocations lost, 429s the server answered, the latency of
// lease renewals (PUT leases, from the server's request histogram) and of the clients' LISTs, and how stale the
// node leases got — read straight from etcd every second, so the API server under load cannot flatter itself.
// Raw limit, same run: the p99 of lease renewals over a quiet window before the load.
//
//   node --import tsx hack/bench/overload.ts [--set nodes=100 --set listers=300 --set writers=40 --set seconds=120]
//       [--set fairness=0]   (run the server with --max-requests-inflight 0: flow control off)
//       [--set seats=N]      (--max-requests-inflight N)
import { fileURLToPath } from 'node:url';
import { Etcd3 } from 'etcd3';
import type { Allocation, Event, Lease } from '../../api/schemas/index.ts';
import { kinds } from '../../api/schemas/index.ts';
import { NODE_LEASE_NAMESPACE } from '../../api/schemas/well-known.ts';
import { keyPrefix } from '../../pkg/apiserver/codec.ts';
import { createClient, type Client } from '../../pkg/client/client.ts';
import { parseBenchArgs, watchdog } from './lib/args.ts';
import { forkChild } from './lib/child.ts';
import { countBy, logMessages, startHollowFleet, waitNodesSettled } from './lib/cluster.ts';
import { childPids, CpuMeter } from './lib/cpu.ts';
import { pollUntil, startServer, type DroverProcess } from './lib/drover-process.ts';
import { benchEtcd, type BenchEtcd } from './lib/etcd.ts';
import { report, type BenchResult } from './lib/result.ts';
import type { OverloadClientArgs, OverloadLoadResult } from './overload-client.ts';

const leaseKind = kinds.find((k) => k.kind === 'Lease')!;
const log = (s: string) => process.stderr.write(`overload: ${s}\n`);

/** The server's request histogram for one verb/resource, summed over codes: cumulative counts by upper bound. */
async function histogram(url: string, verb: string, resource: string): Promise<Map<number, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const out = new Map<number, number>();
  for (const m of text.matchAll(/^apiserver_request_duration_seconds_bucket\{([^}]*)\} (\S+)$/gm)) {
    const labels = Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1]!, x[2]!]));
    if (labels.verb !== verb || labels.resource !== resource) continue;
    const le = labels.le === '+Inf' ? Infinity : Number(labels.le);
    out.set(le, (out.get(le) ?? 0) + Number(m[2]));
  }
  return out;
}

/** The p-th percentile (upper bucket bound, seconds) of the requests between two histogram readings. */
function histogramPercentile(before: Map<number, number>, after: Map<number, number>, p: number): { value: number; count: number } {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const delta = bounds.map((b) => (after.get(b) ?? 0) - (before.get(b) ?? 0));
  const count = delta[delta.length - 1] ?? 0;
  const want = Math.ceil((p / 100) * count);
  const i = delta.findIndex((d) => d >= want);
  return { value: count === 0 ? NaN : bounds[i] ?? NaN, count };
}

/** Sum of a counter family on /metrics whose labels match `filter`. */
async function counterSum(url: string, name: string, filter: (labels: Record<string, string>) => boolean = () => true): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let sum = 0;
  for (const m of text.matchAll(new RegExp(`^${name}(?:\\{([^}]*)\\})? (\\S+)$`, 'gm'))) {
    const labels = Object.fromEntries([...(m[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1]!, x[2]!]));
    if (filter(labels)) sum += Number(m[2]);
  }
  return sum;
}

/** Every second: the age of each node lease's renewTime, read from etcd (not through the API server). */
class LeaseAges {
  maxAgeMs = 0;
  maxStale = 0;
  staleSamples = 0;
  samples = 0;
  private timer?: NodeJS.Timeout;
  constructor(private readonly etcd: Etcd3, private readonly staleMs: number) {}
  start(): void {
    this.timer = setInterval(() => void this.sample().catch(() => {}), 1000);
  }
  stop(): void {
    clearInterval(this.timer);
  }
  private async sample(): Promise<void> {
    const kvs = await this.etcd.getAll().prefix(keyPrefix(leaseKind, NODE_LEASE_NAMESPACE)).strings();
    const now = Date.now();
    let stale = 0;
    for (const v of Object.values(kvs)) {
      const renew = (JSON.parse(v) as Lease).spec?.renewTime;
      if (!renew) continue;
      const age = now - Date.parse(renew);
      this.maxAgeMs = Math.max(this.maxAgeMs, age);
      if (age > this.staleMs) stale++;
    }
    this.samples++;
    if (stale > 0) this.staleSamples++;
    this.maxStale = Math.max(this.maxStale, stale);
  }
}

async function waitRunning(client: Client, expected: number): Promise<void> {
  await pollUntil(`${expected} allocations running`, 600_000, 2000, async () => {
    const list = await client.resource<Allocation>('allocations').listAll({});
    return list.items.filter((a) => a.status?.clientStatus === 'running').length >= expected ? true : undefined;
  });
}

/** Run the experiment and return its result. */
export async function benchOverload(opts: { etcd?: string; set?: Record<string, number> }): Promise<BenchResult> {
  const nodes = opts.set?.nodes ?? 100;
  const listers = opts.set?.listers ?? 300;
  const writers = opts.set?.writers ?? 40;
  const seconds = opts.set?.seconds ?? 120;
  const jobs = opts.set?.jobs ?? 28;
  const perJob = opts.set?.count ?? 100;
  const fairnessOff = opts.set?.fairness === 0;
  const notes: string[] = [];
  let etcd: BenchEtcd | undefined;
  let server: (DroverProcess & { url: string }) | undefined;
  let fleet: DroverProcess | undefined;
  let raw: Etcd3 | undefined;
  try {
    etcd = await benchEtcd(opts.etcd);
    const etcdPid = opts.etcd ? undefined : childPids('etcd')[0];
    const seats = opts.set?.seats;
    server = await startServer(etcd.endpoint, { args: fairnessOff ? ['--max-requests-inflight', '0'] : seats !== undefined ? ['--max-requests-inflight', String(seats)] : [] });
    fleet = await startHollowFleet(server.url, nodes);
    const client = createClient({ server: server.url, userAgent: 'drover-bench/overload' });
    await waitNodesSettled(client, nodes);
    for (let j = 0; j < jobs; j++) {
      await client.resource('jobs').create({
        apiVersion: 'drover.dev/v1', kind: 'Job', metadata: { name: `steady-${j}`, namespace: 'default' },
        spec: { type: 'service', groups: [{ name: 'g', count: perJob, tasks: [{ name: 't', driver: 'mock', config: {}, resources: { cpu: 20, memoryMB: 10 } }] }] },
      } as never);
    }
    await waitRunning(client, jobs * perJob);
    const before = await client.resource<Allocation>('allocations').listAll({});
    const originals = new Set(before.items.map((a) => a.metadata.name));
    log(`${nodes} nodes ready, ${originals.size} allocations running; quiet window 20 s`);
    raw = new Etcd3({ hosts: etcd.endpoint });
    const leases = new LeaseAges(raw, 20_000);

    // The raw limit: lease renewals with nothing else going on, same server, same run.
    const q0 = await histogram(server.url, 'PUT', 'leases');
    await new Promise((r) => setTimeout(r, 20_000));
    const q1 = await histogram(server.url, 'PUT', 'leases');
    const quiet = histogramPercentile(q0, q1, 99);

    const h0 = await histogram(server.url, 'PUT', 'leases');
    const c0 = await counterSum(server.url, 'apiserver_request_total', (l) => l.code === '429');
    const meter = new CpuMeter({ server: server.pid, fleet: fleet.pid, ...(etcdPid ? { etcd: etcdPid } : {}) });
    meter.mark();
    leases.start();
    log(`load: ${listers} list+watch clients, ${writers} writers, ${seconds} s`);
    const cfg: OverloadClientArgs = { url: server.url, listers, writers, durationMs: seconds * 1000 };
    const loadgen = forkChild<OverloadLoadResult>(fileURLToPath(new URL('./overload-client.ts', import.meta.url)), [JSON.stringify(cfg)], { timeoutMs: seconds * 1000 + 300_000 });
    let load: OverloadLoadResult;
    try {
      load = await loadgen.result;
    } finally {
      await loadgen.stop();
    }
    const cpu = meter.read();
    const h1 = await histogram(server.url, 'PUT', 'leases');
    const c1 = await counterSum(server.url, 'apiserver_request_total', (l) => l.code === '429');
    // The health controller decides up to lease + grace after the load; give it that, then count.
    log('load done; 35 s for the health controller to judge what it saw');
    await new Promise((r) => setTimeout(r, 35_000));
    leases.stop();
    const hb = histogramPercentile(h0, h1, 99);
    const events = await client.resource<Event>('events').listAll({});
    const downEvents = events.items.filter((e) => (e as { reason?: string }).reason === 'NodeDown');
    const downNodes = new Set(downEvents.map((e) => (e as { involvedObject?: { name?: string } }).involvedObject?.name));
    const deferredEvents = events.items.filter((e) => (e as { reason?: string }).reason === 'NodeDownDeferred');
    const deferredWhy = countBy(deferredEvents, (e) => ((e as { message?: string }).message ?? '').replace(/\d+/g, 'N'));
    const warnings = logMessages(server.log());
    const after = await client.resource<Allocation>('allocations').listAll({});
    const lost = after.items.filter((a) => originals.has(a.metadata.name) && a.status?.clientStatus === 'lost').length;
    const replacements = after.items.filter((a) => !originals.has(a.metadata.name)).length;
    const nodeList = await client.resource('nodes').listAll({});
    const metricsText = await (await fetch(`${server.url}/metrics`)).text();
    const hasFlowControl = metricsText.includes('apiserver_flowcontrol_rejected_requests_total');
    const rejected = await counterSum(server.url, 'apiserver_flowcontrol_rejected_requests_total');
    const stalledS = await counterSum(server.url, 'drover_node_health_control_plane_stalled_seconds_total');
    const deferredTotal = await counterSum(server.url, 'drover_node_health_down_deferred_total');
    notes.push(
      `load generator: ${load.lists} LISTs (p50 ${load.listP50Ms.toFixed(0)} ms, max ${load.listMaxMs.toFixed(0)} ms, ${load.list429} answered 429, ${load.listErrors} errors), ${load.watches} watches (${load.watch429} answered 429), ${load.writes} writes (p99 ${load.writeP99Ms.toFixed(0)} ms, ${load.write429} answered 429, ${load.writeErrors} errors)${load.firstError ? `; first error: ${load.firstError}` : ''}`,
      `lease renewals (PUT leases) during the load: ${hb.count}; in the quiet window: ${quiet.count}`,
      `node leases older than 20 s (read from etcd every second): at most ${leases.maxStale} of ${nodes} at once, in ${leases.staleSamples} of ${leases.samples} samples; oldest ${(leases.maxAgeMs / 1000).toFixed(1)} s`,
      `health controller: control plane stalled ${stalledS.toFixed(1)} s in all (not counted as node silence), downs held back ${deferredTotal} times, ${deferredEvents.length} NodeDownDeferred Events${deferredEvents.length ? ` (${deferredWhy})` : ''}; the server's last log lines (warn and above), by message: ${warnings || 'none'}`,
      `nodes marked down: ${[...downNodes].join(', ') || 'none'}; nodes at the end: ${countBy(nodeList.items, (n) => (n.status as { phase?: string } | undefined)?.phase ?? '(none)')}; replacement allocations created: ${replacements}`,
      `flow control: ${hasFlowControl ? `on (--max-requests-inflight ${seats ?? 'default'}); apiserver_flowcontrol_rejected_requests_total ${rejected}` : fairnessOff ? 'off (--max-requests-inflight 0)' : 'not in this server (no apiserver_flowcontrol metrics)'}`,
      `cores used during the load: ${Object.entries(cpu).filter(([k]) => k !== 'wallMs').map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}`,
    );
    return {
      name: 'overload',
      title: `Overload: ${listers} list+watch clients and ${writers} writers for ${seconds} s against one drover server (${nodes} hollow nodes, ${originals.size} allocations)`,
      setup: `etcd 1 member ← drover server (API + controllers + scheduler, one process) ← drover agent --simulate ${nodes} (10 s renewals, 20 s leases, 10 s grace) and a load generator (one process: each lister LISTs every allocation then WATCHes 1–4 s, again; each writer PUTs its own ConfigMap in a loop; 429s waited out for Retry-After)`,
      figures: [
        { label: 'nodes marked down', value: downNodes.size, unit: '' },
        { label: 'allocations lost', value: lost, unit: '' },
        { label: '429s answered by the server', value: c1 - c0, unit: '' },
        { label: 'lease renewal latency p99 (server histogram)', value: hb.value * 1000, unit: 'ms' },
        { label: 'list latency p99 (client)', value: load.listP99Ms, unit: 'ms' },
        { label: 'most node leases older than 20 s at once', value: leases.maxStale, unit: '' },
        { label: 'raw: lease renewal p99, quiet window, same run', value: quiet.value * 1000, unit: 'ms' },
      ],
      ratio: { value: hb.value / quiet.value, meaning: 'lease renewal p99 under load ÷ quiet p99 (lower is better; bucket bounds)' },
      target: { text: '0 nodes marked down and 0 allocations lost', met: downNodes.size === 0 && lost === 0 },
      notes,
    };
  } finally {
    raw?.close();
    await fleet?.stop();
    await server?.stop();
    await etcd?.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  watchdog(1_800_000, 'overload');
  const args = parseBenchArgs();
  await report(await benchOverload(args));
}
