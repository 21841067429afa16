// The dashboard's DOM-free logic, run in Node: which rows a virtual list draws, the log filter, the version diff
// and how the watch mux's lines change the page's copy of the cluster. Oracles are written here, independently.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { Collections, type MuxLine, type Obj } from './ui/collections.ts';
import { highlight, lineFilter } from './ui/log-filter.ts';
import { specDiff } from './ui/spec-diff.ts';
import { visibleRange } from './ui/visible-range.ts';

test('visibleRange draws every row that intersects the box, stays in bounds, and draws a bounded number', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 20_000 }), fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 2000 }), fc.double({ min: 0, max: 1, noNaN: true }), (count, rowHeight, height, frac) => {
    const scrollTop = Math.floor(frac * Math.max(0, count * rowHeight - height));
    const [first, end] = visibleRange(count, rowHeight, height, scrollTop);
    assert.ok(0 <= first && first <= end && end <= count, `[${first}, ${end}) of ${count}`);
    // Oracle: row i is visible when its span [i·h, (i+1)·h) meets the box [top, top + height).
    const lo = Math.floor(scrollTop / rowHeight);
    const hi = Math.min(count, Math.ceil((scrollTop + height) / rowHeight));
    for (const i of [lo, hi - 1]) if (i >= 0 && i < count) assert.ok(first <= i && i < end, `row ${i} not drawn in [${first}, ${end})`);
    assert.ok(end - first <= Math.ceil(height / rowHeight) + 1 + 16, `${end - first} rows drawn for a ${height}px box of ${rowHeight}px rows`);
  }));
});

test('lineFilter: substrings case-insensitively, /regex/ as a regular expression, an invalid one matches nothing', () => {
  const lines = ['line 1 odd', 'line 2 even', 'LINE 10 EVEN', 'other'];
  const cases: Array<[string, string[] | 'all']> = [
    ['', 'all'],
    ['even', ['line 2 even', 'LINE 10 EVEN']],
    ['/^line \\d+ odd$/', ['line 1 odd']],
    ['/1[0-9]/', ['LINE 10 EVEN']],
    ['/[/', []],
    ['/', []],
  ];
  for (const [text, want] of cases) {
    const keep = lineFilter(text);
    assert.deepEqual(keep ? lines.filter(keep) : 'all', want, text);
  }
});

test('highlight cuts a line into pieces that join back to it, the marked ones being the filter\'s matches', () => {
  fc.assert(fc.property(fc.string({ maxLength: 40 }), fc.string({ minLength: 1, maxLength: 4 }), (line, needle) => {
    const pieces = highlight(line, needle);
    assert.equal(pieces.map(([t]) => t).join(''), line);
    for (const [t, hit] of pieces) if (hit) assert.equal(t.toLowerCase(), needle.toLowerCase());
    // Oracle: a line the substring filter keeps has a marked piece, and one it drops has none.
    assert.equal(pieces.some(([, hit]) => hit), line.toLowerCase().includes(needle.toLowerCase()) && !/^\/.+\/$/.test(needle));
  }));
  assert.deepEqual(highlight('line 15 odd', '/\\d+/'), [['line ', false], ['15', true], [' odd', false]]);
  assert.deepEqual(highlight('a.b', '.'), [['a', false], ['.', true], ['b', false]]);
  assert.deepEqual(highlight('abc', '/[/'), [['abc', false]]);
});

test('specDiff is empty exactly when the two JSON values are equal, and names each changed leaf once', () => {
  const json = fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown);
  fc.assert(fc.property(json, json, (a, b) => {
    const d = specDiff(a, b);
    assert.equal(d.length === 0, isDeepStrictEqual(a, b));
    assert.equal(new Set(d.map((c) => c.path)).size, d.length);
    assert.deepEqual(specDiff(a, a), []);
  }));
  assert.deepEqual(specDiff({ groups: [{ name: 'web', count: 1, env: { V: '1' } }] }, { groups: [{ name: 'web', count: 2, env: {} }] }), [
    { path: 'groups[0].count', old: '1', new: '2' },
    { path: 'groups[0].env', new: '{}' },
    { path: 'groups[0].env.V', old: '"1"', new: undefined },
  ]);
});

const obj = (name: string, rv: number, namespace = 'default'): Obj => ({ metadata: { name, namespace, resourceVersion: String(rv) } });

test('Collections: the kept objects are the last event per object, resumption is the last resourceVersion of each kind, a 410 relists', () => {
  const event = fc.record({ kind: fc.constantFrom('jobs' as const, 'nodes' as const), type: fc.constantFrom('ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK'), name: fc.constantFrom('a', 'b', 'c') });
  fc.assert(fc.property(fc.array(event, { maxLength: 60 }), (events) => {
    const c = new Collections();
    const model = new Map<string, Map<string, number>>([['jobs', new Map()], ['nodes', new Map()]]);
    const lastRv = new Map<string, number>();
    events.forEach((e, i) => {
      const rv = i + 1;
      const o = obj(e.name, rv);
      c.apply({ kind: e.kind, event: { type: e.type, object: e.type === 'BOOKMARK' ? { metadata: { name: '', resourceVersion: String(rv) } } : o } });
      lastRv.set(e.kind, rv);
      if (e.type === 'ADDED' || e.type === 'MODIFIED') model.get(e.kind)!.set(e.name, rv);
      if (e.type === 'DELETED') model.get(e.kind)!.delete(e.name);
    });
    for (const kind of ['jobs', 'nodes'] as const) {
      const kept = new Map([...c.items.get(kind)!].map(([k, v]) => [k, Number(v.metadata.resourceVersion)]));
      assert.deepEqual(kept, new Map([...model.get(kind)!].map(([n, rv]) => [`default/${n}`, rv])));
      assert.equal(c.query().get(`rv.${kind}`), lastRv.has(kind) ? String(lastRv.get(kind)) : null);
    }
  }));
  const c = new Collections();
  c.apply({ kind: 'nodes', event: { type: 'ADDED', object: { metadata: { name: 'n1', resourceVersion: '5' } } } });
  assert.ok(c.items.get('nodes')!.has('n1'), 'cluster-scoped objects are keyed by name');
  c.apply({ kind: 'nodes', event: { type: 'ERROR', object: { metadata: { name: '' }, code: 410 } as Obj } });
  assert.equal(c.items.get('nodes')!.size, 0);
  assert.equal(c.query().get('rv.nodes'), null);
  assert.deepEqual(c.query().getAll('kind'), ['jobs', 'jobversions', 'allocations', 'nodes', 'evaluations', 'deployments', 'events']);
  const refused: MuxLine = { kind: 'events', error: { message: 'events is forbidden', code: 403 } };
  assert.equal(c.apply(refused), true);
  assert.equal(c.errors.get('events'), 'events is forbidden');
  assert.equal(c.apply({ kind: 'leases' as never, event: { type: 'ADDED', object: obj('x', 1) } }), false);
});
