// Drover commands as real child processes for end-to-end tests: `node cmd/drover/bin.js <args>` started with
// its own stdio, ready once its stdout prints an expected line, stopped or killed by its own pid only.
import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The drover binary (the package's bin). */
export const DROVER_BIN = fileURLToPath(new URL('../../cmd/drover/bin.js', import.meta.url));
const TAIL_CHUNKS = 200;

/** The admin token every e2e server is started with (`--admin-token`); client commands send it too. */
export const E2E_ADMIN_TOKEN = 'drover_e2e-admin-token-for-tests';

/**
 * The environment of every process: client commands authenticate as the admin, and a `drover dev` writes its
 * CLI context into a config file of this test run, never into the user's ~/.drover.
 */
export const E2E_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  DROVER_TOKEN: E2E_ADMIN_TOKEN,
  DROVER_CONFIG: join(tmpdir(), `drover-e2e-config-${process.pid}.yaml`),
};

/** A running drover command. */
export interface DroverProcess {
  /** What it is, for messages (`agent a1`). */
  label: string;
  child: ChildProcess;
  /** The match of the ready pattern on its stdout. */
  ready: RegExpExecArray;
  /** Everything it wrote to stdout so far. */
  stdout(): string;
  /** The last part of what it wrote to stderr (its JSON log), for failure messages. */
  log(): string;
  /** Resolves once the process has ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** True while the process runs. */
  alive(): boolean;
}

/** Start `drover <args>` and wait until its stdout matches `readyLine` (rejects if it exits first). */
export async function startDrover(label: string, args: string[], readyLine: RegExp): Promise<DroverProcess> {
  const child = spawn(process.execPath, [DROVER_BIN, ...args], { env: E2E_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const tail: string[] = [];
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => {
    tail.push(chunk.toString());
    if (tail.length > TAIL_CHUNKS) tail.shift();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const log = () => tail.join('');
  const ready = await new Promise<RegExpExecArray>((resolve, reject) => {
    const check = () => {
      const m = readyLine.exec(out);
      if (!m) return;
      child.stdout!.off('data', check);
      resolve(m);
    };
    child.stdout!.on('data', check);
    void exited.then(({ code, signal }) => reject(new Error(`${label} exited (${code ?? signal}) before it was ready:\n${out}\n${log().slice(-4000)}`)));
  });
  return { label, child, ready, stdout: () => out, log, exited, alive: () => child.exitCode === null && child.signalCode === null };
}

/** Send `signal` (SIGTERM: a graceful stop; SIGKILL: a crash) and wait until the process is gone. */
export async function stopProcess(p: DroverProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (p.alive()) p.child.kill(signal);
  return p.exited;
}

/** Run a client command (`drover --server URL get ...`) to its end; resolves with its exit code and output. */
export function runDrover(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DROVER_BIN, ...args], { env: E2E_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}
