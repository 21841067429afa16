// The audit log: one JSON line per request with who, what and how it ended — refused requests and watches
// included — bodies only at level Request, and Secret values never written at any level, whichever way a
// Secret is written (create, merge patch, JSON patch, apply's last-applied annotation).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditLevel, AuditRecord } from '../../auth/audit.ts';
import { kinds as registry } from '../../../api/schemas/index.ts';
import { gadgetKind, namespaceKind, widget, widgetKind, widgetsPath } from '../test-support.ts';
import { ADMIN_TOKEN, securedServer, type SecuredServer } from './test-support.ts';

async function audited(level: AuditLevel, fn: (t: SecuredServer, records: () => AuditRecord[]) => Promise<void>): Promise<void> {
  const lines: string[] = [];
  const kinds = [namespaceKind, widgetKind, gadgetKind, registry.find((k) => k.kind === 'Secret')!];
  const t = await securedServer({}, { kinds, audit: { level, write: (l) => lines.push(l) } });
  try {
    await fn(t, () => lines.map((l) => JSON.parse(l) as AuditRecord));
  } finally {
    await t.close();
  }
}

test('one record per request: user, groups, verb, resource, subresource, namespace, name, code, latency', () => audited('Metadata', async (t, records) => {
  const before = records().length;
  const w1 = (await t.as(ADMIN_TOKEN, 'POST', widgetsPath(), widget('w1'))).body;
  await t.as(ADMIN_TOKEN, 'PUT', widgetsPath('default', 'w1', 'status'), { ...w1, status: { phase: 'x' } });
  await t.as(undefined, 'GET', widgetsPath());
  const nobody = await t.mintToken('nobody', ['team']);
  await t.as(nobody, 'DELETE', widgetsPath('default', 'w1'));
  await t.as(ADMIN_TOKEN, 'GET', '/version');
  const mine = records().slice(before).filter((r) => r.resource !== 'tokens');
  assert.equal(mine.length, 5, JSON.stringify(mine));
  const [create, status, anonymous, refused, version] = mine;
  assert.deepEqual(
    { user: create!.user, groups: create!.groups, verb: create!.verb, apiGroup: create!.apiGroup, resource: create!.resource, namespace: create!.namespace, code: create!.code },
    { user: 'drover:admin', groups: ['system:masters', 'system:authenticated'], verb: 'create', apiGroup: 'drover.dev', resource: 'widgets', namespace: 'default', code: 201 },
  );
  assert.equal(typeof create!.latencyMs, 'number');
  assert.ok(create!.latencyMs >= 0);
  assert.match(create!.time, /^\d{4}-\d\d-\d\dT/);
  assert.deepEqual([status!.verb, status!.subresource, status!.name, status!.code], ['update', 'status', 'w1', 200]);
  assert.deepEqual([anonymous!.user, anonymous!.verb, anonymous!.code], [null, 'list', 401]);
  assert.deepEqual([refused!.user, refused!.groups, refused!.verb, refused!.name, refused!.code], ['nobody', ['team', 'system:authenticated'], 'delete', 'w1', 403]);
  assert.deepEqual([version!.path, version!.code], ['/version', 200]);
  assert.ok(mine.every((r) => r.requestObject === undefined), 'Metadata holds no bodies');
}));

test('a watch is recorded when it ends', () => audited('Metadata', async (t, records) => {
  const pending = t.as(ADMIN_TOKEN, 'GET', `${widgetsPath()}?watch=true&timeoutSeconds=1`);
  let done = false;
  void pending.finally(() => (done = true));
  while (!done) {
    t.clock.advance(1000);
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.equal((await pending).code, 200);
  assert.ok(records().some((r) => r.verb === 'watch' && r.resource === 'widgets' && r.code === 200));
}));

test('level Request records bodies, with Secret values redacted however they are written', () => audited('Request', async (t, records) => {
  const secrets = '/api/v1/namespaces/default/secrets';
  const plain = 'hunter2-plain-text';
  const b64 = Buffer.from('s3cr3t-base64-value').toString('base64');
  const lastApplied = JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's2' }, stringData: { pw: 'from-last-applied' } });
  await t.admin('POST', secrets, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's1' }, data: { a: b64 }, stringData: { b: plain } });
  await t.admin('POST', secrets, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's2', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied } }, data: { a: b64 } });
  const merge = await t.server.app.inject({ method: 'PATCH', url: `${secrets}/s1`, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/merge-patch+json' }, payload: JSON.stringify({ stringData: { c: `${plain}-merge` } }) });
  assert.equal(merge.statusCode, 200, merge.body);
  const jsonPatch = await t.server.app.inject({ method: 'PATCH', url: `${secrets}/s1`, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json-patch+json' }, payload: JSON.stringify([{ op: 'add', path: '/data/d', value: Buffer.from(`${plain}-json`).toString('base64') }]) });
  assert.equal(jsonPatch.statusCode, 200, jsonPatch.body);
  await t.admin('POST', widgetsPath(), widget('w9', { color: 'teal' }));

  const all = records();
  const text = all.map((r) => JSON.stringify(r)).join('\n');
  for (const leak of [plain, b64, 'from-last-applied', Buffer.from(`${plain}-json`).toString('base64'), `${plain}-merge`]) assert.ok(!text.includes(leak), `audit log holds ${leak}`);
  const created = all.find((r) => r.resource === 'secrets' && r.verb === 'create')!;
  assert.deepEqual((created.requestObject as { data: unknown; stringData: unknown }).data, { a: '<redacted>' });
  assert.deepEqual((created.requestObject as { stringData: unknown }).stringData, { b: '<redacted>' });
  const w = all.find((r) => r.resource === 'widgets' && r.verb === 'create')!;
  assert.equal((w.requestObject as { spec: { color: string } }).spec.color, 'teal', 'other bodies are recorded as sent');
}));

test('level None writes nothing', () => audited('None', async (t, records) => {
  await t.as(ADMIN_TOKEN, 'POST', widgetsPath(), widget('w1'));
  assert.equal(records().length, 0);
}));
