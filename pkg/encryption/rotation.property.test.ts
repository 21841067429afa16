// Property: across any sequence of writes, deletes and key rotations (add a key first → rewrite at start →
// drop the old keys), every read returns what an independent map model says was last written, the store beneath
// never holds a written plaintext, and after a rewrite every value names the current write key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { silentLogger } from '../log/logger.ts';
import { openMemoryStore } from '../storage/memory/index.ts';
import { encryptingStore } from './encrypting-store.ts';
import { rewriteStale } from './rewrite.ts';
import { newKey, SECRETS_PREFIX, transformerOf } from './test-support.ts';

type Op = { t: 'put'; name: number; value: string } | { t: 'delete'; name: number } | { t: 'rotate' };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ t: fc.constant('put' as const), name: fc.nat(7), value: fc.string({ minLength: 1, maxLength: 40 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('delete' as const), name: fc.nat(7) }) },
  { weight: 1, arbitrary: fc.constant({ t: 'rotate' as const }) },
);

test('rotation keeps every value readable and the store free of plaintext', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(op, { maxLength: 40 }), async (ops) => {
      const raw = await openMemoryStore();
      try {
        const model = new Map<string, string>();
        let keys = [newKey('k0')];
        let store = encryptingStore(raw, transformerOf(keys));
        let serial = 0;
        for (const o of ops) {
          if (o.t === 'rotate') {
            // Step 1: a new key first, the old ones still read; the rewrite moves everything to it.
            keys = [newKey(`k${++serial}`), ...keys];
            await rewriteStale(raw, transformerOf(keys), silentLogger);
            // Step 2: the old keys dropped.
            keys = keys.slice(0, 1);
            store = encryptingStore(raw, transformerOf(keys));
            for (const kv of (await raw.list(SECRETS_PREFIX)).kvs) assert.ok(kv.value.startsWith(`k8s:enc:aesgcm:v1:${keys[0]!.name}:`));
            continue;
          }
          const key = `${SECRETS_PREFIX}ns/s${o.name}`;
          const cur = (await store.get(key)).kv;
          if (o.t === 'delete') {
            if (cur) await store.delete(key, cur.modRevision);
            model.delete(key);
          } else {
            // A marker around the value makes "the plaintext is in the store" a plain substring search.
            const value = JSON.stringify({ v: `PLAIN<${o.value}>` });
            if (cur) await store.update(key, value, cur.modRevision);
            else await store.create(key, value);
            model.set(key, value);
          }
        }
        const listed = new Map((await store.list(SECRETS_PREFIX)).kvs.map((kv) => [kv.key, kv.value]));
        assert.deepEqual(listed, model);
        for (const kv of (await raw.list(SECRETS_PREFIX)).kvs) assert.ok(!kv.value.includes('PLAIN<'), kv.value);
      } finally {
        await raw.close();
      }
    }),
    { numRuns: 60 },
  );
});
