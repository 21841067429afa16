// Lists: selectors, pagination at a fixed revision across writes, expired continue tokens, resourceVersion
// semantics, Table and PartialObjectMetadata output, all-namespaces lists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../log/logger.ts';
import { createApiServer } from './server.ts';
import { gadgetKind, namespaceKind, testServer, widget, widgetKind, widgetsPath } from './test-support.ts';

const TABLE = { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json' };

async function seed(t: Awaited<ReturnType<typeof testServer>>, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const color = i % 2 === 0 ? 'red' : 'blue';
    const r = await t.req('POST', widgetsPath(), widget(`w${i}`, { color }, { labels: { app: i < 3 ? 'web' : 'db', idx: String(i) } }));
    assert.equal(r.code, 201);
  }
}

test('label and field selectors filter lists', async () => {
  const t = await testServer();
  try {
    await seed(t, 6);
    const names = async (q: string) => {
      const r = await t.req('GET', `${widgetsPath()}?${q}`);
      assert.equal(r.code, 200, `${q}: ${r.text}`);
      return r.body.items.map((i: { metadata: { name: string } }) => i.metadata.name).sort();
    };
    const cases: Array<[string, string[]]> = [
      ['labelSelector=app%3Dweb', ['w0', 'w1', 'w2']],
      ['labelSelector=app!%3Dweb', ['w3', 'w4', 'w5']],
      ['labelSelector=idx+in+(1,4)', ['w1', 'w4']],
      ['labelSelector=!missing', ['w0', 'w1', 'w2', 'w3', 'w4', 'w5']],
      ['fieldSelector=spec.color%3Dred', ['w0', 'w2', 'w4']],
      ['fieldSelector=metadata.name%3Dw3', ['w3']],
      ['fieldSelector=metadata.namespace%3Ddefault,spec.color!%3Dred&labelSelector=app%3Ddb', ['w3', 'w5']],
    ];
    for (const [q, want] of cases) assert.deepEqual(await names(q), want, q);
    const bad = await t.req('GET', `${widgetsPath()}?fieldSelector=spec.size%3D1`);
    assert.equal(bad.code, 400);
    assert.equal(bad.body.reason, 'BadRequest');
    assert.equal((await t.req('GET', `${widgetsPath()}?labelSelector=a+in+(`)).code, 400);
  } finally {
    await t.close();
  }
});

test('limit/continue pages a fixed snapshot even across writes', async () => {
  const t = await testServer();
  try {
    await seed(t, 5);
    const first = await t.req('GET', `${widgetsPath()}?limit=2`);
    assert.equal(first.body.kind, 'WidgetList');
    assert.equal(first.body.apiVersion, 'drover.dev/v1');
    assert.equal(first.body.items.length, 2);
    assert.equal(first.body.metadata.remainingItemCount, 3);
    const token = first.body.metadata.continue;
    assert.ok(token);
    // Writes after the first page: the rest of the list still shows the old snapshot.
    await t.req('DELETE', widgetsPath('default', 'w3'));
    await t.req('POST', widgetsPath(), widget('w9'));
    await t.req('PATCH', widgetsPath('default', 'w4'), { spec: { color: 'green' } }, { 'content-type': 'application/merge-patch+json' });
    const second = await t.req('GET', `${widgetsPath()}?limit=2&continue=${encodeURIComponent(token)}`);
    assert.equal(second.code, 200, second.text);
    assert.deepEqual(second.body.items.map((i: any) => i.metadata.name), ['w2', 'w3']);
    assert.equal(second.body.metadata.resourceVersion, first.body.metadata.resourceVersion);
    const third = await t.req('GET', `${widgetsPath()}?limit=2&continue=${encodeURIComponent(second.body.metadata.continue)}`);
    assert.deepEqual(third.body.items.map((i: any) => i.metadata.name), ['w4']);
    assert.equal(third.body.items[0].spec.color, 'red');
    assert.equal(third.body.metadata.continue, undefined);
    const fresh = await t.req('GET', widgetsPath());
    assert.deepEqual(fresh.body.items.map((i: any) => i.metadata.name), ['w0', 'w1', 'w2', 'w4', 'w9']);
    assert.ok(Number(fresh.body.metadata.resourceVersion) > Number(first.body.metadata.resourceVersion));
    const filtered = await t.req('GET', `${widgetsPath()}?limit=1&labelSelector=app%3Dweb`);
    assert.equal(filtered.body.metadata.remainingItemCount, undefined, 'no count with selectors');
    assert.equal((await t.req('GET', `${widgetsPath()}?continue=garbage`)).code, 400);
  } finally {
    await t.close();
  }
});

