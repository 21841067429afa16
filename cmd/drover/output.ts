// Object output formats shared by get (and watch): yaml, json, name and tables.
import { stringify } from 'yaml';
import type { ApiObject, KindInfo } from '../../api/schemas/kind.ts';
import { kindRef } from './context.ts';

/** The `-o` formats. */
export type OutputFormat = 'table' | 'wide' | 'yaml' | 'json' | 'name';

/** Every output format, for flag validation. */
export const OUTPUT_FORMATS: OutputFormat[] = ['table', 'wide', 'yaml', 'json', 'name'];

/** `obj` without managedFields, which kubectl also hides by default (they are long and rarely wanted). */
export function withoutManagedFields<T extends ApiObject>(obj: T): T {
  if (!obj.metadata?.managedFields) return obj;
  const { managedFields: _dropped, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

/** A YAML document for `value` (no line folding, so values stay copy-pastable). */
export const toYaml = (value: unknown) => stringify(value, { lineWidth: 0 });

/** JSON as kubectl prints it (4-space indent). */
export const toJson = (value: unknown) => JSON.stringify(value, null, 4) + '\n';

/** `job.drover.dev/web`. */
export const nameOf = (kind: KindInfo, obj: ApiObject) => `${kindRef(kind)}/${obj.metadata.name}`;

/** The text for `objs` in a yaml/json/name format; a single requested object prints bare, more as a List. */
export function formatObjects(kind: KindInfo, objs: ApiObject[], format: 'yaml' | 'json' | 'name', single: boolean): string {
  if (format === 'name') return objs.map((o) => nameOf(kind, o) + '\n').join('');
  const shown = objs.map(withoutManagedFields);
  // kubectl's key order for the List wrapper (Go marshals it sorted).
  const value = single && shown.length === 1 ? shown[0] : { apiVersion: 'v1', items: shown, kind: 'List', metadata: { resourceVersion: '' } };
  return format === 'yaml' ? toYaml(value) : toJson(value);
}
