// The etcd store against a real etcd 3.4: the shared conformance suite, then the failure modes only a
// real network shows (connections cut mid-watch, a member of three killed).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertOrderedOnce, collect, rejectsWith } from '../../pkg/storage/conformance-support.ts';
import { runConformance } from '../../pkg/storage/conformance.ts';
import { openEtcdStore } from '../../pkg/storage/etcd/store.ts';
import { isStoreError, type KeyValue, type Store } from '../../pkg/storage/store.ts';
import { etcdTestOptions, startEtcd, type EtcdCluster } from '../support/etcd.ts';
import { startTcpProxy } from '../support/tcpproxy.ts';
import { TEST_HANG_GUARD_MS } from '../support/hang-guard.ts';

let seq = 0;
/** A key prefix no other test uses (the cluster is shared by the whole file). */
const freshPrefix = (tag: string) => `/drover-test/${tag}-${process.pid}-${++seq}`;

describe('etcd store', etcdTestOptions(), () => {
  let etcd: EtcdCluster | undefined;
  before(async () => {
    etcd = await startEtcd();
  });
  after(async () => {
    await etcd?.stop();
  });

  runConformance('etcd', async () => {
    const store = await openEtcdStore({ endpoints: etcd!.endpoints, prefix: freshPrefix('conformance') });
    return { store, cleanup: () => store.close() };
  });

  test('a watch whose connection is cut again and again delivers every event exactly once', { timeout: TEST_HANG_GUARD_MS }, async () => {
    const proxy = await startTcpProxy(etcd!.endpoints[0]!);
    const prefix = freshPrefix('cut');
    const writer = await openEtcdStore({ endpoints: etcd!.endpoints, prefix });
    const watcher = await openEtcdStore({ endpoints: [proxy.address], prefix });
    const written: KeyValue[] = [];
    try {
      const start = (await writer.status()).revision + 1;
      // More than etcd's 1000 revisions per watch response, so the replay arrives in several responses
      // and the first cut lands while history is still being replayed (where etcd3's own resume skips).
      written.push(...(await writeMany(writer, 1200, 'h', 16)));
      let cutOnFirstBatch = true;
      const { watch, c } = collect(watcher, '/', start);
      const firstBatch = c.handlers.onEvents;
      c.handlers.onEvents = (events) => {
        firstBatch(events);
        if (cutOnFirstBatch) {
          cutOnFirstBatch = false;
          proxy.cutAll();
        }
      };
      // Live writes while the link keeps failing: cut, refuse reconnects for a while, let it back.
      for (let round = 0; round < 4; round++) {
        const live = await writeMany(writer, 40, `l${round}a`, 4);
        written.push(...live);
        await c.untilRevision(Math.max(...live.map((kv) => kv.modRevision))); // the watch is connected again
        proxy.cutAll();
        proxy.setRefusing(true);
        written.push(...(await writeMany(writer, 40, `l${round}b`, 4)));
        proxy.setRefusing(false);
      }
      const last = Math.max(...written.map((kv) => kv.modRevision));
      await c.untilRevision(last);
      watch.cancel();
      assert.deepEqual(c.errors, []);
      assertOrderedOnce(c.events);
      assert.deepEqual(
        c.events.map((e) => e.kv),
        written.sort((a, b) => a.modRevision - b.modRevision),
      );
      assert.ok(proxy.cuts >= 5, `connections were cut (${proxy.cuts})`);
      assert.ok(c.batches > 5, `events arrived over several responses (${c.batches})`);
    } finally {
      await watcher.close();
      await writer.close();
      await proxy.close();
    }
  });

  test('reads through a dead link fail as Unavailable, not as a hang or a raw gRPC error', { timeout: TEST_HANG_GUARD_MS }, async () => {
    const proxy = await startTcpProxy(etcd!.endpoints[0]!);
    const store = await openEtcdStore({ endpoints: [proxy.address], prefix: freshPrefix('down') });
    try {
      await store.create('/a', '1');
      proxy.setRefusing(true);
      proxy.cutAll();
      await rejectsWith(store.get('/a'), 'Unavailable');
      proxy.setRefusing(false);
      assert.equal((await store.get('/a')).kv?.value, '1', 'the store recovers once etcd is reachable');
    } finally {
      await store.close();
      await proxy.close();
    }
  });

  test('opening against an address where nothing listens fails as Unavailable', async () => {
    const proxy = await startTcpProxy(etcd!.endpoints[0]!);
    proxy.setRefusing(true);
    try {
      await rejectsWith(openEtcdStore({ endpoints: [proxy.address], dialTimeoutMs: 300 }), 'Unavailable');
    } finally {
      await proxy.close();
    }
  });
});

describe('etcd store on a 3-member cluster', etcdTestOptions(), () => {
  test('keeps serving and watching after one member is killed', { timeout: TEST_HANG_GUARD_MS }, async () => {
    const cluster = await startEtcd({ members: 3 });
    const prefix = freshPrefix('ha');
    const store = await openEtcdStore({ endpoints: cluster.endpoints, prefix });
    try {
      const start = (await store.status()).revision + 1;
      const { watch, c } = collect(store, '/', start);
      const written = await writeMany(store, 30, 'before', 4);
      await cluster.killMember(0);
      written.push(...(await writeMany(store, 30, 'after', 4)));
      await c.untilRevision(Math.max(...written.map((kv) => kv.modRevision)));
      watch.cancel();
      assertOrderedOnce(c.events);
      assert.deepEqual(
        c.events.map((e) => e.kv),
        written.sort((a, b) => a.modRevision - b.modRevision),
      );
      assert.equal((await store.list('/')).kvs.length, 60);
    } finally {
      await store.close();
      await cluster.stop();
    }
  });
});

/**
 * Creates `count` keys with `concurrency` writers. A create that fails as 'Unavailable' (member down,
 * leader election) is retried: the key is unique, so a retry of a create that did land is AlreadyExists
 * and is then read back.
 */
async function writeMany(store: Store, count: number, tag: string, concurrency: number): Promise<KeyValue[]> {
  const out: KeyValue[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const key = `/${tag}-${String(next++).padStart(5, '0')}`;
      out.push(await createRetrying(store, key, `value of ${key}`));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return out;
}

async function createRetrying(store: Store, key: string, value: string): Promise<KeyValue> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await store.create(key, value);
    } catch (err) {
      if (isStoreError(err, 'AlreadyExists') && err.current) return err.current;
      if (!isStoreError(err, 'Unavailable') || attempt >= 50) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
