// Create, get, update, delete through the generic handler: server-owned metadata, status subresource,
// generation, finalizers, dryRun, preconditions, validation and admission.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AdmissionHook } from './admission.ts';
import { gadgetKind, namespaceKind, testServer, widget, widgetKind, widgetsPath } from './test-support.ts';

test('create stamps server-owned metadata and ignores client values', async () => {
  const t = await testServer();
  try {
    const sent = widget('w1', { color: 'red' }, { uid: 'mine', generation: 9, creationTimestamp: '2000-01-01T00:00:00Z', deletionTimestamp: '2000-01-01T00:00:00Z', resourceVersion: '77' });
    const r = await t.req('POST', widgetsPath(), { ...sent, status: { phase: 'Fake' } });
    assert.equal(r.code, 201);
    const m = r.body.metadata;
    assert.match(m.uid, /^[0-9a-f-]{36}$/);
    assert.equal(m.generation, 1);
    assert.equal(m.namespace, 'default');
    assert.match(m.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.notEqual(m.creationTimestamp, '2000-01-01T00:00:00Z');
    assert.equal(m.deletionTimestamp, undefined);
    assert.match(m.resourceVersion, /^\d+$/);
    assert.notEqual(m.resourceVersion, '77');
    assert.equal(r.body.status, undefined, 'status is written only through /status');
    assert.equal(r.body.spec.size, 1, 'schema defaults applied');
    // The stored value carries no resourceVersion: it is the key's modRevision.
    const { kv } = await t.store.get('/registry/drover.dev/widgets/default/w1');
    assert.equal(JSON.parse(kv!.value).metadata.resourceVersion, undefined);
    assert.equal(String(kv!.modRevision), m.resourceVersion);
    const got = await t.req('GET', widgetsPath('default', 'w1'));
    assert.equal(got.code, 200);
    assert.deepEqual(got.body, r.body);
  } finally {
    await t.close();
  }
});

test('create errors: duplicates, names, namespaces, kinds, bodies', async () => {
  const t = await testServer();
  try {
    assert.equal((await t.req('POST', widgetsPath(), widget('dup'))).code, 201);
    const cases: Array<{ name: string; path?: string; body: unknown; code: number; reason: string; message?: RegExp }> = [
      { name: 'duplicate', body: widget('dup'), code: 409, reason: 'AlreadyExists', message: /widgets\.drover\.dev "dup" already exists/ },
      { name: 'bad name', body: widget('Bad_Name'), code: 422, reason: 'Invalid', message: /metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/ },
      { name: 'no name', body: widget(''), code: 422, reason: 'Invalid', message: /name or generateName is required/ },
      { name: 'missing namespace', path: widgetsPath('nowhere'), body: widget('x'), code: 404, reason: 'NotFound', message: /^namespaces "nowhere" not found$/ },
      { name: 'namespace mismatch', body: widget('x', {}, { namespace: 'other' }), code: 400, reason: 'BadRequest' },
      { name: 'wrong kind', body: { ...widget('x'), kind: 'Gadget' }, code: 400, reason: 'BadRequest' },
      { name: 'wrong apiVersion', body: { ...widget('x'), apiVersion: 'v1' }, code: 400, reason: 'BadRequest' },
      { name: 'unknown field', body: widget('x', { colour: 'red' }), code: 422, reason: 'Invalid', message: /unknown field "spec\.colour"/ },
      { name: 'wrong type, not coerced', body: widget('x', { size: '3' }), code: 422, reason: 'Invalid', message: /spec\.size/ },
      { name: 'array body', body: [1], code: 400, reason: 'BadRequest' },
      { name: 'malformed json', body: '{"kind":', code: 400, reason: 'BadRequest' },
      { name: 'empty body', body: ' ', code: 400, reason: 'BadRequest' },
    ];
    for (const c of cases) {
      const r = await t.req('POST', c.path ?? widgetsPath(), c.body);
      assert.equal(r.code, c.code, `${c.name}: ${r.text}`);
      assert.equal(r.body.kind, 'Status', c.name);
      assert.equal(r.body.reason, c.reason, c.name);
      if (c.message) assert.match(r.body.message, c.message, c.name);
    }
    const bad = await t.req('POST', widgetsPath(), widget('x', { colour: 'red', size: -1 }));
    assert.deepEqual(bad.body.details.causes.map((c: { field: string }) => c.field).sort(), ['spec.colour', 'spec.size']);
  } finally {
    await t.close();
  }
});

test('generateName, cluster-scoped kinds, YAML bodies and namespaces', async () => {
  const t = await testServer();
  try {
    const g = await t.req('POST', widgetsPath(), { apiVersion: 'drover.dev/v1', kind: 'Widget', metadata: { generateName: 'web-' } });
    assert.equal(g.code, 201);
    assert.match(g.body.metadata.name, /^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    const c = await t.req('POST', '/apis/drover.dev/v1/gadgets', { apiVersion: 'drover.dev/v1', kind: 'Gadget', metadata: { name: 'g1', namespace: 'ignored' }, status: { note: 'kept' } });
    assert.equal(c.code, 201);
    assert.equal(c.body.metadata.namespace, undefined);
    assert.equal(c.body.status.note, 'kept', 'kinds without /status write status through the main resource');
    const y = await t.req('POST', '/api/v1/namespaces', 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\n', { 'content-type': 'application/yaml' });
    assert.equal(y.code, 201, y.text);
    assert.equal((await t.req('POST', widgetsPath('team-a'), widget('w'))).code, 201);
    const nsBad = await t.req('POST', '/api/v1/namespaces', { metadata: { name: 'a.b' } });
    assert.equal(nsBad.code, 422, 'namespace names are DNS labels');
  } finally {
    await t.close();
  }
});

test('update requires a current resourceVersion and keeps server-owned fields', async () => {
  const t = await testServer();
  try {
    const created = (await t.req('POST', widgetsPath(), widget('w1', { color: 'red' }))).body;
    const noRv = await t.req('PUT', widgetsPath('default', 'w1'), widget('w1', { color: 'blue' }));
    assert.equal(noRv.code, 422);
    assert.match(noRv.body.message, /metadata\.resourceVersion: Invalid value: 0x0: must be specified for an update/);
    const next = structuredClone(created);
    next.spec.color = 'blue';
    next.metadata.uid = 'forged';
    next.metadata.creationTimestamp = '2001-01-01T00:00:00Z';
    next.status = { phase: 'ignored' };
    const u = await t.req('PUT', widgetsPath('default', 'w1'), next);
    assert.equal(u.code, 200, u.text);
    assert.equal(u.body.spec.color, 'blue');
    assert.equal(u.body.metadata.uid, created.metadata.uid);
    assert.equal(u.body.metadata.creationTimestamp, created.metadata.creationTimestamp);
    assert.equal(u.body.metadata.generation, 2);
    assert.equal(u.body.status, undefined, 'main-resource writes keep the old status');
    assert.ok(Number(u.body.metadata.resourceVersion) > Number(created.metadata.resourceVersion));
    const stale = await t.req('PUT', widgetsPath('default', 'w1'), next);
    assert.equal(stale.code, 409);
    assert.equal(stale.body.reason, 'Conflict');
    assert.equal(stale.body.message, 'Operation cannot be fulfilled on widgets.drover.dev "w1": the object has been modified; please apply your changes to the latest version and try again');
    const renamed = await t.req('PUT', widgetsPath('default', 'w1'), { ...u.body, metadata: { ...u.body.metadata, name: 'w2' } });
    assert.equal(renamed.code, 400);
    const missing = await t.req('PUT', widgetsPath('default', 'nope'), { ...u.body, metadata: { ...u.body.metadata, name: 'nope' } });
    assert.equal(missing.code, 404);
    // A write that changes nothing makes no new revision.
    const same = await t.req('PUT', widgetsPath('default', 'w1'), u.body);
    assert.equal(same.code, 200);
    assert.equal(same.body.metadata.resourceVersion, u.body.metadata.resourceVersion);
  } finally {
    await t.close();
  }
});

test('the status subresource writes only status and never bumps generation', async () => {
  const t = await testServer();
  try {
    const created = (await t.req('POST', widgetsPath(), widget('w1', { color: 'red' }))).body;
    const body = structuredClone(created);
    body.status = { phase: 'Running', ready: 2 };
    body.spec.color = 'ignored';
    body.metadata.labels = { ignored: 'yes' };
    const s = await t.req('PUT', widgetsPath('default', 'w1', 'status'), body);
    assert.equal(s.code, 200, s.text);
    assert.deepEqual(s.body.status, { phase: 'Running', ready: 2 });
    assert.equal(s.body.spec.color, 'red');
    assert.equal(s.body.metadata.labels, undefined);
    assert.equal(s.body.metadata.generation, 1);
    const g = await t.req('GET', widgetsPath('default', 'w1', 'status'));
    assert.equal(g.code, 200);
    assert.deepEqual(g.body.status, { phase: 'Running', ready: 2 });
    const badStatus = await t.req('PUT', widgetsPath('default', 'w1', 'status'), { ...s.body, status: { ready: 'two' } });
    assert.equal(badStatus.code, 422);
    assert.equal((await t.req('GET', '/apis/drover.dev/v1/gadgets/g1/status')).code, 404);
    // A spec update keeps the status written through /status.
    const u = await t.req('PUT', widgetsPath('default', 'w1'), { ...s.body, spec: { color: 'green' }, status: undefined });
    assert.equal(u.code, 200, u.text);
    assert.deepEqual(u.body.status, { phase: 'Running', ready: 2 });
    assert.equal(u.body.metadata.generation, 2);
  } finally {
    await t.close();
  }
});

test('delete: preconditions, finalizers, deletionTimestamp, removal on last finalizer', async () => {
  const t = await testServer();
  try {
    const plain = (await t.req('POST', widgetsPath(), widget('plain'))).body;
    const wrongUid = await t.req('DELETE', widgetsPath('default', 'plain'), { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: 'nope' } });
    assert.equal(wrongUid.code, 409);
    assert.match(wrongUid.body.message, /Precondition failed: UID in precondition: nope/);
    const wrongRv = await t.req('DELETE', widgetsPath('default', 'plain'), { preconditions: { resourceVersion: '1' } });
    assert.equal(wrongRv.code, 409);
    const unknownOpt = await t.req('DELETE', widgetsPath('default', 'plain'), { bogus: true });
    assert.equal(unknownOpt.code, 400);
    const d = await t.req('DELETE', widgetsPath('default', 'plain'), { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background', preconditions: { uid: plain.metadata.uid, resourceVersion: plain.metadata.resourceVersion } });
    assert.equal(d.code, 200);
    assert.equal(d.body.metadata.name, 'plain');
    assert.equal((await t.req('GET', widgetsPath('default', 'plain'))).code, 404);
    assert.equal((await t.req('DELETE', widgetsPath('default', 'plain'))).code, 404);

    const held = (await t.req('POST', widgetsPath(), widget('held', {}, { finalizers: ['drover.dev/test'] }))).body;
    const marked = await t.req('DELETE', widgetsPath('default', 'held'));
    assert.equal(marked.code, 200);
    assert.ok(marked.body.metadata.deletionTimestamp);
    assert.equal(marked.body.metadata.generation, held.metadata.generation + 1, 'marking for deletion bumps generation');
    const still = await t.req('GET', widgetsPath('default', 'held'));
    assert.equal(still.code, 200);
    assert.equal(still.body.metadata.deletionTimestamp, marked.body.metadata.deletionTimestamp);
    const again = await t.req('DELETE', widgetsPath('default', 'held'));
    assert.equal(again.body.metadata.resourceVersion, marked.body.metadata.resourceVersion, 'deleting again changes nothing');
    const addFinalizer = await t.req('PATCH', widgetsPath('default', 'held'), { metadata: { finalizers: ['drover.dev/test', 'drover.dev/new'] } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(addFinalizer.code, 422, 'no new finalizers while deleting');
    const clearTs = await t.req('PATCH', widgetsPath('default', 'held'), { metadata: { deletionTimestamp: null } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(clearTs.body.metadata.deletionTimestamp, marked.body.metadata.deletionTimestamp, 'deletionTimestamp is server-owned');
    const release = await t.req('PATCH', widgetsPath('default', 'held'), { metadata: { finalizers: null } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(release.code, 200, release.text);
    assert.equal((await t.req('GET', widgetsPath('default', 'held'))).code, 404, 'removing the last finalizer deletes');
    assert.ok(held.metadata.uid);
  } finally {
    await t.close();
  }
});

test('dryRun=All runs everything and stores nothing', async () => {
  const t = await testServer();
  try {
    const before = await t.store.status();
    const c = await t.req('POST', `${widgetsPath()}?dryRun=All`, widget('dry'));
    assert.equal(c.code, 201);
    assert.equal(c.body.metadata.name, 'dry');
    assert.ok(c.body.metadata.uid);
    const invalid = await t.req('POST', `${widgetsPath()}?dryRun=All`, widget('dry', { bogus: 1 }));
    assert.equal(invalid.code, 422, 'validation still runs');
    const badOpt = await t.req('POST', `${widgetsPath()}?dryRun=Some`, widget('dry'));
    assert.equal(badOpt.code, 422);
    assert.equal((await t.req('GET', widgetsPath('default', 'dry'))).code, 404);
    const real = (await t.req('POST', widgetsPath(), widget('real'))).body;
    const mid = await t.store.status();
    const p = await t.req('PATCH', `${widgetsPath('default', 'real')}?dryRun=All`, { spec: { color: 'x' } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(p.body.spec.color, 'x');
    const d = await t.req('DELETE', `${widgetsPath('default', 'real')}?dryRun=All`);
    assert.equal(d.code, 200);
    const after = await t.store.status();
    assert.equal(after.revision, mid.revision, 'no write after the real create');
    assert.equal(mid.revision, before.revision + 1);
    assert.equal((await t.req('GET', widgetsPath('default', 'real'))).body.spec.color, undefined);
    assert.ok(real);
  } finally {
    await t.close();
  }
});

test('admission hooks mutate and validate; managedFields record the manager', async () => {
  const calls: string[] = [];
  const hook: AdmissionHook = {
    kinds: ['Widget'],
    mutate(op, obj) {
      calls.push(`mutate ${op}`);
      (obj.metadata.labels ??= {}).defaulted = 'yes';
    },
    validate(op, obj) {
      calls.push(`validate ${op}`);
      return (obj.spec as { color?: string }).color === 'forbidden' ? [{ reason: 'FieldValueForbidden', field: 'spec.color', message: 'Forbidden: not this color' }] : [];
    },
  };
  const t = await testServer({ admission: [hook], kinds: [namespaceKind, widgetKind, gadgetKind] });
  try {
    const c = await t.req('POST', `${widgetsPath()}?fieldManager=tester`, widget('w1', { color: 'red' }));
    assert.equal(c.code, 201);
    assert.equal(c.body.metadata.labels.defaulted, 'yes');
    assert.equal(c.body.metadata.managedFields[0].manager, 'tester');
    assert.equal(c.body.metadata.managedFields[0].operation, 'Update');
    const bad = await t.req('POST', widgetsPath(), widget('w2', { color: 'forbidden' }));
    assert.equal(bad.code, 422);
    assert.equal(bad.body.details.causes[0].field, 'spec.color');
    const ua = await t.req('PATCH', widgetsPath('default', 'w1'), { spec: { size: 4 } }, { 'content-type': 'application/merge-patch+json', 'user-agent': 'kubectl/v1.32.4 (linux/amd64)' });
    assert.ok(ua.body.metadata.managedFields.some((m: { manager: string }) => m.manager === 'kubectl'));
    assert.deepEqual(calls.slice(0, 4), ['mutate CREATE', 'validate CREATE', 'mutate CREATE', 'validate CREATE']);
    assert.ok(calls.includes('mutate UPDATE'));
  } finally {
    await t.close();
  }
});
