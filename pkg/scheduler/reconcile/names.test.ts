import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NameIndex } from './names.ts';

test('new indexes fill the lowest gaps; claims detect duplicates', () => {
  const n = new NameIndex();
  assert.equal(n.claim(1), true);
  assert.equal(n.claim(3), true);
  assert.equal(n.claim(3), false);
  assert.deepEqual([n.next(), n.next(), n.next()], [0, 2, 4]);
  n.release(1);
  assert.equal(n.next(), 1);
  assert.equal(n.next(), 5);
});
