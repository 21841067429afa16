// Encryption at rest end to end: `drover server --encryption-config` on a real etcd (etcdctl sees only
// ciphertext; rotation by restarting with a new first key; a server missing the key refuses to start), and
// `drover dev` creating its key on first start. Secret values never reach the logs or `describe`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { realClock } from '../../pkg/clock/clock.ts';
import { configText, newKey } from '../../pkg/encryption/test-support.ts';
import { etcdctl, etcdTestOptions, startEtcd } from '../../test/support/etcd.ts';
import { run } from './program.ts';
import { mkdtempSync } from 'node:fs';

// A home of this file's own: `drover dev` writes its CLI context there, `drover server` its admin token.
const HOME = mkdtempSync(join(tmpdir(), 'drover-home-'));
/** The admin token the servers here are started with, and the CLI calls send. */
const TOKEN = 'drover_encryption-test-admin-token';

const VALUE = 'correct-horse-battery-staple';
const SECRET = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: ${VALUE}\n`;
const b64 = Buffer.from(VALUE).toString('base64');

interface Running {
  url: string;
  logs(): string;
  stop(): Promise<{ code: number; err: string }>;
}

async function drover(args: string[], opts: { env?: Record<string, string>; stdin?: string; home?: string } = {}) {
  const r = { out: '', err: '' };
  const code = await run(args, {
    out: (s) => void (r.out += s), err: (s) => void (r.err += s), env: opts.env ?? {}, homedir: opts.home ?? '/nonexistent',
    readStdin: async () => opts.stdin ?? '', clock: realClock, signal: new AbortController().signal, startedAt: 0,
  });
  return { code, ...r };
}

/** Start `drover <args>` in-process and wait for its ready line (rejects with its stderr if it exits first). */
async function start(args: string[]): Promise<Running> {
  const stop = new AbortController();
  const r = { out: '', err: '' };
  let ready!: (url: string) => void;
  const listening = new Promise<string>((res) => (ready = res));
  const serving = run([...args, '--port', '0', '--log-level', 'debug', '--log-format', 'json'], {
    out: (s) => {
      r.out += s;
      const m = / listening on (\S+) /.exec(r.out);
      if (m) ready(m[1]!);
    },
    err: (s) => void (r.err += s), env: {}, homedir: HOME, readStdin: async () => '', clock: realClock, signal: stop.signal, startedAt: 0,
  });
  const url = await Promise.race([listening, serving.then((code) => Promise.reject(new Error(`exited ${code}: ${r.err}`)))]);
  return {
    url,
    logs: () => r.out + r.err,
    async stop() {
      stop.abort();
      return { code: await serving, err: r.err };
    },
  };
}

test('drover server on etcd: ciphertext in etcd, plaintext to clients, rotation, a missing key refuses the start', etcdTestOptions(), async () => {
  const etcd = await startEtcd();
  const dir = await mkdtemp(join(tmpdir(), 'drover-enc-cli-'));
  try {
    const key1 = newKey('key1');
    const key2 = newKey('key2');
    const v1 = join(dir, 'v1.yaml');
    await writeFile(v1, configText([key1]));
    const base = ['server', '--etcd-endpoints', etcd.endpoints.join(','), '--admin-token', TOKEN];
    let s = await start([...base, '--encryption-config', v1]);
    try {
      const env = { DROVER_ADDR: s.url, DROVER_TOKEN: TOKEN };
      assert.equal((await drover(['apply', '-f', '-'], { env, stdin: SECRET })).code, 0);
      const got = await drover(['get', 'secret', 'db', '-o', 'jsonpath={.data.password}'], { env });
      assert.equal(got.out, b64, 'clients see the plaintext');
      const described = await drover(['describe', 'secret', 'db'], { env });
      assert.equal(described.code, 0, described.err);
      assert.match(described.out, /Type:  Opaque\n\nData\n====\npassword:  28 bytes\n/);
      assert.ok(!described.out.includes(VALUE) && !described.out.includes(b64), described.out);
    } finally {
      const stopped = await s.stop();
      assert.equal(stopped.code, 0, stopped.err);
    }
    assert.ok(!s.logs().includes(VALUE) && !s.logs().includes(b64), 'no secret value in the server’s debug logs');
    const rawValue = async () => etcdctl(etcd.endpoints, ['get', '/registry/secrets/default/db', '--print-value-only']);
    let raw = await rawValue();
    assert.match(raw, /^k8s:enc:aesgcm:v1:key1:/);
    assert.ok(!raw.includes(VALUE) && !raw.includes(b64) && !raw.includes('"password"'), raw);

    // Rotation: key2 first, key1 still listed; the start rewrites the Secret under key2.
    const v2 = join(dir, 'v2.yaml');
    await writeFile(v2, configText([key2, key1]));
    s = await start([...base, '--encryption-config', v2]);
    assert.match(s.logs(), /Encryption: secrets: aesgcm key key2 \(.*v2\.yaml; 1 rewritten at start\)/);
    await s.stop();
    raw = await rawValue();
    assert.match(raw, /^k8s:enc:aesgcm:v1:key2:/);
    // key1 dropped: still served.
    const v3 = join(dir, 'v3.yaml');
    await writeFile(v3, configText([key2]));
    s = await start([...base, '--encryption-config', v3]);
    try {
      assert.equal((await drover(['get', 'secret', 'db', '-o', 'jsonpath={.data.password}'], { env: { DROVER_ADDR: s.url, DROVER_TOKEN: TOKEN } })).out, b64);
    } finally {
      await s.stop();
    }
    // A server with only key1 cannot read it: it says so and does not start.
    const refused = await drover([...base, '--encryption-config', v1, '--port', '0']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.err, /cannot decrypt \/registry\/secrets\/default\/db: it is encrypted with aesgcm key "key2", which the encryption config for secrets does not list/);
    // Without any config it does not serve ciphertext either.
    const noConfig = await drover([...base, '--port', '0']);
    assert.notEqual(noConfig.code, 0);
    assert.match(noConfig.err, /stored Secrets are encrypted, but no --encryption-config was given: 1 stored value\(s\) cannot be decrypted/);
    // A broken config file is refused with its field path.
    await writeFile(join(dir, 'bad.yaml'), configText([{ name: 'k', secret: 'c2hvcnQ=' }]));
    const bad = await drover([...base, '--encryption-config', join(dir, 'bad.yaml'), '--port', '0']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.err, /resources\[0\]\.providers\[0\]\.aesgcm\.keys\[0\]\.secret: must be the base64 of 16, 24 or 32 random bytes/);
  } finally {
    await etcd.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

test('drover dev creates its key on first start (mode 0600) and keeps Secrets encrypted in its data dir', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'drover-enc-dev-'));
  try {
    let s = await start(['dev', '--data-dir', dir, '--admin-token', TOKEN]);
    try {
      assert.equal((await drover(['apply', '-f', '-'], { env: { DROVER_ADDR: s.url, DROVER_TOKEN: TOKEN }, stdin: SECRET })).code, 0);
    } finally {
      await s.stop();
    }
    const configPath = join(dir, 'encryption-config.yaml');
    assert.equal((await stat(configPath)).mode & 0o777, 0o600);
    const config = await readFile(configPath, 'utf8');
    // The same key on the second start: the Secret still reads.
    s = await start(['dev', '--data-dir', dir, '--admin-token', TOKEN]);
    try {
      assert.match(s.logs(), /Encryption: secrets: aesgcm key key1/);
      assert.equal((await drover(['get', 'secret', 'db', '-o', 'jsonpath={.data.password}'], { env: { DROVER_ADDR: s.url, DROVER_TOKEN: TOKEN } })).out, b64);
    } finally {
      await s.stop();
    }
    assert.equal(await readFile(configPath, 'utf8'), config, 'the key file is not replaced');
    const wal = await Promise.all((await readdir(join(dir, 'wal'))).map((f) => readFile(join(dir, 'wal', f), 'latin1')));
    assert.ok(wal.join('').includes('k8s:enc:aesgcm:v1:key1:'));
    assert.ok(!wal.join('').includes(VALUE) && !wal.join('').includes(b64), 'no plaintext in the WAL');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
