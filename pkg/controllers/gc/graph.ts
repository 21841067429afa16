// The ownership graph the garbage collector reads, over the process's shared informers: each watched kind's
// objects indexed by uid and by the uids they name in ownerReferences. An owner is *present* when an object of
// the referenced kind, name and uid exists; the informer answers first, and an absence there is confirmed with
// a live read (Kubernetes' GC does the same), so a dependent created just before its owner reached the cache is
// never collected. A reference to a kind the collector does not watch is *unresolvable* and counts as present:
// nothing is ever collected on a guess.
import type { ApiObject, KindInfo, OwnerReference } from '../../../api/schemas/kind.ts';
import { isNotFound } from '../../apierrors/status.ts';
import type { Client } from '../../client/client.ts';
import type { SharedInformer, SharedInformerFactory } from '../../client/shared-informer.ts';

/** One kind the collector watches. */
export interface Watched {
  plural: string;
  info: KindInfo;
  informer: SharedInformer<ApiObject>;
}

/** Objects by their own uid. */
export const BY_UID = { name: 'gc-by-uid', values: (o: ApiObject) => (o.metadata.uid ? [o.metadata.uid] : []) } as const;
/** Objects by the uids of their owners. */
export const BY_OWNER = { name: 'gc-by-owner', values: (o: ApiObject) => (o.metadata.ownerReferences ?? []).map((r) => r.uid) } as const;

/** A dependent found through an owner's uid. */
export interface Node {
  watched: Watched;
  obj: ApiObject;
}

/** What the collector knows of an owner reference. */
export type OwnerState = { state: 'absent' } | { state: 'present'; owner?: ApiObject } | { state: 'unresolvable' };

/** The work-queue key of an object of `plural`: `plural|namespace/name` (`plural|name` when cluster-scoped). */
export function gcKey(plural: string, obj: Pick<ApiObject, 'metadata'>): string {
  const ns = obj.metadata.namespace;
  return `${plural}|${ns ? `${ns}/` : ''}${obj.metadata.name}`;
}

/** The parts of a gcKey. */
export function splitGcKey(key: string): { plural: string; namespace?: string; name: string } {
  const bar = key.indexOf('|');
  const plural = key.slice(0, bar);
  const rest = key.slice(bar + 1);
  const slash = rest.indexOf('/');
  return slash < 0 ? { plural, name: rest } : { plural, namespace: rest.slice(0, slash), name: rest.slice(slash + 1) };
}

/** The ownership graph over `plurals` (informers from `factory`, indexes added). */
export class OwnershipGraph {
  readonly watched: Watched[];
  private readonly byKind = new Map<string, Watched>();

  constructor(
    private readonly client: Client,
    factory: SharedInformerFactory,
    plurals: readonly string[],
  ) {
    this.watched = plurals.map((plural) => {
      const informer = factory.informer<ApiObject>(plural);
      informer.addIndex(BY_UID);
      informer.addIndex(BY_OWNER);
      const info = client.resource(plural).kind;
      return { plural, info, informer };
    });
    for (const w of this.watched) this.byKind.set(apiVersionOf(w.info) + '/' + w.info.kind, w);
  }

  /** The watched kind of `plural`. */
  of(plural: string): Watched | undefined {
    return this.watched.find((w) => w.plural === plural);
  }

  /** The watched kind a reference names (apiVersion and kind), if any. */
  kindOf(ref: Pick<OwnerReference, 'apiVersion' | 'kind'>): Watched | undefined {
    return this.byKind.get(`${ref.apiVersion}/${ref.kind}`);
  }

  /** Every cached object that names `uid` as an owner, across the watched kinds. */
  dependentsOf(uid: string): Node[] {
    return this.watched.flatMap((watched) => watched.informer.byIndex(BY_OWNER, uid).map((obj) => ({ watched, obj })));
  }

  /** The cached object with `uid`, if any. */
  byUid(uid: string): Node | undefined {
    for (const watched of this.watched) {
      const [obj] = watched.informer.byIndex(BY_UID, uid);
      if (obj) return { watched, obj };
    }
    return undefined;
  }

  /** Whether the owner `ref` of a dependent in `namespace` exists (cache, then a live read). */
  async resolve(ref: OwnerReference, namespace: string | undefined): Promise<OwnerState> {
    const w = this.kindOf(ref);
    if (!w) return { state: 'unresolvable' };
    const ns = w.info.namespaced ? namespace : undefined;
    // A namespaced owner of a cluster-scoped dependent is no valid reference: Kubernetes treats it as absent.
    if (w.info.namespaced && !namespace) return { state: 'absent' };
    const cached = w.informer.get(ns, ref.name);
    if (cached?.metadata.uid === ref.uid) return { state: 'present', owner: cached };
    try {
      const live = await this.client.resource(w.plural).get(ref.name, { namespace: ns });
      return live.metadata.uid === ref.uid ? { state: 'present', owner: live } : { state: 'absent' };
    } catch (err) {
      if (isNotFound(err)) return { state: 'absent' };
      throw err;
    }
  }
}

function apiVersionOf(info: KindInfo): string {
  return info.group === '' ? 'v1' : `${info.group ?? 'drover.dev'}/v1`;
}
