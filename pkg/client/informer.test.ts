// The informer against a scripted fake API: initial list (paged), live events, resume after a broken watch
// from the last seen revision, relist with a diff after 410, resync, stop. Time is a ManualClock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiObject } from '../../api/schemas/kind.ts';
import { ManualClock } from '../clock/clock.ts';
import { silentLogger } from '../log/logger.ts';
import { createClient } from './client.ts';
import { createInformer, type Informer } from './informer.ts';
import { startFakeApi, type FakeApi } from './testing/fake-api.ts';

/** Yield to the event loop until `cond` holds (the test runner's timeout catches a hang). */
async function until(cond: () => boolean, tick?: () => void): Promise<void> {
  while (!cond()) {
    tick?.();
    await new Promise((r) => setTimeout(r, 2));
  }
}

type Seen = string[];

function record(inf: Informer): Seen {
  const seen: Seen = [];
  const rv = (o: ApiObject) => o.metadata.resourceVersion;
  inf.on('add', (o) => seen.push(`add ${o.metadata.name}@${rv(o)}`));
  inf.on('update', (a, b) => seen.push(`update ${b.metadata.name}@${rv(a)}->${rv(b)}`));
  inf.on('delete', (o) => seen.push(`delete ${o.metadata.name}`));
  return seen;
}

async function harness(fn: (h: { api: FakeApi; clock: ManualClock; start(opts?: { resyncMs?: number; pageSize?: number }): Promise<{ inf: Informer; seen: Seen }> }) => Promise<void>) {
  const api = await startFakeApi();
  const client = createClient({ server: api.url });
  const clock = new ManualClock(1_000_000);
  const informers: Informer[] = [];
  try {
    await fn({
      api,
      clock,
      async start(opts = {}) {
        const inf = createInformer({ client, kind: 'jobs', logger: silentLogger, clock, backoff: { initialMs: 100, maxMs: 1000 }, ...opts });
        informers.push(inf);
        const seen = record(inf);
        await inf.start();
        return { inf, seen };
      },
    });
  } finally {
    for (const i of informers) i.stop();
    await client.close();
    await api.close();
  }
}

test('start() resolves after a paged initial list; every object is added once', async () => {
  await harness(async ({ api, start }) => {
    for (const n of ['a', 'b', 'c', 'd', 'e']) api.put(n);
    const { inf, seen } = await start({ pageSize: 2 });
    assert.ok(inf.hasSynced());
    assert.deepEqual(seen, ['add a@2', 'add b@3', 'add c@4', 'add d@5', 'add e@6']);
    assert.equal(inf.lastSyncResourceVersion(), '6');
    assert.deepEqual(inf.list().map((o) => o.metadata.name).sort(), ['a', 'b', 'c', 'd', 'e']);
    assert.equal(inf.get('default', 'c')?.metadata.resourceVersion, '4');
    const lists = api.requests.filter((r) => !r.watch);
    assert.deepEqual(lists.map((r) => [r.limit, r.continue]), [['2', undefined], ['2', '2'], ['2', '4']]);
  });
});

test('live events become add/update/delete in order, and bookmarks move the revision', async () => {
  await harness(async ({ api, start }) => {
    api.put('a');
    const { inf, seen } = await start();
    await until(() => api.openWatches() === 1);
    assert.equal(api.requests.find((r) => r.watch)?.resourceVersion, '2');
    api.put('b');
    api.put('a', { changed: true });
    api.remove('b');
    await until(() => seen.length === 4);
    assert.deepEqual(seen, ['add a@2', 'add b@3', 'update a@2->4', 'delete b']);
    assert.equal(inf.get('default', 'b'), undefined);
    assert.deepEqual(inf.get('default', 'a')?.spec, { changed: true });
    api.put('other');
    api.remove('other');
    await until(() => seen.length === 6);
    api.bookmark();
    await until(() => inf.lastSyncResourceVersion() === '7');
  });
});

