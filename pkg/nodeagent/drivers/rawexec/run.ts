// A short command run beside a task (script health checks): output captured, killed at a deadline.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Clock } from '../../../clock/clock.ts';

/** Most output a check keeps: enough for a message, bounded for a check that floods. */
const MAX_OUTPUT = 64 * 1024;

/** How to run one command: program path (no shell), args, and the process context. */
export interface RunSpec {
  file: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  uid?: number;
  gid?: number;
  timeoutMs: number;
}

/** Runs `spec` to completion; stdout and stderr interleaved; exit code 124 (like timeout(1)) on a deadline. */
export function runCommand(spec: RunSpec, clock: Clock): Promise<{ exitCode: number; output: string }> {
  return new Promise((resolve) => {
    let output = '';
    const add = (b: Buffer) => {
      if (output.length < MAX_OUTPUT) output += b.toString('utf8').slice(0, MAX_OUTPUT - output.length);
    };
    const child = spawn(spec.file, spec.args, { cwd: spec.cwd, env: spec.env, uid: spec.uid, gid: spec.gid, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let timedOut = false;
    const timer = clock.setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, spec.timeoutMs);
    child.stdout!.on('data', add);
    child.stderr!.on('data', add);
    child.once('error', (e) => {
      timer.cancel();
      resolve({ exitCode: 127, output: `cannot run ${spec.file}: ${e.message}` });
    });
    child.once('close', (code, signal) => {
      timer.cancel();
      if (timedOut) resolve({ exitCode: 124, output: output + `\n(killed after ${spec.timeoutMs} ms)` });
      else resolve({ exitCode: code ?? 128, output: signal ? output + `\n(killed by ${signal})` : output });
    });
  });
}

/** The environment of a running process (/proc/<pid>/environ); empty when unreadable. */
export function processEnv(pid: number): Record<string, string> {
  const env: Record<string, string> = {};
  try {
    for (const entry of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
      const eq = entry.indexOf('=');
      if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
    }
  } catch {
    // the process is gone or not ours to read
  }
  return env;
}
