// Property test: the memory store behaves like a deliberately naive model of etcd (a full copy of the
// key space per revision) over random sequences of operations, including after a reopen from disk.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { collect } from '../conformance-support.ts';
import { isStoreError, StoreError, type Compare, type KeyValue, type ListResult, type Store, type TxnOp, type TxnResult, type WatchEvent } from '../store.ts';
import { openMemoryStore } from './store.ts';
import { TEST_HANG_GUARD_MS } from '../../../test/support/hang-guard.ts';

const KEYS = ['/a', '/b', '/c', '/d/x', '/d/y'];
const PREFIXES = ['', '/d/', '/b', '/z'];

/** etcd, naively: every revision's whole state, kept forever. */
class Model {
  revision = 1;
  compactRevision = 0;
  states = new Map<number, Map<string, KeyValue>>([[1, new Map()]]);
  events: WatchEvent[] = [];

  get current(): Map<string, KeyValue> {
    return this.states.get(this.revision)!;
  }

  txn(compares: Compare[], ops: TxnOp[]): TxnResult {
    const cur = this.current;
    const holds = compares.every((c) => (c.target === 'mod' ? cur.get(c.key)?.modRevision : cur.get(c.key)?.createRevision) === (c.equals || undefined));
    if (!holds) return { succeeded: false, revision: this.revision, written: [], current: compares.map((c) => cur.get(c.key)) };
    const next = new Map(cur);
    const rev = this.revision + 1;
    const written: Array<KeyValue | undefined> = [];
    const events: WatchEvent[] = [];
    for (const op of ops) {
      const prev = next.get(op.key);
      if (op.type === 'put') {
        const kv = { key: op.key, value: op.value, createRevision: prev?.createRevision ?? rev, modRevision: rev, version: (prev?.version ?? 0) + 1 };
        next.set(op.key, kv);
        written.push(kv);
        events.push({ type: 'put', kv });
      } else {
        written.push(undefined);
        if (!prev) continue;
        next.delete(op.key);
        events.push({ type: 'delete', kv: { ...prev, modRevision: rev, version: 0 } });
      }
    }
    if (events.length > 0) {
      this.revision = rev;
      this.states.set(rev, next);
      this.events.push(...events);
    }
    return { succeeded: true, revision: this.revision, written, current: [] };
  }

  list(prefix: string, revision: number, limit: number, startKey?: string): ListResult {
    const rev = revision || this.revision;
    if (rev < this.compactRevision) throw new StoreError('Compacted', '');
    if (rev > this.revision) throw new StoreError('FutureRevision', '');
    const all = [...this.states.get(this.lastRevAtOrBelow(rev))!.values()]
      .filter((kv) => kv.key.startsWith(prefix) && (startKey === undefined || kv.key >= startKey))
      .sort((x, y) => (x.key < y.key ? -1 : 1));
    const kvs = limit > 0 ? all.slice(0, limit) : all;
    return { kvs, revision: rev, more: kvs.length < all.length };
  }

  compact(revision: number): void {
    if (revision <= this.compactRevision) throw new StoreError('Compacted', '');
    if (revision > this.revision) throw new StoreError('FutureRevision', '');
    this.compactRevision = revision;
  }

  private lastRevAtOrBelow(rev: number): number {
    while (!this.states.has(rev)) rev--;
    return rev;
  }
}

type Expect = { kind: 'current' } | { kind: 'n'; n: number };
type Op =
  | { op: 'create'; key: string; value: string }
  | { op: 'update'; key: string; value: string; expect: Expect }
  | { op: 'delete'; key: string; expect?: Expect }
  | { op: 'txn'; compares: Array<{ key: string; target: 'mod' | 'create'; expect: Expect }>; ops: Array<{ put: boolean; key: string; value: string }> }
  | { op: 'list'; prefix: string; back: number; limit: number; startKey?: string }
  | { op: 'compact'; back: number };

const key = fc.constantFrom(...KEYS);
const value = fc.string({ maxLength: 6 });
const expect: fc.Arbitrary<Expect> = fc.oneof(fc.constant({ kind: 'current' as const }), fc.nat(12).map((n) => ({ kind: 'n' as const, n })));
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('create' as const), key, value }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('update' as const), key, value, expect }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), key, expect: fc.option(expect, { nil: undefined }) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('txn' as const),
      compares: fc.array(fc.record({ key, target: fc.constantFrom('mod' as const, 'create' as const), expect }), { maxLength: 2 }),
      ops: fc.uniqueArray(fc.record({ put: fc.boolean(), key, value }), { maxLength: 3, selector: (o) => o.key }),
    }),
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('list' as const), prefix: fc.constantFrom(...PREFIXES), back: fc.integer({ min: -1, max: 8 }), limit: fc.nat(3), startKey: fc.option(key, { nil: undefined }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('compact' as const), back: fc.nat(6) }) },
);

