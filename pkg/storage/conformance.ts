// The Store conformance suite: one set of node:test tests that every backend must pass, written against
// etcd's observable behaviour (revisions, CAS, txn, MVCC reads, pagination, watch, compaction, limits).
// Each test opens a fresh store whose key space is empty; revisions are compared relative to the
// store's status, because an etcd server shared between tests has its own history.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { filler, rejectsWith, withStore, type OpenStore } from './conformance-support.ts';
import { watchConformance } from './conformance-watch.ts';
import { MAX_TXN_OPS, type KeyValue, type TxnOp } from './store.ts';

export type { OpenStore } from './conformance-support.ts';

/** Tuning of the suite per backend. */
export interface ConformanceOptions {
  /** Per-test timeout in ms: a hang guard only, never an assertion on speed (default 60 s). */
  timeoutMs?: number;
}

/** Registers the conformance tests for a backend under `describe(name)`. */
export function runConformance(name: string, open: OpenStore, opts: ConformanceOptions = {}): void {
  const t = { timeout: opts.timeoutMs ?? 60_000 };
  describe(`Store conformance: ${name}`, () => {
    crudTests(open, t);
    txnTests(open, t);
    listTests(open, t);
    watchConformance(open, t);
  });
}

type TestOpts = { timeout: number };

function crudTests(open: OpenStore, t: TestOpts): void {
  test('create, get, update and delete follow etcd revisions', t, () =>
    withStore(open, async (s) => {
      const r0 = (await s.status()).revision;
      const a = await s.create('/a', 'v1');
      assert.deepEqual(a, { key: '/a', value: 'v1', createRevision: r0 + 1, modRevision: r0 + 1, version: 1 });
      assert.deepEqual(await s.get('/a'), { kv: a, revision: r0 + 1 });
      const a2 = await s.update('/a', 'v2', a.modRevision);
      assert.deepEqual(a2, { key: '/a', value: 'v2', createRevision: r0 + 1, modRevision: r0 + 2, version: 2 });
      const gone = await s.delete('/a');
      assert.equal(gone.value, 'v2');
      assert.equal(gone.modRevision, r0 + 3);
      const after = await s.get('/a');
      assert.equal(after.kv, undefined);
      assert.equal(after.revision, r0 + 3);
      const again = await s.create('/a', 'v3');
      assert.deepEqual(again, { key: '/a', value: 'v3', createRevision: r0 + 4, modRevision: r0 + 4, version: 1 });
      assert.equal((await s.status()).revision, r0 + 4);
    }),
  );

  test('health: a store with room takes writes', t, () =>
    withStore(open, async (s) => {
      assert.deepEqual(await s.health(), { writable: true });
    }),
  );

  test('update with a stale revision is a Conflict carrying the current state; absent is NotFound', t, () =>
    withStore(open, async (s) => {
      const a = await s.create('/a', 'v1');
      const a2 = await s.update('/a', 'v2', a.modRevision);
      const err = await rejectsWith(s.update('/a', 'v3', a.modRevision), 'Conflict');
      assert.deepEqual(err.current, a2);
      assert.deepEqual((await s.get('/a')).kv, a2);
      await rejectsWith(s.update('/missing', 'x', 5), 'NotFound');
      await rejectsWith(s.update('/missing', 'x', 0), 'NotFound');
      assert.equal((await s.get('/missing')).kv, undefined, 'an update never creates');
    }),
  );

  test('create on an existing key is AlreadyExists carrying the current state', t, () =>
    withStore(open, async (s) => {
      const a = await s.create('/a', 'v1');
      const err = await rejectsWith(s.create('/a', 'other'), 'AlreadyExists');
      assert.deepEqual(err.current, a);
      assert.deepEqual((await s.get('/a')).kv, a);
    }),
  );

  test('delete honours its precondition', t, () =>
    withStore(open, async (s) => {
      const a = await s.create('/a', 'v1');
      const a2 = await s.update('/a', 'v2', a.modRevision);
      const err = await rejectsWith(s.delete('/a', a.modRevision), 'Conflict');
      assert.deepEqual(err.current, a2);
      assert.deepEqual((await s.get('/a')).kv, a2);
      const gone = await s.delete('/a', a2.modRevision);
      assert.equal(gone.value, 'v2');
      assert.equal(gone.modRevision, a2.modRevision + 1);
      await rejectsWith(s.delete('/a'), 'NotFound');
      await rejectsWith(s.delete('/a', a2.modRevision), 'NotFound');
    }),
  );
}

