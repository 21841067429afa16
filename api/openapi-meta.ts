// The apimachinery (meta/v1) components every Kubernetes OpenAPI v3 group-version document carries, named as
// kube-apiserver names them so kubectl's explain and validation resolve `metadata` and list envelopes.
import { ObjectMeta, OwnerReference, ManagedFieldsEntry } from './schemas/meta.ts';

/** Prefix of apimachinery meta/v1 component names. */
export const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

/** A `$ref` to a component schema. */
export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** The form kube-apiserver uses for a described reference: a description beside an `allOf` of one `$ref`. */
export const refWith = (name: string, description: string, extra: Record<string, unknown> = {}) => ({ description, allOf: [ref(name)], ...extra });

type Json = Record<string, unknown>;

/**
 * A TypeBox schema as an OpenAPI 3.0 schema: symbols dropped by the JSON round trip, and keywords OpenAPI 3.0
 * lacks (propertyNames) or that are Drover-internal (x-drover-*) removed.
 */
export function toOpenApiSchema(schema: unknown): Json {
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v === null || typeof v !== 'object') return v;
    const out: Json = {};
    for (const [k, val] of Object.entries(v as Json)) {
      if (k === 'propertyNames' || k.startsWith('x-drover-')) continue;
      out[k] = strip(val);
    }
    return out;
  };
  return strip(JSON.parse(JSON.stringify(schema))) as Json;
}

/** meta/v1 components: ObjectMeta, ListMeta, OwnerReference, ManagedFieldsEntry, Status, DeleteOptions, Patch, WatchEvent. */
export function metaComponents(): Record<string, Json> {
  const objectMeta = toOpenApiSchema(ObjectMeta());
  const props = objectMeta.properties as Json;
  // Items become references to the meta/v1 components; the list's own keywords (its merge rule) stay.
  const refItems = (field: string, component: string) => ({ ...(props[field] as Json), items: { default: {}, allOf: [ref(`${META}.${component}`)] } });
  props.ownerReferences = refItems('ownerReferences', 'OwnerReference');
  props.managedFields = refItems('managedFields', 'ManagedFieldsEntry');
  for (const t of ['creationTimestamp', 'deletionTimestamp']) props[t] = refWith(`${META}.Time`, (props[t] as Json).description as string);
  const managed = toOpenApiSchema(ManagedFieldsEntry);
  (managed.properties as Json).fieldsV1 = refWith(`${META}.FieldsV1`, 'The set of owned fields, in the FieldsV1 trie format.');
  (managed.properties as Json).time = refWith(`${META}.Time`, 'When the entry was last changed.');
  const str = (description: string) => ({ type: 'string', description });
  return {
    [`${META}.ObjectMeta`]: objectMeta,
    [`${META}.OwnerReference`]: { ...toOpenApiSchema(OwnerReference), 'x-kubernetes-map-type': 'atomic' },
    [`${META}.ManagedFieldsEntry`]: managed,
    [`${META}.Time`]: { type: 'string', format: 'date-time', description: 'An RFC 3339 timestamp.' },
    [`${META}.FieldsV1`]: { type: 'object', description: 'FieldsV1 stores a set of fields in a trie-like JSON structure.' },
    [`${META}.ListMeta`]: {
      type: 'object',
      description: 'Metadata of a list.',
      properties: {
        resourceVersion: str('Version of the list, usable to watch from.'),
        continue: str('Token to fetch the next page, set when the list was limited.'),
        remainingItemCount: { type: 'integer', format: 'int64', description: 'Items after this page, when known.' },
        selfLink: str('Deprecated.'),
      },
    },
    [`${META}.StatusCause`]: {
      type: 'object',
      description: 'A field-level cause of a failure.',
      properties: { reason: str('Machine-readable cause, e.g. FieldValueInvalid.'), message: str('Human-readable description.'), field: str('Path of the field, e.g. spec.groups[0].count.') },
    },
    [`${META}.StatusDetails`]: {
      type: 'object',
      description: 'Details of a failure.',
      properties: {
        name: str('Name of the object.'), group: str('API group.'), kind: str('Resource.'), uid: str('UID of the object.'),
        causes: { type: 'array', items: { default: {}, allOf: [ref(`${META}.StatusCause`)] } },
        retryAfterSeconds: { type: 'integer', format: 'int32' },
      },
    },
    [`${META}.Status`]: {
      type: 'object',
      description: 'The result of an operation that returns no object, and every error.',
      properties: {
        apiVersion: str('v1'), kind: str('Status'), code: { type: 'integer', format: 'int32', description: 'HTTP status code.' },
        details: refWith(`${META}.StatusDetails`, 'Details of the failure.'), message: str('Human-readable description.'),
        metadata: refWith(`${META}.ListMeta`, 'Standard list metadata.', { default: {} }), reason: str('Machine-readable reason, e.g. NotFound.'),
        status: str('Success or Failure.'),
      },
      'x-kubernetes-group-version-kind': [{ group: '', kind: 'Status', version: 'v1' }],
    },
    [`${META}.Preconditions`]: { type: 'object', description: 'Must hold before a delete.', properties: { resourceVersion: str('Target resourceVersion.'), uid: str('Target UID.') } },
    [`${META}.DeleteOptions`]: {
      type: 'object',
      description: 'Options of a delete.',
      properties: {
        apiVersion: str('v1'), kind: str('DeleteOptions'), dryRun: { type: 'array', items: { type: 'string', default: '' } },
        gracePeriodSeconds: { type: 'integer', format: 'int64' }, preconditions: refWith(`${META}.Preconditions`, 'Must be fulfilled before a deletion is carried out.'),
        propagationPolicy: str('Orphan, Background or Foreground.'),
      },
      'x-kubernetes-group-version-kind': [{ group: '', kind: 'DeleteOptions', version: 'v1' }],
    },
    [`${META}.Patch`]: { type: 'object', description: 'A patch document: JSON patch, merge patch or an apply configuration.' },
    [`${META}.WatchEvent`]: {
      type: 'object',
      description: 'One event of a watch stream.',
      required: ['type', 'object'],
      properties: { type: str('ADDED, MODIFIED, DELETED, BOOKMARK or ERROR.'), object: { type: 'object', description: 'The object (or a Status for ERROR).' } },
      'x-kubernetes-group-version-kind': [{ group: '', kind: 'WatchEvent', version: 'v1' }],
    },
  };
}
