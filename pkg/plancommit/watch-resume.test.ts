// Issue 9's reproduction, through the API as a reflector sees it: a plan commit writes its node's allocations in
// one store transaction, and a stop of several allocations is one transaction too. Every event must carry a
// resourceVersion from which a resumed watch delivers exactly the events after it (before, the three ADDED
// events all carried the commit's revision and a watch resumed from the first never delivered the other two).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestWatch, type TestWatch } from '../apiserver/watch-client.test-support.ts';
import { commitTestServer, placement } from './test-support.ts';
import { TEST_HANG_GUARD_MS } from '../../test/support/hang-guard.ts';

const ALLOCS = '/apis/drover.dev/v1/namespaces/default/allocations';

/** The next `n` non-BOOKMARK events of `w`, as "TYPE name@rv". */
async function take(w: TestWatch, n: number): Promise<Array<{ type: string; name: string; rv: string }>> {
  const out: Array<{ type: string; name: string; rv: string }> = [];
  while (out.length < n) {
    const ev = await w.next();
    if (ev.type !== 'BOOKMARK') out.push({ type: ev.type, name: ev.object.metadata.name, rv: ev.object.metadata.resourceVersion });
  }
  return out;
}

/** Watch from `rv` with bookmarks; return the events before the first bookmark at or past `until`. */
async function resumeFrom(base: string, rv: string, until: number): Promise<string[]> {
  const w = await openTestWatch(`${base}${ALLOCS}?watch=true&allowWatchBookmarks=true&resourceVersion=${rv}`);
  try {
    assert.equal(w.status, 200);
    const got: string[] = [];
    for (;;) {
      const ev = await w.next();
      if (ev.type === 'ERROR') assert.fail(JSON.stringify(ev.object));
      if (ev.type === 'BOOKMARK') {
        if (Number(ev.object.metadata.resourceVersion) >= until) return got;
        continue;
      }
      got.push(`${ev.type} ${ev.object.metadata.name}`);
    }
  } finally {
    w.close();
  }
}

test('a watch resumed from any allocation event of one plan commit, or of one batch of stops, skips nothing', { timeout: TEST_HANG_GUARD_MS }, async () => {
  const t = await commitTestServer();
  try {
    const base = await t.server.listen({ port: 0 });
    await t.node('n1', 1000);
    await t.evaluation('e1', 'web');
    const start = (await t.req('GET', ALLOCS)).body.metadata.resourceVersion as string;
    const w = await openTestWatch(`${base}${ALLOCS}?watch=true&resourceVersion=${start}`);
    const placed = await t.plan('e1', { placements: [0, 1, 2].map((i) => placement(`web-${i}`, 'n1', 100, { index: i })) });
    assert.deepEqual(placed.body.nodes, { n1: { placed: 3 } });
    const adds = await take(w, 3);
    assert.deepEqual(adds.map((e) => `${e.type} ${e.name}`).sort(), ['ADDED web-0', 'ADDED web-1', 'ADDED web-2']);
    assert.equal(new Set(adds.map((e) => e.rv)).size, 3, `three resourceVersions: ${adds.map((e) => e.rv)}`);
    assert.equal(adds[2].rv, String(placed.body.revision), 'the last event of the commit carries its revision');
    const stopped = await t.plan('e1', { stops: ['web-1', 'web-2'].map((name) => ({ name, desiredStatus: 'stop', description: 'alloc not needed' })) });
    assert.deepEqual(stopped.body.stopped.sort(), ['web-1', 'web-2']);
    const stops = await take(w, 2);
    w.close();
    const all = [...adds, ...stops];
    const names = all.map((e) => `${e.type} ${e.name}`);
    const end = stopped.body.revision;
    for (let i = 0; i < all.length; i++) {
      assert.deepEqual(await resumeFrom(base, all[i].rv, end), names.slice(i + 1), `resumed from event ${i} at ${all[i].rv}`);
    }
    // The object of a mid-commit event is a valid base for an update: its resourceVersion maps back to the revision.
    const first = (await t.req('GET', `${ALLOCS}/${adds[0].name}`)).body;
    const put = await t.req('PUT', `${ALLOCS}/${adds[0].name}`, { ...first, metadata: { ...first.metadata, resourceVersion: adds[0].rv, labels: { seen: 'yes' } } });
    assert.equal(put.code, 200, put.text);
    const stale = await t.req('PUT', `${ALLOCS}/${adds[0].name}`, { ...first, metadata: { ...first.metadata, resourceVersion: adds[0].rv, labels: { seen: 'twice' } } });
    assert.equal(stale.code, 409, 'the same position is stale once the object moved on');
  } finally {
    await t.close();
  }
});
