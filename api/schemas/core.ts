// The core group (`apiVersion: v1`, served under /api/v1): Namespace, ConfigMap, Secret, ServiceAccount and Event, in the
// shapes of Kubernetes' core/v1 so kubectl's `create configmap|secret|serviceaccount`, `describe` and `events`
// and client libraries work on them unmodified. These kinds are flat (no spec/status), as in Kubernetes.
import { Type, type TProperties } from '@sinclair/typebox';
import { Obj, StringEnum, Fixed, Timestamp, Int, MapOf, KeyedList, SetList } from './common.ts';
import { ObjectMeta } from './meta.ts';

/** apiVersion of the core group's objects. */
export const CORE_API_VERSION = 'v1';

/** A ConfigMap or Secret data key: Kubernetes' IsConfigMapKey. */
export const CONFIG_KEY_PATTERN = '^[-._a-zA-Z0-9]+$';

/** Standard (padded) base64, the encoding of Secret data and ConfigMap binaryData. */
export const BASE64_PATTERN = '^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$';

const key = Type.String({
  pattern: CONFIG_KEY_PATTERN, maxLength: 253,
  'x-drover-pattern-message': "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
});
const base64 = Type.String({ pattern: BASE64_PATTERN, 'x-drover-pattern-message': 'must be base64-encoded (standard alphabet, padded)' });
/** A map from config keys to values of `value`. */
const keyed = (value: ReturnType<typeof Type.String>, description: string) =>
  Type.Unsafe<Record<string, string>>({ ...MapOf(value), propertyNames: key, description });

/** A flat core/v1 object: apiVersion v1, kind, metadata, then the kind's own top-level fields. */
function coreObject<T extends TProperties>(kind: string, fields: T, description: string) {
  return Obj(
    {
      apiVersion: Fixed(CORE_API_VERSION, { description: 'Versioned schema of this representation: v1.' }),
      kind: Fixed(kind, { description: `Kind of this object: ${kind}.` }),
      metadata: ObjectMeta(),
      ...fields,
    },
    { description },
  );
}

/**
 * The Namespace object schema (core/v1, with spec and status as in Kubernetes). `spec.finalizers` holds
 * `kubernetes` while the namespace controller (pkg/controllers/gc) empties a namespace being deleted.
 */
export const NamespaceSchema = Obj(
  {
    apiVersion: Fixed(CORE_API_VERSION, { description: 'Versioned schema of this representation: v1.' }),
    kind: Fixed('Namespace', { description: 'Kind of this object: Namespace.' }),
    metadata: ObjectMeta('label'),
    spec: Type.Optional(
      Type.Unsafe<{ finalizers?: string[] }>({
        ...Obj({ finalizers: Type.Optional(SetList(Type.String(), { description: 'Finalizers that must clear before the namespace is removed (`kubernetes`: its contents are being deleted).' })) }, { description: 'Namespace options.' }),
        default: {},
      }),
    ),
    status: Type.Optional(
      Obj(
        { phase: Type.Optional(StringEnum(['Active', 'Terminating'], { description: 'Namespace phase: Terminating once deleted, until everything in it is gone.' })) },
        { description: 'Observed state of the namespace.' },
      ),
    ),
  },
  { description: 'A scope for names of namespaced objects.' },
);

/** The ConfigMap object schema. */
export const ConfigMapSchema = coreObject('ConfigMap', {
  data: Type.Optional(keyed(Type.String(), 'UTF-8 configuration values by key.')),
  binaryData: Type.Optional(keyed(base64, 'Binary configuration values by key, base64-encoded.')),
  immutable: Type.Optional(Type.Boolean({ description: 'When true, data and binaryData cannot be changed.' })),
}, 'Non-confidential configuration as key-value pairs.');

/** The Secret object schema; `stringData` is merged into `data` on write and never stored. */
export const SecretSchema = coreObject('Secret', {
  data: Type.Optional(keyed(base64, 'Secret values by key, base64-encoded.')),
  stringData: Type.Optional(keyed(Type.String(), 'Write-only plain-text values, merged into data (base64-encoded) on write; wins over data.')),
  type: Type.Optional(Type.String({ default: 'Opaque', description: 'Used to facilitate programmatic handling of secret data, e.g. Opaque, kubernetes.io/tls.' })),
  immutable: Type.Optional(Type.Boolean({ description: 'When true, data cannot be changed.' })),
}, 'Confidential data as key-value pairs, stored apart from other kinds so it can be encrypted at rest.');

/** A reference to an object by name in the same namespace. */
const LocalObjectReference = Obj({ name: Type.String({ description: 'Name of the referent.' }) }, { description: 'A reference by name.' });

/** The object an event or service account refers to. */
export const ObjectReference = Obj(
  {
    apiVersion: Type.Optional(Type.String()),
    kind: Type.Optional(Type.String()),
    namespace: Type.Optional(Type.String()),
    name: Type.Optional(Type.String()),
    uid: Type.Optional(Type.String()),
    resourceVersion: Type.Optional(Type.String()),
    fieldPath: Type.Optional(Type.String()),
  },
  { description: 'Reference to an object.' },
);

/** The ServiceAccount object schema. */
export const ServiceAccountSchema = coreObject('ServiceAccount', {
  secrets: Type.Optional(KeyedList(ObjectReference, 'name', { description: 'Secrets this service account may use.' })),
  imagePullSecrets: Type.Optional(Type.Array(LocalObjectReference, { description: 'Secrets for pulling images.' })),
  automountServiceAccountToken: Type.Optional(Type.Boolean({ description: 'Whether workloads mount a token of this account.' })),
}, 'An identity for workloads and controllers.');

/** The Event object schema: core/v1 Event, written by Drover's controllers and read by describe and `kubectl events`. */
export const EventSchema = coreObject('Event', {
  involvedObject: ObjectReference,
  reason: Type.Optional(Type.String({ description: 'Short CamelCase reason, e.g. Scheduled, Killing, Unhealthy.' })),
  message: Type.Optional(Type.String({ description: 'Human-readable description.' })),
  type: Type.Optional(StringEnum(['Normal', 'Warning'], { default: 'Normal', description: 'Event type.' })),
  count: Type.Optional(Int({ minimum: 1, default: 1, description: 'Times this event happened.' })),
  firstTimestamp: Type.Optional(Timestamp({ description: 'First occurrence.' })),
  lastTimestamp: Type.Optional(Timestamp({ description: 'Last occurrence.' })),
  eventTime: Type.Optional(Type.String({ description: 'When the event first happened (MicroTime).' })),
  action: Type.Optional(Type.String({ description: 'What was done, or failed, about the object.' })),
  reportingComponent: Type.Optional(Type.String({ description: 'The controller that emitted the event.' })),
  reportingInstance: Type.Optional(Type.String({ description: 'The instance of the controller.' })),
  related: Type.Optional(ObjectReference),
  source: Type.Optional(Obj({ component: Type.Optional(Type.String()), host: Type.Optional(Type.String()) }, { description: 'Reporter.' })),
}, 'A record of something that happened to an object, shown by describe.');
