// What a request asks to do, in RBAC's terms, read from its method and URL alone (Kubernetes'
// RequestInfoFactory): resource requests under /api/v1 and /apis/{group}/v1 — plugins' subresources
// (jobs/{name}/plan, allocations/{name}/log, serviceaccounts/{name}/token) included — and non-resource paths.
// It needs no kind registry, so authorization runs before routing and an unknown path is as forbidden as a
// known one.

/** A request on a resource. */
export interface ResourceAttributes {
  resourceRequest: true;
  verb: string;
  apiGroup: string;
  resource: string;
  subresource: string;
  /** '' for cluster-scoped requests and lists/watches across namespaces. */
  namespace: string;
  /** '' for collections (a list or watch naming one object with fieldSelector=metadata.name=X gets X). */
  name: string;
}

/** A request outside the resource API (/metrics, /version, discovery). */
export interface NonResourceAttributes {
  resourceRequest: false;
  verb: string;
  path: string;
}

/** Either kind of request. */
export type RequestAttributes = ResourceAttributes | NonResourceAttributes;

/** Subresources of a Namespace object that would otherwise read as `namespaces/{ns}/{plural}`. */
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

/** The attributes of `method url` (url with its query string). */
export function requestAttributes(method: string, url: string): RequestAttributes {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
  const lower = method.toLowerCase();
  const httpVerb = lower === 'head' ? 'get' : lower;
  let parts = path.split('/').filter((p) => p !== '');
  let apiGroup: string;
  if (parts[0] === 'api' && parts.length >= 3) {
    apiGroup = '';
    parts = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    apiGroup = safeDecode(parts[1]!);
    parts = parts.slice(3);
  } else {
    return { resourceRequest: false, verb: httpVerb, path };
  }
  parts = parts.map(safeDecode);
  let watch = flag(query.get('watch'));
  if (parts[0] === 'watch') {
    watch = true;
    parts = parts.slice(1);
  }
  let namespace = '';
  if (parts[0] === 'namespaces' && parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2]!)) {
    namespace = parts[1]!;
    parts = parts.slice(2);
  } else if (parts[0] === 'namespaces' && parts.length >= 2) {
    namespace = parts[1]!; // a Namespace object is in its own namespace, as in Kubernetes
  }
  const [resource = '', name = '', subresource = ''] = parts;
  const verb = kubeVerb(httpVerb, name !== '', watch);
  const selected = name === '' && (verb === 'list' || verb === 'watch') ? nameFromFieldSelector(query.get('fieldSelector')) : '';
  return { resourceRequest: true, verb, apiGroup, resource, subresource, namespace, name: name || selected };
}

/** The Kubernetes verb of an HTTP method on a collection or an object. */
function kubeVerb(httpVerb: string, named: boolean, watch: boolean): string {
  switch (httpVerb) {
    case 'get':
      return watch ? 'watch' : named ? 'get' : 'list';
    case 'post':
      return 'create';
    case 'put':
      return 'update';
    case 'delete':
      return named ? 'delete' : 'deletecollection';
    default:
      return httpVerb; // patch, and anything else verbatim
  }
}

/** `metadata.name=X` (or `==`) as the only field selector term names one object. */
function nameFromFieldSelector(sel: string | null): string {
  if (!sel) return '';
  const m = /^metadata\.name==?([^,]+)$/.exec(sel.trim());
  return m ? m[1]! : '';
}

function flag(v: string | null): boolean {
  return v === 'true' || v === '1';
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
