// The dashboard's copy of the cluster as plain data, and how one line of the watch mux changes it (no DOM
// here: tested in pkg/dashboard/ui-logic.test.ts; ui/store.ts wraps it with the connection and re-rendering).

/** Any API object. */
export interface Obj {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string; creationTimestamp?: string; uid?: string; labels?: Record<string, string>; generation?: number };
  spec?: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- every kind's spec
  status?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  [k: string]: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** The kinds the dashboard keeps. */
export const KINDS = ['jobs', 'jobversions', 'allocations', 'nodes', 'evaluations', 'deployments', 'events'] as const;
export type Kind = (typeof KINDS)[number];

/** One line of the mux stream (pkg/dashboard/watch-mux.ts). */
export interface MuxLine {
  kind: Kind;
  event?: { type: string; object: Obj };
  error?: { message?: string; code?: number };
}

/** The key of an object in its kind's map: `namespace/name`, or the name of a cluster-scoped object. */
export const keyOf = (o: Obj): string => (o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name);

/** Every kept kind's objects, where each kind resumes, and which kinds have answered. */
export class Collections {
  readonly items = new Map<Kind, Map<string, Obj>>(KINDS.map((k) => [k, new Map()]));
  readonly resourceVersions = new Map<Kind, string>();
  /** Kinds that have sent an event (or an error) since they were last listed. */
  readonly synced = new Set<Kind>();
  readonly errors = new Map<Kind, string>();

  /** Apply one line; returns whether anything a view shows changed (bookmarks change nothing). */
  apply(msg: MuxLine): boolean {
    const kind = msg.kind;
    const objects = this.items.get(kind);
    if (!objects) return false; // a kind this page does not keep
    if (msg.error) {
      this.errors.set(kind, msg.error.message ?? `error ${msg.error.code}`);
      this.synced.add(kind);
      return true;
    }
    const ev = msg.event!;
    if (ev.type === 'ERROR') {
      // 410 Gone: the resourceVersion is compacted away; the next connection lists the kind again.
      objects.clear();
      this.resourceVersions.delete(kind);
      this.synced.delete(kind);
      return true;
    }
    if (ev.object?.metadata?.resourceVersion) this.resourceVersions.set(kind, ev.object.metadata.resourceVersion);
    if (ev.type === 'BOOKMARK') return false;
    if (ev.type === 'DELETED') objects.delete(keyOf(ev.object));
    else objects.set(keyOf(ev.object), ev.object);
    this.synced.add(kind);
    return true;
  }

  /** Forget everything (a new identity): every kind is listed again. */
  clear(): void {
    for (const m of this.items.values()) m.clear();
    this.resourceVersions.clear();
    this.synced.clear();
    this.errors.clear();
  }

  /** The mux query resuming every kind where it is. */
  query(): URLSearchParams {
    const q = new URLSearchParams();
    for (const k of KINDS) {
      q.append('kind', k);
      const rv = this.resourceVersions.get(k);
      if (rv) q.set(`rv.${k}`, rv);
    }
    return q;
  }
}
