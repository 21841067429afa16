// The dashboard's live copy of the cluster: the Collections (collections.ts) kept current from one multiplexed
// watch stream (GET /ui/watch, which fans in the API's `?watch=1` streams). The first connection lists through
// the watch (synthetic ADDED events); a reconnect resumes each kind from the last resourceVersion it saw, and a
// kind whose version is too old (an ERROR event with 410) is listed again. Views re-render at most once per
// animation frame however many events arrive.
import { useEffect, useState } from 'preact/hooks';
import { authHeaders, readLines } from './api.ts';
import { Collections, type Kind, type MuxLine, type Obj } from './collections.ts';

export { KINDS, type Kind, type Obj } from './collections.ts';

/** Connection state shown in the header. */
export type Connection = 'connecting' | 'live' | 'error' | 'unauthorized';

/** The store: the collections, the connection state, and a change counter views subscribe to. */
export class ClusterStore {
  readonly data = new Collections();
  connection: Connection = 'connecting';
  /** Bumped on every change (hack/bench/dashboard.ts reads it to count applied events). */
  version = 0;
  private listeners = new Set<() => void>();
  private frame: number | undefined;
  private abort: AbortController | undefined;
  private running = false;

  get synced(): Set<Kind> {
    return this.data.synced;
  }

  get errors(): Map<Kind, string> {
    return this.data.errors;
  }

  /** Objects of a kind (a live map: read it during render, do not keep it). */
  list(kind: Kind): Map<string, Obj> {
    return this.data.items.get(kind)!;
  }

  /** One object by namespace and name. */
  get(kind: Kind, namespace: string | undefined, name: string): Obj | undefined {
    return this.list(kind).get(namespace ? `${namespace}/${name}` : name);
  }

  /** Keep the stream open: reconnect after an end or an error (backing off up to 5 s); stop on a 401. */
  async run(): Promise<void> {
    this.running = true;
    try {
      await this.loop();
    } finally {
      this.running = false;
    }
  }

  private async loop(): Promise<void> {
    let delay = 250;
    for (;;) {
      const abort = new AbortController();
      this.abort = abort;
      try {
        const res = await fetch(`/ui/watch?${this.data.query()}`, { headers: authHeaders(), signal: abort.signal });
        if (res.status === 401) {
          // A token is needed (or the stored one is wrong): the login field's restart() starts again.
          this.setConnection('unauthorized');
          return;
        }
        if (!res.ok) throw new Error(`watch answered ${res.status}`);
        this.setConnection('live');
        const opened = Date.now();
        await readLines(res, (l) => {
          if (this.data.apply(JSON.parse(l) as MuxLine)) this.changed();
        });
        // A stream that lived (its timeout, a server restart) reconnects at once; one that keeps ending as soon
        // as it opens (an upstream it cannot reach) backs off like an error instead of spinning.
        if (Date.now() - opened > 5000) delay = 250;
        else {
          await new Promise((r) => setTimeout(r, delay));
          delay = Math.min(delay * 2, 5000);
        }
      } catch {
        if (abort.signal.aborted && this.abort !== abort) continue; // restart(): a new identity
        this.setConnection('error');
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 5000);
      }
    }
  }

  /** List everything again under a new identity (the token changed). */
  restart(): void {
    this.data.clear();
    const old = this.abort;
    this.abort = undefined;
    this.setConnection('connecting');
    if (old && this.running) old.abort();
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
