// The work estimate: one seat per request, a LIST one per 100 objects it may return (limit counts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestWidth } from './work-estimate.ts';

test('lists are as wide as what they may return, at least one seat; everything else takes one', () => {
  assert.equal(requestWidth({ verb: 'list' }, 0), 1);
  assert.equal(requestWidth({ verb: 'list' }, 100), 1);
  assert.equal(requestWidth({ verb: 'list' }, 101), 2);
  assert.equal(requestWidth({ verb: 'list' }, 2800), 28, 'the level caps it at its seats (fair-queue.ts)');
  assert.equal(requestWidth({ verb: 'list' }, 2800, 250), 3, 'a paged list pays for its page');
  assert.equal(requestWidth({ verb: 'watch' }, 2800), 1);
  assert.equal(requestWidth({ verb: 'update' }, 2800), 1);
});
