// Watch semantics: resume inside the window, before it (store catch-up and 410), idle kinds, initial events,
// filter transitions, bookmarks, slow consumers, following store watch failures and compactions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, isGone } from '../../apierrors/status.ts';
import { ManualClock } from '../../clock/clock.ts';
import { openMemoryStore } from '../../storage/memory/index.ts';
import { StoreError } from '../../storage/store.ts';
import { BreakableStore, JOBS, NODES, applyEvents, job, jobKey, openCache, recorder, settle, storeState, tick } from './testkit.ts';

const summary = (r: { events: Array<{ type: string; obj: { metadata: { name: string } }; rv: number }> }) =>
  r.events.map((e) => `${e.type} ${e.obj.metadata.name}@${e.rv}`);

test('watch from a past revision inside the window delivers exactly the later events, in order', async () => {
  const { cache, store, close } = await openCache();
  const a = await store.create(jobKey('default', 'a'), job('default', 'a'));
  const b = await store.create(jobKey('default', 'b'), job('default', 'b'));
  const a2 = await store.update(a.key, job('default', 'a', { v: '2' }), a.modRevision);
  await store.delete(b.key);
  await settle(cache, store);
  const r = recorder();
  cache.watch({ fromRv: a.modRevision, ...r.opts });
  assert.deepEqual(summary(r), [`ADDED b@${b.modRevision}`, `MODIFIED a@${a2.modRevision}`, `DELETED b@${a2.modRevision + 1}`]);
  assert.equal(r.events[2].obj.metadata.resourceVersion, String(a2.modRevision + 1), 'DELETED carries the delete revision');
  assert.equal(r.events[1].prev?.metadata.resourceVersion, String(a.modRevision));
  const c = await store.create(jobKey('other', 'c'), job('other', 'c'));
  await settle(cache, store);
  assert.deepEqual(summary(r).slice(3), [`ADDED c@${c.modRevision}`]);
  assert.equal(r.error, undefined);
  await close();
});

test('watch from 0 sends the current state as ADDED, marks its end, then live events; a namespace prefix narrows it', async () => {
  const { cache, store, close } = await openCache();
  await store.create(jobKey('a', 'x'), job('a', 'x'));
  await store.create(jobKey('b', 'y'), job('b', 'y'));
  const rv = await settle(cache, store);
  const all = recorder();
  cache.watch({ fromRv: 0, ...all.opts });
  assert.deepEqual(all.events.map((e) => `${e.type} ${e.key.slice(JOBS.length)}`), ['ADDED a/x', 'ADDED b/y']);
  assert.equal(all.initialEnd, rv);
  const onlyB = recorder();
  cache.watch({ fromRv: 0, prefix: 'b/', ...onlyB.opts });
  const none = recorder();
  cache.watch({ fromRv: 0, sendInitialEvents: false, ...none.opts });
  await store.create(jobKey('a', 'z'), job('a', 'z'));
  await store.create(jobKey('b', 'w'), job('b', 'w'));
  await settle(cache, store);
  assert.deepEqual(all.events.map((e) => e.obj.metadata.name), ['x', 'y', 'z', 'w']);
  assert.deepEqual(onlyB.events.map((e) => e.obj.metadata.name), ['y', 'w']);
  assert.deepEqual(none.events.map((e) => e.obj.metadata.name), ['z', 'w']);
  await close();
});

test('watch from before the cache started catches up from the store, then continues from the buffer', async () => {
  const inner = await openMemoryStore({});
  const store = new BreakableStore(inner);
  const first = await inner.create(jobKey('default', 'a'), job('default', 'a'));
  const older = await inner.create(jobKey('default', 'b'), job('default', 'b'));
  await inner.update(first.key, job('default', 'a', { v: '2' }), first.modRevision);
  const { cache, close } = await openCache({ store });
  assert.equal(store.watches, 1);
  const r = recorder();
  cache.watch({ fromRv: first.modRevision, ...r.opts });
  await tick();
  await inner.create(jobKey('default', 'c'), job('default', 'c'));
  await settle(cache, store);
  await tick();
  assert.deepEqual(r.events.map((e) => `${e.type} ${e.obj.metadata.name}`), ['ADDED b', 'MODIFIED a', 'ADDED c']);
  assert.ok(r.events[0].rv === older.modRevision);
  assert.equal(store.watches, 1, 'the direct store watch was handed over to the buffer');
  const want = await storeState(inner, JOBS);
  const got = applyEvents(await storeState(inner, JOBS, first.modRevision), r.events);
  assert.deepEqual([...got.keys()], [...want.keys()]);
  await close();
});

