// The load generator of c1m.ts, in its own process: submits J Jobs of A allocations over HTTP (undici, a few
// POSTs in flight), watches every Allocation on one NDJSON stream, and records when each one was first seen
// placed (spec.nodeName set) and first seen running (status.clientStatus). Then, when the parent asks, the
// raw limit: etcd3 transactions of 100 puts of an allocation-sized value at the plan commit's concurrency.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { Etcd3 } from 'etcd3';
import { Pool } from 'undici';
import { nextMessage, sendResult } from './lib/child.ts';

/** What the parent asks for (argv[2], JSON). */
export interface C1mClientArgs {
  url: string;
  etcd: string;
  jobs: number;
  /** Allocations per job (the group's count). */
  count: number;
  /** Job POSTs in flight. */
  submitConcurrency: number;
  /** Give up waiting for placements / running after this long from the first POST. */
  limitMs: number;
  /** Name prefix of the jobs. */
  prefix: string;
  /** Task resources: cpu MHz and memory MB (ephemeral disk 10 MB). */
  cpu: number;
  memoryMB: number;
  /** The task's driver: `docker` (redis:7, as Nomad's C1M; the default) or `mock` (runs until stopped). */
  driver?: 'docker' | 'mock';
}

/** A progress line the parent prints (and uses to time its samples). */
export interface C1mProgress {
  progress: { elapsedMs: number; submitted: number; placed: number; running: number; ended: number };
}

/** What the load generator measured, ms from the first POST. */
export interface C1mLoadResult {
  expected: number;
  submitted: number;
  submitErrors: number;
  firstSubmitError?: string;
  /** The last POST answered. */
  submitMs: number;
  placed: number;
  running: number;
  /** Allocations seen failed or lost (clientStatus), and stopped/evicted (desiredStatus) ones. */
  failedOrLost: number;
  stopped: number;
  /** Times at which the k-th distinct allocation was first seen placed / running, sorted. */
  placedTimes: number[];
  runningTimes: number[];
  /** Watch streams the load generator had to re-open. */
  reopened: number;
  /** Mean size in bytes of an allocation as the plan commit created it (the ADDED event's object). */
  allocBytes: number;
  /** Bytes of watch stream read. */
  watchBytes: number;
  timedOut: boolean;
}

/** The parent's request for the raw limit. */
export interface RawPutsRequest {
  raw: { valueBytes: number; putsPerTxn: number; concurrency: number; durationMs: number };
}
/** The raw limit's answer (a message of its own: the child's one `{ result }` is the load result). */
export interface RawPutsAnswer {
  rawResult: RawPutsResult;
}
/** Transactions of puts straight into etcd. */
export interface RawPutsResult {
  txns: number;
  puts: number;
  elapsedMs: number;
  putsPerSec: number;
  p50TxnMs: number;
  p99TxnMs: number;
}

const args = JSON.parse(process.argv[2]!) as C1mClientArgs;
const expected = args.jobs * args.count;
const API = '/apis/drover.dev/v1';

/** The job: one group of `count` allocations of one small task (docker, as in Nomad's C1M, or mock), no ports. */
function c1mJob(name: string): unknown {
  return {
    apiVersion: 'drover.dev/v1',
    kind: 'Job',
    metadata: { name, namespace: 'default' },
    spec: {
      type: 'service',
      groups: [
        {
          name: 'cache',
          count: args.count,
          ephemeralDisk: { sizeMB: 10 },
          tasks: [{ name: 'redis', ...(args.driver === 'mock' ? { driver: 'mock', config: {} } : { driver: 'docker', config: { image: 'redis:7' } }), resources: { cpu: args.cpu, memoryMB: args.memoryMB } }],
        },
      ],
    },
  };
}

/** Per allocation: when it was first seen placed and running (NaN = not yet), by index into the arrays. */
class AllocTimes {
  private readonly index = new Map<string, number>();
  placedAt: Float64Array = new Float64Array(1024).fill(NaN);
  runningAt: Float64Array = new Float64Array(1024).fill(NaN);
  placed = 0;
  running = 0;
  failedOrLost = 0;
  stopped = 0;
  addedBytes = 0;
  added = 0;
  private readonly ended = new Set<number>();

  slot(name: string): number {
    let i = this.index.get(name);
    if (i === undefined) {
      i = this.index.size;
      this.index.set(name, i);
      if (i >= this.placedAt.length) {
        this.placedAt = grow(this.placedAt);
        this.runningAt = grow(this.runningAt);
      }
    }
    return i;
  }

