// RevisionLog: exact answers for what it keeps, conservative (a real, later revision) for what it forgot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RevisionLog } from './revision-log.ts';

test('latestAtOrBelow is exact while nothing is forgotten, and never below the truth', () => {
  fc.assert(
    fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 500 }), { maxLength: 40 }), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 520 }), (revs, keep, max) => {
      const log = new RevisionLog(keep);
      for (const r of revs) log.add(r);
      const truth = Math.max(0, ...revs.filter((r) => r <= max));
      const got = log.latestAtOrBelow(max);
      assert.ok(got === 0 || revs.includes(got), 'an answer is a recorded revision');
      if (revs.length <= keep) assert.equal(got, truth);
      else assert.ok(got >= truth, `forgotten history is summarized conservatively (${got} < ${truth})`);
    }),
  );
});
