// Every patch type, resourceVersion preconditions in patches, and server-side apply (create, conflicts,
// force, status, no-op re-apply).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kinds } from '../../api/schemas/index.ts';
import { namespaceKind, testServer, widget, widgetsPath } from './test-support.ts';

const MERGE = { 'content-type': 'application/merge-patch+json' };
const JSONP = { 'content-type': 'application/json-patch+json' };
const SMP = { 'content-type': 'application/strategic-merge-patch+json' };
const APPLY = { 'content-type': 'application/apply-patch+yaml' };

test('json, merge and strategic patches; bad patches are 400/415/422', async () => {
  const t = await testServer();
  try {
    await t.req('POST', widgetsPath(), widget('w1', { color: 'red', tags: ['a', 'b'] }));
    const path = widgetsPath('default', 'w1');
    const cases: Array<{ name: string; body: unknown; headers: Record<string, string>; code: number; check?: (b: any) => void }> = [
      { name: 'merge sets', body: { spec: { size: 3 } }, headers: MERGE, code: 200, check: (b) => assert.equal(b.spec.size, 3) },
      { name: 'merge null deletes', body: { spec: { color: null } }, headers: MERGE, code: 200, check: (b) => assert.equal(b.spec.color, undefined) },
      { name: 'strategic: unkeyed lists replace', body: { spec: { tags: ['c'] } }, headers: SMP, code: 200, check: (b) => assert.deepEqual(b.spec.tags, ['c']) },
      { name: 'json patch add', body: [{ op: 'add', path: '/spec/tags/-', value: 'd' }], headers: JSONP, code: 200, check: (b) => assert.deepEqual(b.spec.tags, ['c', 'd']) },
      { name: 'json patch labels', body: [{ op: 'add', path: '/metadata/labels', value: { app: 'x' } }], headers: JSONP, code: 200, check: (b) => assert.equal(b.metadata.labels.app, 'x') },
      { name: 'json patch test fails', body: [{ op: 'test', path: '/spec/size', value: 99 }], headers: JSONP, code: 422 },
      { name: 'json patch missing path', body: [{ op: 'replace', path: '/spec/nothing/x', value: 1 }], headers: JSONP, code: 422 },
      { name: 'json patch malformed', body: [{ op: 'jump', path: '/x' }], headers: JSONP, code: 400 },
      { name: 'json patch not an array', body: { op: 'add' }, headers: JSONP, code: 400 },
      { name: 'merge patch malformed JSON', body: '{"spec":', headers: MERGE, code: 400 },
      { name: 'merge patch not an object', body: '[1]', headers: MERGE, code: 400 },
      { name: 'unknown field', body: { spec: { bogus: 1 } }, headers: MERGE, code: 422 },
      { name: 'kind change', body: { kind: 'Gadget' }, headers: MERGE, code: 400 },
      { name: 'name change', body: { metadata: { name: 'other' } }, headers: MERGE, code: 400 },
      { name: 'unsupported content type', body: { spec: {} }, headers: { 'content-type': 'application/json' }, code: 415 },
      { name: 'force on merge', body: { spec: {} }, headers: MERGE, code: 422 },
    ];
    for (const c of cases) {
      const url = c.name === 'force on merge' ? `${path}?force=true` : path;
      const r = await t.req('PATCH', url, c.body, c.headers);
      assert.equal(r.code, c.code, `${c.name}: ${r.text}`);
      if (r.code >= 400) assert.equal(r.body.kind, 'Status', c.name);
      c.check?.(r.body);
    }
    assert.equal((await t.req('PATCH', widgetsPath('default', 'nope'), { spec: {} }, MERGE)).code, 404);
  } finally {
    await t.close();
  }
});

