// CustomResourceDefinitions over a real etcd: a CRD and its objects survive an API server restart (the new
// server serves the kind before it listens), and deleting the CRD removes the objects from etcd.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { kinds } from '../../api/schemas/index.ts';
import { namespaceKind, testServer, type TestServer } from '../../pkg/apiserver/test-support.ts';
import { conditionStatus, cronTab, cronTabCrd, until } from '../../pkg/apiserver/crd/crd.test-support.ts';
import { openEtcdStore } from '../../pkg/storage/etcd/store.ts';
import { etcdTestOptions, startEtcd, type EtcdCluster } from '../support/etcd.ts';

const crdKind = kinds.find((k) => k.kind === 'CustomResourceDefinition')!;
const CRD = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/crontabs.stable.example.com';
const TABS = '/apis/stable.example.com/v1/namespaces/default/crontabs';

describe('CRDs over etcd', etcdTestOptions(), () => {
  let etcd: EtcdCluster | undefined;
  before(async () => {
    etcd = await startEtcd();
  });
  after(async () => {
    await etcd?.stop();
  });

  it('a CRD and its objects are served again after a restart, and go with the CRD', async () => {
    const prefix = `/drover-crd-${process.pid}`;
    const open = () => openEtcdStore({ endpoints: etcd!.endpoints, prefix });
    const first = await testServer({ store: await open(), kinds: [namespaceKind, crdKind] });
    await first.req('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', cronTabCrd());
    await until(async () => (conditionStatus((await first.req('GET', CRD)).body, 'Established') === 'True' ? true : undefined), 'established');
    assert.equal((await first.req('POST', TABS, cronTab('kept'))).code, 201);
    await first.close();

    let second: TestServer | undefined;
    try {
      second = await testServer({ store: await open(), kinds: [namespaceKind, crdKind] });
      const s = second;
      assert.equal((await s.req('GET', `${TABS}/kept`)).code, 200);
      assert.equal((await s.req('DELETE', CRD)).code, 200);
      await until(async () => ((await s.req('GET', CRD)).code === 404 ? true : undefined), 'crd gone');
      assert.equal((await s.store.list('/registry/stable.example.com/crontabs/')).kvs.length, 0);
      assert.equal((await s.req('GET', TABS)).code, 404);
    } finally {
      await second?.close();
    }
  });
});
