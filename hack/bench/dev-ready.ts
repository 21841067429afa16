// `drover dev` time to ready: spawn `node cmd/drover/bin.js dev` on a fresh data directory and a free port,
// poll /readyz every 5 ms, and note when the server's own "ready in N ms" line appears. Raw limits in the
// same run: a bare node:http server polled the same way, and that server loaded through tsx (what `bin.js`
// falls back to when the build is stale), which shows what TypeScript compilation would cost.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseBenchArgs, watchdog } from './lib/args.ts';
import { report, type BenchResult } from './lib/result.ts';
import { median } from './lib/stats.ts';

const TARGET_MS = 1000;
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HELLO = fileURLToPath(new URL('./lib/hello-server.mjs', import.meta.url));
const POLL_MS = 5;
const START_LIMIT_MS = 30_000;

/** One start: ms from spawn to the first 200 from /readyz, to the ready log line, and the N it printed. */
interface Start {
  readyMs: number;
  lineMs: number;
  reportedMs: number;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

function ready(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/readyz', agent: false, timeout: 1000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/** Spawn node with `args(port)`, time it to ready, stop it. */
async function timeStart(args: (port: number) => string[]): Promise<Start> {
  const port = await freePort();
  const argv = args(port);
  const t0 = performance.now();
  const proc = spawn(process.execPath, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] });
  const killOnExit = () => proc.kill('SIGKILL');
  process.once('exit', killOnExit);
  let lineMs = NaN;
  let reportedMs = NaN;
  let out = '';
  proc.stdout!.on('data', (b: Buffer) => {
    out += b.toString();
    const m = /ready in (\d+) ms/.exec(out);
    if (m && Number.isNaN(lineMs)) {
      lineMs = performance.now() - t0;
      reportedMs = Number(m[1]);
    }
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  try {
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`${argv.join(' ')} exited (${proc.exitCode}): ${out.slice(-500)}`);
      if (await ready(port)) break;
      if (performance.now() - t0 > START_LIMIT_MS) throw new Error(`not ready within ${START_LIMIT_MS} ms`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    const readyMs = performance.now() - t0;
    // The line is printed right after readiness; give stdout a moment to arrive.
    for (let i = 0; i < 200 && Number.isNaN(lineMs) && argv.includes('dev'); i++) await new Promise((r) => setTimeout(r, 5));
    return { readyMs, lineMs, reportedMs };
  } finally {
    proc.kill('SIGTERM');
    const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
    process.removeListener('exit', killOnExit);
  }
}

/** Run the benchmark and return its result. */
export async function benchDevReady(opts: { full: boolean; set?: Record<string, number> }): Promise<BenchResult> {
  const runs = opts.set?.runs ?? (opts.full ? 9 : 3);
  const dirs: string[] = [];
  try {
    const dev: Start[] = [];
    const bare: Start[] = [];
    const tsx: Start[] = [];
    // One unmeasured start of each fills tsx's transform cache, as any second start of `drover dev` would find it.
    const devArgs = (port: number) => {
      const dir = mkdtempSync(join(tmpdir(), 'drover-bench-dev-'));
      dirs.push(dir);
      return ['cmd/drover/bin.js', 'dev', '--data-dir', dir, '--port', String(port)];
    };
    await timeStart(devArgs);
    await timeStart((port) => ['--import', 'tsx', HELLO, String(port)]);
    // Interleaved, so a burst of load from other processes hits all three alike.
    for (let i = 0; i < runs; i++) {
      dev.push(await timeStart(devArgs));
      bare.push(await timeStart((port) => [HELLO, String(port)]));
      tsx.push(await timeStart((port) => ['--import', 'tsx', HELLO, String(port)]));
    }
    const devMs = median(dev.map((s) => s.readyMs));
    const bareMs = median(bare.map((s) => s.readyMs));
    return {
      name: 'dev-ready',
      title: '`drover dev` time to ready',
      setup: `node cmd/drover/bin.js dev --data-dir <fresh tmp> --port <free>, /readyz polled every ${POLL_MS} ms, median of ${runs} (after one unmeasured start that warms tsx's cache)`,
      figures: [
        { label: 'spawn → /readyz 200', value: devMs, unit: 'ms' },
        { label: 'spawn → "ready in N ms" line on stdout', value: median(dev.map((s) => s.lineMs)), unit: 'ms' },
        { label: 'N printed in that line (from process start)', value: median(dev.map((s) => s.reportedMs)), unit: 'ms' },
        { label: 'raw: bare node:http server, spawn → 200', value: bareMs, unit: 'ms' },
        { label: 'raw: the same server loaded with --import tsx', value: median(tsx.map((s) => s.readyMs)), unit: 'ms' },
      ],
      ratio: { value: devMs / bareMs, meaning: 'drover dev ÷ bare node:http server (lower is better)' },
      target: { text: `< ${TARGET_MS} ms to /readyz`, met: devMs < TARGET_MS },
      notes: [`drover dev runs (readyz ms): ${dev.map((s) => Math.round(s.readyMs)).join(', ')}`],
    };
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  watchdog(600_000, 'dev-ready');
  const args = parseBenchArgs();
  await report(await benchDevReady(args));
}
