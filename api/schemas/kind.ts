// The registry contract: what the generic API server, client, CLI and docs know about each kind.
// The schemas (TypeBox) are the one source; everything here is derived from or sits beside them.
import type { TSchema } from '@sinclair/typebox';

/** API group and version served by Drover. */
export const GROUP = 'drover.dev';
export const VERSION = 'v1';
export const API_VERSION = `${GROUP}/${VERSION}`;

/** Kubernetes ObjectMeta as Drover stores it. */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  managedFields?: ManagedFieldsEntry[];
  generateName?: string;
}

/** A reference to an owning object. */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** One field manager's record of the fields it owns (FieldsV1 format). */
export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time?: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

/** Any stored object. */
export interface ApiObject<Spec = unknown, St = unknown> {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: Spec;
  status?: St;
}

/** A column for table output (kubectl's Table and `drover get`). */
export interface PrinterColumn {
  name: string;
  /** JSONPath-like dotted path, e.g. `.status.phase` or `.spec.groups[*].count`. */
  jsonPath: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  description?: string;
  /** 0 = always shown, 1 = only with `-o wide`. */
  priority?: number;
  /** The cell is the number of entries of the map or list at jsonPath (0 when absent), like kubectl's DATA column. */
  count?: boolean;
}

/** Everything the generic machinery needs about a kind. */
export interface KindInfo {
  kind: string; // "Job"
  /** API group; absent = drover.dev, '' = the core group served under /api/v1 (ConfigMap, Secret, Event...). */
  group?: string;
  /** API version; absent = v1 (custom kinds registered by a CustomResourceDefinition may serve another). */
  version?: string;
  /** Set on kinds registered at run time by a CustomResourceDefinition (no built-in semantic rules apply). */
  custom?: boolean;
  plural: string; // "jobs"
  singular: string; // "job"
  shortNames: string[];
  namespaced: boolean;
  /** Whether the kind has a /status subresource (status is written only there). */
  hasStatus: boolean;
  /** Names are URL path segments (RBAC: `system:masters`) rather than DNS-1123 subdomains. */
  pathSegmentNames?: boolean;
  /** The full object schema (apiVersion, kind, metadata, spec, status). */
  schema: TSchema;
  /** Fields besides metadata.name/metadata.namespace usable in field selectors, with their extractors. */
  selectableFields: Record<string, (obj: ApiObject) => string | undefined>;
  printerColumns: PrinterColumn[];
  categories?: string[];
  /** One-line description for docs. */
  description: string;
}

/** The API group of a kind ('' for the core group). */
export function groupOf(kind: Pick<KindInfo, 'group'>): string {
  return kind.group ?? GROUP;
}

/** The API version of a kind (`v1` unless a custom kind says otherwise). */
export function versionOf(kind: Pick<KindInfo, 'version'>): string {
  return kind.version ?? VERSION;
}

/** The apiVersion of a kind's objects: `v1` for the core group, `drover.dev/v1` otherwise. */
export function apiVersionOf(kind: Pick<KindInfo, 'group' | 'version'>): string {
  const group = groupOf(kind);
  return group === '' ? versionOf(kind) : `${group}/${versionOf(kind)}`;
}

/** The path prefix a kind is served under: `/api/v1` for the core group, `/apis/{group}/{version}` otherwise. */
export function apiPrefixOf(kind: Pick<KindInfo, 'group' | 'version'>): string {
  const group = groupOf(kind);
  return group === '' ? `/api/${versionOf(kind)}` : `/apis/${group}/${versionOf(kind)}`;
}
