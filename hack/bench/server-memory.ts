// Memory per allocation of the whole `drover server` process (issue 7): RSS and V8 heap of one server (API +
// evaluator + scheduler workers + health and drain controllers) on etcd, with N hollow nodes in another process,
// at rest with no allocations and again at rest with A allocations placed and running. Raw limit in the same run:
// the heap one plain parsed copy of the same allocations takes in a fresh process (parsed-copy-probe.ts). The
// ratio says how many such copies the server holds (watch cache, and each informer of each component).
//
//   node --import tsx hack/bench/server-memory.ts [--full] [--set allocs=A --set nodes=N --set port=P ...]
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Evaluation } from '../../api/schemas/index.ts';
import { createClient, type Client } from '../../pkg/client/client.ts';
import { parseBenchArgs, watchdog } from './lib/args.ts';
import { forkChild } from './lib/child.ts';
import { evalSummary, logMessages, startHollowFleet, waitNodesSettled, waitNoPendingEvals } from './lib/cluster.ts';
import { childPids, CpuMeter } from './lib/cpu.ts';
import { residentKb, startServer, type DroverProcess } from './lib/drover-process.ts';
import { benchEtcd, type BenchEtcd } from './lib/etcd.ts';
import { collectGarbage, inspectFlag, inspectorUrl } from './lib/inspector-gc.ts';
import { report, type BenchResult } from './lib/result.ts';
import { fmt } from './lib/stats.ts';
import type { C1mClientArgs, C1mLoadResult, C1mProgress } from './c1m-client.ts';
import type { ParsedCopyArgs, ParsedCopyResult } from './parsed-copy-probe.ts';

/** Quick: 10,000 allocations on 100 nodes; --full (the recorded size): 100,000 on 1,000. */
const SIZES = { quick: { allocs: 10_000, nodes: 100 }, full: { allocs: 100_000, nodes: 1000 } };
/** After issue 7 the process should hold about two copies: the API server's watch cache and one shared informer. */
const TARGET_COPIES = 2;

/** One sampling window of the server at rest. */
interface Window {
  /** V8 heap used (/metrics), bytes, each sample; and VmRSS, bytes. */
  heap: number[];
  rss: number[];
  /** Cores used meanwhile by each process, `others` = the rest of the machine. */
  cpu: Record<string, number>;
  /** /proc/loadavg's 1-minute figure at the window's end. */
  load: number;
}

/** The server's V8 heap in use, from its /metrics (nodejs_heap_size_used_bytes). */
async function serverHeapUsed(url: string): Promise<number> {
  const res = await fetch(`${url}/metrics`);
  const text = await res.text();
  const v = Number(/^nodejs_heap_size_used_bytes (\S+)$/m.exec(text)?.[1]);
  if (res.status !== 200 || !Number.isFinite(v)) throw new Error(`GET /metrics: HTTP ${res.status}, no nodejs_heap_size_used_bytes`);
  return v;
}

/** `samples` readings of the server's heap and RSS, evenly over `windowMs`, each after a full GC when `gcUrl` is set. */
async function sampleWindow(server: DroverProcess & { url: string }, pids: Record<string, number>, samples: number, windowMs: number, gcUrl?: string): Promise<Window> {
  const meter = new CpuMeter(pids);
  meter.mark();
  const heap: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < samples; i++) {
    if (i > 0) await sleep(windowMs / (samples - 1));
    if (gcUrl) await collectGarbage(gcUrl);
    heap.push(await serverHeapUsed(server.url));
    rss.push(residentKb(server.pid).rssKb * 1024);
  }
  return { heap, rss, cpu: meter.read(), load: loadavg()[0]! };
}

/** Wait until no evaluation is pending, then `settleMs` more: the cluster at rest. */
async function settle(client: Client, settleMs: number, log: (s: string) => void): Promise<void> {
  await waitNoPendingEvals(client, 600_000);
  log(`no pending evaluations; waiting ${settleMs / 1000} s more`);
  await sleep(settleMs);
}

