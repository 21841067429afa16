import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evenBoost, targetBoost } from './spread.ts';

const has = (value: string) => ({ found: true, value });
const missing = { found: false, value: '' };

test('even spread boosts unused values and penalizes the most used', () => {
  const counts = new Map([['a', 2], ['b', 1]]);
  assert.equal(evenBoost(has('c'), counts), 1); // unused value
  assert.equal(evenBoost(has('a'), counts), -1); // (1 - 2) / 1
  assert.equal(evenBoost(has('b'), counts), 1); // at the minimum: (2 - 1) / 1
  assert.equal(evenBoost(has('a'), new Map([['a', 2], ['b', 2]])), -1); // perfectly even: no preference
  assert.equal(evenBoost(has('a'), new Map()), 0); // nothing placed yet
  assert.equal(evenBoost(missing, counts), -1);
});

test('targets: boost by the shortfall against the desired share, counting this placement', () => {
  const s = { attribute: '${node.datacenter}', weight: 50, targets: [{ value: 'dc1', percent: 70 }, { value: 'dc2', percent: 20 }] };
  // 10 allocations: dc1 wants 7, dc2 wants 2, the rest ("*") 1.
  assert.ok(Math.abs(targetBoost(s, has('dc1'), new Map(), 10) - 6 / 7) < 1e-9);
  assert.equal(targetBoost(s, has('dc2'), new Map([['dc2', 1]]), 10), 0);
  assert.equal(targetBoost(s, has('dc2'), new Map([['dc2', 3]]), 10), -1);
  assert.equal(targetBoost(s, has('dc9'), new Map(), 10), 0); // the implicit 10%: (1 - 1) / 1
  assert.equal(targetBoost(s, missing, new Map(), 10), -1);
  const exact = { ...s, targets: [{ value: 'dc1', percent: 100 }] };
  assert.equal(targetBoost(exact, has('dc2'), new Map(), 10), -1); // no share left for other values
});
