// Start/sync, get, list pages, lists at past revisions, waitFor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, isGone } from '../../apierrors/status.ts';
import { ManualClock } from '../../clock/clock.ts';
import { openMemoryStore } from '../../storage/memory/index.ts';
import { BreakableStore, JOBS, NODES, job, jobKey, openCache, recorder, settle, storeState, tick } from './testkit.ts';

const names = (items: Array<{ metadata: { name: string } }>) => items.map((o) => o.metadata.name);

test('start lists every existing object in pages and reports the list revision', async () => {
  const store = await openMemoryStore({});
  for (let i = 0; i < 25; i++) await store.create(jobKey('default', `j${String(i).padStart(2, '0')}`), job('default', `j${i}`));
  await store.create(`${NODES}n1`, '{}');
  const { cache, close } = await openCache({ store, listPageSize: 4 });
  const { revision } = await store.status();
  assert.equal(cache.revision(), revision);
  const res = cache.list();
  assert.equal(res.items.length, 25);
  assert.equal(res.rv, revision);
  assert.equal(res.nextKey, undefined);
  const got = cache.get('default/j03');
  assert.equal(got?.name, 'j3');
  assert.equal(got?.namespace, 'default');
  assert.equal(got?.obj.metadata.resourceVersion, String(got?.rv));
  assert.equal(cache.get(jobKey('default', 'j03')), got, 'absolute and relative keys name the same entry');
  assert.equal(cache.isSynced(), true);
  await close();
});

test('list pages with limit and continue, per namespace, with remaining counts and filters', async () => {
  const { cache, store, close } = await openCache();
  for (const ns of ['a', 'b']) for (let i = 0; i < 7; i++) await store.create(jobKey(ns, `x${i}`), job(ns, `x${i}`, { odd: String(i % 2) }));
  await settle(cache, store);

  const first = cache.list({ prefix: 'a/', limit: 3 });
  assert.deepEqual(names(first.items), ['x0', 'x1', 'x2']);
  assert.equal(first.remaining, 4);
  assert.ok(first.nextKey);
  const second = cache.list({ prefix: 'a/', limit: 3, continueKey: first.nextKey });
  assert.deepEqual(names(second.items), ['x3', 'x4', 'x5']);
  assert.equal(second.remaining, 1);
  const third = cache.list({ prefix: 'a/', limit: 3, continueKey: second.nextKey });
  assert.deepEqual(names(third.items), ['x6']);
  assert.equal(third.nextKey, undefined);
  assert.equal(third.remaining, undefined);

  const exact = cache.list({ prefix: `${JOBS}b/`, limit: 7 });
  assert.equal(exact.items.length, 7);
  assert.equal(exact.nextKey, undefined, 'a page that ends exactly at the end has no continuation');

  const odd = (o: { metadata: { labels?: Record<string, string> } }) => o.metadata.labels?.odd === '1';
  const f1 = cache.list({ filter: odd, limit: 4 });
  assert.deepEqual(f1.items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`), ['a/x1', 'a/x3', 'a/x5', 'b/x1']);
  assert.equal(f1.remaining, undefined, 'no remaining count under a filter');
  const f2 = cache.list({ filter: odd, limit: 4, continueKey: f1.nextKey });
  assert.deepEqual(f2.items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`), ['b/x3', 'b/x5']);
  await close();
});

test('listAt serves the snapshot of a past revision from the buffer, across creates, updates and deletes', async () => {
  const { cache, store, close } = await openCache();
  for (let i = 0; i < 6; i++) await store.create(jobKey('default', `j${i}`), job('default', `j${i}`));
  const rv0 = await settle(cache, store);
  const page1 = cache.list({ limit: 2 });
  assert.equal(page1.rv, rv0);
  // Writes between pages: the continuation must still show the rv0 snapshot.
  await store.delete(jobKey('default', 'j2'));
  const j3 = await store.get(jobKey('default', 'j3'));
  await store.update(jobKey('default', 'j3'), job('default', 'j3', { changed: 'yes' }), j3.kv!.modRevision);
  await store.create(jobKey('default', 'j25'), job('default', 'j25'));
  await store.create(`${NODES}n1`, '{}');
  await settle(cache, store);

  const page2 = await cache.listAt(rv0, { limit: 2, continueKey: page1.nextKey });
  assert.equal(page2.rv, rv0);
  assert.deepEqual(names(page2.items), ['j2', 'j3']);
  assert.equal(page2.items[1].metadata.labels?.changed, undefined);
  assert.equal(page2.remaining, 2);
  const page3 = await cache.listAt(rv0, { limit: 2, continueKey: page2.nextKey });
  assert.deepEqual(names(page3.items), ['j4', 'j5']);
  assert.equal(page3.nextKey, undefined);

  // Every revision in the window lists exactly what the store has at that revision.
  const now = cache.revision();
  for (let rv = rv0; rv <= now; rv++) {
    const want = await storeState(store, JOBS, rv);
    const got = await cache.listAt(rv);
    assert.deepEqual(
      got.items.map((o) => [o.metadata.name, o.metadata.resourceVersion]),
      [...want.values()].map((o) => [o.metadata.name, o.metadata.resourceVersion]),
      `state at ${rv}`,
    );
  }
  await close();
});

