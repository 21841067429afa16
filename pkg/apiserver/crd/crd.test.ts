// CustomResourceDefinitions on the memory store: establishment, the custom kind through the generic handler
// (CRUD, validation, patches, status, Table, watch), discovery and OpenAPI following, cleanup, conflicts, refusals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kinds as registryKinds } from '../../../api/schemas/index.ts';
import { openMemoryStore } from '../../storage/memory/index.ts';
import { namespaceKind, testServer, type TestServer } from '../test-support.ts';
import { openTestWatch } from '../watch-client.test-support.ts';
import { conditionStatus, cronTab, cronTabCrd, until } from './crd.test-support.ts';

const crdKind = registryKinds.find((k) => k.kind === 'CustomResourceDefinition')!;
const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const tabs = (ns = 'default', name?: string, sub?: string) =>
  `/apis/stable.example.com/v1/namespaces/${ns}/crontabs${name ? `/${name}` : ''}${sub ? `/${sub}` : ''}`;

async function established(t: TestServer, name: string) {
  return until(async () => {
    const r = await t.req('GET', `${CRDS}/${name}`);
    return conditionStatus(r.body, 'Established') === 'True' ? r.body : undefined;
  }, `${name} established`);
}

const server = () => testServer({ kinds: [namespaceKind, crdKind] });

