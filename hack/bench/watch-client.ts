// The client side of watch.ts, in its own process: W HTTP NDJSON watch streams on jobs, a paced load generator
// POSTing jobs stamped with their send time, and one raw etcd3 watch on the same keys as the baseline.
import { Agent, get, type IncomingMessage } from 'node:http';
import { Etcd3 } from 'etcd3';
import { Pool } from 'undici';
import { sendResult } from './lib/child.ts';
import { jobManifest, jobsPath, SENT_ANNOTATION } from './lib/fixtures.ts';
import { LatencyHistogram, percentile } from './lib/stats.ts';

/** What the parent asks for (argv[2], JSON). */
export interface WatchClientArgs {
  url: string;
  etcd: string;
  /** The etcd key prefix of the jobs (store prefix + registry path), for the raw watch. */
  etcdJobsPrefix: string;
  watchers: number;
  /** Creates per second. */
  rate: number;
  durationMs: number;
  /** Unmeasured load at the same rate first. */
  warmupMs: number;
  /** How long to wait after the load for the watchers to catch up. */
  drainMs: number;
}

/** Latency summary, ms. */
export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** What the child sends back. */
export interface WatchClientResult {
  watchers: number;
  connectMs: number;
  sent: number;
  sendFailures: number;
  /** Ticks where the in-flight cap stopped the pacer from sending on time. */
  pacerStalls: number;
  achievedRate: number;
  createP50: number;
  createP99: number;
  delivered: number;
  expected: number;
  /** Fewest events any watcher got. */
  minPerWatcher: number;
  endedStreams: number;
  errorEvents: number;
  drainMs: number;
  ours: LatencySummary;
  raw: LatencySummary;
}

const MARKER = Buffer.from(`"${SENT_ANNOTATION}":"`);
const NL = 0x0a;
const args = JSON.parse(process.argv[2]!) as WatchClientArgs;

const summarize = (h: LatencyHistogram): LatencySummary => ({ count: h.count, p50: h.percentile(50), p90: h.percentile(90), p99: h.percentile(99), max: h.max, mean: h.mean() });

/** The send stamp right after `at` in `buf` (digits and a dot up to the closing quote). */
function stampAt(buf: Buffer, at: number, end: number): number {
  let q = at;
  while (q < end && buf[q] !== 0x22) q++;
  return Number(buf.toString('latin1', at, q));
}

/** One watch stream: counts events and records receive − send for each, reading bytes without JSON.parse. */
class StreamWatcher {
  received = 0;
  errors = 0;
  ended = false;
  private pending: Buffer | undefined;

  constructor(
    private readonly hist: LatencyHistogram,
    res: IncomingMessage,
  ) {
    res.on('data', (chunk: Buffer) => this.onData(chunk));
    res.on('end', () => (this.ended = true));
    res.on('error', () => (this.ended = true));
  }

  private onData(chunk: Buffer): void {
    const now = performance.now();
    const lastNl = chunk.lastIndexOf(NL);
    if (lastNl < 0) {
      this.pending = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
      return;
    }
    const buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    const end = this.pending ? this.pending.length + lastNl + 1 : lastNl + 1;
    this.pending = lastNl + 1 < chunk.length ? chunk.subarray(lastNl + 1) : undefined;
    let lineStart = 0;
    while (lineStart < end) {
      const lineEnd = buf.indexOf(NL, lineStart);
      // Lines start with {"type":"X — the 10th byte tells the event type apart without parsing.
      const t = buf[lineStart + 9];
      if (t === 0x45 /* E */) this.errors++;
      else if (t === 0x41 /* A */ || t === 0x4d /* M */) {
        const m = buf.indexOf(MARKER, lineStart);
        if (m >= 0 && m < lineEnd) {
          this.hist.record(now - stampAt(buf, m + MARKER.length, lineEnd));
          this.received++;
        }
      }
      lineStart = lineEnd + 1;
    }
  }
}

async function openWatchers(rv: string, hist: LatencyHistogram): Promise<StreamWatcher[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  const u = new URL(`${args.url}${jobsPath()}?watch=true&resourceVersion=${rv}`);
  const open = () =>
    new Promise<StreamWatcher>((resolve, reject) => {
      const req = get({ host: u.hostname, port: u.port, path: u.pathname + u.search, agent }, (res) => {
        if (res.statusCode !== 200) reject(new Error(`watch: HTTP ${res.statusCode}`));
        else resolve(new StreamWatcher(hist, res));
      });
      req.on('error', reject);
    });
  const watchers: StreamWatcher[] = [];
  // A few hundred connection attempts at a time: the listen backlog on loopback is finite.
  for (let i = 0; i < args.watchers; i += 200) {
    watchers.push(...(await Promise.all(Array.from({ length: Math.min(200, args.watchers - i) }, open))));
  }
  return watchers;
}

