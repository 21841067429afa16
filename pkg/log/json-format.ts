// JSON lines: `{"time", "level", "msg", ...fields}` — for log collectors, and what `drover dev` writes when piped.
import type { LogRecord } from './logger.ts';

/** One JSON object per record; errors become `{name, message}`. */
export function jsonFormat(r: LogRecord): string {
  return JSON.stringify({ time: r.time.toISOString(), level: r.level, msg: r.msg, ...r.fields }, errorReplacer);
}

function errorReplacer(_key: string, value: unknown): unknown {
  return value instanceof Error ? { name: value.name, message: value.message } : value;
}
