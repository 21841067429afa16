// Building blocks shared by every kind's schema: strict objects, string enums, free-form maps, durations,
// timestamps and conditions. Strictness lives here so no schema can forget `additionalProperties: false`.
import { Type, type TSchema, type TProperties, type TObject, type TArray, type ArrayOptions, type ObjectOptions, type SchemaOptions, type TUnsafe, type Static } from '@sinclair/typebox';

/** A strict object: unknown fields are rejected (Kubernetes strict decoding). */
export function Obj<T extends TProperties>(properties: T, options: ObjectOptions = {}): TObject<T> {
  return Type.Object(properties, { additionalProperties: false, ...options });
}

/**
 * A string enum as a plain `{type: string, enum}` schema. TypeBox's Union-of-Literals becomes `anyOf`, which gives
 * poor errors and is not a structural schema for kubectl; a flat enum gives "Unsupported value" errors.
 */
export function StringEnum<const T extends readonly string[]>(values: T, options: SchemaOptions = {}): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

/** A single fixed string (apiVersion, kind), as a one-value enum so the error names the supported value. */
export function Fixed<const T extends string>(value: T, options: SchemaOptions = {}) {
  return Type.Unsafe<T>({ type: 'string', enum: [value], ...options });
}

/** A free-form string → string map (labels-like meta, env). */
export function StringMap(options: SchemaOptions = {}) {
  return MapOf(Type.String(), options);
}

/** A free-form JSON object whose contents the API server does not check (task driver config, fieldsV1). */
export function FreeForm(options: SchemaOptions = {}) {
  return Type.Unsafe<Record<string, unknown>>({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true, ...options });
}

/**
 * A map from names to values of one schema (`groups → {...}` in Deployment, task states). Spelled with
 * `additionalProperties` rather than TypeBox's `patternProperties`: only that form is a structural schema kubectl reads.
 */
export function MapOf<T extends TSchema>(value: T, options: SchemaOptions = {}) {
  return Type.Unsafe<Record<string, Static<T>>>({ type: 'object', additionalProperties: value, ...options });
}

/** Go duration syntax as Nomad accepts it: "10s", "5m", "1h30m", "250ms", "0". */
export const DURATION_PATTERN = '^(0|([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+)$';

/** A duration string. */
export function Duration(options: SchemaOptions = {}) {
  return Type.String({
    pattern: DURATION_PATTERN,
    'x-drover-pattern-message': 'must be a duration such as "10s", "5m", "1h30m" or "250ms"',
    ...options,
  });
}

/** An RFC 3339 timestamp, as metav1.Time. */
export function Timestamp(options: SchemaOptions = {}) {
  return Type.String({ format: 'date-time', ...options });
}

/** An integer with bounds. */
export function Int(options: SchemaOptions = {}) {
  return Type.Integer(options);
}

/** DNS-1123 label: lowercase alphanumerics and '-', at most 63 characters. */
export const DNS_LABEL_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
/** DNS-1123 subdomain: dot-separated labels, at most 253 characters. */
export const DNS_SUBDOMAIN_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';

const DNS_LABEL_MESSAGE =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end " +
  "with an alphanumeric character (e.g. 'my-name', or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS_SUBDOMAIN_MESSAGE =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start " +
  "and end with an alphanumeric character (e.g. 'example.com', regex used for validation is " +
  "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

/** A DNS-1123 label string (namespace names, group and task names). */
export function DnsLabel(options: SchemaOptions = {}) {
  return Type.String({ minLength: 1, maxLength: 63, pattern: DNS_LABEL_PATTERN, 'x-drover-pattern-message': DNS_LABEL_MESSAGE, ...options });
}

/** A DNS-1123 subdomain string (most object names). */
export function DnsSubdomain(options: SchemaOptions = {}) {
  return Type.String({
    minLength: 1,
    maxLength: 253,
    pattern: DNS_SUBDOMAIN_PATTERN,
    'x-drover-pattern-message': DNS_SUBDOMAIN_MESSAGE,
    ...options,
  });
}

/** A port label or other identifier-like name: letters, digits, '_' and '-'. */
export function Identifier(options: SchemaOptions = {}) {
  return Type.String({
    minLength: 1,
    maxLength: 63,
    pattern: '^[A-Za-z0-9_]([-A-Za-z0-9_]*[A-Za-z0-9_])?$',
    'x-drover-pattern-message': "must consist of alphanumeric characters, '_' or '-', and start and end with an alphanumeric or '_'",
    ...options,
  });
}

/** A Kubernetes-style condition, used in every status that reports conditions. */
export const Condition = Obj(
  {
    type: Type.String({ minLength: 1, description: 'Type of condition, e.g. Ready.' }),
    status: StringEnum(['True', 'False', 'Unknown'], { description: 'Status of the condition.' }),
    reason: Type.Optional(Type.String({ description: 'One-word CamelCase reason for the last transition.' })),
    message: Type.Optional(Type.String({ description: 'Human-readable details about the last transition.' })),
    lastTransitionTime: Type.Optional(Timestamp({ description: 'When the condition last changed status.' })),
    observedGeneration: Type.Optional(Int({ minimum: 0, description: 'The metadata.generation the condition was computed from.' })),
  },
  { description: 'One aspect of the current state of an object.' },
);

/**
 * A list of objects identified by one key field (group and task `name`, port `label`). The one place list merge
 * rules are declared: `x-kubernetes-list-type: map` + `x-kubernetes-list-map-keys` drive server-side apply (items
 * owned one by one), `x-kubernetes-patch-strategy: merge` + `x-kubernetes-patch-merge-key` make kubectl send, and
 * the server apply, a strategic merge patch that merges items by key instead of replacing the list. A list whose
 * items lack the key (optional service and check names) or repeat it is treated as atomic: replaced whole.
 */
export function KeyedList<T extends TSchema>(item: T, key: string, options: ArrayOptions = {}): TArray<T> {
  return Type.Array(item, {
    ...options,
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': [key],
    'x-kubernetes-patch-strategy': 'merge',
    'x-kubernetes-patch-merge-key': key,
  });
}

/** A list of unique scalars merged by value (finalizers): `x-kubernetes-list-type: set`, patch strategy merge. */
export function SetList<T extends TSchema>(item: T, options: ArrayOptions = {}): TArray<T> {
  return Type.Array(item, { ...options, 'x-kubernetes-list-type': 'set', 'x-kubernetes-patch-strategy': 'merge' });
}

/** A list of conditions, keyed by type. */
export function Conditions(opts: { description?: string } = {}) {
  return KeyedList(Condition, 'type', { description: opts.description ?? 'Current conditions, one per type.' });
}
