import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../apierrors/status.ts';
import { decodeContinue, encodeContinue, parsePaging, parseSelectors } from './list-options.ts';
import { widget, widgetKind } from './test-support.ts';

const status = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return e.code;
    throw e;
  }
  return 0;
};

test('continue tokens round-trip and reject garbage', () => {
  assert.deepEqual(decodeContinue(encodeContinue(42, 'default/w2')), { rv: 42, start: 'default/w2' });
  assert.equal(status(() => decodeContinue('not-a-token')), 400);
  assert.equal(status(() => decodeContinue(encodeContinue(1, '../../nodes/x'))), 400);
});

test('paging options are cross-checked like apiserver', () => {
  const cases: Array<[Record<string, string>, number]> = [
    [{ limit: '5' }, 0],
    [{ limit: 'x' }, 400],
    [{ resourceVersion: 'abc' }, 400],
    [{ resourceVersionMatch: 'Exact' }, 422],
    [{ resourceVersion: '0', resourceVersionMatch: 'Exact' }, 422],
    [{ resourceVersion: '5', resourceVersionMatch: 'Sometimes' }, 422],
    [{ resourceVersion: '5', continue: encodeContinue(3, 'a') }, 422],
    [{ resourceVersion: '5', resourceVersionMatch: 'NotOlderThan' }, 0],
  ];
  for (const [q, want] of cases) assert.equal(status(() => parsePaging(q)), want, JSON.stringify(q));
});

test('selectors combine labels, fields and a name', () => {
  const red = widget('a', { color: 'red' }, { namespace: 'default', labels: { app: 'web' } });
  const blue = widget('b', { color: 'blue' }, { namespace: 'default', labels: { app: 'db' } });
  const f = parseSelectors(widgetKind, { labelSelector: 'app in (web,db)', fieldSelector: 'spec.color!=blue' })!;
  assert.deepEqual([red, blue].filter(f).map((o) => o.metadata.name), ['a']);
  const byName = parseSelectors(widgetKind, {}, 'b')!;
  assert.deepEqual([red, blue].filter(byName).map((o) => o.metadata.name), ['b']);
  assert.equal(parseSelectors(widgetKind, {}), undefined);
  assert.equal(status(() => parseSelectors(widgetKind, { fieldSelector: 'spec.size=1' })), 400);
  assert.equal(status(() => parseSelectors(widgetKind, { labelSelector: 'a in (' })), 400);
});
