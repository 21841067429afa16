// Strict validation of objects against their kind's schema: ajv with defaults applied in place, no coercion,
// unknown fields rejected, and errors turned into Kubernetes StatusCauses with field paths such as
// `spec.groups[0].tasks[1].resources.memoryMB`.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { StatusCause } from '../../pkg/apierrors/status.ts';
import type { KindInfo } from './kind.ts';
import { semanticCauses } from './semantic.ts';

// ajv-formats is CommonJS with a default export; under NodeNext the default import is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: Ajv) => Ajv;

/** How unknown fields are treated, as Kubernetes' `fieldValidation` query parameter. */
export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/** Options of validateObject. */
export interface ValidateOptions {
  /** Strict (default): unknown fields are causes. Warn/Ignore: they are removed from the object (Warn records them). */
  fieldValidation?: FieldValidation;
  /** Receives `unknown field "spec.foo"` messages under fieldValidation=Warn. */
  warnings?: string[];
}

/** The message prefix of an unknown-field cause; the server may answer these with 400 as kube-apiserver does. */
export const UNKNOWN_FIELD = 'unknown field';

/** True when a cause reports an unknown field. */
export const isUnknownFieldCause = (c: StatusCause) => c.message.startsWith(`${UNKNOWN_FIELD} "`);

/** Compiles the ajv validator of a kind (defaults applied in place, nothing coerced or removed). */
export function compileValidator(kind: KindInfo): ValidateFunction {
  const ajv = new Ajv({ strict: false, allErrors: true, coerceTypes: false, removeAdditional: false, useDefaults: true, verbose: true });
  addFormats(ajv);
  addKubernetesKeywords(ajv);
  return ajv.compile(kind.schema);
}

// A memo of compiled validators: compiling is costly and a kind's schema never changes, so this cache is
// pure (not shared mutable state in the sense of dependencies).
const compiled = new WeakMap<KindInfo, ValidateFunction>();

/** Validates `obj` as `kind`, applying schema defaults in place; returns the causes (empty when valid). */
export function validateObject(kind: KindInfo, obj: unknown, options: ValidateOptions = {}): StatusCause[] {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    return [{ reason: 'FieldValueInvalid', message: `Invalid value: ${show(obj)}: must be an object`, field: '' }];
  }
  let validate = compiled.get(kind);
  if (!validate) compiled.set(kind, (validate = compileValidator(kind)));
  const causes: StatusCause[] = [];
  if (!validate(obj)) {
    for (const err of validate.errors ?? []) {
      const cause = toCause(kind, err);
      if (!cause) continue;
      if (isUnknownFieldCause(cause) && (options.fieldValidation ?? 'Strict') !== 'Strict') {
        dropField(obj, err);
        if (options.fieldValidation === 'Warn') options.warnings?.push(cause.message);
        continue;
      }
      causes.push(cause);
    }
  }
  if (!kind.custom) causes.push(...semanticCauses(kind.kind, obj as Record<string, unknown>));
  return dedupe(causes);
}

/**
 * Removes the fields of `obj` that `kind`'s schema does not know (kube's non-strict decoding, fieldValidation
 * Warn/Ignore) and returns an `unknown field "spec.foo"` message for each. Defaults are applied to a copy only,
 * so `obj` keeps exactly what the client sent minus the unknown fields.
 */
export function stripUnknownFields(kind: KindInfo, obj: object): string[] {
  let validate = compiled.get(kind);
  if (!validate) compiled.set(kind, (validate = compileValidator(kind)));
  if (validate(structuredClone(obj))) return [];
  const messages: string[] = [];
  for (const err of validate.errors ?? []) {
    if (err.keyword !== 'additionalProperties') continue;
    const cause = toCause(kind, err);
    if (!cause || messages.includes(cause.message)) continue;
    dropField(obj, err);
    messages.push(cause.message);
  }
  return messages;
}

/**
 * The extension custom kinds' schemas may use beyond ajv-formats' formats (which include Kubernetes' int32,
 * int64, float, double, byte and password): `x-kubernetes-int-or-string`, an integer or a string.
 */
function addKubernetesKeywords(ajv: Ajv): void {
  ajv.addKeyword({
    keyword: 'x-kubernetes-int-or-string',
    schemaType: 'boolean',
    error: { message: 'must be an integer or a string' },
    validate: (on: boolean, data: unknown) => !on || typeof data === 'string' || Number.isInteger(data),
  });
}

