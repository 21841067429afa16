// The client side of watch.ts, in its own process: W HTTP NDJSON watch streams on jobs (raw sockets), a paced load generator
// writing jobs stamped with their send time (through the API or straight into etcd), and one raw etcd3 watch
// on the same keys as the baseline.
import { randomUUID } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { Etcd3 } from 'etcd3';
import { Pool } from 'undici';
import type { ApiObject } from '../../api/schemas/kind.ts';
import { encodeStored } from '../../pkg/apiserver/codec.ts';
import { sendResult } from './lib/child.ts';
import { jobManifest, jobsPath, SENT_ANNOTATION, storedJobTemplate } from './lib/fixtures.ts';
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
  /** Who writes the jobs: POSTs through the API, or puts of the stored form straight into etcd. */
  writer: 'api' | 'etcd';
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
  /** Watch connections the server closed. */
  closedStreams: number;
  drainMs: number;
  ours: LatencySummary;
  raw: LatencySummary;
}

// Without the leading quote: indexOf skips ahead on the marker's first byte, and 'b' is rarer than '"'.
const MARKER = Buffer.from(`${SENT_ANNOTATION}":"`);
const args = JSON.parse(process.argv[2]!) as WatchClientArgs;

const summarize = (h: LatencyHistogram): LatencySummary => ({ count: h.count, p50: h.percentile(50), p90: h.percentile(90), p99: h.percentile(99), max: h.max, mean: h.mean() });

/** The send stamp right after `at` in `buf` (digits and a dot up to the closing quote); -1 when cut off. */
function stampAt(buf: Buffer, at: number): { stamp: number; end: number } | undefined {
  const q = buf.indexOf(0x22, at);
  if (q < 0) return undefined;
  return { stamp: Number(buf.toString('latin1', at, q)), end: q + 1 };
}

/** Longest run of bytes a marker and its stamp can span. */
const STAMP_SPAN = MARKER.length + 32;
const NL = 0x0a;

/**
 * One watch over a raw socket: an HTTP/1.1 GET written by hand, then the chunked body scanned as bytes for
 * send stamps. No HTTP parser and no per-event callback: with a thousand watchers the client, not the server,
 * is what a 2-core machine runs out of first, and node's http client emits every chunk (here: every line)
 * as its own 'data' event. The stamp sits near the start of each line (annotations come early in metadata),
 * so after it the scan jumps to the next newline (memchr) instead of searching the rest of the line. Chunk
 * framing never splits a line (the server writes whole lines), but TCP reads split anywhere: a read that
 * ends inside a marker or stamp carries its tail over, one that ends inside a counted line skips to its end.
 */
class StreamWatcher {
  received = 0;
  closed = false;
  private headers: Buffer | undefined = Buffer.alloc(0);
  /** Bytes at the end of the last read where a marker may have begun. */
  private carry: Buffer | undefined;
  /** The last read ended inside a line whose stamp was already counted. */
  private skipping = false;

  private constructor(
    private readonly hist: LatencyHistogram,
    private readonly socket: Socket,
  ) {}

  /** Connect, send the request, and resolve once the 200 status line arrived. */
  static open(url: URL, hist: LatencyHistogram): Promise<StreamWatcher> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: url.hostname, port: Number(url.port) });
      const w = new StreamWatcher(hist, socket);
      socket.setNoDelay(true);
      socket.once('connect', () => socket.write(`GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nAccept: application/json\r\n\r\n`));
      socket.on('data', (chunk: Buffer) => {
        if (!w.headers) return w.onBody(chunk);
        const all = Buffer.concat([w.headers, chunk]);
        const end = all.indexOf('\r\n\r\n');
        if (end < 0) return void (w.headers = all);
        w.headers = undefined;
        const status = all.toString('latin1', 0, all.indexOf('\r\n'));
        if (!/^HTTP\/1\.1 200 /.test(status)) {
          socket.destroy();
          return reject(new Error(`watch: ${status}`));
        }
        resolve(w);
        if (end + 4 < all.length) w.onBody(all.subarray(end + 4));
      });
      socket.on('error', (err) => (w.headers ? reject(err) : (w.closed = true)));
      socket.on('close', () => (w.closed = true));
    });
  }

  /** Close the connection. */
  close(): void {
    this.socket.destroy();
  }

  private onBody(chunk: Buffer): void {
    const now = performance.now();
    let pos = 0;
    if (this.skipping) {
      const nl = chunk.indexOf(NL);
      if (nl < 0) return;
      this.skipping = false;
      pos = nl + 1;
    } else if (this.carry) {
      // A marker that began in the previous read: look in its tail joined to the head of this one.
      const carry = this.carry;
      this.carry = undefined;
      const joint = Buffer.concat([carry, chunk.subarray(0, STAMP_SPAN)]);
      const i = joint.indexOf(MARKER);
      const st = i >= 0 && i < carry.length ? stampAt(joint, i + MARKER.length) : undefined;
      if (st) {
        this.record(now, st.stamp);
        const nl = chunk.indexOf(NL, st.end - carry.length);
        if (nl < 0) return void (this.skipping = true);
        pos = nl + 1;
      }
    }
    for (;;) {
      const i = chunk.indexOf(MARKER, pos);
      if (i < 0) {
        const tail = Math.max(pos, chunk.length - MARKER.length);
        if (tail < chunk.length) this.carry = chunk.subarray(tail);
        return;
      }
      const st = stampAt(chunk, i + MARKER.length);
      if (!st) return void (this.carry = chunk.subarray(i));
      this.record(now, st.stamp);
      const nl = chunk.indexOf(NL, st.end);
      if (nl < 0) return void (this.skipping = true);
      pos = nl + 1;
    }
  }

  private record(now: number, stamp: number): void {
    this.hist.record(now - stamp);
    this.received++;
  }
}

