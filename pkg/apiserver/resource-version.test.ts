// The REST side of in-revision event positions: watches resume from them, lists and preconditions map them back
// to their revision, an exact list at one is refused, malformed ones are 400.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TxnOp } from '../storage/store.ts';
import { encodeStored, objectKey } from './codec.ts';
import { testServer, widget, widgetKind, widgetsPath } from './test-support.ts';
import { openTestWatch } from './watch-client.test-support.ts';
import { TEST_HANG_GUARD_MS } from '../../test/support/hang-guard.ts';

test('watch events of one transaction carry positions; lists, preconditions and deletes map them back', { timeout: TEST_HANG_GUARD_MS }, async () => {
  const t = await testServer();
  try {
    const base = await t.server.listen({ port: 0 });
    for (const n of ['a', 'b', 'c']) assert.equal((await t.req('POST', widgetsPath(), widget(n))).code, 201);
    const start = (await t.req('GET', widgetsPath())).body.metadata.resourceVersion as string;
    const w = await openTestWatch(`${base}${widgetsPath()}?watch=true&resourceVersion=${start}`);
    const cur = await Promise.all(['a', 'b', 'c'].map(async (n) => (await t.req('GET', widgetsPath('default', n))).body));
    const ops: TxnOp[] = cur.map((o) => ({ type: 'put', key: objectKey(widgetKind, 'default', o.metadata.name), value: encodeStored({ ...o, spec: { size: 7 } }) }));
    const { revision } = await t.store.txn([], ops);
    const evs = [await w.next(), await w.next(), await w.next()];
    w.close();
    const rvs = evs.map((e) => e.object.metadata.resourceVersion as string);
    assert.deepEqual(rvs, [`${revision - 1}.1`, `${revision - 1}.2`, String(revision)]);
    // A resumed watch from the first position gets the other two.
    const r = await openTestWatch(`${base}${widgetsPath()}?watch=true&resourceVersion=${rvs[0]}`);
    assert.deepEqual([(await r.next()).object.metadata.name, (await r.next()).object.metadata.name], ['b', 'c']);
    r.close();
    // Lists: not older than a position is its revision; Exact at one is refused with the field; junk is 400.
    const listed = await t.req('GET', `${widgetsPath()}?resourceVersion=${rvs[0]}`);
    assert.equal(listed.code, 200);
    assert.equal(listed.body.metadata.resourceVersion, String(revision));
    assert.ok(listed.body.items.every((o: { spec: { size: number } }) => o.spec.size === 7));
    const exact = await t.req('GET', `${widgetsPath()}?resourceVersion=${rvs[0]}&resourceVersionMatch=Exact`);
    assert.equal(exact.code, 422, exact.text);
    assert.equal(exact.body.details.causes[0].field, 'resourceVersion');
    assert.equal((await t.req('GET', `${widgetsPath()}?resourceVersion=48.x`)).code, 400);
    assert.equal((await t.req('GET', `${widgetsPath()}?watch=true&resourceVersion=1e3`)).code, 400);
    // Preconditions: the event's object is a valid base (merge patch with its resourceVersion, then PUT is stale).
    const patched = await t.req('PATCH', widgetsPath('default', 'a'), { metadata: { resourceVersion: rvs[0] }, spec: { size: 8 } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(patched.code, 200, patched.text);
    const stale = await t.req('PUT', widgetsPath('default', 'a'), { ...evs[0].object, spec: { size: 9 } });
    assert.equal(stale.code, 409);
    // Delete preconditions too: b's event position names b's current version.
    const del = await t.req('DELETE', widgetsPath('default', 'b'), { preconditions: { resourceVersion: rvs[1] } });
    assert.equal(del.code, 200, del.text);
    const delStale = await t.req('DELETE', widgetsPath('default', 'c'), { preconditions: { resourceVersion: `${Number(start) - 1}.1` } });
    assert.equal(delStale.code, 409);
  } finally {
    await t.close();
  }
});