test('a continue token older than the compacted revision is 410 Expired', async () => {
  const t = await testServer();
  let second: Awaited<ReturnType<typeof createApiServer>> | undefined;
  try {
    await seed(t, 3);
    const first = await t.req('GET', `${widgetsPath()}?limit=1`);
    const token = first.body.metadata.continue;
    await t.req('POST', widgetsPath(), widget('later'));
    const { revision } = await t.store.status();
    await t.store.compact(revision);
    // A second API server on the same store: the token's revision is older than its cache's history.
    second = await createApiServer({ store: t.store, logger: silentLogger, compactionIntervalMs: 0, kinds: [namespaceKind, widgetKind, gadgetKind] });
    const r = await second.app.inject({ method: 'GET', url: `${widgetsPath()}?limit=1&continue=${encodeURIComponent(token)}` });
    assert.equal(r.statusCode, 410);
    const body = JSON.parse(r.body);
    assert.equal(body.reason, 'Expired');
    assert.equal(
      body.message,
      'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results.',
    );
    // The token in the 410 continues (inconsistently) from the same place.
    const rest = await second.app.inject({ method: 'GET', url: `${widgetsPath()}?continue=${encodeURIComponent(body.metadata.continue)}` });
    assert.deepEqual(JSON.parse(rest.body).items.map((i: any) => i.metadata.name), ['w1', 'w2']);
    const exact = await second.app.inject({ method: 'GET', url: `${widgetsPath()}?resourceVersion=${first.body.metadata.resourceVersion}&resourceVersionMatch=Exact` });
    assert.equal(exact.statusCode, 410);
  } finally {
    await second?.close();
    await t.close();
  }
});

test('resourceVersion and resourceVersionMatch', async () => {
  const t = await testServer();
  try {
    await seed(t, 2);
    const at = (await t.req('GET', widgetsPath())).body.metadata.resourceVersion;
    await t.req('POST', widgetsPath(), widget('new'));
    const exact = await t.req('GET', `${widgetsPath()}?resourceVersion=${at}&resourceVersionMatch=Exact`);
    assert.equal(exact.code, 200, exact.text);
    assert.equal(exact.body.metadata.resourceVersion, at);
    assert.equal(exact.body.items.length, 2);
    const newer = await t.req('GET', `${widgetsPath()}?resourceVersion=${at}&resourceVersionMatch=NotOlderThan`);
    assert.equal(newer.body.items.length, 3);
    const any = await t.req('GET', `${widgetsPath()}?resourceVersion=0`);
    assert.equal(any.code, 200);
    assert.equal((await t.req('GET', `${widgetsPath()}?resourceVersionMatch=Exact`)).code, 422);
    assert.equal((await t.req('GET', `${widgetsPath()}?resourceVersion=x`)).code, 400);
  } finally {
    await t.close();
  }
});

test('all-namespaces lists, Table and PartialObjectMetadata output', async () => {
  const t = await testServer();
  try {
    await t.req('POST', '/api/v1/namespaces', { metadata: { name: 'other' } });
    await t.req('POST', widgetsPath(), widget('a', { size: 2, color: 'red' }));
    await t.req('POST', widgetsPath('other'), widget('b'));
    const all = await t.req('GET', '/apis/drover.dev/v1/widgets');
    assert.deepEqual(all.body.items.map((i: any) => `${i.metadata.namespace}/${i.metadata.name}`), ['default/a', 'other/b']);
    const one = await t.req('GET', widgetsPath('other'));
    assert.equal(one.body.items.length, 1);
    const table = await t.req('GET', widgetsPath(), undefined, TABLE);
    assert.equal(table.body.kind, 'Table');
    assert.equal(table.body.apiVersion, 'meta.k8s.io/v1');
    assert.deepEqual(table.body.columnDefinitions.map((c: any) => c.name), ['Name', 'Size', 'Color', 'Phase', 'Age']);
    assert.deepEqual(table.body.rows[0].cells.slice(0, 4), ['a', 2, 'red', null]);
    assert.equal(table.body.rows[0].object.kind, 'PartialObjectMetadata');
    assert.ok(table.body.metadata.resourceVersion);
    const withObj = await t.req('GET', `${widgetsPath()}?includeObject=Object`, undefined, TABLE);
    assert.equal(withObj.body.rows[0].object.kind, 'Widget');
    const getTable = await t.req('GET', widgetsPath('default', 'a'), undefined, TABLE);
    assert.equal(getTable.body.rows.length, 1);
    const partial = await t.req('GET', widgetsPath(), undefined, { accept: 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1' });
    assert.equal(partial.body.kind, 'PartialObjectMetadataList');
    assert.equal(partial.body.items[0].metadata.name, 'a');
    assert.equal(partial.body.items[0].spec, undefined);
    const proto = await t.req('GET', widgetsPath(), undefined, { accept: 'application/vnd.kubernetes.protobuf' });
    assert.equal(proto.code, 406);
    assert.equal(proto.body.reason, 'NotAcceptable');
  } finally {
    await t.close();
  }
});

test('deletecollection deletes what the selector matches', async () => {
  const t = await testServer();
  try {
    await seed(t, 4);
    const r = await t.req('DELETE', `${widgetsPath()}?labelSelector=app%3Dweb`);
    assert.equal(r.code, 200, r.text);
    assert.deepEqual(r.body.items.map((i: any) => i.metadata.name).sort(), ['w0', 'w1', 'w2']);
    const left = await t.req('GET', widgetsPath());
    assert.deepEqual(left.body.items.map((i: any) => i.metadata.name), ['w3']);
  } finally {
    await t.close();
  }
});
