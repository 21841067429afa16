import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CronSyntaxError, isTimeZone, nextFire, nextFireOfAny, parseCron } from './cron.ts';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString().replace('.000Z', 'Z'));

test('next firing of a table of expressions (UTC)', () => {
  const cases: Array<[expr: string, after: string, next: string]> = [
    ['* * * * *', '2030-01-01T00:00:00Z', '2030-01-01T00:01:00Z'],
    ['* * * * *', '2030-01-01T00:00:30Z', '2030-01-01T00:01:00Z'],
    ['*/15 * * * *', '2030-01-01T00:01:00Z', '2030-01-01T00:15:00Z'],
    ['5,35 3-4 * * *', '2030-01-01T03:35:00Z', '2030-01-01T04:05:00Z'],
    ['0 0 1 1 *', '2030-01-01T00:00:00Z', '2031-01-01T00:00:00Z'],
    ['@yearly', '2030-06-01T00:00:00Z', '2031-01-01T00:00:00Z'],
    ['@monthly', '2030-01-31T12:00:00Z', '2030-02-01T00:00:00Z'],
    ['@weekly', '2030-01-01T00:00:00Z', '2030-01-06T00:00:00Z'], // 2030-01-01 is a Tuesday
    ['@daily', '2030-01-01T00:00:00Z', '2030-01-02T00:00:00Z'],
    ['@hourly', '2030-01-01T00:59:59Z', '2030-01-01T01:00:00Z'],
    ['0 12 * * MON-FRI', '2030-01-04T12:00:00Z', '2030-01-07T12:00:00Z'], // Friday → Monday
    ['0 12 * * 7', '2030-01-01T00:00:00Z', '2030-01-06T12:00:00Z'], // 7 is Sunday
    ['0 0 * JUN,dec *', '2030-01-01T00:00:00Z', '2030-06-01T00:00:00Z'],
    ['0 0 29 2 *', '2030-01-01T00:00:00Z', '2032-02-29T00:00:00Z'],
    ['0 0 13 * 5', '2030-01-01T00:00:00Z', '2030-01-04T00:00:00Z'], // both day fields: the 13th OR a Friday
    ['0 0 ? * 5', '2030-01-01T00:00:00Z', '2030-01-04T00:00:00Z'],
    ['10/20 * * * *', '2030-01-01T00:31:00Z', '2030-01-01T00:50:00Z'],
    ['0-10/5 * * * *', '2030-01-01T00:06:00Z', '2030-01-01T00:10:00Z'],
  ];
  for (const [expr, after, next] of cases) assert.equal(iso(nextFire(parseCron(expr), at(after))), next, `${expr} after ${after}`);
});

test('time zones, and the two DST changes: a skipped wall time never fires, a repeated one fires once', () => {
  const s = parseCron('30 2 * * *');
  // 2030-03-10: New York springs forward 02:00 → 03:00, so 02:30 does not exist that day.
  assert.equal(iso(nextFire(s, at('2030-03-09T08:00:00Z'), 'America/New_York')), '2030-03-11T06:30:00Z');
  assert.equal(iso(nextFire(s, at('2030-03-08T08:00:00Z'), 'America/New_York')), '2030-03-09T07:30:00Z');
  const early = parseCron('30 1 * * *');
  // 2030-11-03: clocks go back 02:00 EDT → 01:00 EST, so 01:30 happens at 05:30Z and again at 06:30Z.
  assert.equal(iso(nextFire(early, at('2030-11-03T04:00:00Z'), 'America/New_York')), '2030-11-03T05:30:00Z');
  assert.equal(iso(nextFire(early, at('2030-11-03T05:30:00Z'), 'America/New_York')), '2030-11-04T06:30:00Z');
  assert.equal(iso(nextFire(parseCron('0 9 * * *'), at('2030-01-01T00:00:00Z'), 'Asia/Kathmandu')), '2030-01-01T03:15:00Z');
  assert.equal(isTimeZone('Europe/Paris'), true);
  assert.equal(isTimeZone('Mars/Olympus'), false);
});

test('the earliest of several schedules wins', () => {
  const schedules = ['0 3 * * *', '30 1 * * *'].map(parseCron);
  assert.equal(iso(nextFireOfAny(schedules, at('2030-01-01T00:00:00Z'))), '2030-01-01T01:30:00Z');
  assert.equal(iso(nextFireOfAny(schedules, at('2030-01-01T01:30:00Z'))), '2030-01-01T03:00:00Z');
});

