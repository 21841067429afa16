// Text lines for a person at a terminal, in the shape of Nomad's (hclog) output:
//   2026-12-03T11:35:37.514Z [INFO]  memory-store: memory store opened: dataDir=/x/dev revision=1
// The `component` field names the source; other fields follow as key=value, values quoted when they hold
// spaces, quotes or `=` (so a line stays splittable). With colour, the level is coloured and keys are dim.
import type { Level, LogFormat, LogRecord } from './logger.ts';

const LEVEL_COLOUR: Record<Level, string> = { debug: '90', info: '32', warn: '33', error: '31' };
const LEVEL_LABEL: Record<Level, string> = { debug: '[DEBUG]', info: '[INFO] ', warn: '[WARN] ', error: '[ERROR]' };

/** The text format; `colour` adds ANSI colours (only for a terminal, and never when NO_COLOR is set). */
export function textFormat(opts: { colour: boolean }): LogFormat {
  const paint = (code: string, s: string) => (opts.colour ? `\x1b[${code}m${s}\x1b[0m` : s);
  return (r: LogRecord) => {
    const { component, ...rest } = r.fields;
    const source = component === undefined ? '' : `${paint('1', String(component))}: `;
    const pairs = Object.entries(rest)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${paint('2', k + '=')}${formatValue(v)}`);
    const level = paint(LEVEL_COLOUR[r.level], LEVEL_LABEL[r.level]);
    return `${r.time.toISOString()} ${level} ${source}${r.msg}${pairs.length ? ': ' + pairs.join(' ') : ''}`;
  };
}

/** A field's value as text: bare when it is a plain word, else JSON (strings quoted, objects inline). */
export function formatValue(v: unknown): string {
  if (v instanceof Error) return formatValue(v.message);
  if (typeof v === 'string') return v !== '' && !/[\s"=\\]/.test(v) && !/[\x00-\x1f]/.test(v) ? v : JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  return JSON.stringify(v, (_k, x) => (x instanceof Error ? x.message : x)) ?? String(v);
}