test('watch from a compacted revision before the window ends with 410 Expired', async () => {
  const store = await openMemoryStore({});
  const a = await store.create(jobKey('default', 'a'), job('default', 'a'));
  await store.create(jobKey('default', 'b'), job('default', 'b'));
  await store.compact((await store.status()).revision);
  const { cache, close } = await openCache({ store });
  const r = recorder();
  cache.watch({ fromRv: a.modRevision - 1, ...r.opts });
  await tick();
  await tick();
  assert.ok(r.error instanceof ApiError, `got ${r.error}`);
  assert.equal((r.error as ApiError).reason, 'Expired');
  assert.match(r.error.message, /^too old resource version: \d+ \(\d+\)$/);
  assert.deepEqual(r.events, []);
  await close();
});

test('re-watching an idle kind from its last list revision works after other kinds moved the revision on', async () => {
  const { cache, store, close } = await openCache({ maxBufferEvents: 4 });
  await store.create(jobKey('default', 'a'), job('default', 'a'));
  await settle(cache, store);
  const listRv = cache.list().rv;
  for (let i = 0; i < 50; i++) await store.create(`${NODES}n${i}`, '{}');
  await store.compact((await store.status()).revision);
  await settle(cache, store);
  const r = recorder();
  cache.watch({ fromRv: listRv, ...r.opts });
  const b = await store.create(jobKey('default', 'b'), job('default', 'b'));
  await settle(cache, store);
  assert.equal(r.error, undefined);
  assert.deepEqual(summary(r), [`ADDED b@${b.modRevision}`]);
  // And from a global revision the kind never saw (another kind's write) inside the window.
  const r2 = recorder();
  cache.watch({ fromRv: b.modRevision - 1, ...r2.opts });
  assert.deepEqual(summary(r2), [`ADDED b@${b.modRevision}`]);
  await close();
});

test('filters: an object that stops matching arrives as DELETED, one that starts matching as ADDED', async () => {
  const { cache, store, close } = await openCache();
  const prod = (o: { metadata: { labels?: Record<string, string> } }) => o.metadata.labels?.env === 'prod';
  const a = await store.create(jobKey('default', 'a'), job('default', 'a', { env: 'prod' }));
  const start = await settle(cache, store);
  const r = recorder();
  cache.watch({ fromRv: start, filter: prod, ...r.opts });
  const a2 = await store.update(a.key, job('default', 'a', { env: 'dev' }), a.modRevision);
  const a3 = await store.update(a.key, job('default', 'a', { env: 'dev', x: '1' }), a2.modRevision);
  const a4 = await store.update(a.key, job('default', 'a', { env: 'prod' }), a3.modRevision);
  const a5 = await store.update(a.key, job('default', 'a', { env: 'prod', x: '2' }), a4.modRevision);
  const gone = await store.delete(a.key);
  await store.create(jobKey('default', 'b'), job('default', 'b', { env: 'dev' }));
  await settle(cache, store);
  assert.deepEqual(summary(r), [`DELETED a@${a2.modRevision}`, `ADDED a@${a4.modRevision}`, `MODIFIED a@${a5.modRevision}`, `DELETED a@${gone.modRevision}`]);
  const unmatched = r.events[0];
  assert.equal(unmatched.obj.metadata.labels?.env, 'prod', 'DELETED shows the last matching state');
  assert.equal(unmatched.obj.metadata.resourceVersion, String(a2.modRevision), 'at the revision of the change');
  await close();
});

