import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LimitSelector, selectionLimit } from './select.ts';

test('limits: log2(n) for services (at least 2), 2 for batch, all nodes with affinities/spreads or for system', () => {
  assert.equal(selectionLimit('service', 1, false), 2);
  assert.equal(selectionLimit('service', 1000, false), 10);
  assert.equal(selectionLimit('service', 5000, false), 13);
  assert.equal(selectionLimit('batch', 5000, false), 2);
  assert.equal(selectionLimit('service', 5000, true), Number.POSITIVE_INFINITY);
  assert.equal(selectionLimit('system', 5000, false), Number.POSITIVE_INFINITY);
});

test('the selector stops at the limit and returns the best seen', () => {
  const s = new LimitSelector<{ id: string; normScore: number }>(2);
  assert.equal(s.offer({ id: 'a', normScore: 0.2 }), false);
  assert.equal(s.offer({ id: 'b', normScore: 0.5 }), true);
  assert.equal(s.best()?.id, 'b');
});

test('negative scores are skipped up to maxSkip, and used only when the source runs dry', () => {
  const s = new LimitSelector<{ id: string; normScore: number }>(2, 0, 3);
  s.offer({ id: 'neg1', normScore: -0.5 });
  s.offer({ id: 'pos', normScore: 0.1 });
  s.offer({ id: 'neg2', normScore: -0.1 });
  assert.equal(s.best()?.id, 'pos'); // source ran dry: the skipped fill in, but pos still wins
  const dry = new LimitSelector<{ id: string; normScore: number }>(2, 0, 3);
  dry.offer({ id: 'neg1', normScore: -0.5 });
  dry.offer({ id: 'neg2', normScore: -0.1 });
  assert.equal(dry.best()?.id, 'neg2');
  const many = new LimitSelector<{ id: string; normScore: number }>(2, 0, 1);
  many.offer({ id: 'neg1', normScore: -0.5 });
  assert.equal(many.offer({ id: 'neg2', normScore: -0.1 }), false); // beyond maxSkip: counted
  assert.equal(many.offer({ id: 'pos', normScore: 0.3 }), true);
  assert.equal(many.best()?.id, 'pos');
});
