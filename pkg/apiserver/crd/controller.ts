// The CRD controller, run inside every API server: it follows the CustomResourceDefinition watch cache and keeps
// what this server serves in step — names accepted first come first served within a group (a conflict is
// NamesAccepted False), an accepted CRD gets a watch cache and a KindInfo in CustomKinds (discovery, OpenAPI and
// the generic handler read it), then Established True; a deleted CRD's objects are removed from the store, its
// kind stops being served and its cleanup finalizer is dropped, which lets the CRD go.
import type { CustomResourceDefinition } from '../../../api/schemas/index.ts';
import type { KindInfo } from '../../../api/schemas/kind.ts';
import { settleConditions, type ConditionInput } from '../../../api/schemas/conditions.ts';
import { isStoreError } from '../../storage/store.ts';
import type { ServerContext } from '../context.ts';
import { clone, deepEqual, encodeStored, keyOf, keyPrefix } from '../codec.ts';
import { CLEANUP_FINALIZER } from './admission.ts';
import { kindFromCrd, servedVersion } from './custom-kind.ts';
import type { CustomKinds } from './registry.ts';
import type { CacheWatch } from '../watchcache/types.ts';

/** Dependencies of the controller. */
export interface CrdControllerDeps {
  ctx: ServerContext;
  crdKind: KindInfo;
  customKinds: CustomKinds;
}

type Crd = CustomResourceDefinition;

/** Follows CRDs and serves their kinds. */
export class CrdController {
  private watch?: CacheWatch;
  private running: Promise<void> = Promise.resolve();
  private queued = false;
  private stopped = false;
  /** The spec each served kind was built from, so an unchanged CRD keeps its KindInfo (and compiled validator). */
  private readonly builtFrom = new Map<string, string>();

  constructor(private readonly deps: CrdControllerDeps) {}

  /** Serve every stored CRD (before the server listens), then follow changes. */
  async start(): Promise<void> {
    const cache = this.deps.ctx.caches.of(this.deps.crdKind);
    const { rv } = cache.list();
    await this.sync();
    this.watch = cache.watch({
      fromRv: rv,
      sendInitialEvents: false,
      onEvent: () => this.kick(),
      onError: (err) => {
        if (!this.stopped) this.deps.ctx.logger.warn('crd watch ended', { error: err.message });
      },
    });
  }

  /** Stop following CRDs (the kinds stay registered until the server's caches stop). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.watch?.cancel();
    await this.running;
  }

  /** Run a sync after the current one; several kicks while one runs make one more sync. */
  private kick(): void {
    if (this.queued || this.stopped) return;
    this.queued = true;
    this.running = this.running.then(async () => {
      this.queued = false;
      if (this.stopped) return;
      try {
        await this.sync();
      } catch (err) {
        this.deps.ctx.logger.warn('crd sync failed', { error: (err as Error).message });
      }
    });
  }

