// @kubernetes/client-node 1.4, unmodified, against a real listening API server: CRUD through
// KubernetesObjectApi and CustomObjectsApi, server-side apply, error bodies, an informer (list+watch) and a
// raw watch with bookmarks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { silentLogger } from '../log/logger.ts';
import { openMemoryStore } from '../storage/memory/index.ts';
import { createApiServer } from './server.ts';

const ADMIN = 'drover_interop-admin-token';
import { TEST_HANG_GUARD_MS } from '../../test/support/hang-guard.ts';

const lease = (holder: string): k8s.KubernetesObject & { spec: { holderIdentity: string } } => ({
  apiVersion: 'coordination.k8s.io/v1',
  kind: 'Lease',
  metadata: { name: 'l1', namespace: 'default' },
  spec: { holderIdentity: holder },
});

test('@kubernetes/client-node works against the API server unmodified', { timeout: TEST_HANG_GUARD_MS }, async () => {
  const store = await openMemoryStore();
  // Authentication on, as `drover dev` runs: the client sends the bootstrap admin token.
  const server = await createApiServer({ store, logger: silentLogger, compactionIntervalMs: 0, authentication: { bootstrapTokens: [{ token: ADMIN, user: 'drover:admin', groups: ['system:masters'], description: 'test' }] } });
  let informer: k8s.Informer<k8s.KubernetesObject> | undefined;
  try {
    const url = await server.listen({ port: 0 });
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'd', server: url, skipTLSVerify: true }],
      users: [{ name: 'u', token: ADMIN }],
      contexts: [{ name: 'c', cluster: 'd', user: 'u', namespace: 'default' }],
      currentContext: 'c',
    });
    const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    const listLeases = () => custom.listNamespacedCustomObject({ group: 'coordination.k8s.io', version: 'v1', namespace: 'default', plural: 'leases' });

    // Informer first, so it sees the whole life of the object.
    const seen: string[] = [];
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    informer = k8s.makeInformer(kc, '/apis/coordination.k8s.io/v1/namespaces/default/leases', listLeases as never);
    informer.on('add', (o) => seen.push(`add ${o.metadata?.name}`));
    informer.on('update', (o) => seen.push(`update ${(o as { spec?: { holderIdentity?: string } }).spec?.holderIdentity}`));
    informer.on('delete', (o) => {
      seen.push(`delete ${o.metadata?.name}`);
      done();
    });
    await informer.start();

    const created = await objects.create(lease('me'));
    assert.match(created.metadata?.resourceVersion ?? '', /^\d+$/);
    const read = await objects.read({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'l1', namespace: 'default' } });
    assert.equal(read.metadata?.uid, created.metadata?.uid);
    await assert.rejects(objects.create(lease('me')), (e: { code?: number }) => e.code === 409);
    const applied = await objects.patch(lease('you'), undefined, undefined, 'tester', true, k8s.PatchStrategy.ServerSideApply);
    assert.equal((applied as { spec?: { holderIdentity?: string } }).spec?.holderIdentity, 'you');
    const list = (await listLeases()) as { items: k8s.KubernetesObject[]; metadata: { resourceVersion: string } };
    assert.deepEqual(list.items.map((i) => i.metadata?.name), ['l1']);
    await objects.delete(lease('you'));
    await finished;
    assert.deepEqual(seen, ['add l1', 'update you', 'delete l1']);

    // A raw watch with bookmarks allowed: the current state arrives as ADDED first; what follows a batch is a
    // bookmark carrying only a resourceVersion (it confirms the batch complete, see docs/api.md).
    await objects.create(lease('again'));
    const events: string[] = [];
    let first!: () => void;
    const gotOne = new Promise<void>((r) => (first = r));
    const w = new k8s.Watch(kc);
    const req = await w.watch('/apis/coordination.k8s.io/v1/namespaces/default/leases', { allowWatchBookmarks: true }, (type, obj) => {
      events.push(type === 'BOOKMARK' ? `BOOKMARK rv=${/^\d+$/.test(obj.metadata?.resourceVersion ?? '')}` : `${type} ${obj.metadata?.name}`);
      first();
    }, () => {});
    await gotOne;
    req.abort();
    assert.equal(events[0], 'ADDED l1');
    assert.ok(events.slice(1).every((e) => e.startsWith('ADDED ') || e === 'BOOKMARK rv=true'), events.join(', '));
  } finally {
    await informer?.stop();
    await server.close();
    await store.close();
  }
});
