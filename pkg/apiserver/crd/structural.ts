// Structural schemas (a CRD's `openAPIV3Schema`): what Drover checks and implements, and their translation to
// the JSON Schema that the shared validator (api/schemas/validate.ts) compiles. Every node has a type (unless it
// is int-or-string or preserves unknown fields), objects are strict unless they say
// `x-kubernetes-preserve-unknown-fields`, and every keyword outside the implemented set is refused by name, so
// nothing in a schema is silently ignored.
import type { StatusCause } from '../../apierrors/status.ts';

type Json = Record<string, unknown>;

const TYPES = new Set(['object', 'array', 'string', 'integer', 'number', 'boolean']);
/** Formats the validator checks (Kubernetes' names; `duration` is refused: Go and ISO durations differ). */
export const SUPPORTED_FORMATS = new Set([
  'date', 'date-time', 'time', 'uri', 'email', 'hostname', 'ipv4', 'ipv6', 'uuid', 'int32', 'int64', 'float', 'double', 'byte', 'password', 'binary',
]);
/** Keywords honoured in a custom kind's schema; any other is refused at admission. */
export const SUPPORTED_KEYWORDS = new Set([
  'type', 'description', 'title', 'properties', 'additionalProperties', 'items', 'required', 'enum', 'format', 'default', 'example',
  'nullable', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'minLength', 'maxLength', 'pattern',
  'minItems', 'maxItems', 'minProperties', 'maxProperties',
  'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-int-or-string', 'x-kubernetes-list-type',
]);

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const invalid = (field: string, value: unknown, message: string): StatusCause =>
  ({ reason: 'FieldValueInvalid', field, message: `Invalid value: ${JSON.stringify(value)}: ${message}` });
const required = (field: string, message: string): StatusCause => ({ reason: 'FieldValueRequired', field, message: `Required value: ${message}` });
const forbidden = (field: string, message: string): StatusCause => ({ reason: 'FieldValueForbidden', field, message: `Forbidden: ${message}` });

/** Causes that make `schema` (at field path `path`) not a structural schema Drover implements; empty when fine. */
export function structuralCauses(schema: unknown, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!isObj(schema)) return [invalid(path, schema, 'must be an object')];
  if (schema.type !== 'object') causes.push(invalid(`${path}.type`, schema.type ?? null, 'must be object at the root'));
  node(schema, path, causes, true);
  const props = isObj(schema.properties) ? schema.properties : {};
  const meta = props.metadata;
  if (isObj(meta)) {
    const extra = Object.keys(meta).filter((k) => k !== 'type' && k !== 'description');
    if (extra.length > 0) causes.push(forbidden(`${path}.properties[metadata]`, `must not specify anything other than type and description at the root metadata (found ${extra.join(', ')})`));
  }
  for (const k of ['apiVersion', 'kind']) {
    const s = props[k];
    if (isObj(s) && s.type !== 'string') causes.push(invalid(`${path}.properties[${k}].type`, s.type ?? null, 'must be string'));
  }
  return causes;
}