async function openWatchers(rv: string, hist: LatencyHistogram): Promise<StreamWatcher[]> {
  const u = new URL(`${args.url}${jobsPath()}?watch=true&resourceVersion=${rv}`);
  const watchers: StreamWatcher[] = [];
  // A few hundred connection attempts at a time: the listen backlog on loopback is finite.
  for (let i = 0; i < args.watchers; i += 200) {
    watchers.push(...(await Promise.all(Array.from({ length: Math.min(200, args.watchers - i) }, () => StreamWatcher.open(u, hist)))));
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
        const st = m >= 0 ? stampAt(kv.value, m + MARKER.length) : undefined;
        if (st) hist.record(now - st.stamp);
      });
      return w;
    });
}

/** One write of job `name` stamped with `sentMs` (when given); resolves true when it was accepted. */
type Writer = (name: string, sentMs: number | undefined) => Promise<boolean>;

/** POST through the API. */
function apiWriter(pool: Pool): Writer {
  return async (name, sentMs) => {
    const body = JSON.stringify(jobManifest(name, sentMs));
    const res = await pool.request({ path: jobsPath(), method: 'POST', headers: { 'content-type': 'application/json' }, body });
    await res.body.dump();
    return res.statusCode === 201;
  };
}

/** Put the stored form (a template the API made, renamed and stamped) straight into etcd. */
function etcdWriter(etcd: Etcd3, template: ApiObject): Writer {
  return async (name, sentMs) => {
    const annotations = sentMs === undefined ? {} : { [SENT_ANNOTATION]: sentMs.toFixed(3) };
    // Annotations first, as in a POSTed manifest, so the stamp sits near the start of the line.
    const obj = { ...template, metadata: { annotations, ...template.metadata, name, uid: randomUUID() } } as ApiObject;
    await etcd.put(`${args.etcdJobsPrefix}default/${name}`).value(encodeStored(obj));
    return true;
  };
}

/** Send `rate` creates per second for `durationMs`, at most `cap` in flight; only stamped jobs are measured. */
async function generateLoad(write: Writer, durationMs: number, stamped: boolean, namePrefix: string) {
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
    try {
      if (await write(`${namePrefix}-${i}`, stamped ? s : undefined)) latencies.push(performance.now() - s);
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
  const write = args.writer === 'api' ? apiWriter(pool) : etcdWriter(etcd, await storedJobTemplate(args.url));
  // Warm-up at the same rate, unstamped (the watchers skip those): JIT and pools settle before measuring.
  await generateLoad(write, args.warmupMs, false, 'warm');
  process.send?.({ phase: 'load', edge: 'start' });
  const load = await generateLoad(write, args.durationMs, true, 'w');
  const expected = load.sent - load.failures;
  const d0 = performance.now();
  while (performance.now() - d0 < args.drainMs && watchers.some((w) => !w.closed && w.received < expected)) await new Promise((r) => setTimeout(r, 20));
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
    closedStreams: watchers.filter((w) => w.closed).length,
    drainMs,
    ours: summarize(ours),
    raw: summarize(raw),
  };
  for (const w of watchers) w.close();
  await sendResult(result);
} catch (err) {
  console.error('watch-client:', err);
  process.exitCode = 1;
} finally {
  etcd.close();
  await pool.close();
  process.exit(); // the watch sockets stay open until the server ends them; nothing else is pending
}