test('a broken watch resumes from the last seen revision after a backoff, without replaying', async () => {
  await harness(async ({ api, clock, start }) => {
    api.put('a');
    const { inf, seen } = await start();
    await until(() => api.openWatches() === 1);
    api.put('b');
    await until(() => seen.length === 2);
    api.cutWatches();
    // Changes while disconnected arrive after the resume.
    api.put('c');
    api.put('a', { v: 2 });
    await until(() => api.openWatches() === 1, () => clock.advance(100));
    await until(() => seen.length === 4);
    assert.deepEqual(seen, ['add a@2', 'add b@3', 'add c@4', 'update a@2->5']);
    const watches = api.requests.filter((r) => r.watch).map((r) => r.resourceVersion);
    assert.equal(watches[0], '2');
    // This server sends no bookmarks: b@3 was the last event, so 3 was not known complete; b came again and
    // was not re-delivered.
    assert.equal(watches.at(-1), '2');
    assert.equal(api.requests.filter((r) => !r.watch).length, 1, 'no relist needed');
    assert.equal(inf.lastSyncResourceVersion(), '4', 'a@5 may not be the last object of revision 5');
    api.bookmark();
    await until(() => inf.lastSyncResourceVersion() === '5');
  });
});

test('a watch broken inside a transaction resumes without skipping the rest of it, and without duplicates', async () => {
  await harness(async ({ api, clock, start }) => {
    api.put('a');
    const { inf, seen } = await start();
    await until(() => api.openWatches() === 1);
    const progress: string[] = [];
    inf.on('progress', (rv) => progress.push(rv));
    // b, c and d share revision 3; the connection breaks after b: the resume must bring c and d.
    const rv = api.putMany(['b', 'c', 'd'], { cutAfter: 1 });
    await until(() => seen.length === 4, () => clock.advance(100));
    assert.deepEqual(seen, ['add a@2', 'add b@3', 'add c@3', 'add d@3']);
    const watches = api.requests.filter((r) => r.watch).map((r) => r.resourceVersion);
    assert.deepEqual(watches, ['2', '2'], 'resumed from the last completed revision, not from b');
    assert.equal(inf.lastSyncResourceVersion(), '2');
    api.put('e');
    await until(() => inf.lastSyncResourceVersion() === rv);
    assert.deepEqual(progress, [rv], 'revision 3 was reported complete once, when e@4 arrived');
    assert.deepEqual(seen.at(-1), 'add e@4');
  });
});

test('410 Gone relists and emits the difference: missed deletes, updates, adds and re-creates', async () => {
  await harness(async ({ api, clock, start }) => {
    for (const n of ['keep', 'gone', 'changed', 'recreated']) api.put(n);
    const { inf, seen } = await start();
    await until(() => api.openWatches() === 1);
    api.cutWatches();
    api.remove('gone');
    api.put('changed', { v: 2 });
    api.remove('recreated');
    api.put('recreated');
    api.put('new');
    api.compact();
    await until(() => api.requests.filter((r) => !r.watch).length === 2 && api.openWatches() === 1, () => clock.advance(100));
    assert.deepEqual(seen.slice(4), ['delete gone', 'delete recreated', 'update changed@4->7', 'add new@10', 'add recreated@9']);
    assert.deepEqual(inf.list().map((o) => o.metadata.name).sort(), ['changed', 'keep', 'new', 'recreated']);
    assert.equal(inf.lastSyncResourceVersion(), '10');
    // And the watch goes on from the relist's revision.
    assert.equal(api.requests.at(-1)?.resourceVersion, '10');
    api.remove('keep');
    await until(() => seen.at(-1) === 'delete keep');
  });
});

test('resync re-delivers every cached object as an update', async () => {
  await harness(async ({ api, clock, start }) => {
    api.put('a');
    api.put('b');
    const { seen } = await start({ resyncMs: 60_000 });
    clock.advance(60_000);
    assert.deepEqual(seen.slice(2).sort(), ['update a@2->2', 'update b@3->3']);
  });
});

test('stop() ends the watch; later changes are not seen', async () => {
  await harness(async ({ api, start }) => {
    const { inf, seen } = await start();
    await until(() => api.openWatches() === 1);
    inf.stop();
    await until(() => api.openWatches() === 0);
    // With no watch open nothing can deliver this change; the informer must not have re-watched either.
    api.put('late');
    assert.equal(api.requests.filter((r) => r.watch).length, 1);
    assert.deepEqual(seen, []);
    assert.equal(inf.get('default', 'late'), undefined);
  });
});

test('a handler that throws does not stop the informer', async () => {
  await harness(async ({ api, start }) => {
    const { inf, seen } = await start();
    inf.on('add', () => {
      throw new Error('buggy handler');
    });
    await until(() => api.openWatches() === 1);
    api.put('a');
    api.put('b');
    await until(() => seen.length === 2);
    assert.deepEqual(seen, ['add a@2', 'add b@3']);
  });
});
