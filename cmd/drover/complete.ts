// What the shell completion scripts ask for: `drover __complete WORD... CURRENT` prints the candidates for the
// word being typed, one per line, from the commander tree itself (commands, flags, flag choices) and the kind
// registry (kinds), and object names from the server (jobs, nodes, allocations, namespaces). A last line
// `:files` asks the shell to complete file names instead (after -f). Cobra and kubectl work the same way.
import type { Command, Option } from 'commander';
import { kinds } from '../../api/schemas/index.ts';
import type { KindInfo } from '../../api/schemas/kind.ts';
import { findKind } from '../../pkg/client/kinds.ts';
import { createClient } from '../../pkg/client/client.ts';
import { LEVELS } from '../../pkg/log/logger.ts';
import { resolveConnection } from './config.ts';
import type { CliIo } from './io.ts';
import { OUTPUT_FORMATS } from './output.ts';

/** Lists the names of `kind`'s objects (in `namespace` when given); failures give no names. */
export type NameLister = (kind: KindInfo, namespace: string | undefined) => Promise<string[]>;

/** How long completion waits for the server's names. */
const COMPLETE_TIMEOUT_MS = 2000;

/** Names from the server the usual connection settings (env, config file) point at; none when it fails or is slow. */
export function serverNames(io: CliIo, userAgent: string): NameLister {
  return async (kind, namespace) => {
    try {
      const conn = await resolveConnection({ namespace: undefined }, io.env, io.homedir);
      const client = createClient({ server: conn.server, token: conn.token, userAgent });
      try {
        // A shell waits for this: a slow or absent server gives no names rather than a hung TAB.
        const list = client.resource(kind).list({ namespace: kind.namespaced ? (namespace ?? conn.namespace) : undefined });
        const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), COMPLETE_TIMEOUT_MS).unref());
        return (await Promise.race([list, timeout])).items.map((o) => o.metadata.name);
      } finally {
        await client.close();
      }
    } catch {
      return [];
    }
  };
}

/** The line that asks the shell to complete file names. */
export const FILES_DIRECTIVE = ':files';

/** Flags whose values are names of objects the server holds, by long flag. */
const FLAG_OBJECTS: Record<string, string> = { '--namespace': 'namespaces' };

/** Positional arguments (by their name in the command definition) that hold names of one kind. */
const ARGUMENT_OBJECTS: Record<string, string> = { node: 'nodes', job: 'jobs', alloc: 'allocations' };

/** Static values of flags that commander has no choices for. */
const FLAG_VALUES: Record<string, readonly string[]> = {
  '--output': [...OUTPUT_FORMATS.filter((f) => f !== 'jsonpath'), 'jsonpath='],
  '--log-level': LEVELS,
};

/** Candidates for the last of `words` (the words after `drover`; the last may be ''), sorted as shown. */
export async function complete(program: Command, words: string[], listNames: NameLister): Promise<string[]> {
  const current = words.at(-1) ?? '';
  const before = words.slice(0, -1);
  let cmd = program;
  const positionals: string[] = [];
  let namespace: string | undefined;
  // Walk the words typed so far: subcommands narrow `cmd`, flags skip their values, the rest are arguments.
  for (let i = 0; i < before.length; i++) {
    const w = before[i]!;
    if (w.startsWith('-')) {
      const opt = findOption(cmd, w.split('=')[0]!);
      // A flag's value is the next word (an optional value only when it is one of the flag's choices).
      const valueFollows = opt && !w.includes('=') && (opt.required || (opt.optional && opt.argChoices?.includes(before[i + 1] ?? '')));
      if (valueFollows) {
        if (opt.long === '--namespace') namespace = before[i + 1];
        i++;
      } else if (opt?.long === '--namespace' && w.includes('=')) namespace = w.slice(w.indexOf('=') + 1);
      continue;
    }
    const sub = positionals.length === 0 ? cmd.commands.find((c) => c.name() === w || c.aliases().includes(w)) : undefined;
    if (sub) cmd = sub;
    else positionals.push(w);
  }

  // The value of a flag just typed (`-o <TAB>`).
  const prev = before.at(-1);
  const prevOpt = prev?.startsWith('-') && !prev.includes('=') ? findOption(cmd, prev) : undefined;
  if (prevOpt && takesValue(prevOpt)) return filter(await flagValues(prevOpt, listNames), current);
  if (current.startsWith('-') && current.includes('=')) {
    const [flag, value] = [current.slice(0, current.indexOf('=')), current.slice(current.indexOf('=') + 1)];
    const opt = findOption(cmd, flag);
    return opt ? filter(await flagValues(opt, listNames), value).map((v) => `${flag}=${v}`) : [];
  }
  if (current.startsWith('-')) return filter(flagsOf(cmd), current);

  // A subcommand, when the command has them and none was given.
  if (cmd.commands.length > 0 && positionals.length === 0) {
    return filter(cmd.commands.filter((c) => !hidden(c)).map((c) => c.name()), current);
  }
  return filter(await argumentValues(cmd, positionals, namespace, listNames), current);
}