function watchRaw(etcd: Etcd3, hist: LatencyHistogram) {
  return etcd
    .watch()
    .prefix(args.etcdJobsPrefix)
    .create()
    .then((w) => {
      w.on('put', (kv) => {
        const now = performance.now();
        const m = kv.value.indexOf(MARKER);
        if (m >= 0) hist.record(now - stampAt(kv.value, m + MARKER.length, kv.value.length));
      });
      return w;
    });
}

/** Send `rate` creates per second for `durationMs`, at most `cap` in flight; only stamped jobs are measured. */
async function generateLoad(pool: Pool, durationMs: number, stamped: boolean, namePrefix: string) {
  const cap = 512;
  const latencies: number[] = [];
  let sent = 0;
  let failures = 0;
  let inFlight = 0;
  let stalls = 0;
  const t0 = performance.now();
  const total = Math.round((args.rate * durationMs) / 1000);
  const post = async (i: number) => {
    const s = performance.now();
    const body = JSON.stringify(jobManifest(`${namePrefix}-${i}`, stamped ? s : undefined));
    try {
      const res = await pool.request({ path: jobsPath(), method: 'POST', headers: { 'content-type': 'application/json' }, body });
      await res.body.dump();
      if (res.statusCode === 201) latencies.push(performance.now() - s);
      else failures++;
    } catch {
      failures++;
    }
  };
  const pending = new Set<Promise<void>>();
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - t0) * args.rate) / 1000) + 1);
    if (due > sent && inFlight >= cap) stalls++;
    while (sent < due && inFlight < cap) {
      inFlight++;
      const p = post(sent++).finally(() => {
        inFlight--;
        pending.delete(p);
      });
      pending.add(p);
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  await Promise.all(pending);
  const elapsed = performance.now() - t0;
  return { sent, failures, stalls, achievedRate: ((sent - failures) / elapsed) * 1000, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

const pool = new Pool(args.url, { connections: 64, pipelining: 1 });
const etcd = new Etcd3({ hosts: args.etcd });
try {
  const list = await pool.request({ path: `${jobsPath()}?limit=1`, method: 'GET' });
  const rv = ((await list.body.json()) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
  const ours = new LatencyHistogram();
  const raw = new LatencyHistogram();
  const c0 = performance.now();
  const watchers = await openWatchers(rv, ours);
  const connectMs = performance.now() - c0;
  const rawWatch = await watchRaw(etcd, raw);
  // Warm-up at the same rate, unstamped (the watchers skip those): JIT and pools settle before measuring.
  await generateLoad(pool, args.warmupMs, false, 'warm');
  process.send?.({ phase: 'load', edge: 'start' });
  const load = await generateLoad(pool, args.durationMs, true, 'w');
  const expected = load.sent - load.failures;
  const d0 = performance.now();
  while (performance.now() - d0 < args.drainMs && watchers.some((w) => !w.ended && w.received < expected)) await new Promise((r) => setTimeout(r, 20));
  const drainMs = performance.now() - d0;
  process.send?.({ phase: 'load', edge: 'end' });
  await rawWatch.cancel();
  const result: WatchClientResult = {
    watchers: watchers.length,
    connectMs,
    sent: load.sent,
    sendFailures: load.failures,
    pacerStalls: load.stalls,
    achievedRate: load.achievedRate,
    createP50: load.p50,
    createP99: load.p99,
    delivered: watchers.reduce((n, w) => n + w.received, 0),
    expected: expected * watchers.length,
    minPerWatcher: Math.min(...watchers.map((w) => w.received)),
    endedStreams: watchers.filter((w) => w.ended).length,
    errorEvents: watchers.reduce((n, w) => n + w.errors, 0),
    drainMs,
    ours: summarize(ours),
    raw: summarize(raw),
  };
  await sendResult(result);
} catch (err) {
  console.error('watch-client:', err);
  process.exitCode = 1;
} finally {
  etcd.close();
  await pool.close();
  process.exit(); // the watch sockets stay open until the server ends them; nothing else is pending
}
