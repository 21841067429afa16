// DELETE of one object and of a collection. An object with finalizers is only marked (deletionTimestamp) and
// removed when an update takes its last finalizer away; otherwise it is removed at once (CAS on its revision).
// The propagation policy is carried by finalizers, as in Kubernetes: Foreground adds `foregroundDeletion` (the
// garbage collector deletes the dependents, waits for those that block, then removes it), Orphan adds `orphan`
// (the collector strips the ownerReferences to the object from its dependents, then removes it), Background
// adds neither (the object goes at once; the collector deletes its dependents afterwards). A second delete with
// another policy swaps those finalizers, so an orphaning delete can be turned into a foreground one.
import type { ApiObject, KindInfo } from '../../api/schemas/kind.ts';
import { sameObjectVersion } from '../../api/schemas/resource-version.ts';
import { conflict, invalid, notFound } from '../apierrors/status.ts';
import { isStoreError } from '../storage/store.ts';
import type { AdmissionContext } from './admission.ts';
import { clone, decodeStored, encodeStored, keyOf, keyPrefix, objectKey } from './codec.ts';
import { header, listOf, type RestRequest, type RestResponse, type ServerContext } from './context.ts';
import { FOREGROUND_FINALIZER, ORPHAN_FINALIZER, parseDeleteOptions, type DeleteOptions, type PropagationPolicy } from './delete-options.ts';
import { CONFLICT_MESSAGE, fromStoreError } from './errors.ts';
import { parsePaging, parseSelectors } from './list-options.ts';
import { rfc3339 } from '../../api/schemas/timestamp.ts';
import { managerFromUserAgent } from './options.ts';
import { readStore, targetOf } from './write.ts';
import { markTerminating, specFinalizers } from './namespace-lifecycle.ts';

/** DELETE /…/{plural}/{name}. */
export async function deleteHandler(ctx: ServerContext, req: RestRequest): Promise<RestResponse> {
  const { kind, namespace } = req.info;
  const name = req.info.name!;
  const opts = parseDeleteOptions(req.body, header(req, 'content-type'), req.query);
  const manager = managerFromUserAgent(header(req, 'user-agent'));
  const obj = await deleteObject(ctx, kind, objectKey(kind, namespace, name), name, opts, manager);
  return { code: 200, body: obj };
}

/** DELETE /…/{plural}: delete every object matching the selectors; returns the list of what was deleted. */
export async function deleteCollectionHandler(ctx: ServerContext, req: RestRequest): Promise<RestResponse> {
  const { kind, namespace } = req.info;
  const opts = parseDeleteOptions(req.body, header(req, 'content-type'), req.query);
  const manager = managerFromUserAgent(header(req, 'user-agent'));
  const filter = parseSelectors(kind, req.query);
  parsePaging(req.query);
  const page = await ctx.caches.list(kind, { prefix: keyPrefix(kind, namespace), filter });
  const deleted: ApiObject[] = [];
  for (const item of page.items) {
    try {
      deleted.push(await deleteObject(ctx, kind, keyOf(kind, item), item.metadata.name, { ...opts, preconditions: undefined }, manager));
    } catch (err) {
      // Gone meanwhile: nothing left to delete.
      if (!(err instanceof Error && (err as { reason?: string }).reason === 'NotFound')) throw err;
    }
  }
  return { code: 200, body: listOf(kind, deleted, { resourceVersion: String(page.rv) }) };
}

/** Delete (or mark for deletion) one object; returns its last state. Retries CAS races with a fresh read. */
export async function deleteObject(ctx: ServerContext, kind: KindInfo, key: string, name: string, opts: DeleteOptions, manager: string): Promise<ApiObject> {
  const target = targetOf(kind, name);
  let current = await ctx.caches.get(kind, key);
  let fresh = false;
  for (let attempt = 0; attempt < 16; attempt++) {
    if (!current || (!fresh && preconditionFails(current, opts))) {
      if (fresh) break;
      current = await readStore(ctx, key);
      fresh = true;
      continue;
    }
    checkPreconditions(current, opts, target);
    const actx: AdmissionContext = { kind, dryRun: opts.dryRun, manager };
    const causes = await ctx.admission.validate('DELETE', current, current, actx);
    if (causes.length > 0) throw invalid({ ...target, kindName: kind.kind }, causes);
    try {
      return await removeOrMark(ctx, kind, key, current, opts);
    } catch (err) {
      if (!isStoreError(err, 'Conflict') && !isStoreError(err, 'NotFound')) throw fromStoreError(err, target);
      current = isStoreError(err) && err.current ? decodeStored(err.current) : await readStore(ctx, key);
      fresh = true;
    }
  }
  if (!current) throw notFound(target);
  throw conflict(target, CONFLICT_MESSAGE);
}