test('bad expressions are refused, naming the field', () => {
  const cases: Array<[string, RegExp]> = [
    ['* * * *', /expected 5 fields/],
    ['* * * * * *', /expected 5 fields/],
    ['60 * * * *', /minute: 60 is out of range 0-59/],
    ['* 24 * * *', /hour: 24 is out of range/],
    ['* * 0 * *', /day of month: 0 is out of range/],
    ['* * * 13 *', /month: 13 is out of range/],
    ['* * * * 8', /day of week: 8 is out of range/],
    ['*/0 * * * *', /minute: step must be at least 1/],
    ['5-1 * * * *', /minute: range "5-1" runs backwards/],
    ['1,,2 * * * *', /minute: empty list item/],
    ['a * * * *', /minute: bad value "a"/],
    ['? * * * *', /minute: bad value "\?"/],
    ['* * * FOO *', /month: bad value "FOO"/],
    ['* * L * *', /day of month: bad value "L"/],
    ['0 0 30 2 *', /never fires/],
    ['@reboot', /unknown macro/],
  ];
  for (const [expr, re] of cases) assert.throws(() => parseCron(expr), (e: unknown) => e instanceof CronSyntaxError && re.test(e.message), expr);
});

// The oracle: an expression is generated from explicit value sets and rendered to text; the firing is found by
// scanning minute by minute and testing the sets directly, never through the parser under test.
const subset = (min: number, max: number) => fc.uniqueArray(fc.integer({ min, max }), { minLength: 1, maxLength: 4 }).map((a) => a.sort((x, y) => x - y));
// `end` is where `a/n` stops in cron (31 for days of the month even though values are drawn from 1-28).
const field = (min: number, max: number, end = max) =>
  fc.oneof(
    fc.constant({ text: '*', values: undefined as number[] | undefined }),
    subset(min, max).map((v) => ({ text: v.join(','), values: v })),
    fc.tuple(fc.integer({ min, max }), fc.integer({ min: 1, max: 7 })).map(([lo, step]) => {
      const values: number[] = [];
      for (let v = lo; v <= end; v += step) values.push(v);
      return { text: `${lo}/${step}`, values };
    }),
  );

test('property: nextFire is the first matching minute after the instant (UTC), against a minute-scan oracle', () => {
  fc.assert(
    fc.property(field(0, 59), field(0, 23), field(1, 28, 31), field(0, 6), fc.integer({ min: 0, max: 365 * 24 * 60 }), (mi, hr, dom, dow, offset) => {
      const expr = `${mi.text} ${hr.text} ${dom.text} * ${dow.text}`;
      const after = at('2030-01-01T00:00:00Z') + offset * 60_000 + 17_000;
      const ok = (set: number[] | undefined, v: number) => set === undefined || set.includes(v);
      const dayOk = (d: Date) =>
        dom.values && dow.values ? ok(dom.values, d.getUTCDate()) || ok(dow.values, d.getUTCDay()) : ok(dom.values, d.getUTCDate()) && ok(dow.values, d.getUTCDay());
      let expected: number | undefined;
      for (let t = Math.ceil(after / 60_000) * 60_000; t < after + 62 * 86_400_000; t += 60_000) {
        const d = new Date(t);
        if (dayOk(d) && ok(hr.values, d.getUTCHours()) && ok(mi.values, d.getUTCMinutes())) {
          expected = t;
          break;
        }
      }
      assert.equal(iso(nextFire(parseCron(expr), after)), iso(expected), expr);
    }),
    { numRuns: 150 },
  );
});

test('property: in a zone with DST, firings are exactly the first occurrences of matching wall times', () => {
  const fmt = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hourCycle: 'h23', hour: '2-digit', minute: '2-digit', day: '2-digit', month: '2-digit' });
  const wall = (t: number) => fmt.format(t);
  fc.assert(
    fc.property(subset(0, 59), subset(0, 23), fc.constantFrom('2030-03-30T22:00:00Z', '2030-10-26T22:00:00Z'), (mins, hours, day) => {
      const s = parseCron(`${mins.join(',')} ${hours.join(',')} * * *`);
      const start = at(day);
      // Oracle: scan two days by minute; a minute fires when its wall hour:minute is in the sets and that wall
      // time was not already seen (clocks set back).
      const seen = new Set<string>();
      const expected: number[] = [];
      for (let t = start + 60_000; t <= start + 2 * 86_400_000; t += 60_000) {
        const w = wall(t);
        const [, hm] = w.split(', ');
        const [h, m] = hm!.split(':').map(Number);
        if (hours.includes(h!) && mins.includes(m!) && !seen.has(w)) expected.push(t);
        seen.add(w);
      }
      const got: number[] = [];
      for (let t = nextFire(s, start, 'Europe/Berlin'); t !== undefined && t <= start + 2 * 86_400_000; t = nextFire(s, t, 'Europe/Berlin')) got.push(t);
      assert.deepEqual(got.map(iso), expected.map(iso));
    }),
    { numRuns: 40 },
  );
});
