// Secrets through the API server over an encrypting store: clients see plaintext, the store holds ciphertext,
// and a server whose config lacks the key answers a Status naming the key, never the ciphertext as data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kinds } from '../../api/schemas/index.ts';
import { toStatus } from '../apiserver/errors.ts';
import { testServer } from '../apiserver/test-support.ts';
import { silentLogger } from '../log/logger.ts';
import { StoreError } from '../storage/store.ts';
import { openMemoryStore } from '../storage/memory/index.ts';
import { encryptingStore } from './encrypting-store.ts';
import { newKey, transformerOf } from './test-support.ts';

const SECRETS = '/api/v1/namespaces/default/secrets';
const b64 = (s: string) => Buffer.from(s).toString('base64');

test('create, get and list show plaintext while the store holds only ciphertext; stringData too', async () => {
  const raw = await openMemoryStore();
  const t = await testServer({ store: encryptingStore(raw, transformerOf([newKey('key1')])), kinds });
  try {
    const created = await t.req('POST', SECRETS, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, data: { password: b64('s3cret-value') }, stringData: { token: 'string-data-value' } });
    assert.equal(created.code, 201, created.text);
    const got = await t.req('GET', `${SECRETS}/db`);
    assert.deepEqual((got.body as { data: Record<string, string> }).data, { password: b64('s3cret-value'), token: b64('string-data-value') });
    const list = await t.req('GET', SECRETS);
    assert.equal((list.body as { items: unknown[] }).items.length, 1);
    const stored = (await raw.get('/registry/secrets/default/db')).kv!.value;
    assert.match(stored, /^k8s:enc:aesgcm:v1:key1:/);
    for (const plain of ['s3cret-value', b64('s3cret-value'), 'string-data-value', b64('string-data-value'), '"db"']) assert.ok(!stored.includes(plain), plain);
  } finally {
    await t.server.close();
    await raw.close();
  }
});

test('an API server over a store holding a Secret it has no key for refuses to start, naming the key', async () => {
  const raw = await openMemoryStore();
  const first = await testServer({ store: encryptingStore(raw, transformerOf([newKey('old')])), kinds });
  assert.equal((await first.req('POST', SECRETS, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, data: { p: b64('x') } })).code, 201);
  await first.server.close();
  try {
    await assert.rejects(testServer({ store: encryptingStore(raw, transformerOf([newKey('new')])), kinds }), /cannot decrypt \/registry\/secrets\/default\/db: it is encrypted with aesgcm key "old", which the encryption config for secrets does not list/);
  } finally {
    await raw.close();
  }
});

test('an undecryptable value is a 500 InternalError Status that names the key', () => {
  const status = toStatus(new StoreError('Undecryptable', 'cannot decrypt /registry/secrets/a/b: it is encrypted with aesgcm key "k"'), silentLogger);
  assert.equal(status.code, 500);
  assert.equal(status.reason, 'InternalError');
  assert.match(status.message ?? '', /^Internal error occurred: cannot decrypt \/registry\/secrets\/a\/b: it is encrypted with aesgcm key "k"$/);
});
