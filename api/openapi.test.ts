import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildOpenApiV3, buildOpenApiRoot, openApiHash, schemaName } from './openapi.ts';
import { kinds as allKinds, listRules } from './schemas/index.ts';

type Json = Record<string, any>;
const doc = buildOpenApiV3(allKinds) as Json;
const coreDoc = buildOpenApiV3(allKinds, '') as Json;
const kinds = allKinds.filter((k) => k.group === undefined);
const coreKinds = allKinds.filter((k) => k.group === '');

test('every kind and its list are components of its group\'s document, with their group-version-kind', () => {
  for (const [group, d, ks] of [['drover.dev', doc, kinds], ['', coreDoc, coreKinds]] as const) {
    assert.ok(ks.length > 0);
    for (const k of ks) {
      for (const name of [k.kind, `${k.kind}List`]) {
        const s = d.components.schemas[schemaName(name, group)];
        assert.ok(s, name);
        assert.deepEqual(s['x-kubernetes-group-version-kind'], [{ group, kind: name, version: 'v1' }]);
      }
    }
  }
  assert.equal(schemaName('Job'), 'dev.drover.v1.Job');
  assert.equal(schemaName('Secret', ''), 'io.k8s.api.core.v1.Secret');
  assert.equal(doc.components.schemas['io.k8s.api.core.v1.Secret'], undefined, 'each document holds its own group');
});

test('core kinds are served under /api/v1 with kube\'s operation ids', () => {
  const p = coreDoc.paths['/api/v1/namespaces/{namespace}/configmaps/{name}'];
  assert.equal(p.get.operationId, 'readCoreV1NamespacedConfigMap');
  assert.deepEqual(p.patch['x-kubernetes-group-version-kind'], { group: '', version: 'v1', kind: 'ConfigMap' });
  assert.equal(coreDoc.paths['/api/v1/secrets'].get.operationId, 'listCoreV1SecretForAllNamespaces');
  assert.equal(coreDoc.paths['/api/v1/'].get.operationId, 'getCoreV1APIResources');
  assert.equal(doc.paths['/api/v1/namespaces/{namespace}/configmaps'], undefined);
});

test('metadata refers to apimachinery ObjectMeta and every $ref resolves', () => {
  const job = doc.components.schemas['dev.drover.v1.Job'];
  assert.deepEqual(job.properties.metadata.allOf, [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }]);
  const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
  assert.ok(refs.length > 100);
  for (const r of new Set(refs)) {
    const name = r.slice('"$ref":"#/components/schemas/'.length, -1);
    assert.ok(doc.components.schemas[name], `dangling ${r}`);
  }
});

test('schemas are OpenAPI 3.0: no propertyNames, no Drover-internal keywords, free-form config preserved', () => {
  const text = JSON.stringify(doc);
  assert.ok(!text.includes('propertyNames'));
  assert.ok(!text.includes('x-drover-'));
  const task = doc.components.schemas['dev.drover.v1.Job'].properties.spec.properties.groups.items.properties.tasks.items;
  assert.equal(task.properties.config['x-kubernetes-preserve-unknown-fields'], true);
  assert.equal(task.additionalProperties, false);
});

test('paths cover list, get, create, update, patch, delete, status and watch, with kube actions', () => {
  const ns = '/apis/drover.dev/v1/namespaces/{namespace}/jobs';
  assert.deepEqual(Object.keys(doc.paths[ns]).sort(), ['delete', 'get', 'post']);
  assert.deepEqual(Object.keys(doc.paths[`${ns}/{name}`]).sort(), ['delete', 'get', 'patch', 'put']);
  assert.deepEqual(Object.keys(doc.paths[`${ns}/{name}/status`]).sort(), ['get', 'patch', 'put']);
  assert.equal(doc.paths['/apis/drover.dev/v1/jobs'].get['x-kubernetes-action'], 'list');
  assert.equal(doc.paths['/apis/drover.dev/v1/watch/namespaces/{namespace}/jobs'].get['x-kubernetes-action'], 'watchlist');
  assert.equal(doc.paths['/apis/drover.dev/v1/nodes/{name}'].get.operationId, 'readDroverDevV1Node');
  assert.equal(doc.paths[ns].delete.operationId, 'deleteDroverDevV1CollectionNamespacedJob');
  assert.equal(doc.paths['/apis/coordination.k8s.io/v1/leases/{name}'], undefined, 'leases are namespaced');
});

