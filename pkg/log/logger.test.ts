import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, jsonLogger, type LogRecord } from './logger.ts';
import { formatValue, textFormat } from './text-format.ts';

const at = new Date('2026-12-03T11:35:37.514Z');

test('json lines: time, level, msg, then the child fields and the call fields; errors as name and message', () => {
  const lines: string[] = [];
  const log = jsonLogger({ level: 'debug', out: (l) => lines.push(l), now: () => at }).child({ component: 'store' });
  log.warn('compaction failed', { err: new TypeError('boom'), revision: 7 });
  assert.deepEqual(JSON.parse(lines[0]!), { time: '2026-12-03T11:35:37.514Z', level: 'warn', msg: 'compaction failed', component: 'store', err: { name: 'TypeError', message: 'boom' }, revision: 7 });
});

test('the level is a floor: below it nothing is formatted or written', () => {
  const lines: string[] = [];
  let formatted = 0;
  const log = createLogger({ level: 'warn', out: (l) => lines.push(l), format: (r) => (formatted++, r.msg) });
  log.debug('d');
  log.info('i');
  log.warn('w');
  log.error('e');
  assert.deepEqual(lines, ['w', 'e']);
  assert.equal(formatted, 2);
});

test('text lines: Nomad-like `time [LEVEL] component: msg: key=value`, no colour codes without colour', () => {
  const rec: LogRecord = { time: at, level: 'info', msg: 'memory store opened', fields: { component: 'memory-store', dataDir: '/tmp/d', revision: 1 } };
  assert.equal(textFormat({ colour: false })(rec), '2026-12-03T11:35:37.514Z [INFO]  memory-store: memory store opened: dataDir=/tmp/d revision=1');
  assert.equal(textFormat({ colour: false })({ ...rec, level: 'error', fields: {} }), '2026-12-03T11:35:37.514Z [ERROR] memory store opened');
});

test('text lines with colour: the level coloured, the component bold, keys dim; the same text once the codes are removed', () => {
  const rec: LogRecord = { time: at, level: 'warn', msg: 'slow', fields: { component: 'apiserver', ms: 12 } };
  const coloured = textFormat({ colour: true })(rec);
  assert.match(coloured, /\x1b\[33m\[WARN\] \x1b\[0m/);
  assert.match(coloured, /\x1b\[1mapiserver\x1b\[0m/);
  assert.equal(coloured.replace(/\x1b\[\d+m/g, ''), textFormat({ colour: false })(rec));
});

test('text values: plain words bare; spaces, quotes, =, control characters and empty strings quoted; objects as JSON; undefined left out', () => {
  const cases: Array<[unknown, string]> = [
    ['GET', 'GET'],
    ['/apis/drover.dev/v1/namespaces/default/jobs?limit=500', '"/apis/drover.dev/v1/namespaces/default/jobs?limit=500"'],
    ['drover dev/components', '"drover dev/components"'],
    ['say "hi"', '"say \\"hi\\""'],
    ['a\nb', '"a\\nb"'],
    ['', '""'],
    [3.5, '3.5'],
    [true, 'true'],
    [null, 'null'],
    [{ a: [1, 'x'] }, '{"a":[1,"x"]}'],
    [new Error('lost lease'), '"lost lease"'],
  ];
  for (const [v, want] of cases) assert.equal(formatValue(v), want, String(v));
  const line = textFormat({ colour: false })({ time: at, level: 'debug', msg: 'm', fields: { a: undefined, b: 1 } });
  assert.ok(line.endsWith('m: b=1'), line);
});
