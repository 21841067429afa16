// Structured logging: one record per call, written as one line by a format (JSON lines, or text for a terminal).
// Passed in as a dependency; never a module singleton.
import { jsonFormat } from './json-format.ts';

/** Log levels in increasing severity. */
export type Level = 'debug' | 'info' | 'warn' | 'error';

/** Every level, least severe first. */
export const LEVELS: readonly Level[] = ['debug', 'info', 'warn', 'error'];
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** The logger every component receives through its deps. */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** A logger that adds `fields` to every line. */
  child(fields: Record<string, unknown>): Logger;
}

/** One log call: what a format turns into a line. `fields` holds the child's fields, then the call's. */
export interface LogRecord {
  time: Date;
  level: Level;
  msg: string;
  fields: Record<string, unknown>;
}

/** Turns a record into one line (no newline). */
export type LogFormat = (record: LogRecord) => string;

/** Options of a logger. */
export interface LoggerOptions {
  /** Least severe level written (default info). */
  level?: Level;
  /** Where each line goes (default: stderr, with a newline). */
  out?: (line: string) => void;
  /** Fields on every line. */
  base?: Record<string, unknown>;
  now?: () => Date;
  /** Default: JSON lines. */
  format?: LogFormat;
}

/** A logger writing `format`ted lines to `out` at `level` and above. */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const min = ORDER[opts.level ?? 'info'];
  const out = opts.out ?? ((line: string) => process.stderr.write(line + '\n'));
  const now = opts.now ?? (() => new Date());
  const format = opts.format ?? jsonFormat;
  const base = opts.base ?? {};
  const emit = (level: Level) => (msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[level] < min) return;
    out(format({ time: now(), level, msg, fields: { ...base, ...fields } }));
  };
  return {
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    child: (fields) => createLogger({ ...opts, base: { ...base, ...fields } }),
  };
}

/** A JSON-lines logger writing to `out` (default stderr) at `level` and above. */
export function jsonLogger(opts: Omit<LoggerOptions, 'format'> = {}): Logger {
  return createLogger({ ...opts, format: jsonFormat });
}

/** A logger that drops everything (tests). */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silentLogger;
  },
};
