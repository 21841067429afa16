import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom, shuffle, fnv1a } from './random.ts';

test('the same seed gives the same sequence; another seed another one', () => {
  const a = seededRandom('eval-1');
  const b = seededRandom('eval-1');
  const c = seededRandom('eval-2');
  const seqA = Array.from({ length: 5 }, () => a.next());
  assert.deepEqual(seqA, Array.from({ length: 5 }, () => b.next()));
  assert.notDeepEqual(seqA, Array.from({ length: 5 }, () => c.next()));
  for (const x of seqA) assert.ok(x >= 0 && x < 1);
});

test('shuffle is a permutation and leaves its input alone', () => {
  const items = Array.from({ length: 50 }, (_, i) => i);
  const out = shuffle(items, seededRandom('x'));
  assert.deepEqual([...out].sort((p, q) => p - q), items);
  assert.notDeepEqual(out, items);
  assert.equal(items[0], 0);
});

test('fnv1a is stable', () => {
  assert.equal(fnv1a(''), 0x811c9dc5);
  assert.equal(fnv1a('a'), 0xe40c292c);
});
