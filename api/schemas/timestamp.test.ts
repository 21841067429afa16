import { test } from 'node:test';
import assert from 'node:assert/strict';
import { microTime, rfc3339 } from './timestamp.ts';

test('rfc3339 writes whole seconds, truncating', () => {
  const t = Date.UTC(2025, 5, 1, 12, 30, 45, 999);
  assert.equal(rfc3339(t), '2025-06-01T12:30:45Z');
  assert.equal(rfc3339(Date.UTC(2025, 5, 1)), '2025-06-01T00:00:00Z');
  assert.equal(Date.parse(rfc3339(t)), t - 999, 'reads back as the truncated instant');
});

test('microTime keeps the milliseconds as six fractional digits', () => {
  assert.equal(microTime(Date.UTC(2025, 5, 1, 0, 0, 0, 123)), '2025-06-01T00:00:00.123000Z');
  assert.equal(microTime(Date.UTC(2025, 5, 1)), '2025-06-01T00:00:00.000000Z');
});
