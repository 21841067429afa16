// The dashboard in headless chromium (Debian's /usr/bin/chromium through playwright-core) against an API server
// on the embedded store, with the dashboard plugin and the real bundle (dist/drover/dashboard):
//   first load: bytes transferred and time to interactive (the overview rendered with live data);
//   the jobs page with 1,000 jobs and the job page with 10,000 allocations: time from navigation to the list
//   rendered (every object listed through the watch mux first);
//   frame time on that job page while 100 allocation status changes per second arrive.
// Raw limits in the same run and browser: a blank page from a bare node:http server (bytes, load time); the
// same pages with no jobs / an empty job (render time); the same job page with no events arriving (frame time).
// Objects are written straight into the store (the API would refuse live allocations outside a plan commit).
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { kinds } from '../../api/schemas/index.ts';
import type { ApiObject } from '../../api/schemas/kind.ts';
import { encodeStored, keyPrefix } from '../../pkg/apiserver/codec.ts';
import { createApiServer } from '../../pkg/apiserver/server.ts';
import { dashboardPlugin } from '../../pkg/dashboard/plugin.ts';
import { silentLogger } from '../../pkg/log/logger.ts';
import { openMemoryStore } from '../../pkg/storage/memory/store.ts';
import type { Store } from '../../pkg/storage/store.ts';
import { parseBenchArgs, watchdog } from './lib/args.ts';
import { preloadJobs, storedJobTemplate } from './lib/fixtures.ts';
import { report } from './lib/result.ts';
import { median, percentile } from './lib/stats.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const args = parseBenchArgs();
const JOBS = args.set.jobs ?? 1000;
const ALLOCS = args.set.allocs ?? 10_000;
const RATE = args.set.rate ?? 100;
const SECONDS = args.set.seconds ?? (args.full ? 20 : 10);
const RUNS = args.set.runs ?? 3;
watchdog(900_000, 'dashboard');

const allocKind = kinds.find((k) => k.kind === 'Allocation')!;
const jobKind = kinds.find((k) => k.kind === 'Job')!;

/** 10,000 allocations of job `big` over the nodes, as a plan commit would have stored them (running). */
async function preloadAllocations(store: Store, count: number, nodes: string[]): Promise<string[]> {
  const names: string[] = [];
  for (let start = 0; start < count; start += 128) {
    const ops = [];
    for (let i = start; i < Math.min(count, start + 128); i++) {
      const name = `big-web-${i}-${i.toString(16).padStart(8, '0')}`;
      names.push(name);
      const obj = allocation(name, i, nodes[i % nodes.length]!, 'running', 0);
      ops.push({ type: 'put' as const, key: `${keyPrefix(allocKind, 'default')}${name}`, value: encodeStored(obj) });
    }
    await store.txn([], ops);
  }
  return names;
}

function allocation(name: string, index: number, node: string, clientStatus: string, n: number): ApiObject {
  return {
    apiVersion: 'drover.dev/v1', kind: 'Allocation',
    metadata: { name, namespace: 'default', uid: randomUUID(), creationTimestamp: '2026-01-01T00:00:00Z', generation: 1 },
    spec: { nodeName: node, jobName: 'big', jobVersion: 1, groupName: 'web', index, resources: { tasks: { main: { cpu: 1, memoryMB: 1 } } } },
    status: { clientStatus, clientDescription: `update ${n}`, taskStates: { main: { state: clientStatus === 'running' ? 'running' : 'pending', restarts: 0 } } },
  } as unknown as ApiObject;
}

/** ms since navigation start when `predicate` (in the page) first holds, checked every frame. */
async function renderedAt(page: Page, url: string, predicate: string): Promise<number> {
  // From another document: a hash change alone would be a same-document navigation (no new time origin).
  await page.goto('about:blank');
  await page.goto(url);
  const h = await page.waitForFunction(`(${predicate}) && performance.now()`, undefined, { polling: 'raf', timeout: 300_000 });
  return (await h.jsonValue()) as number;
}

/** Frame intervals (ms) over `seconds` in the page. */
async function frameTimes(page: Page, seconds: number): Promise<number[]> {
  // A string, not a function: tsx's transform would name inner functions with a helper the page lacks.
  return page.evaluate(`new Promise((resolve) => {
    const out = [];
    let last = performance.now();
    const end = last + ${seconds * 1000};
    const tick = (t) => {
      out.push(t - last);
      last = t;
      if (t < end) requestAnimationFrame(tick);
      else resolve(out);
    };
    requestAnimationFrame(tick);
  })`) as Promise<number[]>;
}

