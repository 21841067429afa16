// Resident memory per cached object: heapUsed and RSS growth when an API server's watch cache fills with N
// jobs, measured after forced GCs in a fresh child process (--expose-gc), against the raw floor of the same
// objects parsed into a Map. This process seeds etcd, so the probe never holds the seeding garbage.
import { fileURLToPath } from 'node:url';
import { parseBenchArgs, watchdog } from './lib/args.ts';
import { forkChild } from './lib/child.ts';
import { benchEtcd } from './lib/etcd.ts';
import { preloadJobs, storedJobTemplate } from './lib/fixtures.ts';
import { report, type BenchResult } from './lib/result.ts';
import { startBenchServer } from './lib/server.ts';
import type { MemoryProbeArgs, MemoryProbeResult } from './memory-probe.ts';

const TARGET_BYTES = 2048;

/** Run the benchmark and return its result. */
export async function benchMemory(opts: { full: boolean; etcd?: string; set?: Record<string, number> }): Promise<BenchResult> {
  const n = opts.set?.objects ?? (opts.full ? 100_000 : 20_000);
  const etcd = await benchEtcd(opts.etcd);
  try {
    const seed = await startBenchServer(etcd.endpoint, '/bench-mem');
    const template = await storedJobTemplate(seed.url);
    await preloadJobs(seed.store, template, n - 1);
    await seed.close();

    const cfg: MemoryProbeArgs = { etcd: etcd.endpoint, loadedPrefix: '/bench-mem', emptyPrefix: '/bench-mem-empty', objects: n };
    const script = fileURLToPath(new URL('./memory-probe.ts', import.meta.url));
    const child = forkChild<MemoryProbeResult>(script, [JSON.stringify(cfg)], { execArgv: ['--expose-gc'], timeoutMs: 600_000 });
    const r = await child.result.finally(() => child.stop());
    const per = (a: number, b: number) => (a - b) / n;
    const heapPer = per(r.loadedServer.heapUsed, r.emptyServer.heapUsed);
    const rssPer = per(r.loadedServer.rss, r.emptyServer.rss);
    const rawHeapPer = per(r.rawMap.heapUsed, r.loadedServer.heapUsed);
    const fixed = r.emptyServer.heapUsed - r.start.heapUsed;
    const MiB = 2 ** 20;
    return {
      name: 'memory',
      title: `Memory per cached object (${n.toLocaleString('en-US')} jobs in the watch cache)`,
      setup: `fresh child with --expose-gc; baseline = one empty API server running; then a second server on an etcd prefix holding ${n.toLocaleString('en-US')} Jobs (${Math.round(r.storedBytes)} B stored JSON each); 4 forced GCs before each sample`,
      figures: [
        { label: 'heapUsed growth per cached object', value: heapPer, unit: 'B' },
        { label: 'RSS growth per cached object', value: rssPer, unit: 'B' },
        { label: 'raw: same objects parsed into a Map, heap per object', value: rawHeapPer, unit: 'B' },
        { label: 'stored JSON per object', value: r.storedBytes, unit: 'B' },
        { label: 'heapUsed with the loaded server', value: r.loadedServer.heapUsed / MiB, unit: 'MiB' },
        { label: 'RSS with the loaded server', value: r.loadedServer.rss / MiB, unit: 'MiB' },
        { label: 'fixed heap cost of an empty API server (not per object)', value: fixed / MiB, unit: 'MiB' },
      ],
      ratio: { value: heapPer / rawHeapPer, meaning: 'heap per cached object ÷ heap per plain parsed object (lower is better)' },
      target: { text: `<= ${TARGET_BYTES} B per object (heapUsed and RSS)`, met: heapPer <= TARGET_BYTES && rssPer <= TARGET_BYTES },
      notes: [
        `samples (heapUsed/RSS MiB): start ${(r.start.heapUsed / MiB).toFixed(1)}/${(r.start.rss / MiB).toFixed(1)}, empty server ${(r.emptyServer.heapUsed / MiB).toFixed(1)}/${(r.emptyServer.rss / MiB).toFixed(1)}, loaded ${(r.loadedServer.heapUsed / MiB).toFixed(1)}/${(r.loadedServer.rss / MiB).toFixed(1)}, + raw map ${(r.rawMap.heapUsed / MiB).toFixed(1)}/${(r.rawMap.rss / MiB).toFixed(1)}`,
        'the loaded server\'s growth includes its own fixed cost (about the empty server\'s), spread over the objects',
      ],
    };
  } finally {
    await etcd.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  watchdog(900_000, 'memory');
  const args = parseBenchArgs();
  await report(await benchMemory(args));
}