test('strategic merge patch merges keyed lists by key and keeps server defaults', async () => {
  const t = await testServer({ kinds: [namespaceKind, kinds.find((k) => k.kind === 'Job')!] });
  try {
    const path = '/apis/drover.dev/v1/namespaces/default/jobs/web';
    const job = {
      apiVersion: 'drover.dev/v1', kind: 'Job', metadata: { name: 'web' },
      spec: { groups: [{ name: 'web', tasks: [{ name: 'a', driver: 'mock' }, { name: 'b', driver: 'mock' }] }] },
    };
    const created = await t.req('POST', '/apis/drover.dev/v1/namespaces/default/jobs', job);
    assert.equal(created.code, 201, created.text);
    assert.equal(created.body.spec.groups[0].tasks[0].killTimeout, '5s', 'server default inside a list item');

    const r = await t.req('PATCH', path, { spec: { groups: [{ name: 'web', count: 3, tasks: [{ name: 'b', env: { X: '1' } }] }] } }, SMP);
    assert.equal(r.code, 200, r.text);
    const tasks = r.body.spec.groups[0].tasks;
    assert.equal(r.body.spec.groups[0].count, 3);
    assert.deepEqual(tasks.map((x: { name: string }) => x.name), ['a', 'b']);
    assert.deepEqual([tasks[1].env, tasks[1].killTimeout, tasks[1].driver], [{ X: '1' }, '5s', 'mock']);

    const noop = await t.req('PATCH', path, { spec: { '$setElementOrder/groups': [{ name: 'web' }] } }, SMP);
    assert.equal(noop.body.metadata.resourceVersion, r.body.metadata.resourceVersion, 'a patch that changes nothing writes nothing');

    const deleted = await t.req('PATCH', path, { spec: { groups: [{ name: 'web', tasks: [{ $patch: 'delete', name: 'a' }] }] } }, SMP);
    assert.deepEqual(deleted.body.spec.groups[0].tasks.map((x: { name: string }) => x.name), ['b']);

    const bad: Array<[unknown, number, RegExp]> = [
      [{ spec: { groups: [{ $patch: 'bogus', name: 'web' }] } }, 400, /unknown \$patch directive/],
      [{ spec: { '$setElementOrder/groups': 'web' } }, 400, /must be a list/],
      [{ spec: { '$deleteFromPrimitiveList/groups': ['web'] } }, 422, /list of scalars/],
      [{ spec: { groups: [{ name: 'web', tasks: [{ name: 'c' }] }] } }, 422, /driver/],
    ];
    for (const [body, code, msg] of bad) {
      const e = await t.req('PATCH', path, body, SMP);
      assert.equal(e.code, code, e.text);
      assert.equal(e.body.kind, 'Status');
      assert.match(e.body.message + JSON.stringify(e.body.details ?? {}), msg);
    }
    // A merge patch still replaces the list whole: the partial item lacks its required fields.
    const merge = await t.req('PATCH', path, { spec: { groups: [{ name: 'web', count: 1 }] } }, MERGE);
    assert.equal(merge.code, 422, merge.text);
  } finally {
    await t.close();
  }
});

test('a resourceVersion in a patch is a precondition', async () => {
  const t = await testServer();
  try {
    const c = (await t.req('POST', widgetsPath(), widget('w1'))).body;
    const path = widgetsPath('default', 'w1');
    const ok = await t.req('PATCH', path, { metadata: { resourceVersion: c.metadata.resourceVersion }, spec: { size: 2 } }, MERGE);
    assert.equal(ok.code, 200);
    const stale = await t.req('PATCH', path, { metadata: { resourceVersion: c.metadata.resourceVersion }, spec: { size: 3 } }, MERGE);
    assert.equal(stale.code, 409);
    assert.equal(stale.body.reason, 'Conflict');
  } finally {
    await t.close();
  }
});

test('status patches change only status', async () => {
  const t = await testServer();
  try {
    await t.req('POST', widgetsPath(), widget('w1', { color: 'red' }));
    const r = await t.req('PATCH', widgetsPath('default', 'w1', 'status'), { status: { phase: 'Up' }, spec: { color: 'blue' } }, MERGE);
    assert.equal(r.code, 200, r.text);
    assert.equal(r.body.status.phase, 'Up');
    assert.equal(r.body.spec.color, 'red');
    const main = await t.req('PATCH', widgetsPath('default', 'w1'), { status: { phase: 'Down' } }, MERGE);
    assert.equal(main.body.status.phase, 'Up', 'main resource ignores status');
  } finally {
    await t.close();
  }
});

