import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { test } from 'node:test';
import type { ApiObject } from '../../api/schemas/kind.ts';
import { LineCoalescer, SharedLines, watchLine } from './watch-lines.ts';

const obj = (name: string) => ({ apiVersion: 'drover.dev/v1', kind: 'Widget', metadata: { name, resourceVersion: '7' } }) as ApiObject;

/** A response that records what was written. */
function recorder() {
  const writes: string[] = [];
  const res = { writableEnded: false, writableLength: 0, write: (c: string | Buffer) => writes.push(c.toString()) };
  return { writes, res: res as unknown as ServerResponse };
}

test('SharedLines encodes an object once per event type and shares the bytes', () => {
  const lines = new SharedLines();
  const a = obj('a');
  const first = lines.line('ADDED', a);
  assert.equal(first.toString(), watchLine('ADDED', a));
  assert.equal(lines.line('ADDED', a), first, 'the same Buffer for the next watcher');
  assert.equal(lines.line('DELETED', a).toString(), watchLine('DELETED', a), 'another type is encoded anew');
  assert.equal(lines.line('ADDED', obj('a')).toString(), first.toString(), 'an equal but distinct object encodes the same');
});

test('SharedLines forgets the oldest objects beyond its capacity', () => {
  const lines = new SharedLines(2);
  const [a, b, c] = [obj('a'), obj('b'), obj('c')];
  const la = lines.line('ADDED', a);
  lines.line('ADDED', b);
  lines.line('ADDED', c);
  const again = lines.line('ADDED', a);
  assert.notEqual(again, la, 'a was evicted and encoded again');
  assert.equal(again.toString(), la.toString());
});

test('LineCoalescer writes a line after a quiet spell at once and holds the ones that follow', () => {
  const { writes, res } = recorder();
  const out = new LineCoalescer(res, () => {}, 60_000);
  out.write('one\n');
  assert.deepEqual(writes, ['one\n']);
  out.write('two\n');
  out.write(Buffer.from('three\n'));
  assert.deepEqual(writes, ['one\n'], 'held within the window');
  assert.equal(out.backlog, 'two\n'.length + 'three\n'.length);
  out.flush();
  assert.deepEqual(writes, ['one\n', 'two\nthree\n'], 'held lines leave as one write, in order');
  assert.equal(out.backlog, 0);
  out.discard();
});

test('LineCoalescer reports how many lines each write carried, and discard drops held lines', () => {
  const { writes, res } = recorder();
  const counts: number[] = [];
  const out = new LineCoalescer(res, (n) => counts.push(n), 60_000);
  out.write('a\n');
  out.write('b\n');
  out.write('c\n');
  out.flush();
  out.write('d\n');
  out.discard();
  out.flush();
  assert.deepEqual(counts, [1, 2]);
  assert.deepEqual(writes, ['a\n', 'b\nc\n']);
});

test('LineCoalescer flushes by itself when the window ends', async () => {
  const { writes, res } = recorder();
  const out = new LineCoalescer(res, () => {}, 1);
  out.write('a\n');
  out.write('b\n');
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(writes, ['a\n', 'b\n']);
});
