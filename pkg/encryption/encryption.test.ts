// Encryption at rest over the memory store: the bytes on disk never hold a covered plaintext, every read path
// sees plaintext, rotation through the rewrite at start, and a missing or wrong key is a clear error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../log/logger.ts';
import { openMemoryStore } from '../storage/memory/index.ts';
import { isStoreError, type Store, type WatchEvent } from '../storage/store.ts';
import { EncryptionConfigError, parseEncryptionConfig } from './config.ts';
import { encryptingStore } from './encrypting-store.ts';
import { rewriteStale, UnreadableValuesError } from './rewrite.ts';
import { configText, newKey, SECRETS_PREFIX, transformerOf } from './test-support.ts';
import { DecryptError } from './transformer.ts';

const SECRET_KEY = `${SECRETS_PREFIX}default/db`;
const PLAIN = '{"data":{"password":"aHVudGVyMi1wbGFpbnRleHQ="},"note":"hunter2-plaintext"}';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'drover-enc-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Every byte the memory store keeps on disk (WAL segments and snapshot). */
async function diskBytes(dir: string): Promise<string> {
  const files: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      if (e.isDirectory()) await walk(join(d, e.name));
      else files.push(join(d, e.name));
    }
  };
  await walk(dir);
  return (await Promise.all(files.map((f) => readFile(f, 'latin1')))).join('\n');
}

function nextEvents(store: Store, prefix: string, start: number, count: number): Promise<WatchEvent[]> {
  return new Promise((resolve, reject) => {
    const got: WatchEvent[] = [];
    const w = store.watch(prefix, start, {
      onEvents: (evs) => {
        got.push(...evs);
        if (got.length >= count) {
          w.cancel();
          resolve(got);
        }
      },
      onError: reject,
    });
  });
}

test('the memory store’s WAL and snapshot hold only ciphertext; every read path sees plaintext', async () => {
  await withDir(async (dir) => {
    const raw = await openMemoryStore({ dataDir: dir, snapshotBytes: 4096 });
    const store = encryptingStore(raw, transformerOf([newKey('key1')]));
    const created = await store.create(SECRET_KEY, PLAIN);
    assert.equal(created.value, PLAIN);
    const other = await store.create('/registry/configmaps/default/c', '{"plain":"visible-configmap"}');
    const rawKv = (await raw.get(SECRET_KEY)).kv!;
    assert.match(rawKv.value, /^k8s:enc:aesgcm:v1:key1:/);
    assert.equal((await raw.get(other.key)).kv!.value, '{"plain":"visible-configmap"}', 'uncovered kinds are stored as they are');
    assert.equal((await store.get(SECRET_KEY)).kv!.value, PLAIN);
    assert.deepEqual((await store.list(SECRETS_PREFIX)).kvs.map((kv) => kv.value), [PLAIN]);

    const updated = await store.update(SECRET_KEY, PLAIN.replace('note', 'note2'), created.modRevision);
    // A conflict reports the current state decrypted.
    const conflict = await store.update(SECRET_KEY, PLAIN, created.modRevision).catch((e: unknown) => e);
    assert.ok(isStoreError(conflict, 'Conflict'));
    assert.equal(conflict.current!.value, PLAIN.replace('note', 'note2'));
    const tx = await store.txn([{ key: SECRET_KEY, target: 'mod', equals: 1 }], []);
    assert.equal(tx.current[0]!.value, PLAIN.replace('note', 'note2'));
    const tx2 = await store.txn([], [{ type: 'put', key: `${SECRETS_PREFIX}default/tx`, value: PLAIN }]);
    assert.equal(tx2.written[0]!.value, PLAIN);
    const events = await nextEvents(store, SECRETS_PREFIX, created.modRevision, 3);
    assert.deepEqual(events.map((e) => e.kv.value), [PLAIN, PLAIN.replace('note', 'note2'), PLAIN]);
    const gone = await store.delete(SECRET_KEY, updated.modRevision);
    assert.equal(gone.value, PLAIN.replace('note', 'note2'), 'the tombstone carries the plaintext');
    // Many more writes so a snapshot is taken; then the whole directory is searched.
    for (let i = 0; i < 40; i++) await store.create(`${SECRETS_PREFIX}default/s${i}`, PLAIN);
    await raw.close();
    const bytes = await diskBytes(dir);
    assert.ok(bytes.includes('visible-configmap'), 'the search does see stored values');
    assert.ok(!bytes.includes('hunter2-plaintext') && !bytes.includes('aHVudGVyMi1wbGFpbnRleHQ='), 'no secret plaintext on disk');
    assert.ok((await readdir(dir)).includes('snapshot.json'), 'a snapshot was written and searched');
    // Reopened, the values still decrypt.
    const reopened = await openMemoryStore({ dataDir: dir });
    try {
      const again = encryptingStore(reopened, transformerOf([newKey('other')], 'identity'));
      const e = await again.get(`${SECRETS_PREFIX}default/s0`).catch((err: unknown) => err);
      assert.ok(isStoreError(e, 'Undecryptable'), 'a different key cannot read it');
      assert.match(e.message, /cannot decrypt \/registry\/secrets\/default\/s0: it is encrypted with aesgcm key "key1", which the encryption config for secrets does not list/);
    } finally {
      await reopened.close();
    }
  });
});

