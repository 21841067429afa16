// The dashboard's copy of the cluster: every watched kind kept current from one multiplexed watch stream
// (GET /ui/watch, which fans in the API's `?watch=1` streams). The first connection lists through the watch
// (synthetic ADDED events); a reconnect resumes each kind from the last resourceVersion it saw, and a kind whose
// version is too old (an ERROR event with 410) is dropped and listed again. Views re-render at most once per
// animation frame however many events arrive.
import { useEffect, useState } from 'preact/hooks';
import { authHeaders, readLines } from './api.ts';

/** Any API object. */
export interface Obj {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string; creationTimestamp?: string; uid?: string; labels?: Record<string, string>; generation?: number };
  spec?: any;
  status?: any;
  [k: string]: any;
}

/** The kinds the dashboard keeps. */
export const KINDS = ['jobs', 'jobversions', 'allocations', 'nodes', 'evaluations', 'deployments', 'events'] as const;
export type Kind = (typeof KINDS)[number];

/** Connection state shown in the header. */
export type Connection = 'connecting' | 'live' | 'error' | 'unauthorized';

const keyOf = (o: Obj) => (o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name);

/** The store: collections by kind, the connection state, and a change counter views subscribe to. */
export class ClusterStore {
  readonly items = new Map<Kind, Map<string, Obj>>(KINDS.map((k) => [k, new Map()]));
  readonly resourceVersions = new Map<Kind, string>();
  /** Kinds that have sent their first events (or an error) since they were last listed. */
  readonly synced = new Set<Kind>();
  readonly errors = new Map<Kind, string>();
  connection: Connection = 'connecting';
  version = 0;
  private listeners = new Set<() => void>();
  private frame: number | undefined;
  private abort: AbortController | undefined;

  /** Objects of a kind (a live map: read it during render, do not keep it). */
  list(kind: Kind): Map<string, Obj> {
    return this.items.get(kind)!;
  }

  /** One object by namespace and name. */
  get(kind: Kind, namespace: string | undefined, name: string): Obj | undefined {
    return this.list(kind).get(namespace ? `${namespace}/${name}` : name);
  }

  /** Apply one line of the mux stream. */
  applyLine(line: string): void {
    const msg = JSON.parse(line) as { kind: Kind; event?: { type: string; object: Obj }; error?: { message?: string; code?: number } };
    const kind = msg.kind;
    if (msg.error) {
      this.errors.set(kind, msg.error.message ?? `error ${msg.error.code}`);
      this.synced.add(kind);
      return this.changed();
    }
    const ev = msg.event!;
    if (ev.type === 'ERROR') {
      // 410 Gone: our resourceVersion is compacted away; list again on the next connection.
      this.list(kind).clear();
      this.resourceVersions.delete(kind);
      this.synced.delete(kind);
      return this.changed();
    }
    if (ev.object?.metadata?.resourceVersion) this.resourceVersions.set(kind, ev.object.metadata.resourceVersion);
    if (ev.type === 'BOOKMARK') return;
    const m = this.list(kind);
    if (ev.type === 'DELETED') m.delete(keyOf(ev.object));
    else m.set(keyOf(ev.object), ev.object);
    this.synced.add(kind);
    this.changed();
  }

  /** Keep the stream open until stop(): reconnect after an end or an error (backing off up to 5 s). */
  async run(): Promise<void> {
    this.running = true;
    try {
      await this.loop();
    } finally {
      this.running = false;
    }
  }

  private running = false;

  private async loop(): Promise<void> {
    let delay = 250;
    for (;;) {
      const abort = new AbortController();
      this.abort = abort;
      const q = new URLSearchParams();
      for (const k of KINDS) {
        q.append('kind', k);
        const rv = this.resourceVersions.get(k);
        if (rv) q.set(`rv.${k}`, rv);
      }
      try {
        const res = await fetch(`/ui/watch?${q}`, { headers: authHeaders(), signal: abort.signal });
        if (res.status === 401) {
          // A token is needed (or the stored one is wrong): wait for the login field's restart().
          this.setConnection('unauthorized');
          return;
        }
        if (!res.ok) throw new Error(`watch answered ${res.status}`);
        this.setConnection('live');
        delay = 250;
        await readLines(res, (l) => this.applyLine(l));
      } catch {
        if (abort.signal.aborted && this.abort !== abort) continue; // restarted (new token)
        if (abort.signal.aborted) return;
        this.setConnection('error');
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 5000);
      }
    }
  }

  /** Reconnect now (after a token change): everything is listed again under the new identity. */
  restart(): void {
    for (const m of this.items.values()) m.clear();
    this.resourceVersions.clear();
    this.synced.clear();
    this.errors.clear();
    const old = this.abort;
    this.abort = undefined;
    this.setConnection('connecting');
    if (old && !old.signal.aborted && this.running) old.abort();
    else void this.run();
  }

  /** Call `fn` after changes (batched per frame); returns the unsubscribe function. */
  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private setConnection(c: Connection): void {
    this.connection = c;
    this.changed();
  }

  private changed(): void {
    this.version++;
    if (this.frame !== undefined) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = undefined;
      for (const fn of this.listeners) fn();
    });
  }
}

/** The one store of the page. */
export const store = new ClusterStore();

/** Re-render the calling component whenever the store changes; returns the store. */
export function useStore(): ClusterStore {
  const [, set] = useState(0);
  useEffect(() => store.subscribe(() => set(store.version)), []);
  return store;
}