/** Run the benchmark and return its result. */
export async function benchServerMemory(opts: { full: boolean; etcd?: string; set?: Record<string, number> }): Promise<BenchResult> {
  const base = opts.full ? SIZES.full : SIZES.quick;
  const allocs = opts.set?.allocs ?? base.allocs;
  const nodes = opts.set?.nodes ?? base.nodes;
  const count = opts.set?.count ?? Math.min(1000, allocs);
  const jobs = Math.ceil(allocs / count);
  if (jobs * count !== allocs) throw new Error(`--set allocs=${allocs} is not a multiple of count=${count}`);
  const port = opts.set?.port; // etcd on port and port+1, the server on port+2; default: free ports
  const settleMs = (opts.set?.settle ?? 30) * 1000;
  const windowMs = (opts.set?.window ?? 20) * 1000;
  const samples = opts.set?.samples ?? 5;
  const gc = (opts.set?.gc ?? 1) === 1;
  const limitMs = (opts.set?.seconds ?? 900) * 1000;
  const log = (s: string) => process.stderr.write(`server-memory: ${s}\n`);
  const notes: string[] = [];
  let etcd: BenchEtcd | undefined;
  let server: (DroverProcess & { url: string }) | undefined;
  let fleet: DroverProcess | undefined;
  let client: Client | undefined;
  try {
    etcd = await benchEtcd(opts.etcd, port);
    const etcdPid = opts.etcd ? undefined : childPids('etcd')[0];
    // The heap limit c1m gives the server at this size: room enough that the limit never shapes the figures.
    // With gc (the default) its inspector is open, so each sample can follow a full GC (port+3, or a free one).
    const nodeArgs = ['--max-old-space-size=8192', ...(gc ? [inspectFlag(port === undefined ? 0 : port + 3)] : [])];
    server = await startServer(etcd.endpoint, { nodeArgs, port: port === undefined ? undefined : port + 2 });
    const gcUrl = gc ? inspectorUrl(server.log()) : undefined;
    fleet = await startHollowFleet(server.url, nodes, allocs >= 200_000 ? ['--max-old-space-size=8192'] : []);
    client = createClient({ server: server.url, userAgent: 'drover-bench/server-memory' });
    const pids = { server: server.pid, fleet: fleet.pid, ...(etcdPid ? { etcd: etcdPid } : {}) };
    await waitNodesSettled(client, nodes);
    log(`${nodes} hollow nodes ready and evaluated`);
    await settle(client, settleMs, log);
    const baseline = await sampleWindow(server, pids, samples, windowMs, gcUrl);
    log(`baseline: heap ${mib(min(baseline.heap))} MiB, RSS ${mib(median(baseline.rss))} MiB; submitting ${jobs} jobs × ${count}`);

    // The jobs, through c1m's load generator (8 POSTs in flight, one watch on every allocation, done when all run).
    const cfg: C1mClientArgs = { url: server.url, etcd: etcd.endpoint, jobs, count, submitConcurrency: 8, limitMs, prefix: 'mem', cpu: 20, memoryMB: 10, driver: 'mock' };
    const onMessage = (m: unknown) => {
      const p = (m as C1mProgress).progress;
      if (p && Math.round(p.elapsedMs / 2000) % 5 === 0) log(`${(p.elapsedMs / 1000).toFixed(0)} s: ${p.submitted}/${jobs} jobs, ${p.placed} placed, ${p.running} running of ${allocs}`);
    };
    const loadgen = forkChild<C1mLoadResult>(fileURLToPath(new URL('./c1m-client.ts', import.meta.url)), [JSON.stringify(cfg)], { timeoutMs: limitMs + 120_000, onMessage });
    const load = await loadgen.result.finally(() => loadgen.stop());
    if (load.placed < allocs || load.running < allocs) throw new Error(`only ${load.placed} placed and ${load.running} running of ${allocs} (failed or lost ${load.failedOrLost}, stopped ${load.stopped}, submit errors ${load.submitErrors}${load.firstSubmitError ? `: ${load.firstSubmitError}` : ''})`);
    const runningS = (load.runningTimes[load.runningTimes.length - 1] ?? NaN) / 1000;
    log(`all ${allocs} placed and running ${runningS.toFixed(1)} s after the first POST`);
    await settle(client, settleMs, log);
    const after = await sampleWindow(server, pids, samples, windowMs, gcUrl);
    log(`after: heap ${mib(min(after.heap))} MiB, RSS ${mib(median(after.rss))} MiB; measuring one parsed copy`);
    const evals = await client.resource<Evaluation>('evaluations').listAll({ namespace: 'default' });
    notes.push(evalSummary(evals.items));
    const fleetRssMiB = residentKb(fleet.pid).rssKb / 1024;
    const etcdRssMiB = etcdPid ? residentKb(etcdPid).rssKb / 1024 : NaN;

    // The raw limit: one parsed copy of the same allocations, listed from this server.
    const probeArgs: ParsedCopyArgs = { url: server.url, expected: allocs };
    const probe = forkChild<ParsedCopyResult>(fileURLToPath(new URL('./parsed-copy-probe.ts', import.meta.url)), [JSON.stringify(probeArgs)], { execArgv: ['--expose-gc'], timeoutMs: 600_000 });
    const raw = await probe.result.finally(() => probe.stop());
    const warnings = logMessages(server.log());
    if (warnings) notes.push(`the server's last log lines (warn and above), by message: ${warnings}`);
    return result({ allocs, nodes, jobs, count, baseline, after, raw, runningS, fleetRssMiB, etcdRssMiB, settleMs, windowMs, samples, gc, notes });
  } finally {
    await client?.close();
    await fleet?.stop();
    await server?.stop();
    await etcd?.stop();
  }
}

