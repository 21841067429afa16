// The typed client: one ResourceClient per kind over the generic REST API (`/apis/drover.dev/v1/...`).
// Controllers, the node agent and the CLI all talk to the API server through this.
import { apiVersionOf, type ApiObject, type KindInfo } from '../../api/schemas/kind.ts';
import type { Status } from '../apierrors/status.ts';
import { resolveKind } from './kinds.ts';
import { resourcePath, type Query } from './paths.ts';
import { createFailoverTransport, serverList } from './failover.ts';
import { withThrottleRetry, type ThrottleRetryOptions } from './throttle.ts';
import type { NetworkError } from './errors.ts';
import { createTransport, type HttpRequest, type HttpStream, type Transport, type TransportOptions } from './transport.ts';
import { openWatch, type WatchHandle, type WatchHandler } from './watch.ts';

/** Options of createClient. `server` may list several API servers, comma-separated (`http://a:7070,http://b:7070`). */
export interface ClientOptions extends TransportOptions {
  /** Called when the client moves from one API server to the next (logging). */
  onFailover?: (from: string, to: string, err: NetworkError) => void;
  /** How 429 Too Many Requests is retried (throttle.ts; default: up to 8 times, after Retry-After or backoff). */
  throttle?: ThrottleRetryOptions;
}

/** A list response: `{apiVersion, kind: "JobList", metadata: {resourceVersion, continue?}, items}`. */
export interface ObjectList<T extends ApiObject = ApiObject> {
  apiVersion: string;
  kind: string;
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: T[];
}

/** Options of list(); a namespaced kind without namespace lists every namespace. */
export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  /** "0" = any cached state; unset = most recent. */
  resourceVersion?: string;
}

/** Options of watch(). */
export interface WatchOptions {
  namespace?: string;
  /** Start after this resourceVersion (events with a greater RV are delivered). */
  resourceVersion: string;
  labelSelector?: string;
  fieldSelector?: string;
  allowWatchBookmarks?: boolean;
  /** Ask the server to end the stream after this long (`done` then resolves). */
  timeoutSeconds?: number;
}

/** Preconditions of a delete: fail with 409 unless the object still has this uid / resourceVersion. */
export interface Preconditions {
  uid?: string;
  resourceVersion?: string;
}

/** The patch flavours: JSON Patch (RFC 6902), JSON merge patch (RFC 7386), strategic merge (served as a real strategic merge patch). */
export type PatchType = 'json' | 'merge' | 'strategic';

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
};

/** Typed access to one kind. Methods throw ApiError for server answers and NetworkError for transport failures. */
export interface ResourceClient<T extends ApiObject = ApiObject> {
  readonly kind: KindInfo;
  get(name: string, opts?: { namespace?: string }): Promise<T>;
  list(opts?: ListOptions): Promise<ObjectList<T>>;
  /** Every page of a list (follows `continue`); `pageSize` is the limit per request (default 500). */
  listAll(opts?: Omit<ListOptions, 'continue' | 'limit'> & { pageSize?: number }): Promise<ObjectList<T>>;
  create(obj: T, opts?: { dryRun?: boolean }): Promise<T>;
  /** PUT; `obj.metadata.resourceVersion` is required (409 Conflict when stale). */
  update(obj: T, opts?: { dryRun?: boolean }): Promise<T>;
  /** PUT to the /status subresource. */
  updateStatus(obj: T, opts?: { dryRun?: boolean }): Promise<T>;
  patch(name: string, patch: unknown, type: PatchType, opts?: { namespace?: string; subresource?: string; dryRun?: boolean; fieldManager?: string }): Promise<T>;
  /** Server-side apply of `obj` (its own name and namespace) as `fieldManager`. */
  apply(obj: T, opts: { fieldManager: string; force?: boolean; dryRun?: boolean; subresource?: string }): Promise<T>;
  /** Returns the object as deleted (or marked for deletion while finalizers remain), or a success Status. */
  delete(name: string, opts?: { namespace?: string; preconditions?: Preconditions; dryRun?: boolean; propagationPolicy?: 'Orphan' | 'Background' | 'Foreground' }): Promise<T | Status>;
  watch(opts: WatchOptions, onEvent: WatchHandler<T>): WatchHandle;
}

/** The server's /version answer. */
export interface VersionInfo {
  major?: string;
  minor?: string;
  gitVersion: string;
  [key: string]: unknown;
}

/** A connection to one API server. */
export interface Client {
  /** The typed client for `kind` (a KindInfo, or its kind name, plural, singular or short name). */
  resource<T extends ApiObject = ApiObject>(kind: KindInfo | string): ResourceClient<T>;
  /** Any JSON request (discovery, /version, /healthz...). */
  request<T = unknown>(req: HttpRequest): Promise<T>;
  /** Any request whose answer is a stream (e.g. `allocations/{name}/log?follow=true`); throws like `request`. */
  stream(req: HttpRequest): Promise<HttpStream>;
  /** GET /version. */
  version(): Promise<VersionInfo>;
  /** Close pooled connections and open watches. */
  close(): Promise<void>;
}

