// The shape every benchmark hands back to run.ts (over IPC) and prints when run alone.
import { fmt } from './stats.ts';

/** One measured figure. */
export interface Figure {
  label: string;
  value: number;
  unit: string;
}

/** What one benchmark measured: its figures, the raw limit it was compared with, and the target. */
export interface BenchResult {
  name: string;
  title: string;
  /** What the benchmark did (sizes, concurrency, process split), for the report. */
  setup: string;
  figures: Figure[];
  /** Index in `figures` of the one a summary shows (default 0). */
  headline?: number;
  /** Ours against the raw limit measured in the same run; `meaning` says which way is better. */
  ratio: { value: number; meaning: string };
  target: { text: string; met: boolean };
  notes: string[];
}

/** Print a result as readable lines. */
export function printResult(r: BenchResult, out: (s: string) => void = (s) => process.stdout.write(s + '\n')): void {
  out(`\n== ${r.title} ==`);
  out(`   ${r.setup}`);
  for (const f of r.figures) out(`   ${f.label.padEnd(52)} ${fmt(f.value).padStart(12)} ${f.unit}`);
  out(`   ${'ratio: ' + r.ratio.meaning}`.padEnd(55) + ` ${fmt(r.ratio.value).padStart(12)}`);
  out(`   target: ${r.target.text} -> ${r.target.met ? 'MET' : 'MISSED'}`);
  for (const n of r.notes) out(`   note: ${n}`);
}

/** Print a result and hand it to a parent run.ts (when forked with IPC, as `{ result }`). */
export async function report(r: BenchResult): Promise<void> {
  printResult(r);
  const send = process.send?.bind(process);
  if (send) await new Promise<void>((resolve) => send({ result: r }, () => resolve()));
}