test('bookmarks: only for watchers who asked, at the cache revision, only when caught up', async () => {
  const clock = new ManualClock(0);
  const { cache, store, close } = await openCache({ clock, bookmarkIntervalMs: 1000 });
  await store.create(jobKey('default', 'a'), job('default', 'a'));
  const rv1 = await settle(cache, store);
  const asked = recorder();
  cache.watch({ fromRv: rv1, ...asked.opts });
  const silent = recorder({ onBookmark: undefined });
  cache.watch({ fromRv: rv1, ...silent.opts });
  let release: () => void = () => {};
  const stuck = recorder({ onEvent: () => new Promise<void>((r) => (release = r)) });
  cache.watch({ fromRv: rv1, ...stuck.opts });
  clock.advance(999);
  assert.deepEqual(asked.bookmarks, []);
  clock.advance(1);
  assert.deepEqual(asked.bookmarks, [rv1]);
  await store.create(`${NODES}n1`, '{}');
  await store.create(jobKey('default', 'b'), job('default', 'b'));
  const rv2 = await settle(cache, store);
  assert.deepEqual(asked.bookmarks, [rv1, rv2], 'a batch of events is confirmed complete by a bookmark at once');
  clock.advance(1000);
  assert.deepEqual(asked.bookmarks, [rv1, rv2], 'the periodic bookmark does not repeat it');
  assert.deepEqual(silent.bookmarks, []);
  assert.deepEqual(stuck.bookmarks, [rv1], 'a watcher still delivering gets no bookmark');
  release();
  await tick();
  assert.deepEqual(stuck.bookmarks, [rv1, rv2], 'confirmed once it has delivered the batch');
  clock.advance(1000);
  assert.deepEqual(stuck.bookmarks, [rv1, rv2]);
  await close();
});

test('a slow watcher does not hold up others and is ended with 429 once too far behind', async () => {
  const { cache, store, close } = await openCache({ maxWatcherLag: 5 });
  const start = await settle(cache, store);
  const fast = recorder();
  cache.watch({ fromRv: start, ...fast.opts });
  const pending: Array<() => void> = [];
  const slow = recorder({ onEvent: (e) => (slow.events.push(e), new Promise<void>((r) => pending.push(r))) });
  cache.watch({ fromRv: start, ...slow.opts });
  // A slow but not hopeless watcher catches up once its consumer drains.
  const patient = recorder({ onEvent: (e) => (patient.events.push(e), new Promise<void>((r) => setImmediate(r))) });
  const patientWatch = cache.watch({ fromRv: start, ...patient.opts });
  for (let i = 0; i < 4; i++) await store.create(jobKey('default', `j${i}`), job('default', `j${i}`));
  await settle(cache, store);
  assert.equal(fast.events.length, 4);
  assert.equal(slow.events.length, 1, 'waits for its consumer');
  assert.equal(slow.error, undefined);
  for (let i = 0; i < 20 && patient.events.length < 4; i++) await tick();
  assert.deepEqual(patient.events.map((e) => e.rv), fast.events.map((e) => e.rv));
  assert.equal(patient.error, undefined);
  patientWatch.cancel();
  for (let i = 4; i < 12; i++) await store.create(jobKey('default', `j${i}`), job('default', `j${i}`));
  await settle(cache, store);
  assert.equal(fast.events.length, 12);
  const err = slow.error as Error | undefined;
  assert.ok(err instanceof ApiError && err.code === 429, `got ${err}`);
  pending.forEach((p) => p());
  await close();
});

test('a broken store watch is re-created from the cache revision: nothing lost, nothing repeated', async () => {
  const clock = new ManualClock(0);
  const inner = await openMemoryStore({});
  const store = new BreakableStore(inner);
  const { cache, close } = await openCache({ store, clock });
  const start = cache.revision();
  const r = recorder();
  cache.watch({ fromRv: start, ...r.opts });
  await inner.create(jobKey('default', 'a'), job('default', 'a'));
  await settle(cache, store);
  store.breakAll(new StoreError('Unavailable', 'connection reset'));
  await inner.create(jobKey('default', 'b'), job('default', 'b'));
  await inner.create(jobKey('default', 'c'), job('default', 'c'));
  clock.advance(10_000); // the re-watch backoff
  await settle(cache, store);
  assert.deepEqual(r.events.map((e) => e.obj.metadata.name), ['a', 'b', 'c']);
  assert.equal(r.error, undefined);
  await close();
});

