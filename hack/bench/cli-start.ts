// CLI cold start (issue 12): wall time from spawn to exit of `drover version --client`, `drover version` and
// `drover get jobs` against a running `drover dev`, beside the raw limit in the same run, `node -e ''` (Node's
// own start). Each command also runs from the TypeScript sources through tsx, as bin.js did before the build
// (and still does when a source is newer than the build), to show what the build saves. Runs are interleaved so
// a burst of load from other processes hits every command alike; figures are medians. Wall time is what a person
// waits; on a busy machine it is mostly waiting for a core, so each run's CPU time (user + system, from GNU time)
// is reported too, and the raw limit of `get jobs` includes one more: a bare node:http GET of the same list.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseBenchArgs, watchdog } from './lib/args.ts';
import { startDev } from './lib/drover-process.ts';
import { report, type BenchResult } from './lib/result.ts';
import { median } from './lib/stats.ts';

const TARGET_MS = 300;
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'cmd/drover/bin.js');
const MAIN_TS = join(ROOT, 'cmd/drover/main.ts');
const RAW_GET = "require('node:http').get(process.argv[1], (r) => { r.resume(); r.on('end', () => process.exit(r.statusCode === 200 ? 0 : 1)); })";

const TIME = '/usr/bin/time';
const CPU_MARK = 'cpu-seconds:';

/** One run: ms from spawn to exit, and the CPU ms it used (NaN without GNU time). */
interface Run {
  wallMs: number;
  cpuMs: number;
}

/** Spawn `node ...args` (under GNU time when installed), wait for its exit (it must succeed). */
function timeRun(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const argv = existsSync(TIME) ? [TIME, '-f', `${CPU_MARK}%U %S`, process.execPath, ...args] : [process.execPath, ...args];
    const t0 = performance.now();
    const proc = spawn(argv[0]!, argv.slice(1), { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    proc.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    proc.once('exit', (code) => {
      const wallMs = performance.now() - t0;
      const cpu = new RegExp(`${CPU_MARK}(\\S+) (\\S+)`).exec(err);
      if (code === 0) resolve({ wallMs, cpuMs: cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : NaN });
      else reject(new Error(`node ${args.join(' ')} exited ${code}: ${err.slice(-500)}`));
    });
  });
}

/** Run the benchmark and return its result. */
export async function benchCliStart(opts: { full: boolean; set?: Record<string, number> }): Promise<BenchResult> {
  const runs = opts.set?.runs ?? (opts.full ? 15 : 7);
  const dataDir = mkdtempSync(join(tmpdir(), 'drover-bench-cli-'));
  const dev = await startDev(dataDir);
  try {
    const env = { ...process.env, DROVER_ADDR: dev.url, NO_COLOR: '1' };
    const commands: Record<string, string[]> = {
      raw: ['-e', ''],
      // The floor of any `get jobs`: Node's start plus one GET of the same list from the same server.
      'raw GET': ['-e', RAW_GET, `${dev.url}/apis/drover.dev/v1/namespaces/default/jobs`],
      'version --client': [BIN, 'version', '--client'],
      version: [BIN, 'version'],
      'get jobs': [BIN, 'get', 'jobs'],
      'tsx: version --client': ['--import', 'tsx', MAIN_TS, 'version', '--client'],
      'tsx: get jobs': ['--import', 'tsx', MAIN_TS, 'get', 'jobs'],
    };
    const times: Record<string, Run[]> = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
    // One unmeasured round: the page cache and tsx's transform cache warm, as for any second start.
    for (const args of Object.values(commands)) await timeRun(args, env);
    for (let i = 0; i < runs; i++) for (const [name, args] of Object.entries(commands)) times[name]!.push(await timeRun(args, env));
    const m = (name: string) => median(times[name]!.map((r) => r.wallMs));
    const cpu = (name: string) => median(times[name]!.map((r) => r.cpuMs));
    const raw = m('raw');
    return {
      name: 'cli-start',
      title: 'CLI cold start',
      setup: `spawn → exit of node cmd/drover/bin.js <command> against drover dev on loopback (the build in dist/drover), median of ${runs} interleaved runs after one warm-up round; tsx rows: node --import tsx cmd/drover/main.ts, the sources as before the build`,
      figures: [
        { label: 'drover get jobs', value: m('get jobs'), unit: 'ms' },
        { label: 'drover version (client and server)', value: m('version'), unit: 'ms' },
        { label: 'drover version --client', value: m('version --client'), unit: 'ms' },
        { label: "raw: node -e ''", value: raw, unit: 'ms' },
        { label: 'raw: node -e with one node:http GET of the list', value: m('raw GET'), unit: 'ms' },
        { label: 'sources through tsx: get jobs', value: m('tsx: get jobs'), unit: 'ms' },
        { label: 'sources through tsx: version --client', value: m('tsx: version --client'), unit: 'ms' },
        { label: 'CPU: drover get jobs', value: cpu('get jobs'), unit: 'ms' },
        { label: 'CPU: drover version --client', value: cpu('version --client'), unit: 'ms' },
        { label: "CPU: node -e ''", value: cpu('raw'), unit: 'ms' },
        { label: 'CPU: raw GET', value: cpu('raw GET'), unit: 'ms' },
        { label: 'CPU: sources through tsx: get jobs', value: cpu('tsx: get jobs'), unit: 'ms' },
      ],
      ratio: { value: m('get jobs') / raw, meaning: "drover get jobs ÷ node -e '' (lower is better)" },
      target: { text: `drover get jobs < ${TARGET_MS} ms`, met: m('get jobs') < TARGET_MS },
      notes: [
        `get jobs ÷ raw GET (wall): ${(m('get jobs') / m('raw GET')).toFixed(2)}; CPU get jobs ÷ CPU node -e '': ${(cpu('get jobs') / cpu('raw')).toFixed(2)}`,
        ...Object.entries(times).map(([name, ts]) => `${name} runs (wall ms / cpu ms): ${ts.map((t) => `${Math.round(t.wallMs)}/${Math.round(t.cpuMs)}`).join(', ')}`),
      ],
    };
  } finally {
    await dev.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  watchdog(600_000, 'cli-start');
  const args = parseBenchArgs();
  await report(await benchCliStart(args));
}
