// Objects written in one store transaction share a store revision. Every watch event must still carry a
// resourceVersion from which a resumed watch delivers exactly the events after it (issue 9): resuming from the
// first of three allocations created in one plan commit must deliver the other two, and the same for DELETEs of
// one commit — from the buffer, and from the store when the resume point is older than the cache.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openMemoryStore } from '../../storage/memory/index.ts';
import { ManualClock } from '../../clock/clock.ts';
import { StoreError, type Store, type TxnOp } from '../../storage/store.ts';
import type { WatchCache } from './watch-cache.ts';
import { BreakableStore, NODES, job, jobKey, openCache, recorder, settle, tick, type Recorder } from './testkit.ts';
import { TEST_HANG_GUARD_MS } from '../../../test/support/hang-guard.ts';

const puts = (names: string[], seq: number): TxnOp[] => names.map((n) => ({ type: 'put', key: jobKey('default', n), value: job('default', n, {}, { seq }) }));
const dels = (names: string[]): TxnOp[] => names.map((n) => ({ type: 'delete', key: jobKey('default', n) }));

/** Watch from `fromRv` until `count` events (or a bookmark past the cache revision) arrived. */
async function watchFrom(cache: WatchCache, store: Store, fromRv: number, count: number): Promise<Recorder> {
  const rec = recorder();
  const w = cache.watch({ fromRv, ...rec.opts });
  await settle(cache, store);
  for (let i = 0; i < 50 && rec.events.length < count && !rec.error; i++) await tick();
  w.cancel();
  assert.equal(rec.error, undefined);
  return rec;
}

const summary = (rec: Recorder) => rec.events.map((e) => `${e.type} ${e.obj.metadata.name}`);
const rvOf = (rec: Recorder, i: number) => Number(rec.events[i].obj.metadata.resourceVersion);

async function checkEveryResumePoint(cache: WatchCache, store: Store, fromRv: number, want: string[]): Promise<void> {
  const all = await watchFrom(cache, store, fromRv, want.length);
  assert.deepEqual(summary(all), want);
  const rvs = all.events.map((_, i) => rvOf(all, i));
  assert.deepEqual([...rvs].sort((a, b) => a - b), rvs, 'event resourceVersions are ordered');
  assert.equal(new Set(rvs).size, rvs.length, 'no two events share a resourceVersion');
  for (let i = 0; i < want.length; i++) {
    const resumed = await watchFrom(cache, store, rvOf(all, i), want.length - i - 1);
    assert.deepEqual(summary(resumed), want.slice(i + 1), `resumed after event ${i} (${rvOf(all, i)})`);
  }
}

test('a watch resumed from any event of a multi-object transaction delivers exactly the rest (buffer)', { timeout: TEST_HANG_GUARD_MS }, async () => {
  const { cache, store, close } = await openCache();
  try {
    const start = await settle(cache, store);
    await store.txn([], puts(['a', 'b', 'c'], 1));
    await store.txn([], dels(['b', 'c']));
    await checkEveryResumePoint(cache, store, start, ['ADDED a', 'ADDED b', 'ADDED c', 'DELETED b', 'DELETED c']);
  } finally {
    await close();
  }
});

test('a watch resumed inside a transaction older than the cache reads the store and skips nothing', { timeout: TEST_HANG_GUARD_MS }, async () => {
  const store = await openMemoryStore({});
  const { revision: start } = await store.status();
  await store.txn([], puts(['a', 'b', 'c'], 1));
  await store.txn([], dels(['a', 'b']));
  const { cache, close } = await openCache({ store });
  try {
    await store.txn([], puts(['d', 'e'], 2)); // live, in the buffer: the hand-over must not drop or repeat
    await checkEveryResumePoint(cache, store, start, ['ADDED a', 'ADDED b', 'ADDED c', 'DELETED a', 'DELETED b', 'ADDED d', 'ADDED e']);
  } finally {
    await close();
  }
});

test('the last event of a transaction carries the store revision: gets, lists and bookmarks agree with it', { timeout: TEST_HANG_GUARD_MS }, async () => {
  const { cache, store, close } = await openCache();
  try {
    const start = await settle(cache, store);
    const res = await store.txn([], puts(['a', 'b', 'c'], 1));
    const rec = await watchFrom(cache, store, start, 3);
    assert.equal(rec.events[2].obj.metadata.resourceVersion, String(res.revision));
    assert.equal(cache.get('default/c')?.obj.metadata.resourceVersion, String(res.revision));
    assert.equal(cache.get('default/a')?.obj.metadata.resourceVersion, String(res.revision), 'the cached object keeps the revision');
    assert.ok(rvOf(rec, 0) > start && rvOf(rec, 0) < res.revision, 'earlier events of the revision lie between the revisions');
    assert.deepEqual(rec.bookmarks, [res.revision]);
  } finally {
    await close();
  }
});

test('after a relist over a compaction, a resume inside a relisted revision is 410; whole revisions still resume', { timeout: TEST_HANG_GUARD_MS }, async () => {
  const inner = await openMemoryStore({});
  const store = new BreakableStore(inner);
  for (const n of ['a', 'b', 'c']) await inner.create(jobKey('default', n), job('default', n));
  const clock = new ManualClock(0);
  const { cache, close } = await openCache({ store, clock });
  try {
    const r = recorder();
    cache.watch({ fromRv: cache.revision(), ...r.opts });
    store.breakAll(new StoreError('Unavailable', 'partition'));
    await inner.txn([], dels(['a', 'b', 'c']));
    await inner.txn([], [{ type: 'put', key: `${NODES}n1`, value: '{}' }]); // the cache's re-watch start is compacted
    await inner.compact((await inner.status()).revision);
    clock.advance(10_000); // the re-watch hits the compaction: relist, deletions as synthetic events at its revision
    const end = await settle(cache, store);
    for (let i = 0; i < 200 && r.events.length < 3; i++) await tick();
    const rvs = r.events.map((e) => Number(e.obj.metadata.resourceVersion));
    assert.deepEqual(rvs.map((x) => Math.ceil(x)), [end, end, end]);
    const inside = recorder();
    cache.watch({ fromRv: rvs[0], ...inside.opts });
    assert.equal((inside.error as { code?: number } | undefined)?.code, 410, 'a synthetic position is not resumed from');
    const whole = recorder();
    cache.watch({ fromRv: end, ...whole.opts });
    assert.equal(whole.error, undefined);
  } finally {
    await close();
  }
});
