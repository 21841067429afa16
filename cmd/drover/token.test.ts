// `drover token create|revoke` against a server with authentication on: the printed token works (as the user
// and groups asked for), only its hash reaches the server, and a revoked token gets 401 on the next command.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../pkg/clock/clock.ts';
import { tokenHash } from '../../pkg/auth/token.ts';
import { startApiServer, TEST_ADMIN_TOKEN } from '../../test/support/server.ts';
import { run } from './program.ts';

test('token create prints a working token for the user and groups; revoke makes it 401', async () => {
  const api = await startApiServer({ adminToken: TEST_ADMIN_TOKEN });
  const home = await mkdtemp(join(tmpdir(), 'drover-token-'));
  const drover = async (args: string[], token: string) => {
    const r = { out: '', err: '' };
    const code = await run(args, {
      out: (s) => void (r.out += s), err: (s) => void (r.err += s), env: { DROVER_ADDR: api.url, DROVER_TOKEN: token }, homedir: home,
      readStdin: async () => '', clock: new ManualClock(Date.now()), signal: new AbortController().signal, startedAt: 0,
    });
    return { code, ...r };
  };
  try {
    const made = await drover(['token', 'create', '--user', 'ops-bot', '--group', 'system:masters', '--ttl', '24h', '--description', 'ci'], TEST_ADMIN_TOKEN);
    assert.equal(made.code, 0, made.err);
    const token = made.out.trim();
    assert.match(token, /^drover_[A-Za-z0-9_-]{43}$/);
    const { kvs } = await api.store.list('/');
    assert.ok(!kvs.some((kv) => kv.value.includes(token)), 'the token is not stored');
    const stored = JSON.parse(kvs.find((kv) => kv.key.endsWith(`/tokens/${tokenHash(token)}`))!.value);
    assert.deepEqual([stored.spec.user, stored.spec.userGroups, stored.spec.description], ['ops-bot', ['system:masters'], 'ci']);
    assert.ok(Date.parse(stored.spec.expirationTimestamp) > Date.now() + 23 * 3600_000);
    assert.equal((await drover(['get', 'ns', '-o', 'name'], token)).code, 0);

    const plain = (await drover(['token', 'create', '--user', 'nobody'], TEST_ADMIN_TOKEN)).out.trim();
    const denied = await drover(['get', 'ns'], plain);
    assert.equal(denied.code, 1);
    assert.match(denied.err, /Forbidden.*User "nobody" cannot list resource "namespaces"/);

    assert.equal((await drover(['token', 'revoke', token], TEST_ADMIN_TOKEN)).code, 0);
    const revoked = await drover(['get', 'ns'], token);
    assert.equal(revoked.code, 1);
    assert.match(revoked.err, /Unauthorized/);
    const byHash = await drover(['token', 'revoke', tokenHash(plain)], TEST_ADMIN_TOKEN);
    assert.equal(byHash.out, `token.auth.drover.dev "${tokenHash(plain)}" revoked\n`);
    assert.equal((await drover(['token', 'create', '--user', 'x', '--ttl', 'soon'], TEST_ADMIN_TOKEN)).code, 1);

    // An agent's --token-file: read, trimmed; an empty file is an error before anything starts.
    const file = join(home, 'node.token');
    await writeFile(file, '\n');
    const empty = await drover(['agent', '--simulate', '1', '--token-file', file], TEST_ADMIN_TOKEN);
    assert.equal(empty.code, 1);
    assert.match(empty.err, /token file is empty/);
    assert.equal((await readFile(file, 'utf8')).trim(), '');
  } finally {
    await api.close();
    await rm(home, { recursive: true, force: true });
  }
});
