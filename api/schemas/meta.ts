// Kubernetes ObjectMeta and the {apiVersion, kind, metadata, spec, status} envelope every kind shares.
// Name rules, label/annotation key rules and server-owned fields follow apimachinery's validation.
import { Type, type TSchema, type SchemaOptions } from '@sinclair/typebox';
import { API_VERSION } from './kind.ts';
import { Obj, StringEnum, Fixed, FreeForm, Timestamp, Int, DnsLabel, DnsSubdomain, KeyedList, SetList } from './common.ts';

/** A qualified name as label and annotation keys use: optional DNS-subdomain prefix and '/', then a name part. */
export const QUALIFIED_NAME_PATTERN =
  '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$';
/** A label value: empty, or at most 63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric. */
export const LABEL_VALUE_PATTERN = '^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$';

const QUALIFIED_NAME_MESSAGE =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric " +
  "character (e.g. 'MyName', or 'my.name', or '123-abc', regex used for validation is " +
  "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
const LABEL_VALUE_MESSAGE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and " +
  "end with an alphanumeric character (e.g. 'MyValue', or 'my_value', or '12345', regex used for validation is " +
  "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

const qualifiedKey = { maxLength: 317, pattern: QUALIFIED_NAME_PATTERN, 'x-drover-pattern-message': QUALIFIED_NAME_MESSAGE };

/** Labels: qualified-name keys, short label values; used by selectors. */
export const Labels = Type.Unsafe<Record<string, string>>({
  type: 'object',
  description: 'Map of string keys and values that can be used to organize and select objects.',
  propertyNames: { type: 'string', ...qualifiedKey },
  additionalProperties: { type: 'string', maxLength: 63, pattern: LABEL_VALUE_PATTERN, 'x-drover-pattern-message': LABEL_VALUE_MESSAGE },
});

/** Annotations: qualified-name keys, arbitrary string values. */
export const Annotations = Type.Unsafe<Record<string, string>>({
  type: 'object',
  description: 'Unstructured key value map stored with an object, not used for selection.',
  propertyNames: { type: 'string', ...qualifiedKey },
  additionalProperties: { type: 'string' },
});

/** A reference to an owning object; garbage collection follows these. */
export const OwnerReference = Obj(
  {
    apiVersion: Type.String({ minLength: 1, description: 'API version of the referent.' }),
    kind: Type.String({ minLength: 1, description: 'Kind of the referent.' }),
    name: Type.String({ minLength: 1, description: 'Name of the referent.' }),
    uid: Type.String({ minLength: 1, description: 'UID of the referent.' }),
    controller: Type.Optional(Type.Boolean({ description: 'True if this reference points to the managing controller.' })),
    blockOwnerDeletion: Type.Optional(Type.Boolean({ description: 'If true, the owner cannot be deleted until this reference is removed.' })),
  },
  { description: 'Identifies an owning object; the dependent is garbage-collected when the owner is deleted.' },
);

/** One field manager's record (server-side apply). */
export const ManagedFieldsEntry = Obj(
  {
    manager: Type.String({ description: 'Identifies the workflow managing these fields.' }),
    operation: StringEnum(['Apply', 'Update'], { description: 'The operation that caused this entry.' }),
    apiVersion: Type.String({ description: 'Version of the resource the fields were written in.' }),
    time: Type.Optional(Timestamp({ description: 'When the entry was last changed.' })),
    fieldsType: StringEnum(['FieldsV1'], { description: 'Format of fieldsV1; only "FieldsV1".' }),
    fieldsV1: FreeForm({ description: 'The set of owned fields, in the FieldsV1 trie format.' }),
    subresource: Type.Optional(Type.String({ description: 'The subresource the fields were written through, e.g. "status".' })),
  },
  { description: 'A field manager, the operation it used and the fields it owns.' },
);

/** A name that is one URL path segment (RBAC objects: `drover:node`): no '/' or '%', not '.' or '..'. */
export const PATH_SEGMENT_NAME_PATTERN = '^(?!\\.\\.?$)[^/%]+$';

