// Prototype-pollution guard shared by both patch formats: keys that could reach Object.prototype when a
// document is walked with plain property access are refused before anything is applied.
import { badRequest } from '../../apierrors/status.ts';

/** Object keys a patch may never contain. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__']);

/** Throw 400 BadRequest when `value` holds a forbidden key at any depth. */
export function assertSafeKeys(value: unknown, where: string): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => assertSafeKeys(v, `${where}[${i}]`));
  } else if (typeof value === 'object' && value !== null) {
    for (const key of Object.keys(value)) {
      if (FORBIDDEN_KEYS.has(key)) throw badRequest(`${where}: the key "${key}" is not allowed`);
      assertSafeKeys((value as Record<string, unknown>)[key], `${where}.${key}`);
    }
  }
}

/** Throw 400 BadRequest when a JSON pointer walks through `__proto__` or `constructor/prototype`. */
export function assertSafePointer(pointer: string, where: string): void {
  const segments = pointer.split('/').slice(1);
  segments.forEach((s, i) => {
    if (FORBIDDEN_KEYS.has(s) || (s === 'prototype' && segments[i - 1] === 'constructor')) {
      throw badRequest(`${where}: the path "${pointer}" is not allowed`);
    }
  });
}

/** Own-property read: never returns something inherited from Object.prototype (`constructor`, `toString`...). */
export function own(obj: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** True for a JSON object (not an array, not null). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
