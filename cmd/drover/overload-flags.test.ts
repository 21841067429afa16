// The overload flags of `drover dev` / `drover server`: bad values are refused before anything starts; flow
// control is on by default (its metrics on /metrics) and `--max-requests-inflight 0` turns it off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { realClock } from '../../pkg/clock/clock.ts';
import { run } from './program.ts';
import { mkdtempSync } from 'node:fs';

// A home of this file's own: `drover dev` writes its CLI context there.
const HOME = mkdtempSync(join(tmpdir(), 'drover-home-'));

async function cli(args: string[], onOut?: (all: string) => void, signal = new AbortController().signal): Promise<{ code: number; out: string; err: string }> {
  const r = { out: '', err: '' };
  const code = await run(args, {
    out: (s) => {
      r.out += s;
      onOut?.(r.out);
    },
    err: (s) => (r.err += s),
    env: {},
    homedir: HOME,
    readStdin: async () => '',
    clock: realClock,
    signal,
    startedAt: 0,
    outIsTTY: false,
    errIsTTY: false,
  });
  return { code, ...r };
}

test('bad overload flag values are refused with the value named', async () => {
  for (const [flag, value, want] of [
    ['--max-requests-inflight', '-1', /invalid number "-1"/],
    ['--max-requests-inflight', '2.5', /invalid number "2.5"/],
    ['--flowcontrol-queue-wait', 'soon', /invalid duration "soon"/],
    ['--unhealthy-node-threshold', '1.5', /invalid fraction "1.5"/],
    ['--unhealthy-node-threshold', '0', /invalid fraction "0"/],
    ['--large-cluster-size', 'many', /invalid number "many"/],
    ['--large-cluster-down-rate', '-0.1', /invalid rate "-0.1"/],
  ] as const) {
    const r = await cli(['server', '--etcd-endpoints', 'http://127.0.0.1:1', flag, value]);
    assert.equal(r.code, 1, `${flag} ${value}`);
    assert.match(r.err, want);
  }
});

const ADMIN_TOKEN = 'drover_overload-flags-test-admin';

/** Start `drover dev` with `args`, return the text of its /metrics, stop it. */
async function devMetrics(args: string[]): Promise<string> {
  const dataDir = await mkdtemp(join(tmpdir(), 'drover-overload-flags-'));
  const stop = new AbortController();
  let ready!: (url: string) => void;
  const url = new Promise<string>((resolve) => (ready = resolve));
  try {
    const running = cli(['dev', '--port', '0', '--data-dir', dataDir, '--log-level', 'error', '--admin-token', ADMIN_TOKEN, ...args], (out) => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m && / ready in \d+ ms/.test(out)) ready(m[1]!);
    }, stop.signal);
    const base = await Promise.race([url, running.then((r) => Promise.reject(new Error(`dev exited ${r.code}: ${r.err}`)))]);
    const text = await (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).text(); // /metrics is cluster-admin's
    stop.abort();
    assert.equal((await running).code, 0);
    return text;
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

test('flow control is on by default and off with --max-requests-inflight 0', async () => {
  assert.match(await devMetrics([]), /apiserver_flowcontrol_current_executing_requests/);
  assert.doesNotMatch(await devMetrics(['--max-requests-inflight', '0']), /apiserver_flowcontrol_/);
});