test('a CRD becomes Established and its kind is served by the generic handler', async () => {
  const t = await server();
  try {
    const created = await t.req('POST', CRDS, cronTabCrd());
    assert.equal(created.code, 201, created.text);
    assert.deepEqual(created.body.metadata.finalizers, ['customresourcecleanup.apiextensions.k8s.io']);
    const crd = await established(t, 'crontabs.stable.example.com');
    assert.equal(conditionStatus(crd, 'NamesAccepted'), 'True');
    assert.equal(crd.status.acceptedNames.listKind, 'CronTabList');
    assert.deepEqual(crd.status.storedVersions, ['v1']);

    // Create with defaults, get, list.
    const c = await t.req('POST', tabs(), cronTab('nightly', { cronSpec: '0 3 * * *', port: 'http' }));
    assert.equal(c.code, 201, c.text);
    assert.equal(c.body.spec.replicas, 1, 'schema default applied');
    assert.equal(c.body.metadata.generation, 1);
    assert.equal((await t.req('GET', tabs('default', 'nightly'))).body.spec.cronSpec, '0 3 * * *');
    const list = await t.req('GET', tabs());
    assert.equal(list.body.kind, 'CronTabList');
    assert.equal(list.body.apiVersion, 'stable.example.com/v1');
    assert.deepEqual(list.body.items.map((i: { metadata: { name: string } }) => i.metadata.name), ['nightly']);
    assert.equal((await t.req('GET', '/apis/stable.example.com/v1/crontabs')).body.items.length, 1, 'list across namespaces');

    // Validation with field paths, as strict as Drover's kinds.
    const bad = await t.req('POST', tabs(), cronTab('bad', { cronSpec: 'nope', replicas: 11, mode: 'Never', colour: 'red', started: 'yesterday', port: 1.5 }));
    assert.equal(bad.code, 422, bad.text);
    const fields = bad.body.details.causes.map((x: { field: string }) => x.field).sort();
    assert.deepEqual(fields, ['spec.colour', 'spec.cronSpec', 'spec.mode', 'spec.port', 'spec.replicas', 'spec.started']);
    const missing = await t.req('POST', tabs(), cronTab('m', {}));
    assert.equal(missing.code, 422);
    assert.equal(missing.body.details.causes[0].field, 'spec.cronSpec');
    assert.equal(missing.body.details.causes[0].reason, 'FieldValueRequired');
    const top = await t.req('POST', tabs(), { ...cronTab('top'), extraTop: 1 });
    assert.equal(top.code, 422);
    assert.equal(top.body.details.causes[0].field, 'extraTop');
    const wrongKind = await t.req('POST', tabs(), { ...cronTab('wk'), apiVersion: 'stable.example.com/v2' });
    assert.equal(wrongKind.code, 400, wrongKind.text);
    // Preserve-unknown-fields keeps whatever it holds; fieldValidation=Ignore drops unknown fields instead.
    const free = await t.req('POST', tabs(), cronTab('free', { cronSpec: '* * * * *', extra: { anything: { goes: [1] } } }));
    assert.equal(free.code, 201, free.text);
    assert.deepEqual(free.body.spec.extra, { anything: { goes: [1] } });
    const ignored = await t.req('POST', `${tabs()}?fieldValidation=Ignore`, cronTab('ign', { cronSpec: '* * * * *', colour: 'red' }));
    assert.equal(ignored.code, 201, ignored.text);
    assert.equal(ignored.body.spec.colour, undefined);
    // dryRun writes nothing.
    assert.equal((await t.req('POST', `${tabs()}?dryRun=All`, cronTab('dry'))).code, 201);
    assert.equal((await t.req('GET', tabs('default', 'dry'))).code, 404);

    // Patches: merge, JSON, strategic (as merge for a custom kind), server-side apply.
    const merge = await t.req('PATCH', tabs('default', 'nightly'), { spec: { replicas: 3 } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(merge.code, 200, merge.text);
    assert.equal(merge.body.spec.replicas, 3);
    assert.equal(merge.body.metadata.generation, 2);
    const json = await t.req('PATCH', tabs('default', 'nightly'), [{ op: 'add', path: '/spec/image', value: 'busybox' }], { 'content-type': 'application/json-patch+json' });
    assert.equal(json.code, 200, json.text);
    assert.equal(json.body.spec.image, 'busybox');
    const smp = await t.req('PATCH', tabs('default', 'nightly'), { spec: { tags: ['a', 'b'] } }, { 'content-type': 'application/strategic-merge-patch+json' });
    assert.equal(smp.code, 200, smp.text);
    assert.deepEqual(smp.body.spec.tags, ['a', 'b']);
    const badPatch = await t.req('PATCH', tabs('default', 'nightly'), { spec: { replicas: 0 } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(badPatch.code, 422);
    assert.equal(badPatch.body.details.causes[0].field, 'spec.replicas');
    const apply = await t.req('PATCH', `${tabs('default', 'applied')}?fieldManager=tester`,
      JSON.stringify(cronTab('applied', { cronSpec: '1 2 3 4 5', mode: 'Once' })), { 'content-type': 'application/apply-patch+yaml' });
    assert.equal(apply.code, 201, apply.text);
    assert.equal(apply.body.metadata.managedFields[0].manager, 'tester');
    assert.equal(apply.body.metadata.managedFields[0].apiVersion, 'stable.example.com/v1');

    // Status subresource: status only there, spec untouched by it.
    const withStatus = await t.req('PUT', tabs('default', 'nightly'), { ...smp.body, status: { readyReplicas: 9 } });
    assert.equal(withStatus.body.status, undefined, 'status ignored through the main resource');
    const st = await t.req('PATCH', tabs('default', 'nightly', 'status'), { status: { readyReplicas: 2 }, spec: { replicas: 7 } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(st.code, 200, st.text);
    assert.equal(st.body.status.readyReplicas, 2);
    assert.equal(st.body.spec.replicas, 3);
    const badStatus = await t.req('PATCH', tabs('default', 'nightly', 'status'), { status: { readyReplicas: 'x' } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(badStatus.code, 422);
    assert.equal(badStatus.body.details.causes[0].field, 'status.readyReplicas');

    // Table output with the printer columns.
    const table = await t.req('GET', tabs(), undefined, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
    assert.equal(table.body.kind, 'Table');
    assert.deepEqual(table.body.columnDefinitions.map((d: { name: string }) => d.name), ['Name', 'Spec', 'Replicas', 'Ready', 'Age']);
    const row = table.body.rows.find((r: { cells: unknown[] }) => r.cells[0] === 'nightly');
    assert.deepEqual(row.cells.slice(0, 4), ['nightly', '0 3 * * *', 3, 2]);
  } finally {
    await t.close();
  }
});

test('discovery and OpenAPI follow CRDs while the server runs; deleting the CRD removes its objects', async () => {
  const t = await server();
  try {
    assert.equal((await t.req('GET', '/apis/stable.example.com/v1')).code, 404);
    await t.req('POST', CRDS, cronTabCrd());
    await established(t, 'crontabs.stable.example.com');
    const groups = (await t.req('GET', '/apis')).body.groups.map((g: { name: string }) => g.name);
    assert.ok(groups.includes('stable.example.com'), String(groups));
    assert.ok(groups.includes('apiextensions.k8s.io'));
    const group = (await t.req('GET', '/apis/stable.example.com')).body;
    assert.equal(group.preferredVersion.groupVersion, 'stable.example.com/v1');
    const resources = (await t.req('GET', '/apis/stable.example.com/v1')).body.resources;
    assert.deepEqual(resources.map((r: { name: string }) => r.name), ['crontabs', 'crontabs/status']);
    assert.deepEqual(resources[0].shortNames, ['cr']);
    assert.deepEqual(resources[0].categories, ['all']);
    const root = (await t.req('GET', '/openapi/v3')).body;
    const url = root.paths['apis/stable.example.com/v1'].serverRelativeURL;
    assert.ok(url, JSON.stringify(Object.keys(root.paths)));
    const doc = (await t.req('GET', url)).body;
    const schema = doc.components.schemas['com.example.stable.v1.CronTab'];
    assert.deepEqual(schema['x-kubernetes-group-version-kind'], [{ group: 'stable.example.com', kind: 'CronTab', version: 'v1' }]);
    assert.equal(schema.properties.spec.properties.cronSpec.description, 'Five cron fields.');
    const v2 = (await t.req('GET', '/openapi/v2')).body;
    assert.ok(v2.definitions['com.example.stable.v1.CronTab']);
    assert.ok(v2.paths['/apis/stable.example.com/v1/namespaces/{namespace}/crontabs']);

    await t.req('POST', tabs(), cronTab('a'));
    await t.req('POST', tabs(), cronTab('b'));
    const del = await t.req('DELETE', `${CRDS}/crontabs.stable.example.com`);
    assert.equal(del.code, 200, del.text);
    await until(async () => ((await t.req('GET', `${CRDS}/crontabs.stable.example.com`)).code === 404 ? true : undefined), 'crd removed');
    assert.equal((await t.store.list('/registry/stable.example.com/crontabs/')).kvs.length, 0, 'objects removed with the CRD');
    assert.equal((await t.req('GET', '/apis/stable.example.com/v1')).code, 404);
    assert.equal((await t.req('GET', tabs())).code, 404);
    assert.ok(!(await t.req('GET', '/apis')).body.groups.some((g: { name: string }) => g.name === 'stable.example.com'));
    assert.equal((await t.req('GET', '/openapi/v3')).body.paths['apis/stable.example.com/v1'], undefined);
  } finally {
    await t.close();
  }
});

test('a cluster-scoped custom kind; a watch on a custom kind', async () => {
  const t = await server();
  const url = await t.server.listen({ port: 0 });
  try {
    await t.req('POST', CRDS, cronTabCrd({ scope: 'Cluster', plural: 'clustertabs', kind: 'ClusterTab' }));
    await established(t, 'clustertabs.stable.example.com');
    const base = '/apis/stable.example.com/v1/clustertabs';
    const list = await t.req('GET', base);
    const w = await openTestWatch(`${url}${base}?watch=true&resourceVersion=${list.body.metadata.resourceVersion}`);
    const c = await t.req('POST', base, { ...cronTab('c1'), kind: 'ClusterTab' });
    assert.equal(c.code, 201, c.text);
    assert.equal(c.body.metadata.namespace, undefined);
    assert.equal((await t.req('GET', `/apis/stable.example.com/v1/namespaces/default/clustertabs`)).code, 404);
    const added = await w.next();
    assert.equal(added.type, 'ADDED');
    assert.equal(added.object.metadata.name, 'c1');
    await t.req('PATCH', `${base}/c1`, { spec: { replicas: 2 } }, { 'content-type': 'application/merge-patch+json' });
    const modified = await w.next();
    assert.equal(modified.type, 'MODIFIED');
    assert.equal(modified.object.spec.replicas, 2);
    w.close();
  } finally {
    await t.close();
  }
});

test('a name conflict leaves the later CRD NamesAccepted False and unserved', async () => {
  const t = await server();
  try {
    await t.req('POST', CRDS, cronTabCrd());
    await established(t, 'crontabs.stable.example.com');
    // Same group, another plural, same kind.
    const r = await t.req('POST', CRDS, cronTabCrd({ plural: 'crontables' }));
    assert.equal(r.code, 201, r.text);
    const conflicted = await until(async () => {
      const g = await t.req('GET', `${CRDS}/crontables.stable.example.com`);
      return conditionStatus(g.body, 'NamesAccepted') === 'False' ? g.body : undefined;
    }, 'conflict reported');
    const cond = conflicted.status.conditions.find((c: { type: string }) => c.type === 'NamesAccepted');
    assert.equal(cond.reason, 'NameConflict');
    assert.match(cond.message, /is already in use by crontabs.stable.example.com/);
    assert.equal(conditionStatus(conflicted, 'Established'), 'False');
    assert.equal((await t.req('GET', '/apis/stable.example.com/v1/namespaces/default/crontables')).code, 404);
  } finally {
    await t.close();
  }
});

test('CRDs Drover cannot honour are refused with 422 and field paths', async () => {
  const t = await server();
  try {
    const cases: Array<[string, (crd: ReturnType<typeof cronTabCrd>) => void, string]> = [
      ['oneOf', (c) => { (c.spec.versions[0]!.schema.openAPIV3Schema.properties.spec as Record<string, unknown>).oneOf = [{ required: ['image'] }]; }, 'spec.versions[0].schema.openAPIV3Schema.properties[spec].oneOf'],
      ['no type', (c) => { (c.spec.versions[0]!.schema.openAPIV3Schema.properties.spec.properties as Record<string, unknown>).image = { description: 'x' }; }, 'spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[image].type'],
      ['cel', (c) => { (c.spec.versions[0]!.schema.openAPIV3Schema as Record<string, unknown>)['x-kubernetes-validations'] = [{ rule: 'true' }]; }, 'spec.versions[0].schema.openAPIV3Schema.x-kubernetes-validations'],
      ['format', (c) => { (c.spec.versions[0]!.schema.openAPIV3Schema.properties.spec.properties.image as Record<string, unknown>).format = 'docker-image'; }, 'spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[image].format'],
      ['name', (c) => { c.metadata.name = 'tabs.stable.example.com'; }, 'metadata.name'],
      ['two versions', (c) => { c.spec.versions.push({ ...c.spec.versions[0]!, name: 'v2', storage: false }); }, 'spec.versions'],
      ['scale', (c) => { (c.spec.versions[0]!.subresources as Record<string, unknown>).scale = { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' }; }, 'spec.versions[0].subresources.scale'],
      ['filter path', (c) => { c.spec.versions[0]!.additionalPrinterColumns[0]!.jsonPath = '.status.conditions[?(@.type=="Ready")].status'; }, 'spec.versions[0].additionalPrinterColumns[0].jsonPath'],
      ['reserved group', (c) => { c.spec.group = 'drover.dev'; c.metadata.name = 'crontabs.drover.dev'; }, 'spec.group'],
    ];
    for (const [what, change, field] of cases) {
      const crd = cronTabCrd();
      change(crd);
      const r = await t.req('POST', CRDS, crd);
      assert.equal(r.code, 422, `${what}: ${r.text}`);
      assert.ok(r.body.details.causes.some((c: { field: string }) => c.field === field), `${what}: ${JSON.stringify(r.body.details.causes)}`);
    }
    await t.req('POST', CRDS, cronTabCrd());
    const crd = await established(t, 'crontabs.stable.example.com');
    const scope = await t.req('PUT', `${CRDS}/crontabs.stable.example.com`, { ...crd, spec: { ...crd.spec, scope: 'Cluster' } });
    assert.equal(scope.code, 422);
    assert.equal(scope.body.details.causes[0].field, 'spec.scope');
  } finally {
    await t.close();
  }
});

test('a restarted server serves the stored CRDs again', async () => {
  const store = await openMemoryStore();
  const first = await testServer({ store, kinds: [namespaceKind, crdKind] });
  await first.req('POST', CRDS, cronTabCrd());
  await established(first, 'crontabs.stable.example.com');
  assert.equal((await first.req('POST', tabs(), cronTab('kept'))).code, 201);
  await first.server.close();
  const second = await testServer({ store, kinds: [namespaceKind, crdKind] });
  try {
    const got = await second.req('GET', tabs('default', 'kept'));
    assert.equal(got.code, 200, 'served right after start, before any event');
    assert.equal(got.body.spec.cronSpec, '* * * * */5');
  } finally {
    await second.close();
  }
});
