// etcd's space alarm, for real: an etcd with a 1 MiB backend quota (small enough to fill in a moment) is filled
// until it raises NOSPACE. Then every write through the API server — a create, and an update that makes an object
// *smaller* — is refused with 507 InsufficientStorage and a Status naming the cluster's storage (not 413 "too
// large"), reads still work, and /readyz fails saying why. After the operator's procedure of docs/operations.md
// (delete what filled it, compact, defragment, `etcdctl alarm disarm`) writes succeed and /readyz is 200 again.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openEtcdStore } from '../../pkg/storage/etcd/store.ts';
import { isStoreError, type Store } from '../../pkg/storage/store.ts';
import { testServer, widget, widgetsPath, type TestServer } from '../../pkg/apiserver/test-support.ts';
import { etcdctl, etcdTestOptions, startEtcd, type EtcdCluster } from '../support/etcd.ts';

const QUOTA = 1024 * 1024;
const FILLER = '/filler/';

describe('etcd space alarm', etcdTestOptions(), () => {
  let etcd: EtcdCluster;
  let store: Store;
  let api: TestServer;
  before(async () => {
    etcd = await startEtcd({ quotaBackendBytes: QUOTA });
    store = await openEtcdStore({ endpoints: etcd.endpoints });
    api = await testServer({ store });
  });
  after(async () => {
    await api?.server.close();
    await store?.close();
    await etcd?.stop();
  });

  test('writes get 507 naming the storage and /readyz fails while the alarm is raised; both recover after disarm', async () => {
    // An object that is big now, so that an update can shrink it.
    const big = widget('big', { tags: Array.from({ length: 100 }, (_, i) => `tag-${i}-${'x'.repeat(500)}`) });
    const created = await api.req('POST', widgetsPath(), big);
    assert.equal(created.code, 201, created.text);
    assert.equal((await api.req('GET', '/readyz')).code, 200);

    // Fill etcd (outside the registry) until it refuses: 100 KB values, a few dozen at most within 1 MiB.
    const value = 'v'.repeat(100_000);
    let filled = 0;
    for (;;) {
      try {
        await store.create(`${FILLER}${filled}`, value);
        filled++;
      } catch (err) {
        assert.ok(isStoreError(err, 'NoSpace'), `expected NoSpace, got ${String(err)}`);
        break;
      }
      assert.ok(filled < 1000, 'etcd never refused a write (quota not applied?)');
    }

    const refusedCreate = await api.req('POST', widgetsPath(), widget('small', { size: 1 }));
    const shrink = { ...created.body, spec: { size: 1 } };
    const refusedUpdate = await api.req('PUT', widgetsPath('default', 'big'), shrink);
    for (const [what, res] of [['create', refusedCreate], ['shrinking update', refusedUpdate]] as const) {
      assert.equal(res.code, 507, `${what}: ${res.text}`);
      assert.deepEqual([res.body.kind, res.body.reason, res.body.code], ['Status', 'InsufficientStorage', 507], what);
      assert.match(res.body.message, /the cluster's storage \(etcd\) is out of space/, what);
      assert.match(res.body.message, /database space exceeded/, what);
    }
    // Reads still work.
    assert.equal((await api.req('GET', widgetsPath('default', 'big'))).code, 200);
    const notReady = await api.req('GET', '/readyz');
    assert.equal(notReady.code, 503, notReady.text);
    assert.match(notReady.text, /\[-\]storage failed: writes refused: etcd alarm raised: NOSPACE on member \d+/);

    // The operator's procedure (docs/operations.md): free space, compact, defragment, disarm.
    for (let i = 0; i < filled; i++) await store.delete(`${FILLER}${i}`);
    const { revision } = await store.status();
    await etcdctl(etcd.endpoints, ['compact', String(revision)]);
    await etcdctl(etcd.endpoints, ['defrag']);
    // Still refusing until disarmed: the alarm stays raised however much room there is.
    assert.equal((await api.req('POST', widgetsPath(), widget('early', { size: 1 }))).code, 507);
    assert.equal((await api.req('GET', '/readyz')).code, 503);
    await etcdctl(etcd.endpoints, ['alarm', 'disarm']);

    assert.equal((await api.req('GET', '/readyz')).code, 200);
    const shrunk = await api.req('PUT', widgetsPath('default', 'big'), { ...shrink, metadata: { ...shrink.metadata } });
    assert.equal(shrunk.code, 200, shrunk.text);
    assert.equal((await api.req('POST', widgetsPath(), widget('small', { size: 1 }))).code, 201);
  });
});
