// Forking a TypeScript child (tsx loader, IPC) and waiting for its one result message, with a time limit.
import { fork, type ChildProcess } from 'node:child_process';

/** A forked child that will send one `{ result }` message. */
export interface Child<T> {
  proc: ChildProcess;
  /** Resolves with the child's `{ result }` message; rejects when it exits first or the time limit passes. */
  result: Promise<T>;
  /** Send a message to the child. */
  send(msg: unknown): void;
  /** Kill the child (if still running) and wait for it to exit. */
  stop(): Promise<void>;
}

/** With BENCH_CPU_PROF=<dir>, every forked child writes a V8 CPU profile there (node --cpu-prof). */
const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];

/** Fork `script` with tsx and `execArgv` extras; the child must `process.send({ result })` once. */
export function forkChild<T>(script: string, args: string[], opts: { execArgv?: string[]; timeoutMs: number; onMessage?: (m: unknown) => void }): Child<T> {
  const proc = fork(script, args, { execArgv: ['--import', 'tsx', ...profile, ...(opts.execArgv ?? [])], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const result = new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${script}: no result within ${opts.timeoutMs} ms`));
    }, opts.timeoutMs);
    proc.on('message', (m: unknown) => {
      const msg = m as { result?: T };
      if (msg && typeof msg === 'object' && 'result' in msg) {
        clearTimeout(timer);
        resolve(msg.result as T);
      } else opts.onMessage?.(m);
    });
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (${code ?? signal}) before sending a result`));
    });
  });
  result.catch(() => {}); // observed by the caller; avoid an unhandled rejection when it is not awaited yet
  const killOnExit = () => proc.kill('SIGKILL');
  process.once('exit', killOnExit);
  return {
    proc,
    result,
    send: (msg) => proc.send(msg as never),
    async stop() {
      process.removeListener('exit', killOnExit);
      // A child that sent its result exits by itself (and writes its CPU profile); give it a moment.
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000).unref())]);
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
    },
  };
}

/** In a child: send the result to the parent and wait until it is flushed. */
export function sendResult(result: unknown): Promise<void> {
  const send = process.send?.bind(process);
  if (!send) throw new Error('not forked with IPC');
  return new Promise((resolve) => send({ result }, () => resolve()));
}

/** In a child: the next message from the parent. */
export function nextMessage<T>(): Promise<T> {
  return new Promise((resolve) => process.once('message', (m) => resolve(m as T)));
}