  /** One ADDED/MODIFIED event's facts. */
  see(name: string, now: number, f: { nodeName: boolean; status: string | undefined; desired: string | undefined }): void {
    const i = this.slot(name);
    if (f.nodeName && Number.isNaN(this.placedAt[i]!)) {
      this.placedAt[i] = now;
      this.placed++;
    }
    if (f.status === 'running' && Number.isNaN(this.runningAt[i]!)) {
      this.runningAt[i] = now;
      this.running++;
    }
    if (this.ended.has(i)) return;
    if (f.status === 'failed' || f.status === 'lost') {
      this.ended.add(i);
      this.failedOrLost++;
    } else if (f.desired === 'stop' || f.desired === 'evict') {
      this.ended.add(i);
      this.stopped++;
    }
  }

  sorted(which: 'placedAt' | 'runningAt'): number[] {
    const n = this.index.size;
    const out: number[] = [];
    for (let i = 0; i < n; i++) if (!Number.isNaN(this[which][i]!)) out.push(this[which][i]!);
    return out.sort((a, b) => a - b);
  }
}

function grow(a: Float64Array): Float64Array {
  const b = new Float64Array(a.length * 2).fill(NaN);
  b.set(a);
  return b;
}

/** The string value of `"field":"…"` in `line` from `from` on, or undefined. Values here never contain quotes. */
function field(line: string, name: string, from = 0): string | undefined {
  const key = `"${name}":"`;
  const at = line.indexOf(key, from);
  if (at < 0) return undefined;
  const start = at + key.length;
  return line.slice(start, line.indexOf('"', start));
}

/**
 * Watch every Allocation from `rv` on one stream, re-opening from the last revision seen when it ends. Lines
 * are scanned for the few fields we need instead of parsed: at a million allocations the load generator would
 * otherwise spend more CPU on JSON.parse than is fair on a 2-core machine shared with the server. The server
 * writes objects with metadata first (name, …, resourceVersion), then spec, then status.
 */
function watchAllocations(base: URL, rv: string, times: AllocTimes, t0: () => number, stats: { reopened: number; bytes: number }): { stop(): void } {
  let stopped = false;
  let current: ReturnType<typeof httpRequest> | undefined;
  let last = rv;
  const open = () => {
    if (stopped) return;
    const path = `${API}/allocations?watch=true&allowWatchBookmarks=true&timeoutSeconds=3600&resourceVersion=${last}`;
    const req = httpRequest({ host: base.hostname, port: base.port, path, headers: { accept: 'application/json' } }, (res: IncomingMessage) => {
      if (res.statusCode !== 200) {
        res.resume();
        return void setTimeout(reopen, 200);
      }
      let rest = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        stats.bytes += chunk.length;
        const text = rest + chunk;
        let start = 0;
        for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
          onLine(text.slice(start, nl));
          start = nl + 1;
        }
        rest = text.slice(start);
      });
      res.on('end', reopen);
      res.on('error', reopen);
    });
    req.on('error', () => setTimeout(reopen, 200));
    req.end();
    current = req;
  };
  const reopen = () => {
    if (stopped) return;
    stats.reopened++;
    setTimeout(open, 10);
  };
  const onLine = (line: string) => {
    if (line.length === 0) return;
    const type = field(line, 'type');
    if (type === 'ERROR') {
      // 410 Gone: our revision was compacted away. Everything since is lost to this stream; start from now.
      last = '';
      return;
    }
    const rvNow = field(line, 'resourceVersion');
    if (rvNow) last = rvNow;
    if (type !== 'ADDED' && type !== 'MODIFIED') return;
    const name = field(line, 'name');
    if (!name) return;
    const specAt = line.indexOf('"spec":{');
    const nodeName = specAt >= 0 && line.indexOf('"nodeName":"', specAt) >= 0;
    if (type === 'ADDED') {
      times.addedBytes += line.length - '{"type":"ADDED","object":}'.length;
      times.added++;
    }
    times.see(name, t0(), { nodeName, status: field(line, 'clientStatus', specAt), desired: field(line, 'desiredStatus', specAt) });
  };
  open();
  return {
    stop() {
      stopped = true;
      current?.destroy();
    },
  };
}

async function listRevision(pool: Pool): Promise<string> {
  const res = await pool.request({ path: `${API}/allocations?limit=1`, method: 'GET' });
  const body = (await res.body.json()) as { metadata?: { resourceVersion?: string } };
  if (res.statusCode !== 200 || !body.metadata?.resourceVersion) throw new Error(`listing allocations: HTTP ${res.statusCode}`);
  return body.metadata.resourceVersion;
}

