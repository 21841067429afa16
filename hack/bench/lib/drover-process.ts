// The real `drover` binary as a child process of a benchmark (dev, server, agent, agent --simulate): started
// through the package's bin.js, ready when it prints its line, stopped by its own pid (SIGTERM, then SIGKILL),
// and killed if the benchmark itself exits first. Plus what the benchmarks read about such a process from /proc
// (resident memory) and from the API server (/metrics request counters, nodes).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../../cmd/drover/bin.js', import.meta.url));

/** A running drover process. */
export interface DroverProcess {
  proc: ChildProcess;
  pid: number;
  /** The first match of the ready pattern on stdout. */
  match: RegExpExecArray;
  /** The last lines it wrote to stderr (its JSON log), for error messages. */
  log(): string;
  /** SIGTERM, SIGKILL after `graceMs` (default 15 s), and wait for the exit. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Spawn `node [nodeArgs] cmd/drover/bin.js ...args` and wait (at most `timeoutMs`) for `ready` on its stdout.
 * `nodeArgs` are node's own flags (e.g. `--cpu-prof`, `--max-old-space-size=8192`).
 */
export async function startDrover(args: string[], opts: { ready: RegExp; timeoutMs: number; name: string; nodeArgs?: string[] }): Promise<DroverProcess> {
  const proc = spawn(process.execPath, [...(opts.nodeArgs ?? []), BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const killOnExit = () => proc.kill('SIGKILL');
  process.once('exit', killOnExit);
  const tail: string[] = [];
  proc.stderr!.on('data', (b: Buffer) => {
    tail.push(b.toString());
    if (tail.length > 40) tail.shift();
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const log = () => tail.join('').slice(-4000);
  const stop = async (graceMs = 15_000) => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(t);
    }
    process.removeListener('exit', killOnExit);
  };
  let out = '';
  try {
    const match = await new Promise<RegExpExecArray>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${opts.name}: no ready line within ${opts.timeoutMs} ms; stdout: ${out.slice(-500)}\n${log()}`)), opts.timeoutMs);
      proc.stdout!.on('data', (b: Buffer) => {
        out += b.toString();
        const m = opts.ready.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m);
        }
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`${opts.name} exited (${proc.exitCode ?? proc.signalCode}) before it was ready: ${out.slice(-500)}\n${log()}`));
      });
    });
    return { proc, pid: proc.pid!, match, log, stop };
  } catch (err) {
    await stop(2000);
    throw err;
  }
}

/** `drover dev` on a free loopback port with its state in `dataDir`; `url` is where it listens. */
export async function startDev(dataDir: string): Promise<DroverProcess & { url: string }> {
  // Without authentication, as these figures were measured before it existed (hack/bench/security.ts measures its cost).
  const p = await startDrover(['dev', '--port', '0', '--data-dir', dataDir, '--log-level', 'warn', '--insecure-no-auth'], { ready: /listening on (http:\/\/\S+)/, timeoutMs: 60_000, name: 'drover dev' });
  return { ...p, url: p.match[1]! };
}

/** `drover server` on etcd `endpoint`, on loopback `port` (default: a free one; `nodeArgs`: node's own flags, as startDrover; `args`: more server flags). */
export async function startServer(endpoint: string, opts: { nodeArgs?: string[]; port?: number; args?: string[] } = {}): Promise<DroverProcess & { url: string }> {
  const p = await startDrover(['server', '--etcd-endpoints', endpoint, '--port', String(opts.port ?? 0), '--log-level', 'warn', '--insecure-no-auth', ...(opts.args ?? [])], { ready: /listening on (http:\/\/\S+)/, timeoutMs: 60_000, name: 'drover server', nodeArgs: opts.nodeArgs });
  return { ...p, url: p.match[1]! };
}

/** Resident memory of `pid` from /proc/<pid>/status: now (VmRSS) and its peak (VmHWM), in KiB (NaN when gone). */
export function residentKb(pid: number): { rssKb: number; hwmKb: number } {
  let text = '';
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return { rssKb: NaN, hwmKb: NaN };
  }
  const field = (name: string) => Number(new RegExp(`^${name}:\\s*(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  return { rssKb: field('VmRSS'), hwmKb: field('VmHWM') };
}

/** Request counts from an API server's /metrics (`apiserver_request_duration_seconds_count`), by `verb resource[/sub] code`. */
export async function requestCounts(url: string): Promise<Map<string, number>> {
  const res = await fetch(`${url}/metrics`);
  if (res.status !== 200) throw new Error(`GET /metrics: HTTP ${res.status}`);
  const out = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    const m = /^apiserver_request_duration_seconds_count\{(.*)\} (\S+)$/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1]!, x[2]!]));
    const key = `${labels.verb} ${labels.resource}${labels.subresource ? `/${labels.subresource}` : ''} ${labels.code}`;
    out.set(key, (out.get(key) ?? 0) + Number(m[2]));
  }
  return out;
}

/** The per-key difference `after - before` (keys only in `after` count from 0), dropping zeros. */
export function countDeltas(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [k, v] of after) {
    const d = v - (before.get(k) ?? 0);
    if (d !== 0) out.set(k, d);
  }
  return out;
}

/** Poll `check` every `everyMs` until it returns a value (not undefined) or `timeoutMs` passes (then throw `what`). */
export async function pollUntil<T>(what: string, timeoutMs: number, everyMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v !== undefined) return v;
    if (performance.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
