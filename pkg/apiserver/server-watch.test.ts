// Watch streams over a real socket: initial state, resume from resourceVersion, bookmarks, 410 ERROR events,
// sendInitialEvents, selector transitions, Table events, timeouts and shutdown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { ManualClock } from '../clock/clock.ts';
import { silentLogger } from '../log/logger.ts';
import { createApiServer } from './server.ts';
import { gadgetKind, namespaceKind, testServer, widget, widgetKind, widgetsPath } from './test-support.ts';
import { openTestWatch } from './watch-client.test-support.ts';
import { TEST_HANG_GUARD_MS } from '../../test/support/hang-guard.ts';

const MERGE = { 'content-type': 'application/merge-patch+json' };

async function listening(opts: Parameters<typeof testServer>[0] = {}) {
  const clock = new ManualClock(Date.parse('2024-05-01T00:00:00Z'));
  const t = await testServer({ clock, bookmarkIntervalMs: 1000, ...opts });
  const base = await t.server.listen({ port: 0 });
  return { t, clock, base };
}

test('watch without resourceVersion sends the current state, then changes', { timeout: TEST_HANG_GUARD_MS }, async () => {
  const { t, base } = await listening();
  try {
    await t.req('POST', widgetsPath(), widget('a'));
    const w = await openTestWatch(`${base}${widgetsPath()}?watch=true`);
    assert.equal(w.status, 200);
    assert.match(w.headers.get('content-type') ?? '', /^application\/json/);
    const added = await w.next();
    assert.equal(added.type, 'ADDED');
    assert.equal(added.object.metadata.name, 'a');
    const p = (await t.req('PATCH', widgetsPath('default', 'a'), { spec: { size: 3 } }, MERGE)).body;
    const mod = await w.next();
    assert.equal(mod.type, 'MODIFIED');
    assert.equal(mod.object.spec.size, 3);
    assert.equal(mod.object.metadata.resourceVersion, p.metadata.resourceVersion);
    await t.req('DELETE', widgetsPath('default', 'a'));
    const del = await w.next();
    assert.equal(del.type, 'DELETED');
    assert.ok(Number(del.object.metadata.resourceVersion) > Number(p.metadata.resourceVersion), 'a DELETED object carries the delete revision');
    w.close();
  } finally {
    await t.close();
  }
});

test('watch resumes after a resourceVersion and filters by selectors', { timeout: TEST_HANG_GUARD_MS }, async () => {
  const { t, base } = await listening();
  try {
    await t.req('POST', widgetsPath(), widget('a', {}, { labels: { app: 'web' } }));
    const list = (await t.req('GET', widgetsPath())).body;
    await t.req('POST', widgetsPath(), widget('b', {}, { labels: { app: 'web' } }));
    await t.req('POST', widgetsPath(), widget('c', {}, { labels: { app: 'db' } }));
    const w = await openTestWatch(`${base}${widgetsPath()}?watch=1&resourceVersion=${list.metadata.resourceVersion}&labelSelector=app%3Dweb`);
    const first = await w.next();
    assert.deepEqual([first.type, first.object.metadata.name], ['ADDED', 'b'], 'only events after the RV, only matching');
    // Stops matching → DELETED; starts matching → ADDED.
    await t.req('PATCH', widgetsPath('default', 'b'), { metadata: { labels: { app: 'db' } } }, MERGE);
    const gone = await w.next();
    assert.deepEqual([gone.type, gone.object.metadata.name], ['DELETED', 'b']);
    await t.req('PATCH', widgetsPath('default', 'c'), { metadata: { labels: { app: 'web' } } }, MERGE);
    const came = await w.next();
    assert.deepEqual([came.type, came.object.metadata.name], ['ADDED', 'c']);
    w.close();
    const one = await openTestWatch(`${base}${widgetsPath()}?watch=true&fieldSelector=metadata.name%3Da`);
    assert.equal((await one.next()).object.metadata.name, 'a');
    one.close();
  } finally {
    await t.close();
  }
});

