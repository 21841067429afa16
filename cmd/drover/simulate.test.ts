// `drover agent --simulate N`: hollow nodes registered against the server named by DROVER_ADDR, running until
// interrupted; bad counts and intervals are usage errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from '../../api/schemas/index.ts';
import { createClient } from '../../pkg/client/client.ts';
import { ManualClock } from '../../pkg/clock/clock.ts';
import { startApiServer } from '../../test/support/server.ts';
import { run } from './program.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// A home of this file's own: `drover dev` writes its CLI context there, `drover server` its admin token.
const HOME = mkdtempSync(join(tmpdir(), 'drover-home-'));

function io(env: Record<string, string>, signal: AbortSignal) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: {
      out: (s: string) => out.push(s), err: (s: string) => err.push(s), env, homedir: HOME, readStdin: async () => '',
      clock: new ManualClock(Date.now()), signal, startedAt: 0,
    },
  };
}

test('agent --simulate registers N ready hollow nodes in the datacenter given, until interrupted', async () => {
  const api = await startApiServer();
  const client = createClient({ server: api.url });
  const stop = new AbortController();
  try {
    const h = io({ DROVER_ADDR: api.url }, stop.signal);
    const exit = run(['agent', '--simulate', '3', '--datacenter', 'eu-west', '--name-prefix', 'sim-', '--heartbeat-interval', '5s', '--log-level', 'error'], h.io);
    const ready = async () => (await client.resource<Node>('nodes').list()).items.filter((n) => n.status?.phase === 'ready');
    while ((await ready()).length < 3) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual((await ready()).map((n) => [n.metadata.name, n.spec?.datacenter]).sort(), [['sim-00000', 'eu-west'], ['sim-00001', 'eu-west'], ['sim-00002', 'eu-west']]);
    while (!h.out.join('').includes('hollow nodes')) await new Promise((r) => setTimeout(r, 10));
    stop.abort();
    assert.equal(await exit, 0);
    assert.equal(h.out.join(''), `drover agent: 3 hollow nodes sim-00000..sim-00002 in eu-west, server ${api.url}\n`);
  } finally {
    stop.abort();
    await client.close();
    await api.close();
  }
});

test('agent --simulate refuses a bad count or interval', async () => {
  for (const args of [['--simulate', '0'], ['--simulate', 'many'], ['--simulate', '2', '--heartbeat-interval', 'soon']]) {
    const h = io({ DROVER_ADDR: 'http://127.0.0.1:1' }, AbortSignal.abort());
    assert.equal(await run(['agent', ...args], h.io), 1, args.join(' '));
    assert.match(h.err.join(''), /--simulate needs a positive number|--heartbeat-interval needs a positive duration/);
  }
});
