// ListOptions: label and field selectors (as one filter), limit/continue, resourceVersion and
// resourceVersionMatch — parsed and cross-checked the way apiserver validates them.
import type { ApiObject, KindInfo } from '../../api/schemas/kind.ts';
import { isInsideRevision, isResourceVersion, revisionOf, rvPosition } from '../../api/schemas/resource-version.ts';
import { badRequest, invalid, type StatusCause } from '../apierrors/status.ts';
import { queryFlag, queryParam, type RawQuery } from './options.ts';
import { matchFields, parseFieldSelector } from './selectors/fields.ts';
import { matchLabels, parseLabelSelector } from './selectors/labels.ts';

/** A predicate over objects (label and field selectors combined). */
export type ObjectFilter = (o: ApiObject) => boolean;

/** The field value a field selector reads: metadata.name, metadata.namespace or one of the kind's fields. */
export function fieldGetter(kind: KindInfo, obj: ApiObject): (field: string) => string | undefined {
  return (field) => {
    if (field === 'metadata.name') return obj.metadata.name;
    if (field === 'metadata.namespace') return obj.metadata.namespace ?? '';
    return kind.selectableFields[field]?.(obj);
  };
}

/** The selectors of a request as one filter (undefined when there is none). `name` narrows to one object. */
export function parseSelectors(kind: KindInfo, q: RawQuery, name?: string): ObjectFilter | undefined {
  const ls = queryParam(q, 'labelSelector');
  const fs = queryParam(q, 'fieldSelector');
  const labels = ls ? parseLabelSelector(ls) : undefined;
  const fields = fs ? parseFieldSelector(fs, Object.keys(kind.selectableFields)) : undefined;
  if (!labels && !fields && name === undefined) return undefined;
  return build();
  function build(): ObjectFilter {
    return (o) =>
      (name === undefined || o.metadata.name === name) &&
      (!labels || matchLabels(labels, o.metadata.labels ?? {})) &&
      (!fields || matchFields(fields, fieldGetter(kind, o)));
  }
}

/** A decoded continue token: the list revision and the key (relative to the list prefix) to start at. */
export interface ContinueToken {
  /** The snapshot revision; -1 = "the latest" (a token handed out with a 410 to continue inconsistently). */
  rv: number;
  start: string;
}

/** Encode a continue token (base64 JSON, like Kubernetes' `{"v":"meta.k8s.io/v1","rv":..,"start":..}`). */
export function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start })).toString('base64url');
}

/** Decode a continue token; 400 when it is not one of ours. */
export function decodeContinue(token: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: unknown; rv?: unknown; start?: unknown };
    const ok = t.v === 'meta.k8s.io/v1' && Number.isInteger(t.rv) && (t.rv as number) >= -1 && typeof t.start === 'string';
    // A start key may not climb out of the list's prefix.
    if (ok && !(t.start as string).split('/').includes('..')) return { rv: t.rv as number, start: t.start as string };
  } catch {
    // fall through
  }
  throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}

/** The parsed paging and consistency options of a list. */
export interface ListPaging {
  limit: number;
  continueToken?: ContinueToken;
  /** undefined = unset; 0 = "any"; n = at least / exactly n. */
  resourceVersion?: number;
  match?: 'NotOlderThan' | 'Exact';
}

/**
 * A resourceVersion query value as a number: a revision, or a watch event's in-revision position ("48.2", see
 * api/schemas/resource-version.ts); 400 when it is neither.
 */
export function parseResourceVersion(v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  if (!isResourceVersion(v)) throw badRequest(`invalid resource version "${v}"`);
  return rvPosition(v);
}

/** Parse and cross-check limit, continue, resourceVersion and resourceVersionMatch of a list. */
export function parsePaging(q: RawQuery): ListPaging {
  const causes: StatusCause[] = [];
  const limitRaw = queryParam(q, 'limit');
  if (limitRaw !== undefined && limitRaw !== '' && !/^\d+$/.test(limitRaw)) throw badRequest(`limit: invalid value "${limitRaw}": must be a non-negative integer`);
  const limit = Number(limitRaw ?? 0) || 0;
  // The watch-only ListOptions still have to decode on a list, as Kubernetes' parameter codec requires.
  const timeoutRaw = queryParam(q, 'timeoutSeconds');
  if (timeoutRaw !== undefined && timeoutRaw !== '' && !/^\d+$/.test(timeoutRaw)) throw badRequest(`timeoutSeconds: invalid value "${timeoutRaw}": must be a non-negative integer`);
  queryFlag(q, 'allowWatchBookmarks');
  const cont = queryParam(q, 'continue') || undefined;
  const rvRaw = queryParam(q, 'resourceVersion');
  const resourceVersion = parseResourceVersion(rvRaw);
  const matchRaw = queryParam(q, 'resourceVersionMatch') || undefined;
  if (matchRaw !== undefined && matchRaw !== 'NotOlderThan' && matchRaw !== 'Exact') {
    causes.push({ reason: 'FieldValueNotSupported', field: 'resourceVersionMatch', message: `Unsupported value: "${matchRaw}": supported values: "Exact", "NotOlderThan"` });
  }
  if (matchRaw && resourceVersion === undefined) {
    causes.push({ reason: 'FieldValueForbidden', field: 'resourceVersionMatch', message: 'Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided' });
  }
  if (matchRaw && cont) {
    causes.push({ reason: 'FieldValueForbidden', field: 'resourceVersionMatch', message: 'Forbidden: resourceVersionMatch is forbidden when continue is provided' });
  }
  if (matchRaw === 'Exact' && resourceVersion === 0) {
    causes.push({ reason: 'FieldValueForbidden', field: 'resourceVersionMatch', message: 'Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"' });
  }
  if (matchRaw === 'Exact' && resourceVersion !== undefined && isInsideRevision(resourceVersion)) {
    causes.push({
      reason: 'FieldValueInvalid',
      field: 'resourceVersion',
      message: `Invalid value: "${rvRaw}": names one watch event inside revision ${revisionOf(resourceVersion)}; an exact list needs a whole revision`,
    });
  }
  if (cont && resourceVersion !== undefined && resourceVersion !== 0) {
    causes.push({ reason: 'FieldValueForbidden', field: 'resourceVersion', message: 'Forbidden: specifying resource version is not allowed when using continue' });
  }
  if (causes.length > 0) throw invalid({ kindName: 'ListOptions', group: 'meta.k8s.io', name: '' }, causes);
  // "Not older than" a watch event's position: its revision (the first state that holds the event).
  const notOlderThan = resourceVersion === undefined ? undefined : revisionOf(resourceVersion);
  return { limit, continueToken: cont ? decodeContinue(cont) : undefined, resourceVersion: notOlderThan, match: matchRaw as ListPaging['match'] };
}
