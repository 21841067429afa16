import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { KeySet } from './keyset.ts';

test('KeySet keeps keys sorted and ranges by prefix across chunk splits and merges', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 5000 })), { minLength: 1, maxLength: 6000 }),
      fc.integer({ min: 0, max: 99 }),
      (ops, p) => {
        const set = new KeySet();
        const model = new Set<string>();
        for (const [add, n] of ops) {
          const key = `/k${n}`;
          if (add) (set.add(key), model.add(key));
          else (set.delete(key), model.delete(key));
        }
        const sorted = [...model].sort();
        assert.equal(set.size, model.size);
        assert.deepEqual([...set.range('')], sorted);
        const prefix = `/k${p}`;
        assert.deepEqual([...set.range(prefix)], sorted.filter((k) => k.startsWith(prefix)));
        const from = sorted[Math.floor(sorted.length / 2)] ?? '/k';
        assert.deepEqual(set.slice('/k', from, 7), sorted.filter((k) => k >= from).slice(0, 7));
      },
    ),
    { numRuns: 40 },
  );
});