function PathSegmentName(options: SchemaOptions) {
  return Type.String({ pattern: PATH_SEGMENT_NAME_PATTERN, maxLength: 253, 'x-drover-pattern-message': "may not be '.' or '..' and may not contain '/' or '%'", ...options });
}

/** Which naming rule a kind's metadata.name follows. */
export type NameRule = 'label' | 'subdomain' | 'path';

/** Builds ObjectMeta for a naming rule. */
function buildObjectMeta(rule: NameRule) {
  const nameOpts = { description: 'Name, unique within the namespace (or cluster for cluster-scoped kinds). Cannot be updated.' };
  return Obj(
    {
      name: Type.Optional(rule === 'label' ? DnsLabel(nameOpts) : rule === 'path' ? PathSegmentName(nameOpts) : DnsSubdomain(nameOpts)),
      generateName: Type.Optional(Type.String({ maxLength: 253, description: 'Prefix the server uses to generate a unique name when name is not given.' })),
      namespace: Type.Optional(DnsLabel({ description: 'Namespace of a namespaced object; empty for cluster-scoped kinds.' })),
      uid: Type.Optional(Type.String({ description: 'Server-assigned unique id of this incarnation of the object. Read-only.' })),
      resourceVersion: Type.Optional(Type.String({ description: 'Opaque version for optimistic concurrency and watches (etcd mod revision). Read-only.' })),
      generation: Type.Optional(Int({ minimum: 0, description: 'Sequence number of spec changes. Read-only.' })),
      creationTimestamp: Type.Optional(Timestamp({ description: 'When the object was created. Read-only.' })),
      deletionTimestamp: Type.Optional(Timestamp({ description: 'When the object will be deleted, set when deletion is requested and finalizers remain. Read-only.' })),
      deletionGracePeriodSeconds: Type.Optional(Int({ minimum: 0, description: 'Seconds allowed for graceful termination. Read-only.' })),
      labels: Type.Optional(Labels),
      annotations: Type.Optional(Annotations),
      finalizers: Type.Optional(
        SetList(Type.String({ minLength: 1 }), { description: 'Conditions that must be cleared before the object is removed from storage.' }),
      ),
      ownerReferences: Type.Optional(KeyedList(OwnerReference, 'uid', { description: 'Objects this object depends on.' })),
      managedFields: Type.Optional(Type.Array(ManagedFieldsEntry, { description: 'Field ownership for server-side apply.' })),
    },
    { description: 'Standard object metadata.' },
  );
}

const objectMetas = { subdomain: buildObjectMeta('subdomain'), label: buildObjectMeta('label'), path: buildObjectMeta('path') };

/** ObjectMeta for a kind whose names follow `rule` (Namespace: DNS label; the rest: DNS subdomain). */
export function ObjectMeta(rule: NameRule = 'subdomain') {
  return objectMetas[rule];
}

/** The fields the server owns and ignores or overwrites on create/update. */
export const SERVER_OWNED_META = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds'] as const;

/** Describes one kind's envelope. */
export interface EnvelopeSpec<S extends TSchema, St extends TSchema> {
  kind: string;
  nameRule?: NameRule;
  spec: S;
  status: St;
  /** True when `spec` may be omitted (every spec field optional): then it defaults to {}. */
  specOptional?: boolean;
  description: string;
}

/** The full object schema `{apiVersion, kind, metadata, spec, status}` for a kind. */
export function envelope<S extends TSchema, St extends TSchema>(e: EnvelopeSpec<S, St>, options: SchemaOptions = {}) {
  const spec = e.specOptional ? Type.Optional(Type.Unsafe<S['static']>({ ...e.spec, default: {} })) : e.spec;
  return Obj(
    {
      apiVersion: Fixed(API_VERSION, { description: 'Versioned schema of this representation: drover.dev/v1.' }),
      kind: Fixed(e.kind, { description: `Kind of this object: ${e.kind}.` }),
      metadata: ObjectMeta(e.nameRule),
      spec,
      status: Type.Optional(e.status),
    },
    { description: e.description, ...options },
  );
}
