// `npm run bench [-- --full] [-- --only creates,watch]`: every benchmark, each in its own process (its own
// etcd, servers and heap), one after the other; then a summary and a Markdown block for docs/benchmarks.md.
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { parseBenchArgs, watchdog } from './lib/args.ts';
import { forkChild } from './lib/child.ts';
import { machineInfo } from './lib/machine.ts';
import { printResult, type BenchResult } from './lib/result.ts';
import { fmt } from './lib/stats.ts';

/** Every benchmark: its script and arguments, in running order (the watch storms last). */
const BENCHES: Record<string, { script: string; args: string[]; timeoutMs?: number }> = {
  creates: { script: 'creates.ts', args: [] },
  security: { script: 'security.ts', args: [] },
  workqueue: { script: 'workqueue.ts', args: [] },
  encryption: { script: 'encryption.ts', args: [] },
  list: { script: 'list.ts', args: [] },
  memory: { script: 'memory.ts', args: [] },
  'dev-ready': { script: 'dev-ready.ts', args: [] },
  'cli-start': { script: 'cli-start.ts', args: [] },
  'agent-allocs': { script: 'agent-allocs.ts', args: [] },
  heartbeats: { script: 'heartbeats.ts', args: [] },
  'heartbeats-etcd': { script: 'heartbeats.ts', args: ['--set', 'etcd=1'] },
  // Scheduler at scale (quick: 20 × 100 on 200 nodes; --full: 100 × 1,000 on 1,000), and the seed's case study.
  c1m: { script: 'c1m.ts', args: [] },
  'c1m-case': { script: 'c1m.ts', args: ['--size', 'case'] },
  // The whole server's memory per allocation (quick: 10,000 on 100 nodes; --full: 100,000 on 1,000), issue 7.
  'server-memory': { script: 'server-memory.ts', args: [], timeoutMs: 2_400_000 },
  'watch-direct': { script: 'watch.ts', args: ['--writer', 'etcd'] },
  'watch-sweep': { script: 'watch.ts', args: ['--writer', 'etcd', '--set', 'sweep=1'] },
  watch: { script: 'watch.ts', args: ['--writer', 'api'] },
  rollout: { script: 'rollout.ts', args: [] },
  dashboard: { script: 'dashboard.ts', args: [] },
  // Issue 10's overload experiment (one size: 100 hollow nodes, 300 list+watch clients, 40 writers, 2 minutes).
  overload: { script: 'overload.ts', args: [], timeoutMs: 1_500_000 },
};

const args = parseBenchArgs();
const unknown = args.only.filter((n) => !(n in BENCHES));
if (unknown.length) throw new Error(`--only: unknown benchmark(s) ${unknown.join(', ')}; known: ${Object.keys(BENCHES).join(', ')}`);
const selected = Object.keys(BENCHES).filter((b) => args.only.length === 0 || args.only.includes(b));
/** A benchmark's time limit (the default suits all but the longest). */
const limitMs = (name: string) => BENCHES[name]!.timeoutMs ?? 900_000;
watchdog(selected.reduce((t, b) => t + limitMs(b), 0), 'run');

const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
const machine = machineInfo();
process.stdout.write(`Drover benchmarks (${args.full ? 'full' : 'quick'}): ${selected.join(', ')}\n`);
process.stdout.write(`${Object.entries(machine).map(([k, v]) => `${k}: ${v}`).join('\n')}\n`);

const results: BenchResult[] = [];
const failures: string[] = [];
for (const name of selected) {
  const load = loadavg()[0]!.toFixed(2);
  process.stdout.write(`\n--- ${name} (load average before: ${load})\n`);
  const passthrough = [...(args.full ? ['--full'] : []), ...(args.etcd ? ['--etcd', args.etcd] : []), ...Object.entries(args.set).flatMap(([k, v]) => ['--set', `${k}=${v}`])];
  const bench = BENCHES[name]!;
  const child = forkChild<BenchResult>(fileURLToPath(new URL(`./${bench.script}`, import.meta.url)), [...bench.args, ...passthrough], { timeoutMs: limitMs(name) });
  try {
    const r = await child.result;
    r.notes.push(`1-minute load average before this benchmark: ${load}`);
    results.push(r);
  } catch (err) {
    failures.push(`${name}: ${(err as Error).message}`);
  } finally {
    await child.stop();
  }
}

process.stdout.write('\n==================== summary ====================\n');
for (const r of results) printResult(r);
for (const f of failures) process.stdout.write(`\nFAILED ${f}\n`);
process.stdout.write(`\n${markdown(results, failures)}\n`);
process.exitCode = failures.length ? 1 : 0;

/** The run as Markdown: the command, the machine, a summary table, and each benchmark's figures. */
function markdown(rs: BenchResult[], failed: string[]): string {
  const lines = ['```', command, '```', ''];
  for (const [k, v] of Object.entries(machine)) lines.push(`- ${k}: ${v}`);
  lines.push('', '| benchmark | headline | ratio to raw limit | target | met |', '|---|---|---|---|---|');
  for (const r of rs) {
    const h = r.figures[r.headline ?? 0]!;
    lines.push(`| ${r.title} | ${h.label}: ${fmt(h.value)} ${h.unit} | ${fmt(r.ratio.value)} (${r.ratio.meaning}) | ${r.target.text} | ${r.target.met ? 'yes' : '**no**'} |`);
  }
  for (const r of rs) {
    lines.push('', `### ${r.title}`, '', r.setup, '', '| figure | value |', '|---|---|');
    for (const f of r.figures) lines.push(`| ${f.label} | ${fmt(f.value)} ${f.unit} |`);
    lines.push(`| ratio: ${r.ratio.meaning} | ${fmt(r.ratio.value)} |`);
    for (const n of r.notes) lines.push('', `- ${n}`);
  }
  for (const f of failed) lines.push('', `- FAILED ${f}`);
  return lines.join('\n');
}
