// Go duration strings ("10s", "1h30m", "250ms"), the form every duration field of the job spec takes.

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PART = /([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)/y;

/** Milliseconds in a Go duration string; throws on bad syntax (the schema has already rejected it). */
export function parseDuration(text: string): number {
  if (text === '0') return 0;
  let ms = 0;
  PART.lastIndex = 0;
  let at = 0;
  while (at < text.length) {
    PART.lastIndex = at;
    const m = PART.exec(text);
    if (!m) throw new Error(`invalid duration ${JSON.stringify(text)}`);
    ms += Number(m[1]) * UNIT_MS[m[2]];
    at = PART.lastIndex;
  }
  if (at === 0) throw new Error(`invalid duration ${JSON.stringify(text)}`);
  return ms;
}

/** A duration in milliseconds as a Go duration string ("1h30m", "250ms", "0s"). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let out = '';
  let rest = Math.round(ms);
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  if (rest > 0) out += `${rest}ms`;
  return out;
}