/** Runs `fn` on the store and `model` on the model; both must return equal values or fail with the same code. */
async function same<T>(fn: () => Promise<T>, model: () => T, what: string): Promise<void> {
  let want: { ok: T } | { code: string; current?: KeyValue };
  try {
    want = { ok: model() };
  } catch (err) {
    want = { code: (err as StoreError).code, current: (err as StoreError).current };
  }
  try {
    const got = await fn();
    assert.deepEqual({ ok: got }, want, what);
  } catch (err) {
    if (!isStoreError(err)) throw err;
    assert.deepEqual({ code: err.code, current: err.current }, want, what);
  }
}

async function step(s: Store, m: Model, o: Op): Promise<void> {
  const rev = (k: string, e: Expect) => (e.kind === 'current' ? (m.current.get(k)?.modRevision ?? 0) : e.n);
  const what = JSON.stringify(o);
  const fail = (k: string) => {
    const cur = m.current.get(k);
    throw new StoreError(cur ? 'Conflict' : 'NotFound', '', cur);
  };
  switch (o.op) {
    case 'create':
      return same(() => s.create(o.key, o.value), () => {
        const res = m.txn([{ key: o.key, target: 'create', equals: 0 }], [{ type: 'put', key: o.key, value: o.value }]);
        if (!res.succeeded) throw new StoreError('AlreadyExists', '', res.current[0]);
        return res.written[0];
      }, what);
    case 'update': {
      const n = rev(o.key, o.expect);
      return same(() => s.update(o.key, o.value, n), () => {
        if (n <= 0 || m.current.get(o.key)?.modRevision !== n) fail(o.key);
        return m.txn([], [{ type: 'put', key: o.key, value: o.value }]).written[0];
      }, what);
    }
    case 'delete': {
      const n = o.expect && rev(o.key, o.expect);
      return same(() => s.delete(o.key, n), () => {
        const cur = m.current.get(o.key);
        if (!cur || (n !== undefined && cur.modRevision !== n)) fail(o.key);
        m.txn([], [{ type: 'delete', key: o.key }]);
        return { ...cur!, modRevision: m.revision, version: 0 };
      }, what);
    }
    case 'txn': {
      const compares: Compare[] = o.compares.map((c) => ({ key: c.key, target: c.target, equals: c.expect.kind === 'current' ? ((c.target === 'mod' ? m.current.get(c.key)?.modRevision : m.current.get(c.key)?.createRevision) ?? 0) : c.expect.n }));
      const ops: TxnOp[] = o.ops.map((x) => (x.put ? { type: 'put', key: x.key, value: x.value } : { type: 'delete', key: x.key }));
      return same(() => s.txn(compares, ops), () => m.txn(compares, ops), what);
    }
    case 'list': {
      const revision = o.back < 0 ? m.revision + 1 : Math.max(1, m.revision - o.back);
      const startKey = o.startKey?.startsWith(o.prefix) ? o.startKey : undefined;
      return same(() => s.list(o.prefix, { revision, limit: o.limit, startKey }), () => m.list(o.prefix, revision, o.limit, startKey), what);
    }
    case 'compact': {
      const revision = Math.max(1, m.revision - o.back);
      return same(() => s.compact(revision), () => m.compact(revision), what);
    }
  }
}

test('the memory store matches a naive model of etcd over random operation sequences', { timeout: TEST_HANG_GUARD_MS }, async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 40 }), async (ops) => {
      const dir = await mkdtemp(join(tmpdir(), 'drover-model-'));
      const m = new Model();
      let s = await openMemoryStore({ dataDir: dir });
      try {
        for (const o of ops) await step(s, m, o);
        assert.deepEqual(await s.status(), { revision: m.revision, compactRevision: m.compactRevision });
        // A watch from just above the compact revision replays exactly the model's events.
        const from = m.compactRevision + 1;
        const want = m.events.filter((e) => e.kv.modRevision >= from);
        const w = collect(s, '', from);
        await w.c.until(() => w.c.events.length >= want.length);
        for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve)); // let any extra event show
        w.watch.cancel();
        assert.deepEqual(w.c.events.map((e) => ({ type: e.type, kv: e.kv })), want);
        // Reopening from disk gives the same state.
        const before = await s.list('');
        await s.close();
        s = await openMemoryStore({ dataDir: dir });
        assert.deepEqual(await s.list(''), before);
        assert.deepEqual(await s.status(), { revision: m.revision, compactRevision: m.compactRevision });
      } finally {
        await s.close();
        await rm(dir, { recursive: true, force: true });
      }
    }),
    { numRuns: 150 },
  );
});
