// The context every client-side command core receives: a client, output streams and connection defaults.
// Tests build one around an in-process server; main.ts builds one from flags, env and the config file.
import type { KindInfo } from '../../api/schemas/kind.ts';
import type { Client } from '../../pkg/client/client.ts';
import { findKind } from '../../pkg/client/kinds.ts';
import { UsageError } from './errors.ts';

/** What a command core needs. */
export interface CommandContext {
  client: Client;
  out(text: string): void;
  err(text: string): void;
  /** The default namespace for namespaced kinds (context's namespace or `default`). */
  namespace: string;
  /** Current time (ms), for ages. */
  now(): number;
  /** Aborted when the user interrupts (ends `get -w`). */
  signal: AbortSignal;
}

/** The kind a user named (plural, singular, short name, Kind, or any of them + `.drover.dev`). */
export function kindArg(name: string): KindInfo {
  const kind = findKind(name);
  if (!kind) throw new UsageError(`the server doesn't have a resource type "${name}"`);
  return kind;
}

/** `job.drover.dev` (`namespace` for a core kind) — how kubectl names a kind in messages. */
export const kindRef = (kind: KindInfo) => (kind.group === '' ? kind.singular : `${kind.singular}.${kind.group ?? 'drover.dev'}`);
