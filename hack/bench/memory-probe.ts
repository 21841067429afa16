// The measuring side of memory.ts: a fresh process (run with --expose-gc) that never held the preload's
// garbage. Baseline with one empty API server, then a second server whose watch cache fills with N jobs,
// then the same N jobs as plain parsed objects in a Map (the raw floor of holding them in V8).
import { createApiServer } from '../../pkg/apiserver/server.ts';
import { keyPrefix } from '../../pkg/apiserver/codec.ts';
import { silentLogger } from '../../pkg/log/logger.ts';
import { planCommitPlugin } from '../../pkg/plancommit/route.ts';
import { openEtcdStore } from '../../pkg/storage/etcd/index.ts';
import { sendResult } from './lib/child.ts';
import { jobKind } from './lib/fixtures.ts';

/** What the parent asks for (argv[2], JSON). */
export interface MemoryProbeArgs {
  etcd: string;
  /** Store prefix holding N jobs. */
  loadedPrefix: string;
  /** An empty store prefix (for the fixed cost of a server). */
  emptyPrefix: string;
  objects: number;
}

/** Memory figures in bytes. */
export interface MemorySample {
  heapUsed: number;
  rss: number;
}

/** What the probe sends back. */
export interface MemoryProbeResult {
  start: MemorySample;
  emptyServer: MemorySample;
  loadedServer: MemorySample;
  rawMap: MemorySample;
  storedBytes: number;
}

const args = JSON.parse(process.argv[2]!) as MemoryProbeArgs;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('memory-probe needs node --expose-gc');

/** Settle the heap (several full GCs with a turn of the event loop between) and sample. */
async function sample(): Promise<MemorySample> {
  for (let i = 0; i < 4; i++) {
    gc!();
    await new Promise((r) => setImmediate(r));
  }
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, rss: m.rss };
}

const start = await sample();
const emptyStore = await openEtcdStore({ endpoints: [args.etcd], prefix: args.emptyPrefix });
const empty = await createApiServer({ store: emptyStore, logger: silentLogger, compactionIntervalMs: 0, plugins: [planCommitPlugin()] });
const emptyServer = await sample();
const loadedStore = await openEtcdStore({ endpoints: [args.etcd], prefix: args.loadedPrefix });
const loaded = await createApiServer({ store: loadedStore, logger: silentLogger, compactionIntervalMs: 0, plugins: [planCommitPlugin()] });
const res = await loaded.app.inject({ method: 'GET', url: '/apis/drover.dev/v1/namespaces/default/jobs?limit=1' });
const remaining = (JSON.parse(res.body) as { metadata: { remainingItemCount?: number } }).metadata.remainingItemCount ?? 0;
if (remaining + 1 !== args.objects) throw new Error(`cache holds ${remaining + 1} jobs, expected ${args.objects}`);
const loadedServer = await sample();

// The floor: the same stored values, parsed, in a Map by key.
const held = new Map<string, unknown>();
let storedBytes = 0;
let startKey: string | undefined;
for (;;) {
  const page = await loadedStore.list(keyPrefix(jobKind), { limit: 2000, startKey });
  for (const kv of page.kvs) {
    held.set(kv.key, JSON.parse(kv.value));
    storedBytes += kv.value.length;
  }
  if (!page.more) break;
  startKey = page.kvs[page.kvs.length - 1]!.key + '\0';
}
const rawMap = await sample();
if (held.size !== args.objects) throw new Error(`raw map holds ${held.size}`);

await sendResult({ start, emptyServer, loadedServer, rawMap, storedBytes: storedBytes / args.objects } satisfies MemoryProbeResult);
await loaded.close();
await empty.close();
await loadedStore.close();
await emptyStore.close();
process.exit(0);