test('listAt before the buffer reads the store, and 410 Expired once compacted', async () => {
  const store = await openMemoryStore({});
  await store.create(jobKey('default', 'old'), job('default', 'old'));
  const before = (await store.status()).revision;
  await store.create(jobKey('default', 'older'), job('default', 'older'));
  const { cache, close } = await openCache({ store });
  const res = await cache.listAt(before);
  assert.deepEqual(names(res.items), ['old']);
  assert.equal(res.rv, before);
  await store.compact((await store.status()).revision);
  await assert.rejects(cache.listAt(before), (err: unknown) => isGone(err) && (err as ApiError).reason === 'Expired');
  await close();
});

test('waitFor: read-your-writes, foreign revisions of an idle kind, and the 504 timeout', async () => {
  const clock = new ManualClock(0);
  const { cache, store, close } = await openCache({ clock });
  const kv = await store.create(jobKey('default', 'w'), job('default', 'w'));
  cache.noteRevision(kv.modRevision);
  await cache.waitFor(kv.modRevision);
  assert.ok(cache.get('default/w'));

  // Writes to another kind only: the cache proves itself current without an event of its own.
  const other = await store.create(`${NODES}n1`, '{}');
  await cache.waitFor(other.modRevision);
  assert.ok(cache.revision() >= other.modRevision);

  const future = cache.revision() + 100;
  const waiting = cache.waitFor(future, 50);
  clock.advance(50);
  await assert.rejects(waiting, (err: unknown) => err instanceof ApiError && err.code === 504 && /Too large resource version/.test(err.message));
  await close();
});

test('waitFor proves an idle kind current by comparison when the store sends no progress notifications', async () => {
  const inner = await openMemoryStore({});
  const store = new BreakableStore(inner, { progress: false });
  const { cache, close } = await openCache({ store });
  await inner.create(jobKey('default', 'a'), job('default', 'a'));
  await settle(cache, store);
  const rvBefore = cache.revision();
  const other = await inner.create(`${NODES}n1`, '{}');
  await tick();
  assert.equal(cache.revision(), rvBefore, 'no progress notification moved the cache');
  await cache.waitFor(other.modRevision);
  assert.equal(cache.revision(), other.modRevision);
  // A job write in flight is not mistaken for idleness: the probe waits for its event.
  const kv = await inner.create(jobKey('default', 'b'), job('default', 'b'));
  await cache.waitFor(kv.modRevision);
  assert.ok(cache.get('default/b'), 'the write is visible once waitFor resolves');
  await close();
});

test('the idle probe is not fooled by changes that cancel out (a create and a delete in flight)', async () => {
  const inner = await openMemoryStore({});
  const store = new BreakableStore(inner, { progress: false });
  const { cache, close } = await openCache({ store });
  const from = cache.revision();
  await inner.create(jobKey('default', 'x'), job('default', 'x'));
  await inner.delete(jobKey('default', 'x'));
  const other = await inner.create(`${NODES}n1`, '{}');
  await cache.waitFor(other.modRevision); // the store has the same (empty) state as the cache here
  assert.equal(cache.revision(), other.modRevision);
  const r = recorder();
  cache.watch({ fromRv: from, ...r.opts });
  assert.deepEqual(r.events.map((e) => e.type), ['ADDED', 'DELETED'], 'both events arrived before the revision moved past them');
  await close();
});

test('list before start and after stop is 503', async () => {
  const store = await openMemoryStore({});
  const { WatchCache } = await import('./watch-cache.ts');
  const { silentLogger } = await import('../../log/logger.ts');
  const { decode } = await import('./testkit.ts');
  const cache = new WatchCache({ store, prefix: JOBS, decode, logger: silentLogger, clock: new ManualClock() });
  assert.throws(() => cache.list(), (err: unknown) => err instanceof ApiError && err.code === 503);
  await cache.start();
  cache.stop();
  assert.throws(() => cache.list(), (err: unknown) => err instanceof ApiError && err.code === 503);
  await store.close();
});