test('PATCH operations carry their GVK and the fieldValidation parameter (kubectl server-side validation check)', () => {
  let patches = 0;
  for (const item of Object.values(doc.paths) as Json[]) {
    if (!item.patch) continue;
    patches++;
    assert.equal(item.patch['x-kubernetes-group-version-kind'].group, 'drover.dev');
    const names = item.patch.parameters.map((p: Json) => `${p.in}:${p.name}`);
    for (const n of ['query:fieldValidation', 'query:dryRun', 'query:fieldManager', 'query:force']) assert.ok(names.includes(n), n);
    assert.ok(item.patch.requestBody.content['application/apply-patch+yaml']);
  }
  assert.equal(patches, kinds.length + kinds.filter((k) => k.hasStatus).length);
});

test('the root lists the group-version with the hash of the served bytes', () => {
  const body = JSON.stringify(doc);
  const root = buildOpenApiRoot({ 'apis/drover.dev/v1': body, 'api/v1': JSON.stringify(coreDoc) }) as Json;
  assert.equal(root.paths['api/v1'].serverRelativeURL, `/openapi/v3/api/v1?hash=${openApiHash(JSON.stringify(coreDoc))}`);
  assert.equal(root.paths['apis/drover.dev/v1'].serverRelativeURL, `/openapi/v3/apis/drover.dev/v1?hash=${openApiHash(body)}`);
  assert.match(openApiHash(body), /^[0-9A-F]{128}$/);
  assert.deepEqual(buildOpenApiV3(kinds), doc, 'deterministic');
});

test('keyed lists carry the strategic merge patch extensions kubectl reads, matching the list rules', () => {
  const job = doc.components.schemas['dev.drover.v1.Job'].properties.spec.properties;
  const group = job.groups.items.properties;
  const marked: Array<[Json, string]> = [
    [job.groups, 'name'], [group.tasks, 'name'], [group.services, 'name'], [group.network.properties.ports, 'label'],
    [group.tasks.items.properties.services.items.properties.checks, 'name'],
  ];
  for (const [list, key] of marked) {
    assert.equal(list['x-kubernetes-patch-strategy'], 'merge');
    assert.equal(list['x-kubernetes-patch-merge-key'], key);
    assert.equal(list['x-kubernetes-list-type'], 'map');
  }
  const meta = doc.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'].properties;
  assert.equal(meta.ownerReferences['x-kubernetes-patch-merge-key'], 'uid');
  assert.deepEqual(meta.finalizers['x-kubernetes-patch-strategy'], 'merge');
  // Every list the document marks is one the server merges the same way (the rules come from the same schemas).
  const seen = new Set<string>();
  const walk = (s: unknown): void => {
    if (Array.isArray(s)) return s.forEach(walk);
    if (s === null || typeof s !== 'object') return;
    for (const [name, p] of Object.entries((s as Json).properties ?? {}) as Array<[string, Json]>) {
      if (p['x-kubernetes-patch-strategy'] === undefined) continue;
      seen.add(name);
      const rule = listRules[name];
      assert.ok(rule, name);
      assert.equal(p['x-kubernetes-patch-merge-key'], rule.type === 'map' ? rule.keys[0] : undefined, name);
    }
    Object.values(s as Json).forEach(walk);
  };
  walk(doc);
  walk(coreDoc);
  walk(buildOpenApiV3(allKinds, 'apiextensions.k8s.io'));
  assert.deepEqual([...seen].sort(), Object.keys(listRules).sort());
});
