import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runConformance } from '../conformance.ts';
import { openMemoryStore } from './store.ts';

runConformance('memory', async () => ({ store: await openMemoryStore(), cleanup: async () => {} }));

runConformance('memory with a data directory', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'drover-mem-'));
  const store = await openMemoryStore({ dataDir: dir, snapshotBytes: 256 * 1024 });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

test('an empty memory store is at revision 1 and the first write gets revision 2, like etcd', async () => {
  const s = await openMemoryStore();
  assert.deepEqual(await s.status(), { revision: 1, compactRevision: 0 });
  assert.equal((await s.create('/a', 'x')).modRevision, 2);
  assert.deepEqual(await s.list(''), { kvs: [{ key: '/a', value: 'x', createRevision: 2, modRevision: 2, version: 1 }], revision: 2, more: false });
  await s.close();
  await assert.rejects(s.get('/a'), { name: 'StoreError', code: 'Unavailable' });
});

test('a txn that changes nothing does not move the revision (etcd: deleting an absent key)', async () => {
  const s = await openMemoryStore();
  await s.create('/a', 'x');
  const res = await s.txn([], [{ type: 'delete', key: '/nothing' }]);
  assert.deepEqual(res, { succeeded: true, revision: 2, written: [undefined], current: [] });
  await assert.rejects(s.txn([], [{ type: 'put', key: '/d', value: '1' }, { type: 'delete', key: '/d' }]), /duplicate key/);
  await s.close();
});