test('server-side apply: create, no-op, conflicts, force, shared ownership, removal', async () => {
  const t = await testServer();
  try {
    const path = widgetsPath('default', 'w1');
    const doc = (spec: string) => `apiVersion: drover.dev/v1\nkind: Widget\nmetadata:\n  name: w1\nspec:\n${spec}`;
    const noManager = await t.req('PATCH', path, doc('  color: red\n'), APPLY);
    assert.equal(noManager.code, 422);
    assert.match(noManager.body.message, /fieldManager: Required value/);
    const created = await t.req('PATCH', `${path}?fieldManager=alice`, doc('  color: red\n  size: 2\n'), APPLY);
    assert.equal(created.code, 201, created.text);
    assert.equal(created.body.metadata.managedFields[0].manager, 'alice');
    assert.equal(created.body.metadata.managedFields[0].operation, 'Apply');
    const again = await t.req('PATCH', `${path}?fieldManager=alice`, doc('  color: red\n  size: 2\n'), APPLY);
    assert.equal(again.code, 200);
    assert.equal(again.body.metadata.resourceVersion, created.body.metadata.resourceVersion, 're-applying the same config is a no-op');
    const bob = await t.req('PATCH', `${path}?fieldManager=bob`, doc('  color: blue\n'), APPLY);
    assert.equal(bob.code, 409);
    assert.equal(bob.body.reason, 'Conflict');
    assert.equal(bob.body.details.causes[0].reason, 'FieldManagerConflict');
    const shared = await t.req('PATCH', `${path}?fieldManager=bob`, doc('  color: red\n'), APPLY);
    assert.equal(shared.code, 200, 'same value: shared ownership, no conflict');
    const forced = await t.req('PATCH', `${path}?fieldManager=bob&force=true`, doc('  color: blue\n'), APPLY);
    assert.equal(forced.code, 200);
    assert.equal(forced.body.spec.color, 'blue');
    // alice stops stating size: it is removed (she was its only owner); color now belongs to bob alone.
    const drop = await t.req('PATCH', `${path}?fieldManager=alice`, doc('  tags: ["x"]\n'), APPLY);
    assert.equal(drop.code, 200, drop.text);
    assert.equal(drop.body.spec.size, 1, 'removed, then defaulted again by the schema');
    assert.equal(drop.body.spec.color, 'blue');
    const json = await t.req('PATCH', `${path}?fieldManager=carol`, JSON.stringify({ apiVersion: 'drover.dev/v1', kind: 'Widget', metadata: { name: 'w1', labels: { a: 'b' } } }), APPLY);
    assert.equal(json.code, 200, 'JSON is YAML');
    assert.equal(json.body.metadata.labels.a, 'b');
    const noKind = await t.req('PATCH', `${path}?fieldManager=carol`, 'metadata:\n  name: w1\n', APPLY);
    assert.equal(noKind.code, 400);
    const badYaml = await t.req('PATCH', `${path}?fieldManager=carol`, 'spec: [\n', APPLY);
    assert.equal(badYaml.code, 400);
    const status = await t.req('PATCH', `${widgetsPath('default', 'w1', 'status')}?fieldManager=ctl`, 'apiVersion: drover.dev/v1\nkind: Widget\nmetadata:\n  name: w1\nstatus:\n  phase: Ready\n', APPLY);
    assert.equal(status.code, 200, status.text);
    assert.equal(status.body.status.phase, 'Ready');
    assert.equal(status.body.metadata.generation, json.body.metadata.generation);
    const noObject = await t.req('PATCH', `${widgetsPath('default', 'nope', 'status')}?fieldManager=ctl`, 'apiVersion: drover.dev/v1\nkind: Widget\nmetadata:\n  name: nope\nstatus:\n  phase: Ready\n', APPLY);
    assert.equal(noObject.code, 404, 'apply through /status does not create');
  } finally {
    await t.close();
  }
});
