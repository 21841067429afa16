// The drover binary's entry: wires the real process (argv, env, stdio, signals) into run().
import { homedir } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { realClock } from '../../pkg/clock/clock.ts';
import { run } from './program.ts';

// A client command parses a few HTTP responses and exits: let V8 compile undici's HTTP parser (WebAssembly) with
// its baseline compiler only. Otherwise V8 also optimises it in background threads, about 100 ms of CPU per start
// (docs/benchmarks.md, CLI cold start). The long-running commands keep the optimised parser for their watch streams.
const LONG_RUNNING = new Set(['dev', 'server', 'agent']);
// (Any word naming one counts, flags' values included: at worst a client command keeps the slower start.)
if (!process.argv.slice(2).some((a) => LONG_RUNNING.has(a))) setFlagsFromString('--liftoff-only');

// `drover get ... | head`: the reader went away; stop quietly like other CLIs instead of crashing on EPIPE.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

const controller = new AbortController();
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => controller.abort());
}

const readStdin = async () => {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

const code = await run(process.argv.slice(2), {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  env: process.env,
  homedir: homedir(),
  outIsTTY: process.stdout.isTTY,
  errIsTTY: process.stderr.isTTY,
  readStdin,
  clock: realClock,
  signal: controller.signal,
  startedAt: 0,
});
// Let stdout drain, then exit with the command's code (open handles such as stdin must not keep us alive).
process.exitCode = code;
process.stdout.write('', () => process.exit(code));