function txnTests(open: OpenStore, t: TestOpts): void {
  test('txn applies every op at one revision when all compares hold', t, () =>
    withStore(open, async (s) => {
      const x = await s.create('/t/x', 'x1');
      await s.create('/t/y', 'y1');
      const res = await s.txn(
        [
          { key: '/t/x', target: 'mod', equals: x.modRevision },
          { key: '/t/z', target: 'create', equals: 0 },
        ],
        [
          { type: 'put', key: '/t/x', value: 'x2' },
          { type: 'put', key: '/t/z', value: 'z1' },
          { type: 'delete', key: '/t/y' },
        ],
      );
      const rev = x.modRevision + 2;
      assert.equal(res.succeeded, true);
      assert.equal(res.revision, rev);
      assert.deepEqual(res.written, [
        { key: '/t/x', value: 'x2', createRevision: x.createRevision, modRevision: rev, version: 2 },
        { key: '/t/z', value: 'z1', createRevision: rev, modRevision: rev, version: 1 },
        undefined,
      ]);
      const list = await s.list('/t/');
      assert.deepEqual(list.kvs, [res.written[0], res.written[1]]);
      assert.equal(list.revision, rev);
    }),
  );

  test('txn with a failing compare changes nothing and reports the compared keys', t, () =>
    withStore(open, async (s) => {
      const x = await s.create('/t/x', 'x1');
      const res = await s.txn(
        [
          { key: '/t/x', target: 'mod', equals: x.modRevision + 100 },
          { key: '/t/w', target: 'create', equals: 0 },
        ],
        [
          { type: 'put', key: '/t/x', value: 'x2' },
          { type: 'put', key: '/t/w', value: 'w1' },
        ],
      );
      assert.equal(res.succeeded, false);
      assert.equal(res.revision, x.modRevision);
      assert.deepEqual(res.current, [x, undefined]);
      assert.deepEqual((await s.list('/t/')).kvs, [x]);
      assert.equal((await s.status()).revision, x.modRevision);
    }),
  );

  test(`txn allows ${MAX_TXN_OPS} ops; one more is TooManyOps`, t, () =>
    withStore(open, async (s) => {
      const ops = (n: number, tag: string): TxnOp[] =>
        Array.from({ length: n }, (_, i) => ({ type: 'put', key: `/ops/${tag}/${String(i).padStart(3, '0')}`, value: `v${i}` }));
      const ok = await s.txn([], ops(MAX_TXN_OPS, 'a'));
      assert.equal(ok.succeeded, true);
      assert.ok(ok.written.every((kv) => kv?.modRevision === ok.revision));
      await rejectsWith(s.txn([], ops(MAX_TXN_OPS + 1, 'b')), 'TooManyOps');
      assert.equal((await s.list('/ops/b/')).kvs.length, 0);
      assert.equal((await s.list('/ops/a/')).kvs.length, MAX_TXN_OPS);
    }),
  );

  test('a request over 1.5 MiB is TooLarge; 1 MiB passes', t, () =>
    withStore(open, async (s) => {
      await rejectsWith(s.create('/big', filler(1, 1.5 * 1024 * 1024 + 1)), 'TooLarge');
      assert.equal((await s.get('/big')).kv, undefined);
      const kv = await s.create('/big', filler(2, 1024 * 1024));
      assert.equal((await s.get('/big')).kv?.value.length, 1024 * 1024);
      await rejectsWith(s.update('/big', filler(3, 2 * 1024 * 1024), kv.modRevision), 'TooLarge');
    }),
  );
}

