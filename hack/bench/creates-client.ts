// The load side of creates.ts, in its own process: raw etcd puts and API creates at the same concurrency,
// alternating in rounds so drift (etcd's growing database, GC) hits both alike.
import { Etcd3 } from 'etcd3';
import { Pool } from 'undici';
import { sendResult } from './lib/child.ts';
import { closedLoop, type LoadResult } from './lib/load.ts';
import { jobManifest, jobsPath } from './lib/fixtures.ts';

/** What the parent asks for (argv[2], JSON). */
export interface CreatesClientArgs {
  etcd: string;
  url: string;
  concurrency: number;
  count: number;
  rounds: number;
  warmup: number;
}

/** What the child sends back. */
export interface CreatesClientResult {
  payloadBytes: number;
  raw: Array<Omit<LoadResult, 'latencies'> & { p50: number; p99: number }>;
  api: Array<Omit<LoadResult, 'latencies'> & { p50: number; p99: number }>;
}

const args = JSON.parse(process.argv[2]!) as CreatesClientArgs;
const pool = new Pool(args.url, { connections: args.concurrency, pipelining: 1, keepAliveTimeout: 60_000 });
const etcd = new Etcd3({ hosts: args.etcd });

async function create(name: string): Promise<string> {
  const res = await pool.request({ path: jobsPath(), method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(jobManifest(name)) });
  const text = await res.body.text();
  if (res.statusCode !== 201) throw new Error(`POST ${name}: ${res.statusCode} ${text.slice(0, 300)}`);
  return text;
}

/** Tell the parent a measured phase starts or ends (it samples CPU use per process). */
const phase = (name: 'raw' | 'api', edge: 'start' | 'end') => process.send?.({ phase: name, edge });

const summary = (r: LoadResult) => {
  const sorted = [...r.latencies].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
  const { latencies: _l, ...rest } = r;
  return { ...rest, p50: at(50), p99: at(99) };
};

try {
  // The stored job as the server returns it (defaults, uid, managedFields): the raw puts write this many bytes.
  const payload = await create('warm-0');
  await closedLoop(args.warmup, args.concurrency, (i) => create(`warm-${i + 1}`).then(() => {}));
  await closedLoop(args.warmup, args.concurrency, (i) => etcd.put(`/bench-raw/warm-${i}`).value(payload).then(() => {}));
  const result: CreatesClientResult = { payloadBytes: Buffer.byteLength(payload), raw: [], api: [] };
  for (let round = 0; round < args.rounds; round++) {
    phase('raw', 'start');
    result.raw.push(summary(await closedLoop(args.count, args.concurrency, (i) => etcd.put(`/bench-raw/r${round}-${i}`).value(payload).then(() => {}))));
    phase('raw', 'end');
    phase('api', 'start');
    result.api.push(summary(await closedLoop(args.count, args.concurrency, (i) => create(`r${round}-${i}`).then(() => {}))));
    phase('api', 'end');
  }
  await sendResult(result);
} finally {
  etcd.close();
  await pool.close();
}
