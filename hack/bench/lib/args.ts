// Command-line flags shared by every benchmark script.
import { parseArgs } from 'node:util';

/** Flags of a benchmark script. */
export interface BenchArgs {
  /** The full-size configuration (the one recorded in docs/benchmarks.md); default is quick. */
  full: boolean;
  /** Use this running etcd instead of starting one. */
  etcd?: string;
  /** Benchmarks to run (run.ts only); empty = all. */
  only: string[];
  /** watch.ts: who writes the jobs, `api` (POSTs, default) or `etcd` (puts straight into etcd). */
  writer: 'api' | 'etcd';
  /** Overrides of a benchmark's sizes, e.g. `--set watchers=100 --set rate=500` (see README). */
  set: Record<string, number>;
}

/** Parse `argv` (default: this process's arguments). */
export function parseBenchArgs(argv: string[] = process.argv.slice(2)): BenchArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      full: { type: 'boolean', default: false },
      etcd: { type: 'string' },
      only: { type: 'string', default: '' },
      set: { type: 'string', multiple: true, default: [] },
      writer: { type: 'string', default: 'api' },
    },
    strict: true,
  });
  const set: Record<string, number> = {};
  for (const kv of values.set ?? []) {
    const m = /^([a-zA-Z]+)=(\d+(?:\.\d+)?)$/.exec(kv);
    if (!m) throw new Error(`--set ${kv}: expected name=number`);
    set[m[1]!] = Number(m[2]);
  }
  const writer = values.writer ?? 'api';
  if (writer !== 'api' && writer !== 'etcd') throw new Error(`--writer ${writer}: expected api or etcd`);
  return { writer, full: values.full ?? false, etcd: values.etcd, only: (values.only ?? '').split(',').filter((s) => s !== ''), set };
}

/** Exit the process after `ms` even if something hangs (benchmarks must always stop by themselves). */
export function watchdog(ms: number, what: string): void {
  setTimeout(() => {
    process.stderr.write(`${what}: watchdog fired after ${ms} ms, exiting\n`);
    process.exit(3);
  }, ms).unref();
}
