// Checking a request body against the request path before any write: it must be an object of the served
// kind and apiVersion, in the path's namespace, and (for named requests) with the path's name.
import { apiVersionOf, groupOf, type ApiObject, type KindInfo } from '../../api/schemas/kind.ts';
import { isUnknownFieldCause, stripUnknownFields, validateObject } from '../../api/schemas/validate.ts';
import { badRequest, invalid } from '../apierrors/status.ts';
import type { RequestInfo } from './request-info.ts';

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** How a request treats unknown fields (its `fieldValidation`), and where Warn's messages go. */
export interface FieldHandling {
  /** '' or Strict: an unknown field is a 422; Warn: dropped with a warning; Ignore: dropped silently. */
  fieldValidation: string;
  warnings?: string[];
}

/**
 * The body as an object of `info.kind`: apiVersion and kind filled in when absent and checked when present,
 * namespace taken from the path, name matched against the path. Throws 400 BadRequest on a mismatch. Under
 * fieldValidation Warn or Ignore, unknown fields are removed here, before anything reads the object.
 */
export function objectForPath(body: unknown, info: RequestInfo, what = 'the request body', fields: FieldHandling = { fieldValidation: 'Strict' }): ApiObject {
  if (!isPlainObject(body)) throw badRequest(`${what} must be a JSON object`);
  const obj = body as unknown as ApiObject;
  checkTypeMeta(obj, info.kind);
  if (obj.metadata === undefined) obj.metadata = {} as ApiObject['metadata'];
  if (!isPlainObject(obj.metadata)) throw badRequest('metadata must be an object');
  const meta = obj.metadata;
  if (info.kind.namespaced) {
    if (meta.namespace && info.namespace && meta.namespace !== info.namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    if (info.namespace) meta.namespace = info.namespace;
  } else {
    // Cluster-scoped objects have no namespace, whatever the client sent (as Kubernetes clears it).
    delete meta.namespace;
  }
  if (info.name !== undefined) {
    if (meta.name && meta.name !== info.name) {
      throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${info.name})`);
    }
    meta.name = info.name;
  }
  if (fields.fieldValidation === 'Warn' || fields.fieldValidation === 'Ignore') {
    const unknown = stripUnknownFields(info.kind, obj);
    if (fields.fieldValidation === 'Warn') fields.warnings?.push(...unknown.filter((m) => !fields.warnings!.includes(m)));
  }
  rejectDiscardedUnknownFields(obj, info);
  return obj;
}

/**
 * Strict decoding covers the parts a write then discards — status through the main resource of a kind with
 * /status, everything but status through /status — so an unknown field there is refused, not silently dropped.
 */
function rejectDiscardedUnknownFields(obj: ApiObject, info: RequestInfo): void {
  if (!info.kind.hasStatus || (info.subresource !== 'status' && obj.status === undefined)) return;
  const causes = validateObject(info.kind, structuredClone(obj)).filter(isUnknownFieldCause);
  if (causes.length > 0) throw invalid({ group: groupOf(info.kind), kindName: info.kind.kind, name: obj.metadata.name }, causes);
}

/** apiVersion and kind: filled when absent, 400 when they name something else. */
export function checkTypeMeta(obj: ApiObject, kind: KindInfo): void {
  const apiVersion = apiVersionOf(kind);
  if (obj.apiVersion === undefined || obj.apiVersion === '') obj.apiVersion = apiVersion;
  else if (obj.apiVersion !== apiVersion) {
    throw badRequest(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${apiVersion})`);
  }
  if (obj.kind === undefined || obj.kind === '') obj.kind = kind.kind;
  else if (obj.kind !== kind.kind) {
    throw badRequest(`the kind in the data (${String(obj.kind)}) does not match the expected kind (${kind.kind})`);
  }
}
