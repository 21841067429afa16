// The cron language of `periodic.crons`: the five classic fields (minute hour day-of-month month day-of-week) with
// `*`, values, ranges `a-b`, steps `*/n` `a-b/n` `a/n`, lists `a,b`, month and weekday names (JAN-DEC, SUN-SAT;
// 0 and 7 are Sunday), `?` as `*` in the day fields, and the macros @yearly @annually @monthly @weekly @daily
// @midnight @hourly. As in Vixie cron (and Nomad's cronexpr), when both day fields are restricted a day matches
// if either does; a day field that starts with `*` or `?` counts as unrestricted. It lives beside the schemas
// because admission validates expressions with it and the periodic controller schedules with it: one language.
//
// Times are wall-clock times in an IANA time zone. A wall time that does not exist (skipped by a DST change) does
// not fire; one that occurs twice (clocks set back) fires once, at its first occurrence.

/** A parsed cron expression: the allowed values of each field. */
export interface CronSchedule {
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly daysOfMonth: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  /** 0 (Sunday) to 6. */
  readonly daysOfWeek: ReadonlySet<number>;
  /** Whether the day-of-month / day-of-week field was unrestricted (`*` or `?`). */
  readonly domStar: boolean;
  readonly dowStar: boolean;
}

/** A cron expression that does not parse; `message` says which field and why. */
export class CronSyntaxError extends Error {}

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface FieldDef {
  name: string;
  min: number;
  max: number;
  names?: string[];
  /** The first name's value (1 for months, 0 for days). */
  namesFrom?: number;
  /** Where `*` and `a/n` end when it is not `max` (day of week: 7 is only another name for Sunday). */
  openMax?: number;
}

const FIELDS: FieldDef[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTH_NAMES, namesFrom: 1 },
  { name: 'day of week', min: 0, max: 7, names: DAY_NAMES, namesFrom: 0, openMax: 6 },
];

/** Days in each month in a leap year: whether a day-of-month/month pair can ever happen. */
const MAX_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Parse `expr`; throws CronSyntaxError naming the field at fault. */
export function parseCron(expr: string): CronSchedule {
  const text = expr.trim();
  const expanded = text.startsWith('@') ? MACROS[text.toLowerCase()] : text;
  if (expanded === undefined) throw new CronSyntaxError(`unknown macro ${JSON.stringify(text)} (known: ${Object.keys(MACROS).join(', ')})`);
  const parts = expanded.split(/\s+/);
  if (parts.length !== 5) throw new CronSyntaxError(`expected 5 fields (minute hour day-of-month month day-of-week), got ${parts.length}`);
  const sets = parts.map((p, i) => parseField(p, FIELDS[i]!, i >= 2 && i !== 3));
  const dow = new Set([...sets[4]!].map((d) => d % 7));
  const schedule: CronSchedule = {
    minutes: sets[0]!, hours: sets[1]!, daysOfMonth: sets[2]!, months: sets[3]!, daysOfWeek: dow,
    domStar: /^[*?]/.test(parts[2]!), dowStar: /^[*?]/.test(parts[4]!),
  };
  // Only the day-of-month field can make an expression impossible (30 February); with a weekday too, either may match.
  if (!schedule.domStar && schedule.dowStar && ![...schedule.months].some((m) => [...schedule.daysOfMonth].some((d) => d <= MAX_DAYS[m - 1]!))) {
    throw new CronSyntaxError('day of month: no month of the expression has any of its days, so it never fires');
  }
  return schedule;
}

