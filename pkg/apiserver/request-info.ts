// Resolving a request path under a group-version prefix (/apis/drover.dev/v1, /api/v1) to (kind, namespace, name,
// subresource) and a verb, following apiserver's RequestInfo rules (namespaces/{ns}/status is the namespace's own
// subresource).
import type { KindInfo } from '../../api/schemas/kind.ts';
import { apiError, badRequest, type ApiError } from '../apierrors/status.ts';

/** The Kubernetes verb a request performs. */
export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

/** Which resource a request addresses. */
export interface RequestInfo {
  kind: KindInfo;
  /** Namespace from the path (namespaced kinds); undefined = all namespaces (list/watch) or cluster-scoped. */
  namespace?: string;
  name?: string;
  subresource?: string;
  verb: Verb;
}

/** Subresources of a Namespace object that would otherwise read as `namespaces/{ns}/{plural}`. */
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

/** The 404 Kubernetes returns for a path it does not serve. */
export const resourceNotFound = (): ApiError => apiError('NotFound', 'the server could not find the requested resource', {});

/** The 405 for a method the addressed resource does not allow. */
export const methodNotAllowed = (): ApiError =>
  apiError('MethodNotAllowed', 'the server does not allow this method on the requested resource', {});

/**
 * Resolve the path segments after the group-version prefix (raw, still URL-encoded) against that group's kinds
 * (`kindByPlural`), and the HTTP method.
 * `watchParam` is the `watch` query flag; a legacy `/watch/` prefix sets it too.
 */
export function resolveRequest(
  rawSegments: string[],
  method: string,
  watchParam: boolean,
  kindByPlural: ReadonlyMap<string, KindInfo>,
): RequestInfo {
  let parts = decodeSegments(rawSegments.filter((s, i) => s !== '' || i < rawSegments.length - 1));
  let watch = watchParam;
  if (parts[0] === 'watch') {
    watch = true;
    parts = parts.slice(1);
  }
  let namespace: string | undefined;
  if (parts[0] === 'namespaces' && parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2]!)) {
    namespace = parts[1];
    parts = parts.slice(2);
  }
  const [plural, name, subresource, ...extra] = parts;
  const kind = plural === undefined ? undefined : kindByPlural.get(plural);
  if (!kind || extra.length > 0 || name === '') throw resourceNotFound();
  if (namespace !== undefined && !kind.namespaced) throw resourceNotFound();
  if (subresource !== undefined && !(subresource === 'status' && kind.hasStatus)) throw resourceNotFound();
  // A namespaced kind addressed without a namespace is only a collection (list/watch across namespaces).
  if (kind.namespaced && namespace === undefined && name !== undefined) throw resourceNotFound();
  const verb = verbFor(method, name !== undefined, watch, subresource !== undefined);
  if (kind.namespaced && namespace === undefined && verb !== 'list' && verb !== 'watch') throw methodNotAllowed();
  return { kind, namespace, name, subresource, verb };
}

function verbFor(method: string, hasName: boolean, watch: boolean, hasSub: boolean): Verb {
  switch (method) {
    case 'GET':
    case 'HEAD':
      if (watch) return 'watch';
      return hasName ? 'get' : 'list';
    case 'POST':
      if (!hasName) return 'create';
      break;
    case 'PUT':
      if (hasName) return 'update';
      break;
    case 'PATCH':
      if (hasName) return 'patch';
      break;
    case 'DELETE':
      if (hasName && !hasSub) return 'delete';
      if (!hasName) return 'deletecollection';
      break;
  }
  throw methodNotAllowed();
}

function decodeSegments(raw: string[]): string[] {
  try {
    return raw.map((s) => decodeURIComponent(s));
  } catch {
    throw badRequest('malformed URL path: invalid percent-encoding');
  }
}
