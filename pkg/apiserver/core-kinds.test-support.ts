// The core group (/api/v1) through the one generic handler, as a suite run over both stores (memory here,
// etcd in test/etcd): discovery, CRUD of ConfigMap, Secret, ServiceAccount and Event, the Secret rules, key
// layout, watches through the kind's watch cache, and fieldValidation Strict | Warn | Ignore.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kinds } from '../../api/schemas/index.ts';
import type { Store } from '../storage/store.ts';
import { testServer, type TestServer } from './test-support.ts';
import { openTestWatch } from './watch-client.test-support.ts';
import { TEST_HANG_GUARD_MS } from '../../test/support/hang-guard.ts';

/** A store for one test and how to dispose of it (the server never closes a store it was handed). */
export type OpenStore = () => Promise<{ store: Store; cleanup: () => Promise<void> }>;

const cm = (name: string, data: Record<string, string> = { a: '1' }) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });
const CM = '/api/v1/namespaces/default/configmaps';
const SECRETS = '/api/v1/namespaces/default/secrets';
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** Register the suite's tests under `label`. */
export function runCoreKindsSuite(label: string, open: OpenStore): void {
  const withServer = async (fn: (t: TestServer) => Promise<void>) => {
    const { store, cleanup } = await open();
    const t = await testServer({ store, kinds });
    try {
      await fn(t);
    } finally {
      await t.server.close();
      await cleanup();
    }
  };
  const it = (name: string, fn: (t: TestServer) => Promise<void>) =>
    test(`${label}: ${name}`, { timeout: TEST_HANG_GUARD_MS }, () => withServer(fn));

  it('/api lists v1 and /api/v1 lists the core kinds; /apis keeps drover.dev apart', async (t) => {
    const api = await t.req('GET', '/api');
    assert.deepEqual(api.body.versions, ['v1']);
    const v1 = await t.req('GET', '/api/v1');
    assert.equal(v1.body.groupVersion, 'v1');
    assert.deepEqual(v1.body.resources.map((r: { name: string }) => r.name), ['namespaces', 'namespaces/status', 'configmaps', 'secrets', 'serviceaccounts', 'events']);
    const drover = await t.req('GET', '/apis/drover.dev/v1');
    const names = drover.body.resources.map((r: { name: string }) => r.name);
    assert.ok(names.includes('jobs') && !names.includes('configmaps') && !names.includes('events'));
    assert.deepEqual((await t.req('GET', '/apis')).body.groups.map((g: { name: string }) => g.name), ['drover.dev', 'coordination.k8s.io', 'rbac.authorization.k8s.io', 'auth.drover.dev', 'apiextensions.k8s.io']);
    // A core resource is not found under drover.dev, nor a drover.dev one under /api/v1.
    assert.equal((await t.req('GET', '/apis/drover.dev/v1/namespaces/default/configmaps')).code, 404);
    assert.equal((await t.req('GET', '/api/v1/namespaces/default/jobs')).code, 404);
    const root = await t.req('GET', '/openapi/v3');
    const core = await t.req('GET', root.body.paths['api/v1'].serverRelativeURL);
    assert.ok(core.body.components.schemas['io.k8s.api.core.v1.ConfigMap']);
    const v2 = await t.req('GET', '/openapi/v2');
    assert.equal(v2.body.swagger, '2.0');
    for (const d of ['io.k8s.api.core.v1.Secret', 'dev.drover.v1.Job', 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']) assert.ok(v2.body.definitions[d], d);
    assert.ok(v2.body.paths['/api/v1/namespaces/{namespace}/configmaps'].post.parameters.some((p: { in: string }) => p.in === 'body'));
    const refs = JSON.stringify(v2.body).match(/"\$ref":"[^"]+"/g) ?? [];
    for (const r of new Set(refs)) assert.ok(v2.body.definitions[r.slice('"$ref":"#/definitions/'.length, -1)], `dangling ${r}`);
  });

  it('ConfigMap CRUD: apiVersion v1, its own key, 400 for another apiVersion, Table with a DATA count', async (t) => {
    const created = await t.req('POST', CM, cm('c1', { a: '1', b: '2' }));
    assert.equal(created.code, 201, created.text);
    assert.equal(created.body.apiVersion, 'v1');
    const { kv } = await t.store.get('/registry/configmaps/default/c1');
    assert.equal(JSON.parse(kv!.value).data.b, '2');
    const wrong = await t.req('POST', CM, { ...cm('c2'), apiVersion: 'drover.dev/v1' });
    assert.equal(wrong.code, 400);
    assert.match(wrong.body.message, /expected API version \(v1\)/);
    const table = await t.req('GET', CM, undefined, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
    assert.deepEqual(table.body.columnDefinitions.map((c: { name: string }) => c.name), ['Name', 'Data', 'Age']);
    assert.equal(table.body.rows[0].cells[1], 2);
    const put = await t.req('PUT', `${CM}/c1`, { ...created.body, data: { a: 'x' } });
    assert.equal(put.code, 200, put.text);
    assert.deepEqual(put.body.data, { a: 'x' });
    const bad = await t.req('POST', CM, cm('c3', { 'no/slash': 'v' }));
    assert.equal(bad.code, 422);
    assert.equal(bad.body.details.causes[0].field, 'data');
    assert.match(bad.body.message, /^ConfigMap "c3" is invalid: data: Invalid value: "no\/slash": a valid config key/);
    assert.equal((await t.req('DELETE', `${CM}/c1`)).code, 200);
    assert.equal((await t.req('GET', `${CM}/c1`)).code, 404);
  });

  it('immutable ConfigMaps keep their data', async (t) => {
    await t.req('POST', CM, { ...cm('frozen'), immutable: true });
    const r = await t.req('PATCH', `${CM}/frozen`, { data: { a: '2' } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(r.code, 422);
    assert.deepEqual(r.body.details.causes.map((c: { field: string }) => c.field), ['data']);
    const labels = await t.req('PATCH', `${CM}/frozen`, { metadata: { labels: { x: 'y' } } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(labels.code, 200, 'metadata still changes');
  });

  it('Secret: data must be base64, stringData is merged into data and never stored, type defaults to Opaque and is immutable', async (t) => {
    const bad = await t.req('POST', SECRETS, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's0' }, data: { k: 'not base64!' } });
    assert.equal(bad.code, 422);
    assert.equal(bad.body.details.causes[0].field, 'data[k]');
    assert.match(bad.body.details.causes[0].message, /must be base64-encoded/);
    const r = await t.req('POST', SECRETS, {
      apiVersion: 'v1', kind: 'Secret', metadata: { name: 's1' }, data: { user: b64('old'), keep: b64('k') }, stringData: { user: 'admin', pass: 'p@ss' },
    });
    assert.equal(r.code, 201, r.text);
    assert.deepEqual(r.body.data, { user: b64('admin'), keep: b64('k'), pass: b64('p@ss') });
    assert.equal(r.body.stringData, undefined);
    assert.equal(r.body.type, 'Opaque');
    const { kv } = await t.store.get('/registry/secrets/default/s1');
    assert.equal(JSON.parse(kv!.value).stringData, undefined);
    const patched = await t.req('PATCH', `${SECRETS}/s1`, { stringData: { pass: 'new' } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(patched.code, 200, patched.text);
    assert.equal(patched.body.data.pass, b64('new'));
    const retype = await t.req('PATCH', `${SECRETS}/s1`, { type: 'kubernetes.io/tls' }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(retype.code, 422);
    assert.equal(retype.body.details.causes[0].field, 'type');
  });

  it('ServiceAccount and Event: create, field selectors as kubectl describe sends them, watch from the cache', async (t) => {
    const sa = await t.req('POST', '/api/v1/namespaces/default/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'deployer' } });
    assert.equal(sa.code, 201, sa.text);
    const listed = await t.req('GET', '/api/v1/events?watch=false');
    const rv = listed.body.metadata.resourceVersion;
    const ev = (name: string, obj: string) => ({
      apiVersion: 'v1', kind: 'Event', metadata: { name }, reason: 'Started', message: `${obj} started`,
      involvedObject: { apiVersion: 'drover.dev/v1', kind: 'Allocation', name: obj, namespace: 'default', uid: `uid-${obj}` },
    });
    assert.equal((await t.req('POST', '/api/v1/namespaces/default/events', ev('e1', 'a1'))).code, 201);
    assert.equal((await t.req('POST', '/api/v1/namespaces/default/events', ev('e2', 'a2'))).code, 201);
    const sel = 'involvedObject.name=a2,involvedObject.namespace=default,involvedObject.kind=Allocation,involvedObject.uid=uid-a2';
    const found = await t.req('GET', `/api/v1/namespaces/default/events?fieldSelector=${encodeURIComponent(sel)}`);
    assert.deepEqual(found.body.items.map((e: { metadata: { name: string } }) => e.metadata.name), ['e2']);
    assert.equal(found.body.items[0].type, 'Normal');
    assert.equal(found.body.kind, 'EventList');
    assert.equal(found.body.apiVersion, 'v1');
    // A watch needs a real socket (inject cannot stream): from the list's revision it replays both events.
    const url = await t.server.listen({ port: 0 });
    const watch = await openTestWatch(`${url}/api/v1/events?watch=true&resourceVersion=${rv}`);
    try {
      const seen = [await watch.next(), await watch.next()] as Array<{ type: string; object: { apiVersion: string; metadata: { name: string } } }>;
      assert.deepEqual(seen.map((e) => `${e.type} ${e.object.apiVersion} ${e.object.metadata.name}`), ['ADDED v1 e1', 'ADDED v1 e2']);
    } finally {
      watch.close();
    }
  });

  it('fieldValidation: Strict (and the default) refuses, Warn drops with a 299 warning, Ignore drops silently', async (t) => {
    const withUnknown = { ...cm('f'), extra: 1, metadata: { name: 'f', zz: 'x' } };
    for (const q of ['', '?fieldValidation=Strict']) {
      const r = await t.req('POST', `${CM}${q}`, withUnknown);
      assert.equal(r.code, 422, q);
      assert.deepEqual(r.body.details.causes.map((c: { message: string }) => c.message).sort(), ['unknown field "extra"', 'unknown field "metadata.zz"']);
    }
    const warned = await t.req('POST', `${CM}?fieldValidation=Warn`, withUnknown);
    assert.equal(warned.code, 201, warned.text);
    assert.deepEqual([warned.headers.warning].flat().sort(), ['299 - "unknown field \\"extra\\""', '299 - "unknown field \\"metadata.zz\\""']);
    assert.equal(warned.body.extra, undefined);
    const ignored = await t.req('POST', `${CM}?fieldValidation=Ignore`, { ...withUnknown, metadata: { name: 'g' } });
    assert.equal(ignored.code, 201, ignored.text);
    assert.equal(ignored.headers.warning, undefined);
    const merge = { 'content-type': 'application/merge-patch+json' };
    assert.equal((await t.req('PATCH', `${CM}/f?fieldValidation=Strict`, { bogus: true }, merge)).code, 422);
    const patched = await t.req('PATCH', `${CM}/f?fieldValidation=Warn`, { bogus: true, data: { b: '2' } }, merge);
    assert.equal(patched.code, 200, patched.text);
    assert.deepEqual([patched.headers.warning].flat(), ['299 - "unknown field \\"bogus\\""']);
    assert.deepEqual(patched.body.data, { a: '1', b: '2' });
    const apply = { 'content-type': 'application/apply-patch+yaml' };
    const applied = await t.req('PATCH', `${CM}/h?fieldManager=me&fieldValidation=Ignore`, { ...cm('h'), nope: 1 }, apply);
    assert.equal(applied.code, 201, applied.text);
    assert.equal(applied.body.nope, undefined);
    assert.ok(!JSON.stringify(applied.body.metadata.managedFields).includes('nope'), 'a dropped field is owned by no one');
    const put = await t.req('PUT', `${CM}/h?fieldValidation=Warn`, { ...applied.body, nope: 2 });
    assert.equal(put.code, 200, put.text);
    assert.deepEqual([put.headers.warning].flat(), ['299 - "unknown field \\"nope\\""']);
    assert.equal((await t.req('POST', `${CM}?fieldValidation=Loose`, cm('z'))).code, 400);
  });
}
