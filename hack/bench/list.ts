// LIST of N jobs served from the watch cache: one unpaginated list, and a walk with limit=500. Raw limits,
// measured in the same run: a bare node:http server answering JSON.stringify of the same objects held in an
// array (the floor of serving a list from memory in Node), and the paged etcd range the cache itself reads.
import { createServer, type Server } from 'node:http';
import { Pool } from 'undici';
import type { ApiObject } from '../../api/schemas/kind.ts';
import { keyPrefix } from '../../pkg/apiserver/codec.ts';
import { parseBenchArgs, watchdog } from './lib/args.ts';
import { CpuMeter } from './lib/cpu.ts';
import { benchEtcd } from './lib/etcd.ts';
import { jobKind, jobsPath, preloadJobs, storedJobTemplate } from './lib/fixtures.ts';
import { report, type BenchResult } from './lib/result.ts';
import { startBenchServer } from './lib/server.ts';
import { median } from './lib/stats.ts';

const TARGET_MS = 1000;
const PAGE = 500;

interface ListPage {
  items: ApiObject[];
  metadata: { continue?: string; resourceVersion: string };
}

/** GET `path` to the last byte; returns the time and the body. */
async function timedGet(pool: Pool, path: string): Promise<{ ms: number; body: Buffer }> {
  const t0 = performance.now();
  const res = await pool.request({ path, method: 'GET' });
  const body = Buffer.from(await res.body.arrayBuffer());
  if (res.statusCode !== 200) throw new Error(`GET ${path}: HTTP ${res.statusCode} ${body.toString().slice(0, 300)}`);
  return { ms: performance.now() - t0, body };
}

/** Walk every page with `limit`; returns the time (requests and parsing the continue token) and item count. */
async function pagedWalk(pool: Pool, limit: number): Promise<{ ms: number; items: number; pages: number }> {
  const t0 = performance.now();
  let cont = '';
  let items = 0;
  let pages = 0;
  do {
    const { body } = await timedGet(pool, `${jobsPath()}?limit=${limit}${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`);
    const page = JSON.parse(body.toString()) as ListPage;
    items += page.items.length;
    pages++;
    cont = page.metadata.continue ?? '';
  } while (cont);
  return { ms: performance.now() - t0, items, pages };
}

/** A bare HTTP server that answers every request with JSON.stringify of `items` as a list. */
async function bareListServer(items: ApiObject[], rv: string): Promise<{ server: Server; url: string }> {
  const server = createServer((_req, res) => {
    const body = JSON.stringify({ kind: 'JobList', apiVersion: 'drover.dev/v1', metadata: { resourceVersion: rv }, items });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` };
}

/** Run the benchmark and return its result. */
export async function benchList(opts: { full: boolean; etcd?: string; set?: Record<string, number> }): Promise<BenchResult> {
  const n = opts.set?.objects ?? (opts.full ? 100_000 : 20_000);
  const repeats = opts.full ? 5 : 3;
  const etcd = await benchEtcd(opts.etcd);
  const cleanup: Array<() => Promise<void>> = [() => etcd.stop()];
  try {
    // A template as the server stores it, then N copies straight into etcd (the API is not what is measured).
    const seed = await startBenchServer(etcd.endpoint, '/bench-list');
    const template = await storedJobTemplate(seed.url);
    const l0 = performance.now();
    await preloadJobs(seed.store, template, n - 1);
    const loadMs = performance.now() - l0;
    await seed.close();

    const s0 = performance.now();
    const server = await startBenchServer(etcd.endpoint, '/bench-list');
    const cacheFillMs = performance.now() - s0;
    cleanup.unshift(() => server.close());
    const pool = new Pool(server.url, { connections: 1 });
    cleanup.unshift(() => pool.close());

    const meter = new CpuMeter({ server: process.pid });
    meter.mark();
    const first = await timedGet(pool, jobsPath());
    const list = JSON.parse(first.body.toString()) as ListPage;
    if (list.items.length !== n) throw new Error(`list returned ${list.items.length} items, expected ${n}`);
    const full: number[] = [];
    for (let i = 0; i < repeats; i++) full.push((await timedGet(pool, jobsPath())).ms);
    const walks: Array<{ ms: number; items: number; pages: number }> = [];
    for (let i = 0; i < repeats; i++) walks.push(await pagedWalk(pool, PAGE));
    if (walks.some((w) => w.items !== n)) throw new Error(`paged walk returned ${walks.map((w) => w.items)} items, expected ${n}`);
    const others = meter.read().others!;

    const bare = await bareListServer(list.items, list.metadata.resourceVersion);
    cleanup.unshift(() => new Promise((resolve) => bare.server.close(() => resolve())));
    const barePool = new Pool(bare.url, { connections: 1 });
    cleanup.unshift(() => barePool.close());
    await timedGet(barePool, '/');
    const bareMs: number[] = [];
    for (let i = 0; i < repeats; i++) bareMs.push((await timedGet(barePool, '/')).ms);

    const etcdMs: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const t0 = performance.now();
      let count = 0;
      let start: string | undefined;
      let rev: number | undefined;
      for (;;) {
        const page = await server.store.list(keyPrefix(jobKind), { limit: 2000, startKey: start, revision: rev });
        count += page.kvs.length;
        rev = page.revision;
        if (!page.more) break;
        start = page.kvs[page.kvs.length - 1]!.key + '\0';
      }
      if (count !== n) throw new Error(`etcd range returned ${count} keys, expected ${n}`);
      etcdMs.push(performance.now() - t0);
    }

    const fullMs = median(full);
    const walkMs = median(walks.map((w) => w.ms));
    return {
      name: 'list',
      title: `LIST of ${n.toLocaleString('en-US')} jobs from the watch cache`,
      setup: `${n.toLocaleString('en-US')} stored Jobs (${(first.body.length / n).toFixed(0)} B each in the list, ${(first.body.length / 2 ** 20).toFixed(0)} MiB per full list), one undici connection, median of ${repeats}; time to the last byte`,
      figures: [
        { label: 'full list, unpaginated', value: fullMs, unit: 'ms' },
        { label: `paginated walk, limit=${PAGE} (${walks[0]!.pages} pages, parsing each)`, value: walkMs, unit: 'ms' },
        { label: 'bare node:http JSON.stringify of the same array', value: median(bareMs), unit: 'ms' },
        { label: 'etcd range of the same keys (pages of 2,000)', value: median(etcdMs), unit: 'ms' },
        { label: 'watch cache fill at server start', value: cacheFillMs, unit: 'ms' },
        { label: 'preload into etcd (txns of 128, 8 in flight)', value: (n / loadMs) * 1000, unit: 'objects/s' },
        { label: 'CPU used by other processes during the lists', value: others, unit: 'cores' },
      ],
      ratio: { value: fullMs / median(bareMs), meaning: 'full list ÷ bare node:http serving the same array (lower is better)' },
      target: { text: `full list and paged walk < ${TARGET_MS} ms`, met: fullMs < TARGET_MS && walkMs < TARGET_MS },
      notes: [`full list runs: ${full.map((x) => Math.round(x)).join(', ')} ms; walks: ${walks.map((w) => Math.round(w.ms)).join(', ')} ms`],
    };
  } finally {
    for (const c of cleanup) await c();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  watchdog(900_000, 'list');
  const args = parseBenchArgs();
  await report(await benchList(args));
}
