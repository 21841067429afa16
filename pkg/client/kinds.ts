// Turning what a user or caller names ("jobs", "job", "Job", "jb", "jobs.drover.dev") into the registry's KindInfo.
import type { KindInfo } from '../../api/schemas/kind.ts';
import { lookupKind } from '../../api/schemas/index.ts';

/** The KindInfo for `kind` (passed through when already one); throws a TypeError naming the unknown kind. */
export function resolveKind(kind: KindInfo | string): KindInfo {
  if (typeof kind !== 'string') return kind;
  const found = findKind(kind);
  if (!found) throw new TypeError(`the server doesn't have a resource type "${kind}"`);
  return found;
}

/** The KindInfo for a Kind, singular, plural, short name or any of them + `.drover.dev`, or undefined. */
export function findKind(name: string): KindInfo | undefined {
  return lookupKind(name);
}