  /** One pass over every CRD. */
  private async sync(): Promise<void> {
    const { ctx, crdKind, customKinds } = this.deps;
    // Names already accepted keep them; then first created, first served (names break ties within a second).
    const rank = (c: Crd) => (c.status?.conditions?.some((x) => x.type === 'NamesAccepted' && x.status === 'True') ? 0 : 1);
    const crds = (ctx.caches.of(crdKind).list().items as unknown as Crd[])
      .slice()
      .sort((a, b) => rank(a) - rank(b) || (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || a.metadata.name.localeCompare(b.metadata.name));
    const claims = new Map<string, Map<string, string>>();
    const present = new Set<string>();
    for (const crd of crds) {
      const name = crd.metadata.name;
      present.add(name);
      const conflict = claimNames(claims, crd);
      if (crd.metadata.deletionTimestamp) {
        await this.cleanUp(crd);
        continue;
      }
      if (conflict) {
        this.unserve(name);
        await this.writeStatus(crd, [
          { type: 'NamesAccepted', status: 'False', reason: 'NameConflict', message: conflict },
          { type: 'Established', status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' },
        ]);
        continue;
      }
      await this.serve(crd);
      await this.writeStatus(crd, [
        { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' },
        { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' },
      ]);
    }
    for (const k of customKinds.all()) {
      const owner = `${k.plural}.${k.group}`;
      if (!present.has(owner)) this.unserve(owner);
    }
  }

  /** Register (or refresh) the kind of an accepted CRD, its watch cache first. */
  private async serve(crd: Crd): Promise<void> {
    const spec = JSON.stringify(crd.spec);
    const name = crd.metadata.name;
    if (this.builtFrom.get(name) === spec && this.deps.customKinds.get(name)) return;
    const kind = kindFromCrd(crd);
    await this.deps.ctx.caches.add(kind);
    this.deps.customKinds.set(name, kind);
    this.builtFrom.set(name, spec);
    this.deps.ctx.logger.info('serving custom kind', { crd: name, kind: kind.kind, version: kind.version });
  }

  /** Stop serving the kind of `crdName` and drop its watch cache. */
  private unserve(crdName: string): void {
    const kind = this.deps.customKinds.delete(crdName);
    this.builtFrom.delete(crdName);
    if (kind) {
      this.deps.ctx.caches.remove(kind);
      this.deps.ctx.logger.info('stopped serving custom kind', { crd: crdName, kind: kind.kind });
    }
  }

  /** A deleted CRD: remove its objects, stop serving it, then drop the cleanup finalizer. */
  private async cleanUp(crd: Crd): Promise<void> {
    const { ctx } = this.deps;
    if (!(crd.metadata.finalizers ?? []).includes(CLEANUP_FINALIZER)) return;
    await this.writeStatus(crd, [
      ...(crd.status?.conditions ?? []).filter((c) => c.type !== 'Terminating').map((c) => ({ type: c.type, status: c.status, reason: c.reason ?? '', message: c.message ?? '' })),
      { type: 'Terminating', status: 'True', reason: 'InstanceDeletionInProgress', message: 'CustomResource deletion is in progress' },
    ]);
    const kind = this.deps.customKinds.get(crd.metadata.name) ?? kindFromCrd(crd);
    const prefix = keyPrefix(kind);
    for (;;) {
      const page = await ctx.store.list(prefix, { limit: 500 });
      if (page.kvs.length === 0) break;
      for (const kv of page.kvs) {
        try {
          await ctx.store.delete(kv.key);
        } catch (err) {
          if (!isStoreError(err, 'NotFound')) throw err;
        }
      }
    }
    this.unserve(crd.metadata.name);
    const current = ctx.caches.of(this.deps.crdKind).get(keyOf(this.deps.crdKind, crd as never))?.obj ?? (crd as never);
    const next = clone(current);
    next.metadata.finalizers = (next.metadata.finalizers ?? []).filter((f) => f !== CLEANUP_FINALIZER);
    const rev = Number(current.metadata.resourceVersion);
    const key = keyOf(this.deps.crdKind, next);
    try {
      const kv = next.metadata.finalizers.length === 0
        ? await ctx.store.delete(key, rev)
        : await ctx.store.update(key, encodeStored(next), rev);
      ctx.caches.noteWrite(this.deps.crdKind, kv.modRevision);
      ctx.logger.info('custom kind removed with its objects', { crd: crd.metadata.name });
    } catch (err) {
      // Another server (or a client) changed it first: its watch event brings us back here.
      if (!isStoreError(err, 'Conflict') && !isStoreError(err, 'NotFound')) throw err;
    }
  }

  /** Write the CRD's status when it differs (compare-and-swap; a lost race is retried by the next event). */
  private async writeStatus(crd: Crd, conditions: ConditionInput[]): Promise<void> {
    const { ctx, crdKind } = this.deps;
    const names = crd.spec.names;
    const accepted = !conditions.some((c) => c.type === 'NamesAccepted' && c.status === 'False');
    const status: NonNullable<Crd['status']> = {
      conditions: settleConditions(crd.status?.conditions, conditions, crd.metadata.generation ?? 1, ctx.clock.now()),
      acceptedNames: accepted
        ? { plural: names.plural, singular: names.singular ?? names.kind.toLowerCase(), kind: names.kind, listKind: names.listKind ?? `${names.kind}List`, shortNames: names.shortNames ?? [], categories: names.categories ?? [] }
        : (crd.status?.acceptedNames ?? { plural: '', kind: '' }),
      storedVersions: [...new Set([...(crd.status?.storedVersions ?? []), servedVersion(crd).name])],
    };
    const strip = (s: unknown) => JSON.parse(JSON.stringify(s ?? {}, (k, v) => (k === 'lastTransitionTime' ? undefined : v)));
    if (deepEqual(strip(crd.status), strip(status))) return;
    const next = { ...clone(crd), status } as never as Parameters<typeof encodeStored>[0];
    try {
      const kv = await ctx.store.update(keyOf(crdKind, next), encodeStored(next), Number(crd.metadata.resourceVersion));
      ctx.caches.noteWrite(crdKind, kv.modRevision);
    } catch (err) {
      if (!isStoreError(err, 'Conflict') && !isStoreError(err, 'NotFound')) throw err;
    }
  }
}

/**
 * Claim a CRD's names within its group (resource names: plural, singular, short names; kind names: kind,
 * listKind). Returns a message naming the first name already taken, or undefined when all were free.
 */
function claimNames(claims: Map<string, Map<string, string>>, crd: Crd): string | undefined {
  const { group, names } = crd.spec;
  let taken = claims.get(group);
  if (!taken) claims.set(group, (taken = new Map()));
  const resource = [names.plural, names.singular ?? names.kind.toLowerCase(), ...(names.shortNames ?? [])].map((n) => `resource:${n}`);
  const kinds = [names.kind, names.listKind ?? `${names.kind}List`].map((n) => `kind:${n}`);
  for (const n of [...resource, ...kinds]) {
    const owner = taken.get(n);
    if (owner !== undefined && owner !== crd.metadata.name) {
      const [what, value] = n.split(':');
      return `${what === 'kind' ? 'kind' : 'name'} ${JSON.stringify(value)} is already in use by ${owner}`;
    }
  }
  for (const n of [...resource, ...kinds]) taken.set(n, crd.metadata.name);
  return undefined;
}