interface Measured {
  allocs: number;
  nodes: number;
  jobs: number;
  count: number;
  baseline: Window;
  after: Window;
  raw: ParsedCopyResult;
  runningS: number;
  fleetRssMiB: number;
  etcdRssMiB: number;
  settleMs: number;
  windowMs: number;
  samples: number;
  gc: boolean;
  notes: string[];
}

/** The figures, ratio and target of one run. */
function result(m: Measured): BenchResult {
  const heap0 = min(m.baseline.heap);
  const heap1 = min(m.after.heap);
  const rss0 = median(m.baseline.rss);
  const rss1 = median(m.after.rss);
  const heapPer = (heap1 - heap0) / m.allocs;
  const rssPer = (rss1 - rss0) / m.allocs;
  const rawPer = (m.raw.heapAfter - m.raw.heapBefore) / m.raw.count;
  const rawRssPer = (m.raw.rssAfter - m.raw.rssBefore) / m.raw.count;
  const heapCopies = heapPer / rawPer;
  const rssCopies = rssPer / rawPer;
  const n = (v: number) => Math.round(v).toLocaleString('en-US');
  const window = (w: Window) => `heap ${w.heap.map(mib).join('/')} MiB, RSS ${w.rss.map(mib).join('/')} MiB; cores: ${Object.entries(w.cpu).filter(([k]) => k !== 'wallMs').map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}; load average (1 min) ${w.load.toFixed(2)}`;
  m.notes.unshift(
    `server heap ${n(heapPer)} B/alloc = ${heapCopies.toFixed(1)} × one parsed copy (${n(rawPer)} B/alloc); server RSS ${n(rssPer)} B/alloc = ${rssCopies.toFixed(1)} × one parsed copy's heap`,
    `heap is the minimum and RSS the median of ${m.samples} samples over ${m.windowMs / 1000} s, ${m.gc ? "each right after a full GC forced through the server's inspector (HeapProfiler.collectGarbage)" : 'without forced GCs (--set gc=0: the minimum is the sample nearest a collection)'}; each window ${m.settleMs / 1000} s after no evaluation was pending`,
    `baseline samples: ${window(m.baseline)}`,
    `after samples: ${window(m.after)}`,
    `all ${n(m.allocs)} placed and running ${m.runningS.toFixed(1)} s after the first POST`,
    `one parsed copy: ${n(m.raw.jsonBytes)} B of list JSON per allocation; its RSS growth ${n(rawRssPer)} B/alloc`,
    `other processes' RSS at the end: hollow-node fleet ${fmt(m.fleetRssMiB)} MiB, etcd ${fmt(m.etcdRssMiB)} MiB`,
  );
  return {
    name: 'server-memory',
    title: `Memory per allocation of drover server (${n(m.allocs)} allocations on ${n(m.nodes)} hollow nodes, etcd)`,
    setup: `etcd 1 member (--quota-backend-bytes 8 GiB) ← one drover server process (--max-old-space-size=8192${m.gc ? ', --inspect on loopback for forced GCs' : ''}; API + evaluator + 2 scheduler workers + health/drain controllers) ← drover agent --simulate ${m.nodes} (one process); ${m.jobs} service jobs × ${n(m.count)} mock tasks (cpu 20 MHz / 10 MB / disk 10 MB) POSTed 8 at a time; measured at rest before the jobs and with all running; raw limit: the same allocations listed from the API and JSON.parse'd into a Map in a fresh node --expose-gc`,
    figures: [
      { label: 'server heap used per allocation', value: heapPer, unit: 'B' },
      { label: 'server RSS per allocation', value: rssPer, unit: 'B' },
      { label: 'raw: one parsed copy, heap per allocation', value: rawPer, unit: 'B' },
      { label: 'server heap used, baseline (min)', value: heap0 / 2 ** 20, unit: 'MiB' },
      { label: 'server heap used, with allocations (min)', value: heap1 / 2 ** 20, unit: 'MiB' },
      { label: 'server RSS, baseline (median)', value: rss0 / 2 ** 20, unit: 'MiB' },
      { label: 'server RSS, with allocations (median)', value: rss1 / 2 ** 20, unit: 'MiB' },
      { label: 'server RSS per allocation ÷ one parsed copy', value: rssCopies, unit: '×' },
    ],
    ratio: { value: heapCopies, meaning: 'server heap per allocation ÷ one parsed copy (copies held; lower is better)' },
    target: { text: `≤ ${TARGET_COPIES} copies of heap (the watch cache's and one shared informer's: issue 7's aim)`, met: heapCopies <= TARGET_COPIES },
    notes: m.notes,
  };
}

const min = (xs: number[]) => Math.min(...xs);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const mib = (bytes: number) => fmt(bytes / 2 ** 20);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

if (import.meta.url === `file://${process.argv[1]}`) {
  watchdog(2_400_000, 'server-memory');
  const args = parseBenchArgs();
  await report(await benchServerMemory(args));
}
