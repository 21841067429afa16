import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SortedIndex, keyAfter, prefixEnd } from './sorted-index.ts';

type Entry = { key: string; v: number };

test('sorted index matches a sorted-array model under random upserts and removes', () => {
  const op = fc.oneof(
    fc.record({ kind: fc.constant('put' as const), key: fc.integer({ min: 0, max: 3000 }), v: fc.integer() }),
    fc.record({ kind: fc.constant('del' as const), key: fc.integer({ min: 0, max: 3000 }), v: fc.constant(0) }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 3000 }), fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 3000 }), (ops, a, b) => {
      const idx = new SortedIndex<Entry>();
      const model = new Map<string, number>();
      const k = (n: number) => `/k/${String(n).padStart(4, '0')}`;
      for (const o of ops) {
        if (o.kind === 'put') {
          idx.upsert({ key: k(o.key), v: o.v });
          model.set(k(o.key), o.v);
        } else {
          const had = model.delete(k(o.key));
          assert.equal(idx.remove(k(o.key)) !== undefined, had);
        }
      }
      const sorted = [...model.entries()].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
      assert.deepEqual(
        idx.toArray().map((e) => [e.key, e.v]),
        sorted,
      );
      assert.equal(idx.size, sorted.length);
      const [lo, hi] = [k(Math.min(a, b)), k(Math.max(a, b))];
      const inRange = sorted.filter(([key]) => key >= lo && key < hi);
      assert.equal(idx.countRange(lo, hi), inRange.length);
      const walked: string[] = [];
      idx.walk(lo, (e) => e.key < hi && walked.push(e.key) > 0);
      assert.deepEqual(walked, inRange.map(([key]) => key));
      assert.equal(idx.get(k(a))?.v, model.get(k(a)));
    }),
    { numRuns: 60 },
  );
});

test('sequential loads pack chunks and stay ordered', () => {
  const idx = new SortedIndex<Entry>();
  for (let i = 0; i < 5000; i++) idx.upsert({ key: `/a/${String(i).padStart(5, '0')}`, v: i });
  assert.equal(idx.size, 5000);
  assert.equal(idx.rank('/a/02500'), 2500);
  let n = 0;
  idx.walk('/a/04990', () => ++n > 0);
  assert.equal(n, 10);
});

test('prefix range helpers', () => {
  assert.equal(prefixEnd('/r/jobs/'), '/r/jobs0');
  assert.ok('/r/jobs/zzz' < prefixEnd('/r/jobs/'));
  assert.ok(keyAfter('/a') > '/a' && keyAfter('/a') < '/a0');
});
