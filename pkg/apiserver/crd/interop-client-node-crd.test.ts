// @kubernetes/client-node 1.4, unmodified, with a CustomResourceDefinition: created with ApiextensionsV1Api,
// its objects followed by makeInformer, their status written with CustomObjectsApi (patch and replace status).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { silentLogger } from '../../log/logger.ts';
import { openMemoryStore } from '../../storage/memory/index.ts';
import { createApiServer } from '../server.ts';
import { TEST_HANG_GUARD_MS } from '../../../test/support/hang-guard.ts';
import { cronTab, cronTabCrd, until } from './crd.test-support.ts';

type CronTab = k8s.KubernetesObject & { spec: { cronSpec: string; replicas?: number }; status?: { readyReplicas?: number; phase?: string } };

test('client-node registers a CRD, watches its objects with an informer and writes their status', { timeout: TEST_HANG_GUARD_MS }, async () => {
  const store = await openMemoryStore();
  const server = await createApiServer({ store, logger: silentLogger, compactionIntervalMs: 0 });
  let informer: k8s.Informer<CronTab> | undefined;
  try {
    const url = await server.listen({ port: 0 });
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'd', server: url, skipTLSVerify: true }],
      users: [{ name: 'u' }],
      contexts: [{ name: 'c', cluster: 'd', user: 'u', namespace: 'default' }],
      currentContext: 'c',
    });
    const ext = kc.makeApiClient(k8s.ApiextensionsV1Api);
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    // As a program would read its CRD manifest: loadYaml maps the x-kubernetes-* keys to the model's fields.
    const body = k8s.loadYaml<k8s.V1CustomResourceDefinition>(JSON.stringify(cronTabCrd()));
    const created = await ext.createCustomResourceDefinition({ body });
    assert.equal(created.metadata?.name, 'crontabs.stable.example.com');
    const crd = await until(async () => {
      const r = await ext.readCustomResourceDefinition({ name: 'crontabs.stable.example.com' });
      return r.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ? r : undefined;
    }, 'established');
    assert.equal(crd.status?.acceptedNames?.kind, 'CronTab');
    assert.ok((await ext.listCustomResourceDefinition()).items.some((i) => i.metadata?.name === 'crontabs.stable.example.com'));

    const where = { group: 'stable.example.com', version: 'v1', namespace: 'default', plural: 'crontabs' };
    const seen: string[] = [];
    informer = k8s.makeInformer<CronTab>(kc, '/apis/stable.example.com/v1/namespaces/default/crontabs',
      (() => custom.listNamespacedCustomObject(where)) as never);
    informer.on('add', (o) => seen.push(`add ${o.metadata?.name}`));
    informer.on('update', (o) => seen.push(`update ${o.status?.phase ?? '-'} ${o.status?.readyReplicas ?? '-'}`));
    informer.on('delete', (o) => seen.push(`delete ${o.metadata?.name}`));
    await informer.start();

    await custom.createNamespacedCustomObject({ ...where, body: cronTab('nightly') });
    await until(async () => (seen.includes('add nightly') ? true : undefined), 'informer add');
    // Status through CustomObjectsApi: a JSON patch of /status, then a replace of the status subresource.
    const patched = (await custom.patchNamespacedCustomObjectStatus({ ...where, name: 'nightly', body: [{ op: 'add', path: '/status', value: { phase: 'Running' } }] })) as CronTab;
    assert.equal(patched.status?.phase, 'Running');
    const current = (await custom.getNamespacedCustomObject({ ...where, name: 'nightly' })) as CronTab;
    const replaced = (await custom.replaceNamespacedCustomObjectStatus({ ...where, name: 'nightly', body: { ...current, status: { phase: 'Running', readyReplicas: 1 } } })) as CronTab;
    assert.equal(replaced.status?.readyReplicas, 1);
    assert.equal(replaced.metadata?.generation, 1, 'status writes leave generation');
    await until(async () => (seen.includes('update Running 1') ? true : undefined), 'informer update');
    const bad = await custom.createNamespacedCustomObject({ ...where, body: cronTab('bad', { cronSpec: '* * * * *', replicas: 'two' }) }).catch((e: { code?: number; body?: string }) => e);
    assert.equal((bad as { code?: number }).code, 422);
    assert.match(String((bad as { body?: string }).body), /spec\.replicas/);
    await custom.deleteNamespacedCustomObject({ ...where, name: 'nightly' });
    await until(async () => (seen.includes('delete nightly') ? true : undefined), 'informer delete');
    assert.deepEqual(seen, ['add nightly', 'update Running -', 'update Running 1', 'delete nightly']);
  } finally {
    await informer?.stop();
    await server.close();
    await store.close();
  }
});