test('a store watch that fell behind a compaction relists and sends the difference as events', async () => {
  const inner = await openMemoryStore({});
  const store = new BreakableStore(inner);
  const a = await inner.create(jobKey('default', 'a'), job('default', 'a'));
  const b = await inner.create(jobKey('default', 'b'), job('default', 'b'));
  const clock = new ManualClock(0);
  const { cache, close } = await openCache({ store, clock });
  const start = cache.revision();
  const atStart = await storeState(inner, JOBS, start);
  const r = recorder();
  cache.watch({ fromRv: start, ...r.opts });
  const filtered = recorder();
  cache.watch({ fromRv: start, filter: (o) => o.metadata.name !== 'c', ...filtered.opts });
  // Cut the cache off, change things, compact, then report the compaction as the watch error.
  store.breakAll(new StoreError('Unavailable', 'partition'));
  await inner.update(a.key, job('default', 'a', { v: '2' }), a.modRevision);
  await inner.delete(b.key);
  await inner.create(jobKey('default', 'c'), job('default', 'c'));
  await inner.compact((await inner.status()).revision);
  clock.advance(10_000); // the re-watch after the backoff hits the compaction: relist
  await settle(cache, store);
  const want = await storeState(inner, JOBS);
  assert.deepEqual(applyEvents(atStart, r.events), want, 'the watcher ends with exactly the store state');
  assert.deepEqual(r.events.map((e) => `${e.type} ${e.obj.metadata.name}`).sort(), ['ADDED c', 'DELETED b', 'MODIFIED a']);
  assert.deepEqual(filtered.events.map((e) => `${e.type} ${e.obj.metadata.name}`).sort(), ['DELETED b', 'MODIFIED a']);
  assert.deepEqual(cache.list().items.map((o) => o.metadata.name), ['a', 'c']);
  // New watches from before the relist revision cannot be served exactly any more.
  const late = recorder();
  cache.watch({ fromRv: start, ...late.opts });
  await tick();
  await tick();
  assert.ok(isGone(late.error), `got ${late.error}`);
  await close();
});

test('history is trimmed only below the compacted revision and beyond maxBufferEvents', async () => {
  const { cache, store, close } = await openCache({ maxBufferEvents: 3 });
  const start = await settle(cache, store);
  const keep = recorder();
  cache.watch({ fromRv: start, ...keep.opts });
  for (let i = 0; i < 6; i++) await store.create(jobKey('default', `j${i}`), job('default', `j${i}`));
  await settle(cache, store);
  const r = recorder();
  cache.watch({ fromRv: start, ...r.opts });
  assert.equal(r.events.length, 6, 'nothing compacted yet: every event kept');
  const compactAt = (await store.status()).revision - 1;
  await store.compact(compactAt);
  // The next write notices the compaction (status check) and trims to the newest 3 events.
  await store.create(jobKey('default', 'j6'), job('default', 'j6'));
  await settle(cache, store);
  await tick();
  await store.create(jobKey('default', 'j7'), job('default', 'j7'));
  await settle(cache, store);
  const late = recorder();
  cache.watch({ fromRv: start, ...late.opts });
  await tick();
  await tick();
  assert.ok(isGone(late.error), `got ${late.error}`);
  const recent = recorder();
  cache.watch({ fromRv: compactAt, ...recent.opts });
  assert.deepEqual(recent.events.map((e) => e.obj.metadata.name), ['j5', 'j6', 'j7']);
  assert.equal(keep.events.length, 8, 'a live watcher that kept up is unaffected');
  await close();
});

test('a slow consumer catching up from the store pauses the store read instead of buffering without bound', async () => {
  const inner = await openMemoryStore({});
  const store = new BreakableStore(inner);
  const from = (await inner.status()).revision;
  const N = 2500; // more than one store delivery batch
  for (let i = 0; i < N; i += 100) {
    await inner.txn([], Array.from({ length: 100 }, (_, j) => ({ type: 'put' as const, key: jobKey('default', `j${i + j}`), value: job('default', `j${i + j}`) })));
  }
  const { cache, close } = await openCache({ store, maxWatcherLag: 2 });
  let seen = 0;
  const r = recorder({ onEvent: () => (seen++, Promise.resolve()) });
  cache.watch({ fromRv: from, ...r.opts });
  for (let i = 0; i < 100 && seen < N; i++) await tick();
  assert.equal(seen, N);
  assert.ok(store.opened > 3, `the store read was paused and resumed (${store.opened} watches opened)`);
  await inner.create(`${NODES}n1`, '{}'); // progress past the window start: hand over to the buffer
  await inner.create(jobKey('default', 'z'), job('default', 'z'));
  for (let i = 0; i < 100 && seen < N + 1; i++) await tick();
  assert.equal(r.error, undefined);
  assert.equal(seen, N + 1);
  assert.equal(store.watches, 1, 'only the cache watch is left');
  await close();
});

test('stop ends running watches and pending waits with 503', async () => {
  const { cache, store, close } = await openCache();
  const r = recorder();
  cache.watch({ fromRv: cache.revision(), ...r.opts });
  const waiting = cache.waitFor(cache.revision() + 10);
  cache.stop();
  assert.ok(r.error instanceof ApiError && r.error.code === 503);
  await assert.rejects(waiting, (err: unknown) => err instanceof ApiError && err.code === 503);
  await store.close();
  await close();
});