async function removeOrMark(ctx: ServerContext, kind: KindInfo, key: string, current: ApiObject, opts: DeleteOptions): Promise<ApiObject> {
  const rev = Number(current.metadata.resourceVersion);
  const had = current.metadata.finalizers ?? [];
  const finalizers = opts.propagationPolicy ? withPolicy(had, opts.propagationPolicy) : had;
  // A Namespace's spec.finalizers (`kubernetes`) hold it as well, while its contents are deleted; its first
  // delete always marks it, so the namespace controller empties it first.
  const held = finalizers.length > 0 || specFinalizers(current).length > 0 || (current.kind === 'Namespace' && !current.metadata.deletionTimestamp);
  if (current.metadata.deletionTimestamp && held) {
    // Already marked: deleting again changes nothing but the propagation policy's finalizer.
    if (sameSet(had, finalizers)) return current;
    const next = clone(current);
    next.metadata.finalizers = finalizers;
    if (opts.dryRun) return next;
    const kv = await ctx.store.update(key, encodeStored(next), rev);
    ctx.caches.noteWrite(kind, kv.modRevision);
    next.metadata.resourceVersion = String(kv.modRevision);
    return next;
  }
  if (held) {
    const marked = clone(current);
    if (finalizers.length > 0) marked.metadata.finalizers = finalizers;
    else delete marked.metadata.finalizers;
    marked.metadata.deletionTimestamp = rfc3339(ctx.clock.now());
    markTerminating(marked);
    marked.metadata.deletionGracePeriodSeconds = 0;
    // As Kubernetes does, so controllers comparing observedGeneration notice the deletion.
    marked.metadata.generation = (marked.metadata.generation ?? 1) + 1;
    if (opts.dryRun) return marked;
    const kv = await ctx.store.update(key, encodeStored(marked), rev);
    ctx.caches.noteWrite(kind, kv.modRevision);
    marked.metadata.resourceVersion = String(kv.modRevision);
    return marked;
  }
  if (opts.dryRun) return current;
  const kv = await ctx.store.delete(key, rev);
  ctx.caches.noteWrite(kind, kv.modRevision);
  return current;
}

/** `finalizers` with the garbage collector's finalizer for `policy` (and not the other one). */
function withPolicy(finalizers: string[], policy: PropagationPolicy): string[] {
  const rest = finalizers.filter((f) => f !== FOREGROUND_FINALIZER && f !== ORPHAN_FINALIZER);
  if (policy === 'Foreground') return [...rest, FOREGROUND_FINALIZER];
  if (policy === 'Orphan') return [...rest, ORPHAN_FINALIZER];
  return rest;
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

function preconditionFails(obj: ApiObject, opts: DeleteOptions): boolean {
  const p = opts.preconditions;
  return !!p && ((p.uid !== undefined && p.uid !== obj.metadata.uid) || (p.resourceVersion !== undefined && !sameObjectVersion(p.resourceVersion, obj.metadata.resourceVersion)));
}

function checkPreconditions(obj: ApiObject, opts: DeleteOptions, target: ReturnType<typeof targetOf>): void {
  const p = opts.preconditions;
  if (p?.uid !== undefined && p.uid !== obj.metadata.uid) {
    throw conflict(target, `Precondition failed: UID in precondition: ${p.uid}, UID in object meta: ${obj.metadata.uid ?? ''}`);
  }
  if (p?.resourceVersion !== undefined && !sameObjectVersion(p.resourceVersion, obj.metadata.resourceVersion)) {
    throw conflict(target, `Precondition failed: ResourceVersion in precondition: ${p.resourceVersion}, ResourceVersion in object meta: ${obj.metadata.resourceVersion ?? ''}`);
  }
}
