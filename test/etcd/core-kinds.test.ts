// The core group (/api/v1) through the generic handler and watch cache over a real etcd: the same suite as
// pkg/apiserver/server-core.test.ts runs over the memory store.
import { after, before, describe } from 'node:test';
import { runCoreKindsSuite } from '../../pkg/apiserver/core-kinds.test-support.ts';
import { openEtcdStore } from '../../pkg/storage/etcd/store.ts';
import { etcdTestOptions, startEtcd, type EtcdCluster } from '../support/etcd.ts';

let seq = 0;

describe('core kinds over etcd', etcdTestOptions(), () => {
  let etcd: EtcdCluster | undefined;
  before(async () => {
    etcd = await startEtcd();
  });
  after(async () => {
    await etcd?.stop();
  });
  runCoreKindsSuite('etcd', async () => {
    const store = await openEtcdStore({ endpoints: etcd!.endpoints, prefix: `/drover-core-${process.pid}-${++seq}` });
    return { store, cleanup: () => store.close() };
  });
});
