// Event resourceVersions: positions inside a revision order like the events, lie between the revisions, and map
// back to their revision for preconditions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { eventRv, eventRvs, isInsideRevision, isResourceVersion, revisionOf, sameObjectVersion } from './event-rv.ts';

// Exact as numbers while revision × 10^digits stays below 2^53 (see event-rv.ts).
test('positions of a revision increase, lie strictly between the revisions, and the last is the revision', () => {
  fc.assert(
    fc.property(fc.integer({ min: 2, max: 2 ** 32 }), fc.integer({ min: 1, max: 5000 }), (rev, n) => {
      const rvs = Array.from({ length: n }, (_, j) => eventRv(rev, j, n));
      assert.equal(rvs[n - 1], String(rev));
      const nums = rvs.map(Number);
      for (let j = 1; j < n; j++) assert.ok(nums[j - 1] < nums[j], `${rvs[j - 1]} < ${rvs[j]}`);
      for (let j = 0; j < n - 1; j++) {
        assert.ok(nums[j] > rev - 1 && nums[j] < rev && isInsideRevision(nums[j]));
        assert.equal(revisionOf(rvs[j]), rev);
        assert.ok(isResourceVersion(rvs[j]));
      }
    }),
  );
});

test('a batch is numbered per revision, in order, across revisions', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 20 }), (sizes) => {
      let rev = 10;
      const batch = sizes.flatMap((n) => (rev += 1 + (n % 2), Array.from({ length: n }, () => ({ rev }))));
      const nums = eventRvs(batch).map(Number);
      for (let i = 1; i < nums.length; i++) assert.ok(nums[i - 1] < nums[i]);
      nums.forEach((x, i) => assert.equal(Math.ceil(x), batch[i].rev));
    }),
  );
  assert.deepEqual(eventRvs([{ rev: 49 }, { rev: 49 }, { rev: 49 }, { rev: 50 }]), ['48.1', '48.2', '49', '50']);
  assert.deepEqual(eventRv(49, 0, 12), '48.01');
});

test('a precondition names the revision of the object version', () => {
  assert.ok(sameObjectVersion('48.1', '49'));
  assert.ok(sameObjectVersion('49', '49'));
  assert.ok(!sameObjectVersion('48', '49'));
  assert.ok(!sameObjectVersion('49.1', '49'));
  assert.ok(!sameObjectVersion('x', '49'));
  assert.ok(!sameObjectVersion('49', undefined));
  assert.ok(!isResourceVersion('1e3') && !isResourceVersion('-1') && !isResourceVersion('4.') && !isResourceVersion(''));
});
