// Object output formats shared by get (and watch): tables, yaml, json, name and jsonpath templates.
import { stringify } from 'yaml';
import type { ApiObject, KindInfo } from '../../api/schemas/kind.ts';
import { kindRef } from './context.ts';
import { UsageError } from './errors.ts';
import { parseJsonPath, type JsonPathTemplate } from './jsonpath.ts';

/** The `-o` formats without an argument. */
export type PlainFormat = 'table' | 'wide' | 'yaml' | 'json' | 'name';

/** A parsed `-o` value: a plain format, or `jsonpath=TEMPLATE` with its template. */
export type OutputFormat = PlainFormat | { jsonpath: JsonPathTemplate; template: string };

/** Every `-o` format by name, for help and completion (`jsonpath` takes `=TEMPLATE`). */
export const OUTPUT_FORMATS = ['table', 'wide', 'yaml', 'json', 'name', 'jsonpath'] as const;

const PLAIN: readonly string[] = ['table', 'wide', 'yaml', 'json', 'name'];

/** Parse an `-o` value as kubectl does (`jsonpath={.metadata.name}`); unknown ones are a UsageError. */
export function parseOutputFormat(value: string): OutputFormat {
  if (PLAIN.includes(value)) return value as PlainFormat;
  const m = /^jsonpath=(.*)$/s.exec(value);
  if (m) {
    if (m[1] === '') throw new UsageError('template format specified but no template given');
    return { jsonpath: parseJsonPath(m[1]!), template: m[1]! };
  }
  if (value === 'jsonpath') throw new UsageError('template format specified but no template given (use -o jsonpath=TEMPLATE)');
  throw new UsageError(`unable to match a printer suitable for the output format "${value}", allowed formats are: ${PLAIN.join(',')},jsonpath=TEMPLATE`);
}

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

/** The text for `objs` in a non-table format; a single requested object prints bare, more as a List (as kubectl). */
export function formatObjects(kind: KindInfo, objs: ApiObject[], format: Exclude<OutputFormat, 'table' | 'wide'>, single: boolean): string {
  if (format === 'name') return objs.map((o) => nameOf(kind, o) + '\n').join('');
  // kubectl hides managedFields from yaml and json, not from jsonpath templates.
  const shown = typeof format === 'object' ? objs : objs.map(withoutManagedFields);
  // kubectl's key order for the List wrapper (Go marshals it sorted).
  const value = single && shown.length === 1 ? shown[0] : { apiVersion: 'v1', items: shown, kind: 'List', metadata: { resourceVersion: '' } };
  if (typeof format === 'object') return format.jsonpath.render(value);
  return format === 'yaml' ? toYaml(value) : toJson(value);
}
