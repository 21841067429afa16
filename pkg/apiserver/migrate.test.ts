import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kinds } from '../../api/schemas/index.ts';
import { silentLogger } from '../log/logger.ts';
import { openMemoryStore } from '../storage/memory/index.ts';
import { migrateMovedKinds } from './migrate.ts';
import { testServer } from './test-support.ts';

const legacyEvent = (name: string, message: string) => JSON.stringify({
  apiVersion: 'drover.dev/v1', kind: 'Event', metadata: { name, namespace: 'default', uid: `u-${name}`, creationTimestamp: '2024-01-01T00:00:00Z' },
  involvedObject: { kind: 'Job', name: 'web', namespace: 'default' }, reason: 'Started', message, type: 'Normal', count: 1,
});

test('Events stored under drover.dev move to the core group at startup, once, without overwriting', async () => {
  const store = await openMemoryStore();
  await store.create('/registry/drover.dev/events/default/old.1', legacyEvent('old.1', 'from before the upgrade'));
  await store.create('/registry/drover.dev/events/default/both.1', legacyEvent('both.1', 'legacy copy'));
  await store.create('/registry/events/default/both.1', legacyEvent('both.1', 'already moved').replace('drover.dev/v1', 'v1'));
  const t = await testServer({ store, kinds });
  try {
    const got = await t.req('GET', '/api/v1/namespaces/default/events/old.1');
    assert.equal(got.code, 200, got.text);
    assert.equal(got.body.apiVersion, 'v1');
    assert.equal(got.body.message, 'from before the upgrade');
    assert.equal(got.body.metadata.uid, 'u-old.1');
    assert.equal((await store.get('/registry/drover.dev/events/default/old.1')).kv, undefined);
    // An object already at its new key wins; the old copy is left where it was.
    assert.equal((await t.req('GET', '/api/v1/namespaces/default/events/both.1')).body.message, 'already moved');
    assert.ok((await store.get('/registry/drover.dev/events/default/both.1')).kv);
    assert.equal(await migrateMovedKinds(store, kinds, silentLogger), 0, 'nothing left to move');
  } finally {
    await t.close();
  }
});

test('Namespaces stored under drover.dev move to the core group at startup, before the default one is ensured', async () => {
  const store = await openMemoryStore();
  const legacy = (name: string) => JSON.stringify({ apiVersion: 'drover.dev/v1', kind: 'Namespace', metadata: { name, uid: `u-${name}`, creationTimestamp: '2024-01-01T00:00:00Z' }, spec: {}, status: { phase: 'Active' } });
  await store.create('/registry/drover.dev/namespaces/team', legacy('team'));
  await store.create('/registry/drover.dev/namespaces/default', legacy('default'));
  const t = await testServer({ store, kinds });
  try {
    const team = await t.req('GET', '/api/v1/namespaces/team');
    assert.equal(team.code, 200, team.text);
    assert.equal(team.body.apiVersion, 'v1');
    assert.equal(team.body.metadata.uid, 'u-team');
    assert.equal((await t.req('GET', '/api/v1/namespaces/default')).body.metadata.uid, 'u-default', 'the existing default namespace is kept');
    assert.equal((await store.get('/registry/drover.dev/namespaces/team')).kv, undefined);
    assert.equal((await t.req('GET', '/apis/drover.dev/v1/namespaces/team')).code, 404, 'no longer served under drover.dev');
  } finally {
    await t.close();
  }
});

test('Leases stored under drover.dev move to coordination.k8s.io at startup, keeping holder and resourceVersion order', async () => {
  const store = await openMemoryStore();
  const legacy = JSON.stringify({ apiVersion: 'drover.dev/v1', kind: 'Lease', metadata: { name: 'n1', namespace: 'default', uid: 'u-n1', creationTimestamp: '2024-01-01T00:00:00Z' }, spec: { holderIdentity: 'n1', leaseDurationSeconds: 10 } });
  await store.create('/registry/drover.dev/leases/default/n1', legacy);
  const t = await testServer({ store, kinds });
  try {
    const got = await t.req('GET', '/apis/coordination.k8s.io/v1/namespaces/default/leases/n1');
    assert.equal(got.code, 200, got.text);
    assert.equal(got.body.apiVersion, 'coordination.k8s.io/v1');
    assert.equal(got.body.spec.holderIdentity, 'n1');
    assert.equal((await t.req('GET', '/apis/drover.dev/v1/namespaces/default/leases/n1')).code, 404);
    // Writable as a coordination.k8s.io Lease (a renewing agent's next PUT).
    const put = await t.req('PUT', '/apis/coordination.k8s.io/v1/namespaces/default/leases/n1', { ...got.body, spec: { ...got.body.spec, renewTime: '2026-01-01T00:00:00.000000Z' } });
    assert.equal(put.code, 200, put.text);
  } finally {
    await t.close();
  }
});
