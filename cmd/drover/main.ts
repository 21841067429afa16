// The drover binary's entry: wires the real process (argv, env, stdio, signals) into run().
import { homedir } from 'node:os';
import { realClock } from '../../pkg/clock/clock.ts';
import { run } from './program.ts';

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