/** A client for the API server at `opts.server`, or for the first reachable of several (see failover.ts). */
export function createClient(opts: ClientOptions): Client {
  const servers = serverList(opts.server);
  const transport = withThrottleRetry(
    servers.length === 1
      ? createTransport({ ...opts, server: servers[0]! })
      : createFailoverTransport(servers.map((server) => createTransport({ ...opts, server })), (from, to, err) => opts.onFailover?.(servers[from]!, servers[to]!, err)),
    opts.throttle,
  );
  const resources = new Map<KindInfo, ResourceClient>();
  return {
    resource<T extends ApiObject>(kind: KindInfo | string): ResourceClient<T> {
      const info = resolveKind(kind);
      let rc = resources.get(info);
      if (!rc) resources.set(info, (rc = resourceClient(transport, info)));
      return rc as unknown as ResourceClient<T>;
    },
    request: (req) => transport.json(req),
    stream: (req) => transport.stream(req),
    version: () => transport.json({ method: 'GET', path: '/version' }),
    close: () => transport.close(),
  };
}

function resourceClient<T extends ApiObject>(transport: Transport, kind: KindInfo): ResourceClient<T> {
  const json = <R>(req: HttpRequest) => transport.json<R>(req);
  // A namespaced kind's single-object operations need a namespace; guessing one would hide caller bugs.
  const ns = (namespace: string | undefined, what: string): string | undefined => {
    if (!kind.namespaced) return undefined;
    if (!namespace) throw new TypeError(`${what} ${kind.plural}: a namespace is required for the namespaced kind ${kind.kind}`);
    return namespace;
  };
  const objPath = (obj: T, what: string, subresource?: string) => {
    if (!obj.metadata?.name) throw new TypeError(`${what} ${kind.plural}: metadata.name is required`);
    return resourcePath({ kind, namespace: ns(obj.metadata.namespace, what), name: obj.metadata.name, subresource });
  };
  const typed = (obj: T): T => ({ ...obj, apiVersion: obj.apiVersion ?? apiVersionOf(kind), kind: obj.kind ?? kind.kind });
  const dry = (dryRun?: boolean): Query => (dryRun ? { dryRun: 'All' } : {});
  const list = (o: ListOptions = {}) =>
    json<ObjectList<T>>({
      method: 'GET',
      path: resourcePath({ kind, namespace: o.namespace }),
      query: { labelSelector: o.labelSelector, fieldSelector: o.fieldSelector, limit: o.limit, continue: o.continue, resourceVersion: o.resourceVersion },
    });
  return {
    kind,
    get: (name, o = {}) => json({ method: 'GET', path: resourcePath({ kind, namespace: ns(o.namespace, 'get'), name }) }),
    list,
    async listAll(o = {}) {
      const { pageSize = 500, ...rest } = o;
      let page = await list({ ...rest, limit: pageSize });
      const items = [...page.items];
      while (page.metadata.continue) {
        page = await list({ ...rest, limit: pageSize, continue: page.metadata.continue, resourceVersion: undefined });
        items.push(...page.items);
      }
      return { ...page, metadata: { resourceVersion: page.metadata.resourceVersion }, items };
    },
    create(obj, o = {}) {
      if (!obj.metadata?.name && !obj.metadata?.generateName) throw new TypeError(`create ${kind.plural}: metadata.name or generateName is required`);
      const path = resourcePath({ kind, namespace: ns(obj.metadata.namespace, 'create') });
      return json({ method: 'POST', path, query: dry(o.dryRun), body: typed(obj) });
    },
    update: (obj, o = {}) => json({ method: 'PUT', path: objPath(obj, 'update'), query: dry(o.dryRun), body: typed(obj) }),
    updateStatus: (obj, o = {}) => json({ method: 'PUT', path: objPath(obj, 'update status of', 'status'), query: dry(o.dryRun), body: typed(obj) }),
    patch(name, patch, type, o = {}) {
      const path = resourcePath({ kind, namespace: ns(o.namespace, 'patch'), name, subresource: o.subresource });
      return json({ method: 'PATCH', path, query: { ...dry(o.dryRun), fieldManager: o.fieldManager }, body: patch, contentType: PATCH_CONTENT_TYPES[type] });
    },
    apply(obj, o) {
      const query: Query = { ...dry(o.dryRun), fieldManager: o.fieldManager, force: o.force ? 'true' : undefined };
      // JSON is YAML, so the apply body is sent as JSON under the apply-patch+yaml content type.
      return json({ method: 'PATCH', path: objPath(obj, 'apply', o.subresource), query, body: typed(obj), contentType: 'application/apply-patch+yaml' });
    },
    delete(name, o = {}) {
      const path = resourcePath({ kind, namespace: ns(o.namespace, 'delete'), name });
      const body =
        o.preconditions || o.propagationPolicy
          ? { apiVersion: 'v1', kind: 'DeleteOptions', ...(o.preconditions ? { preconditions: o.preconditions } : {}), ...(o.propagationPolicy ? { propagationPolicy: o.propagationPolicy } : {}) }
          : undefined;
      return json({ method: 'DELETE', path, query: dry(o.dryRun), body });
    },
    watch(o, onEvent) {
      const query: Query = {
        watch: 'true',
        resourceVersion: o.resourceVersion,
        labelSelector: o.labelSelector,
        fieldSelector: o.fieldSelector,
        allowWatchBookmarks: o.allowWatchBookmarks ? 'true' : undefined,
        timeoutSeconds: o.timeoutSeconds,
      };
      return openWatch<T>(transport, { method: 'GET', path: resourcePath({ kind, namespace: o.namespace }), query }, onEvent);
    },
  };
}
