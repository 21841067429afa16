// Go duration strings ("10s", "1h30m", "250ms") as the job spec writes them, in milliseconds. The syntax lives in
// api/schemas/duration.ts; the scheduler reads possibly-absent fields, so it takes a fallback instead of throwing.
import { formatDuration, parseDuration as parseStrict } from '../../api/schemas/duration.ts';

export { formatDuration };

/** Parses a Go duration to milliseconds; a number is taken as milliseconds; undefined or invalid → fallback. */
export function parseDuration(value: unknown, fallbackMs: number): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value !== 'string' || value === '') return fallbackMs;
  try {
    return parseStrict(value);
  } catch {
    return fallbackMs;
  }
}
