// What every REST handler receives: the server's dependencies and shared state, built once per server.
import { apiVersionOf, type ApiObject, type KindInfo } from '../../api/schemas/kind.ts';
import type { Clock } from '../clock/clock.ts';
import type { Logger } from '../log/logger.ts';
import type { Store } from '../storage/store.ts';
import type { AdmissionChain } from './admission.ts';
import type { KindCaches } from './caches.ts';
import type { ApiMetrics } from './metrics.ts';
import type { RawQuery } from './options.ts';
import type { RequestInfo } from './request-info.ts';
import type { SharedLines } from './watch-lines.ts';
import type { UserInfo } from '../auth/user.ts';

/** The shared state of one API server. */
export interface ServerContext {
  store: Store;
  logger: Logger;
  clock: Clock;
  kinds: KindInfo[];
  kindByPlural: ReadonlyMap<string, KindInfo>;
  /** The Namespace kind, when served: namespaced creates require their namespace to exist. */
  namespaceKind?: KindInfo;
  admission: AdmissionChain;
  caches: KindCaches;
  metrics: ApiMetrics;
  watches: WatchRegistry;
  /** Watch event lines encoded once and shared by every watch of this server (servers in one process never mix). */
  watchLines: SharedLines;
  /** Metric/log labels of in-flight requests, keyed by the raw request. */
  requestLabels: WeakMap<object, RequestLabels>;
  /** Who sent each in-flight request (set by authentication; absent when it is off), keyed by the raw request. */
  requestUsers: WeakMap<object, UserInfo>;
  /** Called once a watch has started streaming (flow control gives its seat back); keyed by the raw request. */
  watchStarted?: (raw: object) => void;
}

/** The labels a request is measured and logged under. */
export interface RequestLabels {
  verb: string;
  resource: string;
  subresource: string;
}

/** The parts of an HTTP request a REST handler reads. */
export interface RestRequest {
  info: RequestInfo;
  query: RawQuery;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/** A REST handler's answer (watches write the raw response themselves). */
export interface RestResponse {
  code: number;
  body: unknown;
  /** Sent as `Warning: 299 - "…"` headers. */
  warnings?: string[];
}

/** The open watch streams of a server, so close() can end them. */
export class WatchRegistry {
  private readonly open = new Set<() => void>();
  private closing = false;

  /** Register a stream's terminator; returns the function that unregisters it. */
  add(end: () => void): () => void {
    if (this.closing) {
      end();
      return () => {};
    }
    this.open.add(end);
    return () => this.open.delete(end);
  }

  /** How many streams are open. */
  get size(): number {
    return this.open.size;
  }

  /** End every stream (server shutdown); later streams end at once. */
  closeAll(): void {
    this.closing = true;
    for (const end of [...this.open]) end();
    this.open.clear();
  }
}

/** The `<Kind>List` envelope of a list response. */
export function listOf(kind: KindInfo, items: ApiObject[], metadata: Record<string, unknown>) {
  return { apiVersion: apiVersionOf(kind), kind: `${kind.kind}List`, metadata, items };
}

/** A header's single value. */
export function header(req: RestRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
