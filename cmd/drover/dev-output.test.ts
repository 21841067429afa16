// What `drover dev` shows a person: the banner, then log lines — readable text on a terminal (coloured unless
// NO_COLOR), JSON lines when stderr is piped or with --log-format json — and no expected lookups at info.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { realClock } from '../../pkg/clock/clock.ts';
import { run } from './program.ts';

const ESC = '\x1b[';

/** Run `drover dev` in-process until its ready line, then stop it; what it wrote to stdout and stderr. */
async function devOutput(args: string[], tty: { out: boolean; err: boolean }, env: Record<string, string> = {}) {
  const dataDir = await mkdtemp(join(tmpdir(), 'drover-dev-output-'));
  const stop = new AbortController();
  const r = { out: '', err: '' };
  let ready!: () => void;
  const readyLine = new Promise<void>((resolve) => (ready = resolve));
  try {
    const running = run(['dev', '--port', '0', '--data-dir', dataDir, ...args], {
      out: (s) => {
        r.out += s;
        if (/ready in \d+ ms\n/.test(r.out)) ready();
      },
      err: (s) => (r.err += s),
      env,
      homedir: dataDir,
      readStdin: async () => '',
      clock: realClock,
      signal: stop.signal,
      startedAt: 0,
      outIsTTY: tty.out,
      errIsTTY: tty.err,
    });
    await Promise.race([readyLine, running.then((code) => Promise.reject(new Error(`dev exited ${code}: ${r.err}`)))]);
    stop.abort();
    assert.equal(await running, 0);
    return { ...r, dataDir };
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

test('on a terminal: the banner first (API and UI address, data dir, token), then coloured text logs without 404 lookups', async () => {
  const r = await devOutput([], { out: true, err: true });
  const url = /listening on (http:\/\/127\.0\.0\.1:\d+) /.exec(r.out)?.[1];
  assert.ok(url, r.out);
  const plain = r.out.replaceAll(/\x1b\[\d+m/g, '');
  assert.match(plain, /^==> drover dev configuration:\n/);
  assert.ok(plain.indexOf('==> drover dev configuration') < plain.indexOf('listening on'), 'the banner before the ready line');
  assert.match(plain, new RegExp(`^ +API address: ${url}$`, 'm'));
  assert.match(plain, new RegExp(`^ +UI URL: ${url}/ui/$`, 'm'));
  assert.match(plain, new RegExp(`^ +Data dir: ${r.dataDir} `, 'm'));
  assert.match(plain, new RegExp(`^ +Token: admin token in ${r.dataDir}/admin.token \\(and in the CLI context "dev" of ${r.dataDir}/.drover/config.yaml\\)$`, 'm'));
  assert.match(plain, new RegExp(`^ +Try: DROVER_ADDR=${url} drover get nodes$`, 'm'));
  assert.ok(r.out.includes(`${ESC}1m==> drover dev configuration:`), 'headings bold on a terminal');

  const lines = r.err.trimEnd().split('\n');
  assert.ok(lines.length > 0);
  for (const line of lines) assert.match(line, /^\d{4}-\d\d-\d\dT\S+Z \x1b\[\d+m\[(INFO|WARN|ERROR)\]/, 'text lines at info and above, level coloured');
  const text = r.err.replaceAll(/\x1b\[\d+m/g, '');
  assert.match(text, /\[INFO\]  memory-store: memory store opened: dataDir=/);
  // Components look up their leases (404 until they exist) as they start: those are debug, not info.
  assert.doesNotMatch(text, /code=404/);
  assert.doesNotMatch(text, /code=409/);
});

test('NO_COLOR: the same text, without colour codes in logs or banner', async () => {
  const r = await devOutput([], { out: true, err: true }, { NO_COLOR: '1' });
  assert.ok(!r.out.includes(ESC), r.out);
  assert.ok(!r.err.includes(ESC), r.err);
  assert.match(r.err, /^\S+Z \[INFO\]  memory-store: memory store opened/m);
});

test('piped stderr, or --log-format json on a terminal: JSON lines', async () => {
  for (const [args, tty] of [[[], { out: false, err: false }], [['--log-format', 'json'], { out: true, err: true }]] as const) {
    const r = await devOutput([...args], tty);
    const records = r.err.trimEnd().split('\n').map((l) => JSON.parse(l) as { level: string; msg: string; code?: number });
    assert.ok(records.some((x) => x.msg === 'memory store opened'), r.err);
    assert.ok(records.every((x) => x.level !== 'debug' && x.code !== 404), 'info and above, no lookups');
  }
});

test('--log-level debug shows the lookups that info leaves out', async () => {
  const r = await devOutput(['--log-level', 'debug', '--log-format', 'text'], { out: false, err: false });
  assert.match(r.err, /\[DEBUG\] apiserver: request: method=GET url=\S+ code=404 /);
  assert.ok(!r.err.includes(ESC), 'no colour when stderr is not a terminal, even in text');
});