async function main(): Promise<void> {
  const build = spawnSync(process.execPath, [`${ROOT}hack/build.mjs`, '--if-stale', '--quiet'], { stdio: 'inherit' });
  if (build.status !== 0) throw new Error('the build failed');
  const store = await openMemoryStore();
  const api = await createApiServer({ store, logger: silentLogger, compactionIntervalMs: 0, plugins: [dashboardPlugin({ assetsDir: `${ROOT}dist/drover/dashboard` })] });
  const url = await api.listen({ port: 0 });
  const blank = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>blank</title><p>blank</p>'));
  await new Promise<void>((r) => blank.listen(0, '127.0.0.1', () => r()));
  const blankUrl = `http://127.0.0.1:${(blank.address() as { port: number }).port}/`;
  const nodes = ['n1', 'n2', 'n3'];
  for (const name of nodes) {
    await fetch(`${url}/apis/drover.dev/v1/nodes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ apiVersion: 'drover.dev/v1', kind: 'Node', metadata: { name }, spec: {} }) });
  }
  const { chromium } = await import('playwright-core');
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  try {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    // Bytes as the network saw them (compressed, headers included), per navigation, through the DevTools protocol.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    let bytes = 0;
    cdp.on('Network.loadingFinished', (e: { encodedDataLength: number }) => (bytes += e.encodedDataLength));
    cdp.on('Network.dataReceived', () => undefined);
    const measureLoad = async (target: string, predicate: string) => {
      bytes = 0;
      const ms = await renderedAt(page, target, predicate);
      await page.waitForTimeout(200); // the last responses' loadingFinished
      return { ms, bytes };
    };
    await measureLoad(blankUrl, 'document.readyState === "complete"'); // warm-up: the browser's first navigation
    await measureLoad(`${url}/ui/`, 'document.querySelector("[data-testid=connection]")?.textContent === "live"');
    const blankRuns = [];
    const firstRuns = [];
    for (let i = 0; i < RUNS; i++) {
      blankRuns.push(await measureLoad(blankUrl, 'document.readyState === "complete"'));
      // The mux stream never finishes, so loadingFinished never counts it: the bytes are the page, its bundle
      // and the requests that completed (the access review).
      firstRuns.push(await measureLoad(`${url}/ui/`, 'document.querySelectorAll("[data-testid=node-tile]").length === 3 && document.querySelector("[data-testid=connection]")?.textContent === "live"'));
    }
    const staticBytes = firstRuns.map((r) => r.bytes);
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: false });

    // Render times: empty baselines first, then the loaded cluster.
    const template = await storedJobTemplate(url);
    const jobsPage = `${url}/ui/#/jobs`;
    const jobsEmpty = [];
    for (let i = 0; i < RUNS; i++) jobsEmpty.push(await renderedAt(page, jobsPage, 'document.querySelector("[data-testid=jobs-list]")?.dataset.count === "1"'));
    await preloadJobs(store, template, JOBS - 1, 'job');
    const jobsFull = [];
    for (let i = 0; i < RUNS; i++) jobsFull.push(await renderedAt(page, jobsPage, `document.querySelector("[data-testid=jobs-list]")?.dataset.count === "${JOBS}"`));
    // The job page: the template job has no allocations (baseline); "big" gets ALLOCS.
    const big = { ...template, metadata: { ...template.metadata, name: 'big', uid: randomUUID() } } as ApiObject;
    await store.txn([], [{ type: 'put', key: `${keyPrefix(jobKind, 'default')}big`, value: encodeStored(big) }]);
    const jobEmpty = [];
    for (let i = 0; i < RUNS; i++) jobEmpty.push(await renderedAt(page, `${url}/ui/#/jobs/default/template`, 'document.querySelector("[data-testid=alloc-counts]")?.textContent === "0 running of 0"'));
    const names = await preloadAllocations(store, ALLOCS, nodes);
    const jobFull = [];
    for (let i = 0; i < RUNS; i++) jobFull.push(await renderedAt(page, `${url}/ui/#/jobs/default/big`, `document.querySelector("[data-testid=alloc-counts]")?.textContent === "${ALLOCS} running of ${ALLOCS}"`));

    // Frame time on the big job's page: idle, then with RATE status changes per second arriving.
    const idle = await frameTimes(page, SECONDS);
    let n = 0;
    let stop = false;
    const writer = (async () => {
      const t0 = performance.now();
      while (!stop) {
        const due = Math.floor(((performance.now() - t0) / 1000) * RATE);
        const ops = [];
        for (; n < due; n++) {
          const i = (n * 7919) % names.length;
          ops.push({ type: 'put' as const, key: `${keyPrefix(allocKind, 'default')}${names[i]}`, value: encodeStored(allocation(names[i]!, i, nodes[i % nodes.length]!, n % 2 ? 'pending' : 'running', n)) });
        }
        if (ops.length) await store.txn([], ops);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const seenBefore = (await page.evaluate('window.droverStore.version')) as number;
    const busy = await frameTimes(page, SECONDS);
    stop = true;
    await writer;
    await page.waitForTimeout(500);
    const applied = ((await page.evaluate('window.droverStore.version')) as number) - seenBefore;
    const sentPerSecond = n / SECONDS;
    const p = (v: number[], q: number) => percentile(v, q);
    const over50 = (v: number[]) => (100 * v.filter((x) => x > 50).length) / v.length;
    const firstMs = median(firstRuns.map((r) => r.ms));
    const blankMs = median(blankRuns.map((r) => r.ms));
    await report({
      name: 'dashboard',
      title: `Dashboard in headless chromium (${JOBS} jobs, ${ALLOCS} allocations, ${RATE} allocation events/s)`,
      setup: `API server on the memory store with the dashboard plugin (one process) ← headless ${CHROMIUM} through playwright-core, 1440×900, same machine; objects written straight into the store; medians of ${RUNS} page loads; frame times over ${SECONDS} s each`,
      figures: [
        { label: 'first load: time to interactive (overview live)', value: firstMs, unit: 'ms' },
        { label: 'first load: bytes transferred (gzip, headers incl.)', value: median(staticBytes), unit: 'B' },
        { label: 'raw: blank page load (bare node:http)', value: blankMs, unit: 'ms' },
        { label: 'raw: blank page bytes', value: median(blankRuns.map((r) => r.bytes)), unit: 'B' },
        { label: `jobs page, ${JOBS} jobs: time to render`, value: median(jobsFull), unit: 'ms' },
        { label: 'jobs page, 1 job: time to render', value: median(jobsEmpty), unit: 'ms' },
        { label: `job page, ${ALLOCS} allocations: time to render`, value: median(jobFull), unit: 'ms' },
        { label: 'job page, 0 allocations: time to render', value: median(jobEmpty), unit: 'ms' },
        { label: `job page, ${RATE} events/s: frame time p50`, value: p(busy, 50), unit: 'ms' },
        { label: `job page, ${RATE} events/s: frame time p95`, value: p(busy, 95), unit: 'ms' },
        { label: `job page, ${RATE} events/s: frame time max`, value: Math.max(...busy), unit: 'ms' },
        { label: `job page, ${RATE} events/s: frames over 50 ms`, value: over50(busy), unit: '%' },
        { label: 'job page, idle: frame time p50', value: p(idle, 50), unit: 'ms' },
        { label: 'job page, idle: frame time p95', value: p(idle, 95), unit: 'ms' },
        { label: 'allocation events written per second', value: sentPerSecond, unit: '/s' },
        { label: 'allocation events the page applied per second', value: applied / SECONDS, unit: '/s' },
      ],
      headline: 6,
      ratio: { value: median(jobFull) / median(jobEmpty), meaning: `job page render, ${ALLOCS} allocations ÷ 0 allocations (lower is better)` },
      target: { text: `first load < 1 s, frame time p95 under ${RATE} events/s < 50 ms`, met: firstMs < 1000 && p(busy, 95) < 50 },
      notes: [
        `first load ÷ blank page: ${(firstMs / blankMs).toFixed(1)}× the time, ${(median(staticBytes) / Math.max(1, median(blankRuns.map((r) => r.bytes)))).toFixed(0)}× the bytes (the never-ending watch stream is not counted)`,
        `jobs page ${JOBS} ÷ 1 job: ${(median(jobsFull) / median(jobsEmpty)).toFixed(2)}×; frame p95 busy ÷ idle: ${(p(busy, 95) / p(idle, 95)).toFixed(2)}×`,
        'every render time includes listing the whole cluster through the watch mux (a fresh page load each run)',
      ],
    });
  } finally {
    await browser.close();
    blank.close();
    await api.close();
    await store.close();
  }
}

await main();
process.exit(0);