function listTests(open: OpenStore, t: TestOpts): void {
  test('list reads the state at any retained past revision', t, () =>
    withStore(open, async (s) => {
      const snapshots: Array<{ revision: number; state: Record<string, string> }> = [];
      const state: Record<string, string> = {};
      const step = async (write: () => Promise<KeyValue>, change: () => void) => {
        const kv = await write();
        change();
        snapshots.push({ revision: kv.modRevision, state: { ...state } });
      };
      await step(() => s.create('/h/a', 'a1'), () => (state['/h/a'] = 'a1'));
      await step(() => s.create('/h/b', 'b1'), () => (state['/h/b'] = 'b1'));
      const c = await s.create('/h/c', 'c1');
      state['/h/c'] = 'c1';
      snapshots.push({ revision: c.modRevision, state: { ...state } });
      const b = (await s.get('/h/b')).kv!;
      await step(() => s.update('/h/b', 'b2', b.modRevision), () => (state['/h/b'] = 'b2'));
      await step(() => s.delete('/h/a'), () => delete state['/h/a']);
      await step(() => s.create('/h/a', 'a2'), () => (state['/h/a'] = 'a2'));
      await s.create('/h2/other', 'not under /h/');
      for (const snap of snapshots) {
        const res = await s.list('/h/', { revision: snap.revision });
        assert.equal(res.revision, snap.revision);
        assert.deepEqual(Object.fromEntries(res.kvs.map((kv) => [kv.key, kv.value])), snap.state, `at revision ${snap.revision}`);
      }
      const now = (await s.status()).revision;
      await rejectsWith(s.list('/h/', { revision: now + 10 }), 'FutureRevision');
    }),
  );

  test('limit and startKey page through a prefix at one fixed revision', t, () =>
    withStore(open, async (s) => {
      const keys = Array.from({ length: 25 }, (_, i) => `/p/k${String(i).padStart(2, '0')}`);
      for (const k of keys) await s.create(k, k.toUpperCase());
      await s.create('/p2/outside', 'x');
      const page1 = await s.list('/p/', { limit: 10 });
      assert.deepEqual(page1.kvs.map((kv) => kv.key), keys.slice(0, 10));
      assert.equal(page1.more, true);
      // Writes between pages must not show: later pages are read at the first page's revision.
      await s.delete('/p/k12');
      await s.create('/p/k10x', 'new');
      const at = { revision: page1.revision, limit: 10 };
      const page2 = await s.list('/p/', { ...at, startKey: page1.kvs.at(-1)!.key + '\u0000' });
      assert.deepEqual(page2.kvs.map((kv) => kv.key), keys.slice(10, 20));
      assert.equal(page2.more, true);
      const page3 = await s.list('/p/', { ...at, startKey: page2.kvs.at(-1)!.key + '\u0000' });
      assert.deepEqual(page3.kvs.map((kv) => kv.key), keys.slice(20));
      assert.equal(page3.more, false);
      const exact = await s.list('/p/', { revision: page1.revision, limit: 5, startKey: keys[20] });
      assert.equal(exact.kvs.length, 5);
      assert.equal(exact.more, false, 'a page ending exactly at the last key has no more');
      const all = await s.list('/p/');
      assert.equal(all.kvs.length, 25);
      assert.equal(all.more, false);
      assert.ok(all.kvs.some((kv) => kv.key === '/p/k10x') && !all.kvs.some((kv) => kv.key === '/p/k12'));
    }),
  );

  test('lists beyond the 4 MiB gRPC message limit (12 MiB of values)', { timeout: t.timeout * 2 }, () =>
    withStore(open, async (s) => {
      const size = 512 * 1024;
      const n = 24;
      for (let i = 0; i < n; i++) await s.create(`/big/${String(i).padStart(2, '0')}`, filler(i, size));
      const all = await s.list('/big/');
      assert.equal(all.kvs.length, n);
      assert.equal(all.more, false);
      all.kvs.forEach((kv, i) => assert.ok(kv.value === filler(i, size), `value ${i} intact`));
      const some = await s.list('/big/', { limit: 9 });
      assert.equal(some.kvs.length, 9);
      assert.equal(some.more, true);
      const rest = await s.list('/big/', { startKey: some.kvs.at(-1)!.key + '\u0000', revision: some.revision });
      assert.equal(rest.kvs.length, n - 9);
      assert.equal(rest.more, false);
    }),
  );
}