test('bookmarks only when allowed; sendInitialEvents ends with the initial-events-end bookmark', { timeout: TEST_HANG_GUARD_MS }, async () => {
  const { t, clock, base } = await listening();
  try {
    await t.req('POST', widgetsPath(), widget('a'));
    const rv = (await t.req('GET', widgetsPath())).body.metadata.resourceVersion;
    const withBm = await openTestWatch(`${base}${widgetsPath()}?watch=true&resourceVersion=${rv}&allowWatchBookmarks=true`);
    const without = await openTestWatch(`${base}${widgetsPath()}?watch=true&resourceVersion=${rv}`);
    await tick();
    clock.advance(1500);
    const bm = await withBm.next();
    assert.equal(bm.type, 'BOOKMARK');
    assert.deepEqual(bm.object, { kind: 'Widget', apiVersion: 'drover.dev/v1', metadata: { resourceVersion: rv } });
    await t.req('PATCH', widgetsPath('default', 'a'), { spec: { size: 2 } }, MERGE);
    assert.equal((await without.next()).type, 'MODIFIED', 'no bookmark without allowWatchBookmarks');
    withBm.close();
    without.close();

    const init = await openTestWatch(`${base}${widgetsPath()}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`);
    const ev = await init.next();
    assert.deepEqual([ev.type, ev.object.metadata.name], ['ADDED', 'a']);
    const end = await init.next();
    assert.equal(end.type, 'BOOKMARK');
    assert.equal(end.object.metadata.annotations['k8s.io/initial-events-end'], 'true');
    init.close();
    // Without sendInitialEvents the initial state is not followed by the initial-events-end bookmark.
    const plain = await openTestWatch(`${base}${widgetsPath()}?watch=true&allowWatchBookmarks=true`);
    assert.equal((await plain.next()).type, 'ADDED');
    // What follows a batch of events is a plain bookmark confirming its revision complete (see docs/api.md).
    const confirm = await plain.next();
    assert.equal(confirm.type, 'BOOKMARK');
    assert.equal(confirm.object.metadata.annotations, undefined);
    await t.req('PATCH', widgetsPath('default', 'a'), { spec: { size: 4 } }, MERGE);
    const modified = await plain.next();
    assert.equal(modified.type, 'MODIFIED');
    assert.deepEqual(await plain.next(), { type: 'BOOKMARK', object: { kind: 'Widget', apiVersion: 'drover.dev/v1', metadata: { resourceVersion: modified.object.metadata.resourceVersion } } });
    plain.close();
    const bad = await fetch(`${base}${widgetsPath()}?watch=true&sendInitialEvents=true`);
    assert.equal(bad.status, 422);
    assert.equal((await bad.json()).reason, 'Invalid');
  } finally {
    await t.close();
  }
});

test('a compacted resourceVersion ends the watch with one ERROR 410 Expired event', { timeout: TEST_HANG_GUARD_MS }, async () => {
  const t = await testServer();
  let second: Awaited<ReturnType<typeof createApiServer>> | undefined;
  try {
    const old = (await t.req('POST', widgetsPath(), widget('a'))).body.metadata.resourceVersion;
    await t.req('PATCH', widgetsPath('default', 'a'), { spec: { size: 2 } }, MERGE);
    await t.req('PATCH', widgetsPath('default', 'a'), { spec: { size: 3 } }, MERGE);
    await t.store.compact((await t.store.status()).revision);
    second = await createApiServer({ store: t.store, logger: silentLogger, compactionIntervalMs: 0, kinds: [namespaceKind, widgetKind, gadgetKind] });
    const base = await second.listen({ port: 0 });
    const w = await openTestWatch(`${base}${widgetsPath()}?watch=true&resourceVersion=${old}`);
    assert.equal(w.status, 200);
    const events = await w.rest();
    assert.equal(events.length, 1);
    assert.equal(events[0].type, 'ERROR');
    assert.equal(events[0].object.kind, 'Status');
    assert.equal(events[0].object.code, 410);
    assert.equal(events[0].object.reason, 'Expired');
  } finally {
    await second?.close();
    await t.close();
  }
});

test('Table watches, timeoutSeconds and shutdown end streams cleanly', { timeout: TEST_HANG_GUARD_MS }, async () => {
  const { t, clock, base } = await listening();
  try {
    await t.req('POST', widgetsPath(), widget('a', { color: 'red' }));
    const table = await openTestWatch(`${base}${widgetsPath()}?watch=true`, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
    const first = await table.next();
    assert.equal(first.object.kind, 'Table');
    assert.deepEqual(first.object.rows[0].cells.slice(0, 3), ['a', 1, 'red']);
    assert.equal(first.object.columnDefinitions[0].name, 'Name');
    await t.req('PATCH', widgetsPath('default', 'a'), { spec: { size: 5 } }, MERGE);
    const second = await table.next();
    assert.equal(second.object.rows[0].cells[1], 5);
    assert.deepEqual(second.object.columnDefinitions, [], 'column definitions only once');

    const timed = await openTestWatch(`${base}${widgetsPath()}?watch=true&timeoutSeconds=5`);
    await timed.next();
    await tick();
    clock.advance(6000);
    assert.deepEqual(await timed.rest(), [], 'ended by timeoutSeconds');

    const open = await openTestWatch(`${base}${widgetsPath()}?watch=true`);
    await open.next();
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /apiserver_longrunning_requests\{verb="WATCH",resource="widgets"\} 2/);
    await t.server.close();
    assert.deepEqual(await open.rest(), [], 'server close ends the watch');
    assert.deepEqual(await table.rest(), []);
  } finally {
    await t.close();
  }
});

test('a resourceVersion the server has not reached is a 504 after the wait', { timeout: TEST_HANG_GUARD_MS }, async () => {
  const { t, clock, base } = await listening();
  try {
    let settled = false;
    const pending = fetch(`${base}${widgetsPath()}?watch=true&resourceVersion=999999`).finally(() => (settled = true));
    while (!settled) {
      clock.advance(1000);
      await new Promise((r) => setTimeout(r, 5));
    }
    const res = await pending;
    assert.equal(res.status, 504);
    const body = await res.json();
    assert.equal(body.reason, 'Timeout');
    assert.match(body.message, /Too large resource version/);
  } finally {
    await t.close();
  }
});