/** The values one field allows. `question` lets `?` stand for `*` (the day fields). */
function parseField(text: string, def: FieldDef, question: boolean): Set<number> {
  const out = new Set<number>();
  for (const item of text.split(',')) {
    if (item === '') throw new CronSyntaxError(`${def.name}: empty list item in ${JSON.stringify(text)}`);
    const [range, stepText, extra] = item.split('/');
    if (extra !== undefined) throw new CronSyntaxError(`${def.name}: more than one "/" in ${JSON.stringify(item)}`);
    const step = stepText === undefined ? 1 : number(stepText, def, 'step');
    if (step < 1) throw new CronSyntaxError(`${def.name}: step must be at least 1 in ${JSON.stringify(item)}`);
    let lo: number;
    let hi: number;
    if (range === '*' || (question && range === '?')) {
      [lo, hi] = [def.min, def.openMax ?? def.max];
    } else if (range!.includes('-')) {
      const [a, b, more] = range!.split('-');
      if (more !== undefined) throw new CronSyntaxError(`${def.name}: bad range ${JSON.stringify(range)}`);
      [lo, hi] = [value(a!, def), value(b!, def)];
      if (lo > hi) throw new CronSyntaxError(`${def.name}: range ${JSON.stringify(range)} runs backwards`);
    } else {
      lo = value(range!, def);
      // `a/n` means from a to the end of the field, stepping n (Vixie cron).
      hi = stepText === undefined ? lo : Math.max(lo, def.openMax ?? def.max);
    }
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

/** One value of a field: a number in range or (months, weekdays) a three-letter name. */
function value(text: string, def: FieldDef): number {
  const upper = text.toUpperCase();
  const named = def.names?.indexOf(upper) ?? -1;
  if (named >= 0) return named + def.namesFrom!;
  const n = number(text, def, 'value');
  if (n < def.min || n > def.max) throw new CronSyntaxError(`${def.name}: ${n} is out of range ${def.min}-${def.max}`);
  return n;
}

function number(text: string, def: FieldDef, what: string): number {
  if (!/^\d+$/.test(text)) throw new CronSyntaxError(`${def.name}: bad ${what} ${JSON.stringify(text)}`);
  return Number(text);
}

/** Whether `zone` is an IANA time zone this runtime knows. */
export function isTimeZone(zone: string): boolean {
  try {
    formatterOf(zone);
    return true;
  } catch {
    return false;
  }
}

/** Wall-clock fields of an instant in a zone. */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  /** 0 (Sunday) to 6. */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' });
    formatters.set(zone, f);
  }
  return f;
}

/** The wall-clock time of `ms` in `zone`. */
export function wallTime(ms: number, zone: string): WallTime {
  const parts: Record<string, number> = {};
  for (const p of formatterOf(zone).formatToParts(ms)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const { year, month, day, hour, minute } = parts as Record<'year' | 'month' | 'day' | 'hour' | 'minute', number>;
  return { year, month, day, hour, minute, weekday: new Date(Date.UTC(year, month - 1, day)).getUTCDay() };
}

const MINUTE = 60_000;
/** How far ahead a match is looked for: past the longest gap between two 29 Februaries (2096 → 2104). */
const HORIZON_MS = 9 * 366 * 24 * 60 * MINUTE;

/** Whether the schedule fires on the day of `w` (the Vixie rule for two restricted day fields). */
function dayMatches(s: CronSchedule, w: WallTime): boolean {
  if (!s.months.has(w.month)) return false;
  const dom = s.daysOfMonth.has(w.day);
  const dow = s.daysOfWeek.has(w.weekday);
  if (s.domStar && s.dowStar) return true;
  if (s.domStar) return dow;
  if (s.dowStar) return dom;
  return dom || dow;
}

const sameWall = (a: WallTime, b: WallTime) => a.year === b.year && a.month === b.month && a.day === b.day && a.hour === b.hour && a.minute === b.minute;

/** The first instant strictly after `after` (ms) at which the schedule fires in `zone`, or undefined if none is near. */
export function nextFire(s: CronSchedule, after: number, zone = 'UTC'): number | undefined {
  let t = Math.floor(after / MINUTE) * MINUTE + MINUTE;
  const end = after + HORIZON_MS;
  while (t <= end) {
    const w = wallTime(t, zone);
    if (!dayMatches(s, w)) {
      // Jump to 22:00 local (or the next hour after it). A DST change moves real time by at most an hour,
      // so this never lands past the next local midnight.
      t += (w.hour < 22 ? (22 - w.hour) * 60 - w.minute : 60 - w.minute) * MINUTE;
    } else if (!s.hours.has(w.hour)) {
      t += (60 - w.minute) * MINUTE;
    } else if (!s.minutes.has(w.minute)) {
      let m = w.minute + 1;
      while (m < 60 && !s.minutes.has(m)) m++;
      t += (m - w.minute) * MINUTE;
    } else if (sameWall(wallTime(t - 60 * MINUTE, zone), w) || sameWall(wallTime(t - 30 * MINUTE, zone), w)) {
      t += MINUTE; // the second occurrence of a wall time after clocks were set back: it fired at the first
    } else {
      return t;
    }
  }
  return undefined;
}

/** The earliest next firing of any of `schedules` after `after`. */
export function nextFireOfAny(schedules: readonly CronSchedule[], after: number, zone = 'UTC'): number | undefined {
  let best: number | undefined;
  for (const s of schedules) {
    const t = nextFire(s, after, zone);
    if (t !== undefined && (best === undefined || t < best)) best = t;
  }
  return best;
}
