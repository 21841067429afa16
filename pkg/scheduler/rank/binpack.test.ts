import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scoreFitBinPack, scoreFitSpread, normalizedFit, MAX_FIT_SCORE } from './binpack.ts';

const cap = { cpu: 4000, memoryMB: 8000, diskMB: 1000 };

test('BestFit v3: bin-pack scores 18 on a full node and 0 on an empty one; spread the reverse', () => {
  const full = { cpu: 4000, memoryMB: 8000, diskMB: 0 };
  const empty = { cpu: 0, memoryMB: 0, diskMB: 0 };
  assert.equal(scoreFitBinPack(cap, full), MAX_FIT_SCORE);
  assert.equal(scoreFitBinPack(cap, empty), 0);
  assert.equal(scoreFitSpread(cap, full), 0);
  assert.equal(scoreFitSpread(cap, empty), MAX_FIT_SCORE);
});

test('BestFit v3 at half utilization: 20 - 2·10^0.5', () => {
  const half = { cpu: 2000, memoryMB: 4000, diskMB: 0 };
  assert.ok(Math.abs(scoreFitBinPack(cap, half) - (20 - 2 * Math.sqrt(10))) < 1e-9);
  assert.ok(Math.abs(normalizedFit('binpack', cap, half) + normalizedFit('spread', cap, half) - 1) < 1e-9);
});

test('bin-pack prefers the fuller node, spread the emptier one', () => {
  const busy = { cpu: 3000, memoryMB: 6000, diskMB: 0 };
  const idle = { cpu: 500, memoryMB: 1000, diskMB: 0 };
  assert.ok(normalizedFit('binpack', cap, busy) > normalizedFit('binpack', cap, idle));
  assert.ok(normalizedFit('spread', cap, busy) < normalizedFit('spread', cap, idle));
});

test('a node without a dimension never scores as if it had room', () => {
  assert.equal(scoreFitSpread({ cpu: 0, memoryMB: 0, diskMB: 0 }, { cpu: 0, memoryMB: 0, diskMB: 0 }), 0);
});
