// The `{command, args}` config shared by the process drivers (raw_exec, exec), its checks, and how a
// command name becomes a program path without a shell.
import { accessSync, constants, statSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

/** A process driver's task config. */
export interface ProcessConfig {
  command: string;
  args: string[];
}

/** PATH used when the task's env has none. */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Field problems with a `{command, args}` config (empty = ok); `extra` names further allowed keys. */
export function checkProcessConfig(config: Record<string, unknown>, extra: string[] = []): string[] {
  const problems: string[] = [];
  const allowed = new Set(['command', 'args', ...extra]);
  if (typeof config.command !== 'string' || config.command.trim() === '') {
    problems.push('config.command: required, the program to run (e.g. "/bin/sleep"); it is run without a shell');
  }
  if (config.args !== undefined && (!Array.isArray(config.args) || config.args.some((a) => typeof a !== 'string'))) {
    problems.push('config.args: must be a list of strings');
  }
  for (const key of Object.keys(config)) {
    if (!allowed.has(key)) problems.push(`config.${key}: unknown field (allowed: ${[...allowed].join(', ')})`);
  }
  return problems;
}

/** The config as typed values; call after `checkProcessConfig` returned no problem. */
export function processConfig(config: Record<string, unknown>): ProcessConfig {
  return { command: String(config.command), args: Array.isArray(config.args) ? config.args.map(String) : [] };
}

/**
 * The program path for `command`: absolute as given, relative to the task directory when it has a '/',
 * else the first executable match on PATH. Throws a user-facing Error when there is none.
 */
export function resolveCommand(command: string, taskDir: string, path: string | undefined): string {
  if (isAbsolute(command)) return executable(command) ? command : fail(`command ${JSON.stringify(command)} does not exist or is not executable`);
  if (command.includes('/')) {
    const p = resolve(taskDir, command);
    return executable(p) ? p : fail(`command ${JSON.stringify(command)} not found in the task directory (${p})`);
  }
  const dirs = (path ?? DEFAULT_PATH).split(':').filter(Boolean);
  for (const dir of dirs) {
    const p = join(dir, command);
    if (executable(p)) return p;
  }
  return fail(`command ${JSON.stringify(command)} not found on PATH (${dirs.join(':')})`);
}

function executable(p: string): boolean {
  try {
    if (!statSync(p).isFile()) return false;
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function fail(msg: string): never {
  throw new Error(msg);
}

/** The number of a signal name ("SIGTERM", "TERM", "sigint"); undefined when unknown. */
export function signalNumber(name: string): number | undefined {
  const upper = name.toUpperCase();
  const full = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  return (osConstants.signals as Record<string, number>)[full];
}

/** The name of a signal number ("SIGKILL" for 9); undefined when unknown. */
export function signalName(n: number): NodeJS.Signals | undefined {
  for (const [name, num] of Object.entries(osConstants.signals)) if (num === n) return name as NodeJS.Signals;
  return undefined;
}
