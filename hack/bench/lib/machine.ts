// The machine a run happened on, for docs/benchmarks.md.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, totalmem } from 'node:os';
import { etcdBinary } from '../../../test/support/etcd.ts';

/** Date, cores, memory, CPU model, Node and etcd versions, and the load the machine was under. */
export function machineInfo(): Record<string, string> {
  const cpu = /model name\s*:\s*(.*)/.exec(safe(() => readFileSync('/proc/cpuinfo', 'utf8')))?.[1] ?? 'unknown';
  const etcd = etcdBinary();
  return {
    date: safe(() => execFileSync('date', { encoding: 'utf8' }).trim()),
    cores: `${availableParallelism()} (nproc: ${safe(() => execFileSync('nproc', { encoding: 'utf8' }).trim())})`,
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB total (free -g: ${safe(() => execFileSync('free', ['-g'], { encoding: 'utf8' }).split('\n')[1]!.replace(/\s+/g, ' ').trim())})`,
    cpu,
    node: process.version,
    'load average at start': loadavg().map((l) => l.toFixed(2)).join(', '),
    etcd: etcd ? safe(() => execFileSync(etcd, ['--version'], { encoding: 'utf8' }).split('\n')[0]!.trim()) : 'not installed',
  };
}

function safe(fn: () => string): string {
  try {
    return fn();
  } catch {
    return 'unknown';
  }
}