/** Submit every job, `submitConcurrency` in flight; resolves with the count of failures. */
async function submitJobs(pool: Pool, onDone: () => void): Promise<{ errors: number; firstError?: string }> {
  let next = 0;
  let errors = 0;
  let firstError: string | undefined;
  const worker = async () => {
    while (next < args.jobs) {
      const i = next++;
      const name = `${args.prefix}-${String(i).padStart(4, '0')}`;
      try {
        const res = await pool.request({ path: `${API}/namespaces/default/jobs`, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(c1mJob(name)) });
        const text = await res.body.text();
        if (res.statusCode !== 201) throw new Error(`POST job ${name}: HTTP ${res.statusCode} ${text.slice(0, 300)}`);
        onDone();
      } catch (err) {
        errors++;
        firstError ??= (err as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(args.submitConcurrency, args.jobs) }, worker));
  return { errors, firstError };
}

/** The raw limit: transactions of `putsPerTxn` puts of `valueBytes` each, `concurrency` in flight, for `durationMs`. */
async function rawPuts(r: RawPutsRequest['raw']): Promise<RawPutsResult> {
  const etcd = new Etcd3({ hosts: args.etcd });
  const value = Buffer.alloc(r.valueBytes, 'x');
  const lat: number[] = [];
  let txns = 0;
  let seq = 0;
  try {
    const t0 = performance.now();
    const until = t0 + r.durationMs;
    const worker = async () => {
      while (performance.now() < until) {
        const s = performance.now();
        const ops = Array.from({ length: r.putsPerTxn }, () => etcd.put(`/bench-raw/allocations/${String(seq++).padStart(8, '0')}`).value(value));
        // One compare, as a plan commit compares its node's usage record (here a key that never exists: mod 0).
        await etcd.if('/bench-raw/fence', 'Mod', '==', 0).then(...ops).commit();
        lat.push(performance.now() - s);
        txns++;
      }
    };
    await Promise.all(Array.from({ length: r.concurrency }, worker));
    const elapsedMs = performance.now() - t0;
    lat.sort((a, b) => a - b);
    const at = (p: number) => lat[Math.min(lat.length - 1, Math.ceil((p / 100) * lat.length) - 1)] ?? NaN;
    await etcd.delete().prefix('/bench-raw/');
    return { txns, puts: txns * r.putsPerTxn, elapsedMs, putsPerSec: ((txns * r.putsPerTxn) / elapsedMs) * 1000, p50TxnMs: at(50), p99TxnMs: at(99) };
  } finally {
    etcd.close();
  }
}

const pool = new Pool(args.url, { connections: args.submitConcurrency, pipelining: 1, keepAliveTimeout: 60_000 });
const times = new AllocTimes();
const stats = { reopened: 0, bytes: 0 };
let t0 = NaN;
const elapsed = () => performance.now() - t0;
try {
  const rv = await listRevision(pool);
  t0 = performance.now();
  const watch = watchAllocations(new URL(args.url), rv, times, elapsed, stats);
  let submitted = 0;
  let submitMs = NaN;
  const progress = setInterval(() => {
    const p: C1mProgress = { progress: { elapsedMs: elapsed(), submitted, placed: times.placed, running: times.running, ended: times.failedOrLost + times.stopped } };
    process.send?.(p);
  }, 2000);
  const submitting = submitJobs(pool, () => submitted++).then((r) => ((submitMs = elapsed()), r));
  // Done when every expected allocation runs (or has ended some other way), or at the limit.
  let timedOut = false;
  for (;;) {
    await new Promise((r) => setTimeout(r, 100));
    if (times.running + times.failedOrLost >= expected && times.placed >= expected) break;
    if (elapsed() > args.limitMs) {
      timedOut = true;
      break;
    }
  }
  const sub = await submitting;
  clearInterval(progress);
  watch.stop();
  const result: C1mLoadResult = {
    expected, submitted, submitErrors: sub.errors, firstSubmitError: sub.firstError, submitMs,
    placed: times.placed, running: times.running, failedOrLost: times.failedOrLost, stopped: times.stopped,
    placedTimes: times.sorted('placedAt'), runningTimes: times.sorted('runningAt'),
    reopened: stats.reopened, allocBytes: times.added ? times.addedBytes / times.added : NaN, watchBytes: stats.bytes, timedOut,
  };
  // The raw limit, measured after the run in the same etcd, when the parent asks (it may not).
  const asked = nextMessage<RawPutsRequest>();
  await sendResult(result);
  const req = await Promise.race([asked, new Promise<undefined>((r) => setTimeout(() => r(undefined), 120_000))]);
  if (req?.raw) {
    const raw: RawPutsAnswer = { rawResult: await rawPuts(req.raw) };
    await new Promise<void>((resolve) => process.send!(raw, () => resolve()));
  }
} finally {
  await pool.close();
}