function node(s: Json, path: string, causes: StatusCause[], root = false): void {
  for (const k of Object.keys(s)) {
    if (!SUPPORTED_KEYWORDS.has(k)) causes.push(forbidden(`${path}.${k}`, `${k} is not supported in a CustomResourceDefinition schema by this server`));
  }
  const preserve = s['x-kubernetes-preserve-unknown-fields'];
  const intOrString = s['x-kubernetes-int-or-string'];
  if (preserve !== undefined && preserve !== true) causes.push(invalid(`${path}.x-kubernetes-preserve-unknown-fields`, preserve, 'must be true or undefined'));
  if (intOrString !== undefined && intOrString !== true) causes.push(invalid(`${path}.x-kubernetes-int-or-string`, intOrString, 'must be true or undefined'));
  const type = s.type;
  if (type === undefined) {
    if (intOrString !== true && preserve !== true) causes.push(required(`${path}.type`, 'must not be empty for specified object fields'));
  } else if (typeof type !== 'string' || !TYPES.has(type)) {
    causes.push({ reason: 'FieldValueNotSupported', field: `${path}.type`, message: `Unsupported value: ${JSON.stringify(type)}: supported values: ${[...TYPES].map((t) => `"${t}"`).join(', ')}` });
  }
  if (intOrString === true && type !== undefined) causes.push(forbidden(`${path}.type`, 'must be empty with x-kubernetes-int-or-string'));
  const listType = s['x-kubernetes-list-type'];
  if (listType !== undefined && listType !== 'atomic') {
    causes.push({ reason: 'FieldValueNotSupported', field: `${path}.x-kubernetes-list-type`, message: `Unsupported value: ${JSON.stringify(listType)}: supported values: "atomic"` });
  }
  if (listType !== undefined && type !== 'array') causes.push(forbidden(`${path}.x-kubernetes-list-type`, 'only for arrays'));
  if (s.format !== undefined && (typeof s.format !== 'string' || !SUPPORTED_FORMATS.has(s.format))) {
    causes.push({ reason: 'FieldValueNotSupported', field: `${path}.format`, message: `Unsupported value: ${JSON.stringify(s.format)}: supported values: ${[...SUPPORTED_FORMATS].map((f) => `"${f}"`).join(', ')}` });
  }
  if (s.pattern !== undefined) {
    try {
      if (typeof s.pattern !== 'string') throw new Error('not a string');
      new RegExp(s.pattern, 'u');
    } catch {
      causes.push(invalid(`${path}.pattern`, s.pattern, 'must be a valid regular expression'));
    }
  }
  for (const k of ['exclusiveMinimum', 'exclusiveMaximum']) {
    if (s[k] !== undefined && typeof s[k] !== 'boolean') causes.push(invalid(`${path}.${k}`, s[k], 'must be a boolean (OpenAPI v3.0)'));
  }
  if (s.exclusiveMinimum === true && typeof s.minimum !== 'number') causes.push(required(`${path}.minimum`, 'exclusiveMinimum needs minimum'));
  if (s.exclusiveMaximum === true && typeof s.maximum !== 'number') causes.push(required(`${path}.maximum`, 'exclusiveMaximum needs maximum'));
  if (s.enum !== undefined && (!Array.isArray(s.enum) || s.enum.length === 0)) causes.push(invalid(`${path}.enum`, s.enum, 'must be a non-empty list'));
  if (s.required !== undefined && (!Array.isArray(s.required) || !s.required.every((r) => typeof r === 'string'))) {
    causes.push(invalid(`${path}.required`, s.required, 'must be a list of property names'));
  }
  if (s.properties !== undefined) {
    if (!isObj(s.properties)) causes.push(invalid(`${path}.properties`, s.properties, 'must be an object'));
    else {
      if (type !== 'object' && type !== undefined) causes.push(forbidden(`${path}.properties`, 'only for type object'));
      for (const [name, child] of Object.entries(s.properties)) {
        const at = `${path}.properties[${name}]`;
        if (!isObj(child)) causes.push(invalid(at, child, 'must be a schema'));
        else if (!(root && name === 'metadata')) node(child, at, causes);
        else if (child.type !== 'object') causes.push(invalid(`${at}.type`, child.type ?? null, 'must be object'));
      }
    }
  }
  if (s.additionalProperties !== undefined) {
    if (s.properties !== undefined) causes.push(forbidden(`${path}.additionalProperties`, 'additionalProperties and properties are mutually exclusive'));
    if (!isObj(s.additionalProperties)) causes.push(invalid(`${path}.additionalProperties`, s.additionalProperties, 'must be a schema (use x-kubernetes-preserve-unknown-fields for free-form objects)'));
    else node(s.additionalProperties, `${path}.additionalProperties`, causes);
    if (type !== 'object') causes.push(forbidden(`${path}.additionalProperties`, 'only for type object'));
  }
  if (type === 'array') {
    if (!isObj(s.items)) causes.push(required(`${path}.items`, 'must be specified for arrays'));
    else node(s.items, `${path}.items`, causes);
  } else if (s.items !== undefined) causes.push(forbidden(`${path}.items`, 'only for type array'));
}

/**
 * The JSON Schema the validator compiles for one node: strict objects unless they preserve unknown fields,
 * OpenAPI 3.0's boolean exclusive bounds as draft-07 numbers. Input must have passed structuralCauses.
 */
export function toValidationSchema(s: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === 'properties' && isObj(v)) out.properties = Object.fromEntries(Object.entries(v).map(([n, c]) => [n, toValidationSchema(c as Json)]));
    else if ((k === 'items' || k === 'additionalProperties') && isObj(v)) out[k] = toValidationSchema(v);
    else if (k === 'exclusiveMinimum' || k === 'exclusiveMaximum') continue;
    else out[k] = v;
  }
  if (s.exclusiveMinimum === true) {
    out.exclusiveMinimum = s.minimum;
    delete out.minimum;
  }
  if (s.exclusiveMaximum === true) {
    out.exclusiveMaximum = s.maximum;
    delete out.maximum;
  }
  const isObjectNode = s.type === 'object';
  if (isObjectNode && s['x-kubernetes-preserve-unknown-fields'] !== true && s.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}
