// Which job changes need new allocations. A group's fingerprint hashes only the fields whose change cannot be
// applied to a running allocation (driver, config, env, resources, ports, volumes...): equal fingerprints across
// versions mean an in-place update, different ones a destructive update (stop + place).
import { fnv1a } from './random.ts';

/** Group fields that can change without replacing the allocation. */
const GROUP_INPLACE_FIELDS = new Set([
  'count', 'constraints', 'affinities', 'spreads', 'update', 'migrate', 'reschedule', 'restart', 'services',
  'stopAfterClientDisconnect', 'maxClientDisconnect',
]);

/** Task fields that can change without replacing the allocation. */
const TASK_INPLACE_FIELDS = new Set(['constraints', 'affinities', 'services', 'killTimeout', 'killSignal', 'restart', 'logs']);

/** JSON with object keys sorted, so equal values always serialize the same. */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify(obj[k])}`).join(',')}}`;
}

/** A short stable hash of any JSON value (two 32-bit FNV rounds, 16 hex chars). */
export function hashOf(value: unknown): string {
  const text = stableStringify(value);
  const a = fnv1a(text).toString(16).padStart(8, '0');
  const b = fnv1a(text, 0x01234567).toString(16).padStart(8, '0');
  return a + b;
}

/**
 * The destructive fingerprint of a raw group spec, plus the job meta (tasks see it in their env) and the job's
 * dispatch payload (written into task directories before start). Without a payload the hash is what it was.
 */
export function groupFingerprint(group: Record<string, unknown>, jobMeta?: unknown, payload?: string): string {
  const kept: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(group)) if (!GROUP_INPLACE_FIELDS.has(k)) kept[k] = v;
  const tasks = Array.isArray(group.tasks) ? (group.tasks as Array<Record<string, unknown>>) : [];
  kept.tasks = tasks.map((t) => {
    const task: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(t ?? {})) if (!TASK_INPLACE_FIELDS.has(k)) task[k] = v;
    return task;
  });
  return hashOf({ group: kept, jobMeta: jobMeta ?? null, payload });
}
