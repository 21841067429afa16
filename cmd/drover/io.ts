// What a CLI run touches outside itself, passed in so every command runs in-process under test.
import type { Clock } from '../../pkg/clock/clock.ts';

/** The process surroundings of one CLI invocation. */
export interface CliIo {
  /** Write to standard output (text is written as given; callers add newlines). */
  out(text: string): void;
  /** Write to standard error. */
  err(text: string): void;
  /** Environment variables (main.ts passes process.env; tests pass a literal). */
  env: Record<string, string | undefined>;
  /** Home directory, for ~/.drover. */
  homedir: string;
  /** Read all of standard input (for `-f -`). */
  readStdin(): Promise<string>;
  /** Current time, for AGE columns. */
  clock: Clock;
  /** Aborted on SIGINT/SIGTERM: long-running commands (dev, server, get -w) stop when it fires. */
  signal: AbortSignal;
  /** Whether stdout is a terminal (main.ts: process.stdout.isTTY; tests: unset, i.e. piped). */
  outIsTTY?: boolean;
  /** Whether stderr is a terminal: logs are text there, JSON lines when piped. */
  errIsTTY?: boolean;
  /** performance.now() at process start, for `ready in N ms` (0 in the real binary). */
  startedAt: number;
}

/**
 * Whether to colour what goes to a stream: only a terminal, and never when NO_COLOR is set to anything
 * (https://no-color.org) or TERM is `dumb`.
 */
export function useColour(isTTY: boolean | undefined, env: CliIo['env']): boolean {
  return !!isTTY && !env.NO_COLOR && env.TERM !== 'dumb';
}

/** Write `line` plus a newline to `write`. */
export const println = (write: (s: string) => void, line = '') => write(line + '\n');