/** Turns one ajv error into a cause; undefined for wrapper errors whose inner error is reported instead. */
function toCause(kind: KindInfo, err: ErrorObject): StatusCause | undefined {
  const base = fieldPath(kind.schema, err.instancePath);
  const value = err.data;
  const invalid = (message: string, field = base): StatusCause => ({ reason: 'FieldValueInvalid', message: `Invalid value: ${show(value)}: ${message}`, field });
  const p = err.params as Record<string, unknown>;
  // Errors on map keys (propertyNames) carry the key in `propertyName`; the field is the map itself.
  const keyName = (err as ErrorObject & { propertyName?: string }).propertyName;
  if (keyName !== undefined) {
    const msg = err.keyword === 'pattern' ? patternMessage(err) : err.keyword === 'maxLength' ? `must be no more than ${p.limit} characters` : err.message ?? 'invalid';
    return { reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(keyName)}: ${msg}`, field: base };
  }
  switch (err.keyword) {
    case 'propertyNames':
      return undefined;
    case 'additionalProperties': {
      const field = child(kind.schema, err.instancePath, String(p.additionalProperty));
      return { reason: 'FieldValueInvalid', message: `${UNKNOWN_FIELD} ${JSON.stringify(field)}`, field };
    }
    case 'required':
      return { reason: 'FieldValueRequired', message: 'Required value', field: child(kind.schema, err.instancePath, String(p.missingProperty)) };
    case 'enum': {
      const allowed = (p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ');
      return { reason: 'FieldValueNotSupported', message: `Unsupported value: ${show(value)}: supported values: ${allowed}`, field: base };
    }
    case 'type':
      return invalid(`must be of type ${p.type}`);
    case 'pattern':
      return invalid(patternMessage(err));
    case 'maxLength':
      return { reason: 'FieldValueTooLong', message: `Too long: may not be more than ${p.limit} bytes`, field: base };
    case 'minLength':
      return invalid(p.limit === 1 ? 'must not be empty' : `must be at least ${p.limit} characters long`);
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return invalid(`must be ${p.comparison === '>=' ? 'greater than or equal to' : p.comparison === '<=' ? 'less than or equal to' : p.comparison === '>' ? 'greater than' : 'less than'} ${p.limit}`);
    case 'minItems':
      if (Array.isArray(value) && value.length === 0) return { reason: 'FieldValueRequired', message: `Required value: must have at least ${p.limit} item${p.limit === 1 ? '' : 's'}`, field: base };
      return invalid(`must have at least ${p.limit} items`);
    case 'maxItems':
      return { reason: 'FieldValueTooMany', message: `Too many: ${(value as unknown[]).length}: must have at most ${p.limit} items`, field: base };
    case 'format':
      return invalid(p.format === 'date-time' ? 'must be an RFC 3339 date-time such as "2024-01-02T15:04:05Z"' : `must be a valid ${p.format}`);
    default:
      return invalid(err.message ?? `failed ${err.keyword}`);
  }
}

/** The message for a pattern failure: the schema's own wording when it has one. */
function patternMessage(err: ErrorObject): string {
  const custom = (err.parentSchema as Record<string, unknown> | undefined)?.['x-drover-pattern-message'];
  return typeof custom === 'string' ? custom : `must match the regular expression '${(err.params as { pattern: string }).pattern}'`;
}

/** Formats a value for a message as Kubernetes does: strings quoted, numbers bare, containers by type. */
function show(v: unknown): string {
  if (v === null) return '"null"';
  if (Array.isArray(v)) return '"array"';
  if (typeof v === 'object') return '"object"';
  if (typeof v === 'string') return JSON.stringify(v);
  return String(v);
}

type Json = Record<string, unknown>;

/** Splits an ajv JSON pointer into unescaped segments. */
function segments(pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Walks the schema along the pointer, writing struct fields as `.name`, array items and map keys as `[k]`. */
function walk(schema: unknown, pointer: string): { path: string; schema: Json | undefined } {
  let s = schema as Json | undefined;
  let path = '';
  for (const seg of segments(pointer)) {
    const props = s?.properties as Json | undefined;
    if (s?.type === 'array') {
      path += `[${seg}]`;
      s = s.items as Json | undefined;
    } else if (props && Object.prototype.hasOwnProperty.call(props, seg)) {
      path += path ? `.${seg}` : seg;
      s = props[seg] as Json;
    } else {
      path += `[${seg}]`;
      s = typeof s?.additionalProperties === 'object' ? (s.additionalProperties as Json) : undefined;
    }
  }
  return { path, schema: s };
}

/** The Kubernetes field path of an instance pointer. */
export function fieldPath(schema: unknown, pointer: string): string {
  return walk(schema, pointer).path;
}

/** The field path of property `name` of the object at `pointer`. */
function child(schema: unknown, pointer: string, name: string): string {
  const { path, schema: s } = walk(schema, pointer);
  const isStruct = s?.properties !== undefined || s?.additionalProperties === false;
  if (!isStruct) return `${path}[${name}]`;
  return path ? `${path}.${name}` : name;
}

/** Removes an unknown field reported by an additionalProperties error (fieldValidation Warn/Ignore). */
function dropField(root: object, err: ErrorObject): void {
  let target: unknown = root;
  for (const seg of segments(err.instancePath)) target = (target as Json)?.[seg];
  if (target && typeof target === 'object') delete (target as Json)[String((err.params as Json).additionalProperty)];
}

/** Removes repeated causes (allErrors can report one problem through several paths). */
function dedupe(causes: StatusCause[]): StatusCause[] {
  const seen = new Set<string>();
  return causes.filter((c) => {
    const k = `${c.reason}\u0000${c.field}\u0000${c.message}`;
    return seen.has(k) ? false : (seen.add(k), true);
  });
}