test('rotation: add a key first, rewrite at start, drop the old key', async () => {
  const raw = await openMemoryStore();
  const key1 = newKey('key1');
  const key2 = newKey('key2');
  const v1 = encryptingStore(raw, transformerOf([key1]));
  for (let i = 0; i < 1200; i++) await v1.create(`${SECRETS_PREFIX}ns/s${String(i).padStart(4, '0')}`, `{"n":${i}}`);
  // Step 1: key2 listed first (it writes), key1 still readable; the rewrite moves every value to key2 (pages of 500).
  const both = transformerOf([key2, key1]);
  assert.deepEqual(await rewriteStale(raw, both, silentLogger), { checked: 1200, rewritten: 1200 });
  assert.deepEqual(await rewriteStale(raw, both, silentLogger), { checked: 1200, rewritten: 0 }, 'a second rewrite finds nothing stale');
  const stored = (await raw.list(SECRETS_PREFIX)).kvs;
  assert.ok(stored.every((kv) => kv.value.startsWith('k8s:enc:aesgcm:v1:key2:')));
  // Step 2: key1 dropped; everything still reads.
  const only2 = encryptingStore(raw, transformerOf([key2]));
  assert.deepEqual((await only2.list(SECRETS_PREFIX)).kvs.map((kv) => JSON.parse(kv.value).n), [...Array(1200).keys()]);
  // Going back to key1 alone cannot read them: the rewrite at start says so (and names the key) instead of serving garbage.
  const err = await rewriteStale(raw, transformerOf([key1]), silentLogger).catch((e: unknown) => e);
  assert.ok(err instanceof UnreadableValuesError);
  assert.equal(err.failures.length, 1200);
  assert.match(err.message, /1200 stored value\(s\) cannot be decrypted.*aesgcm key "key2"/);
  await raw.close();
});

test('plaintext written before encryption was on: identity reads it, the rewrite encrypts it; without identity it is refused', async () => {
  const raw = await openMemoryStore();
  await raw.create(`${SECRETS_PREFIX}default/old`, '{"old":"plaintext-before"}');
  const k = newKey('k');
  const err = await rewriteStale(raw, transformerOf([k]), silentLogger).catch((e: unknown) => e);
  assert.ok(err instanceof UnreadableValuesError);
  assert.match(err.message, /stored unencrypted and the encryption config for secrets lists no identity provider/);
  assert.deepEqual(await rewriteStale(raw, transformerOf([k], 'identity'), silentLogger), { checked: 1, rewritten: 1 });
  assert.match((await raw.get(`${SECRETS_PREFIX}default/old`)).kv!.value, /^k8s:enc:aesgcm:v1:k:/);
  // And back to plaintext (identity first, the key second to read): decrypting a cluster.
  assert.deepEqual(await rewriteStale(raw, transformerOf('identity', [k]), silentLogger), { checked: 1, rewritten: 1 });
  assert.equal((await raw.get(`${SECRETS_PREFIX}default/old`)).kv!.value, '{"old":"plaintext-before"}');
  await raw.close();
});

