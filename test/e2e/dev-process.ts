// `drover dev` as a real child process for end-to-end tests: started through the package's bin on any free
// port, ready when it prints its listening line and answers /readyz, killed or stopped by its own pid.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { E2E_ADMIN_TOKEN, E2E_ENV } from './processes.ts';

const BIN = fileURLToPath(new URL('../../cmd/drover/bin.js', import.meta.url));
const READY_LINE = /listening on (http:\/\/\S+)/;

/** A running `drover dev`. */
export interface DevProcess {
  /** Base URL, e.g. http://127.0.0.1:41234. */
  url: string;
  /** Headers that authenticate as the admin (`Authorization: Bearer <E2E_ADMIN_TOKEN>`). */
  auth: Record<string, string>;
  child: ChildProcess;
  /** The last lines the process wrote to stderr (its JSON log), for failure messages. */
  log(): string;
  /** Resolves with the exit code (or the signal) once the process has ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Start `drover dev --port 0 --data-dir <dataDir>` and wait until it is listening and ready. */
export async function startDev(dataDir: string): Promise<DevProcess> {
  const child = spawn(process.execPath, [BIN, 'dev', '--port', '0', '--data-dir', dataDir, '--log-level', 'warn', '--admin-token', E2E_ADMIN_TOKEN], { env: E2E_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  const tail: string[] = [];
  child.stderr!.on('data', (chunk: Buffer) => {
    tail.push(chunk.toString());
    if (tail.length > 50) tail.shift();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const log = () => tail.join('');
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = READY_LINE.exec(out);
      if (!m) return;
      child.stdout!.off('data', onData);
      resolve(m[1]!);
    };
    child.stdout!.on('data', onData);
    void exited.then(({ code, signal }) => reject(new Error(`drover dev exited (${code ?? signal}) before it was ready:\n${out}\n${log()}`)));
  });
  child.stdout!.resume();
  const dev = { url, auth: { authorization: `Bearer ${E2E_ADMIN_TOKEN}` }, child, log, exited };
  await waitReady(dev);
  return dev;
}

/** Poll /readyz until it answers 200 (the process printed its line; caches may still be syncing). */
async function waitReady(dev: DevProcess): Promise<void> {
  for (;;) {
    if (dev.child.exitCode !== null || dev.child.signalCode !== null) throw new Error(`drover dev died:\n${dev.log()}`);
    const res = await fetch(`${dev.url}/readyz`).catch(() => undefined);
    if (res?.status === 200) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** SIGKILL the process (no shutdown of any kind) and wait until it is gone. */
export async function kill9(dev: DevProcess): Promise<void> {
  if (dev.child.exitCode === null && dev.child.signalCode === null) dev.child.kill('SIGKILL');
  await dev.exited;
}

/** SIGTERM the process and wait for its graceful exit; returns the exit code. */
export async function stopDev(dev: DevProcess): Promise<number | null> {
  if (dev.child.exitCode === null && dev.child.signalCode === null) dev.child.kill('SIGTERM');
  return (await dev.exited).code;
}