async function argumentValues(cmd: Command, positionals: string[], namespace: string | undefined, listNames: NameLister): Promise<string[]> {
  const args = cmd.registeredArguments;
  const kindArgIndex = args.findIndex((a) => a.name() === 'kind' || (cmd.name() === 'delete' && a.name() === 'args'));
  // KIND then NAME...: get, describe, delete.
  if (kindArgIndex !== -1 && positionals.length >= kindArgIndex) {
    if (positionals.length === kindArgIndex) return kindNames();
    const kind = findKind(positionals[kindArgIndex]!);
    return kind ? withoutTyped(await listNames(kind, kind.namespaced ? namespace : undefined), positionals.slice(kindArgIndex + 1)) : [];
  }
  const arg = args[Math.min(positionals.length, args.length - 1)];
  if (!arg || (positionals.length >= args.length && !arg.variadic)) return [];
  if (arg.argChoices) return [...arg.argChoices];
  const kindName = ARGUMENT_OBJECTS[arg.name()];
  const kind = kindName ? findKind(kindName) : undefined;
  if (!kind) return /file/.test(arg.name()) ? [FILES_DIRECTIVE] : [];
  return listNames(kind, kind.namespaced ? namespace : undefined);
}

async function flagValues(opt: Option, listNames: NameLister): Promise<string[]> {
  if (opt.argChoices) return [...opt.argChoices];
  const values = opt.long ? FLAG_VALUES[opt.long] : undefined;
  if (values) return [...values];
  const kindName = opt.long ? FLAG_OBJECTS[opt.long] : undefined;
  if (kindName) {
    const kind = findKind(kindName);
    return kind ? listNames(kind, undefined) : [];
  }
  if (opt.long === '--filename' || opt.long === '--config' || /<(path|file|dir)/.test(opt.flags)) return [FILES_DIRECTIVE];
  return [];
}

/** Plural names of every kind, as kubectl completes them. */
function kindNames(): string[] {
  return kinds.map((k) => k.plural).sort();
}

/** Every flag of `cmd` and of the commands above it (global flags), long and short. */
function flagsOf(cmd: Command): string[] {
  const out = new Set<string>();
  for (let c: Command | null = cmd; c; c = c.parent) {
    for (const o of c.options) {
      if (o.hidden) continue;
      if (o.long) out.add(o.long);
      if (o.short) out.add(o.short);
    }
  }
  out.add('--help');
  return [...out];
}

function findOption(cmd: Command, flag: string): Option | undefined {
  for (let c: Command | null = cmd; c; c = c.parent) {
    const o = c.options.find((x) => x.long === flag || x.short === flag);
    if (o) return o;
  }
  return undefined;
}

const takesValue = (o: Option) => o.required || o.optional;
const hidden = (c: Command) => (c as unknown as { _hidden?: boolean })._hidden === true;
const filter = (candidates: string[], prefix: string) => (candidates.includes(FILES_DIRECTIVE) ? [FILES_DIRECTIVE] : candidates.filter((c) => c.startsWith(prefix)));
const withoutTyped = (names: string[], typed: string[]) => names.filter((n) => !typed.includes(n));