test('a ciphertext is bound to its key and its bytes: moved, altered or under a same-named other key, it does not open', () => {
  const k = newKey('k');
  const t = transformerOf([k]);
  const sealed = t.seal(SECRET_KEY, PLAIN);
  assert.equal(t.open(SECRET_KEY, sealed).value, PLAIN);
  assert.notEqual(t.seal(SECRET_KEY, PLAIN), sealed, 'a fresh nonce per write');
  assert.throws(() => t.open(`${SECRETS_PREFIX}default/other`, sealed), (e: unknown) => e instanceof DecryptError && /does not authenticate it/.test(e.message));
  const body = sealed.slice('k8s:enc:aesgcm:v1:k:'.length);
  const flipped = Buffer.from(body, 'base64');
  flipped[20] ^= 1;
  assert.throws(() => t.open(SECRET_KEY, `k8s:enc:aesgcm:v1:k:${flipped.toString('base64')}`), DecryptError);
  assert.throws(() => transformerOf([newKey('k')]).open(SECRET_KEY, sealed), /aesgcm key "k" does not authenticate it/);
  assert.throws(() => t.open(SECRET_KEY, 'k8s:enc:kms:v2:x:abc'), /unknown encryption provider/);
  assert.equal(t.open('/registry/configmaps/default/x', 'k8s:enc:not-ours').value, 'k8s:enc:not-ours', 'uncovered keys pass through');
});

test('a config with mistakes is refused with every field path', () => {
  const resolve = (r: string) => (r === 'secrets' ? SECRETS_PREFIX : undefined);
  const cases: Array<[string, RegExp[]]> = [
    ['kind: Nope\napiVersion: v1\nresources: []\n', [/kind: must be EncryptionConfiguration/, /apiVersion: must be apiserver.config.k8s.io\/v1/, /resources: must list at least one entry/]],
    [configText([{ name: 'a', secret: Buffer.alloc(7).toString('base64') }]), [/resources\[0\]\.providers\[0\]\.aesgcm\.keys\[0\]\.secret: must be the base64 of 16, 24 or 32 random bytes/]],
    [configText([newKey('a'), newKey('a')]), [/resources\[0\]\.providers\[0\]\.aesgcm\.keys\[1\]\.name: duplicate key name "a"/]],
    [configText([{ name: 'bad name', secret: newKey('x').secret }]), [/keys\[0\]\.name: must be 1-63/]],
    [configText().replace('providers: []', 'providers:\n      - kms: {}'), [/providers\[0\]\.kms: unsupported provider/]],
    [configText('identity').replace('- secrets', '- widgets'), [/resources\[0\]\.resources\[0\]: unknown resource "widgets"/]],
    ['apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n  - resources: [secrets]\n    providers: [{identity: {}}]\n  - resources: [secrets]\n    providers: [{identity: {}}]\nextra: 1\n', [/resources\[1\]\.resources\[0\]: "secrets" is already configured at resources\[0\]\.resources\[0\]/, /extra: unknown field/]],
  ];
  for (const [text, patterns] of cases) {
    assert.throws(() => parseEncryptionConfig(text, resolve, 'enc.yaml'), (e: unknown) => {
      assert.ok(e instanceof EncryptionConfigError, String(e));
      for (const p of patterns) assert.match(e.message, p);
      assert.match(e.message, /^encryption config enc.yaml: /);
      return true;
    });
  }
});

test('a watch that meets a value written with an unknown key ends with Undecryptable instead of delivering it', async () => {
  const raw = await openMemoryStore();
  const store = encryptingStore(raw, transformerOf([newKey('mine')]));
  try {
    const first = await store.create(SECRET_KEY, PLAIN);
    const ended = new Promise<{ delivered: string[]; err: unknown }>((resolve) => {
      const delivered: string[] = [];
      store.watch(SECRETS_PREFIX, first.modRevision, {
        onEvents: (evs) => delivered.push(...evs.map((e) => e.kv.value)),
        onError: (err) => resolve({ delivered, err }),
      });
    });
    // Another server, with a key this one lacks, writes the next value.
    await encryptingStore(raw, transformerOf([newKey('theirs')])).create(`${SECRETS_PREFIX}default/theirs`, PLAIN);
    const { delivered, err } = await ended;
    assert.deepEqual(delivered, [PLAIN], 'the readable event was delivered, the unreadable one was not');
    assert.ok(isStoreError(err, 'Undecryptable'));
    assert.match((err as Error).message, /aesgcm key "theirs"/);
  } finally {
    await raw.close();
  }
});
