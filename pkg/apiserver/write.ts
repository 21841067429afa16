// The write pipeline every verb shares (apiserver's registry Store): server-owned metadata, schema defaults
// and validation, admission, managedFields, then a compare-and-swap in the store — or nothing for dryRun.
// Updates retry on CAS conflicts with a fresh read (GuaranteedUpdate) when the caller's precondition allows.
import { groupOf, type ApiObject, type KindInfo } from '../../api/schemas/kind.ts';
import { validateObject } from '../../api/schemas/validate.ts';
import { ApiError, apiError, conflict, invalid, isConflict, notFound, type StatusCause, type StatusTarget } from '../apierrors/status.ts';
import { isStoreError, type KeyValue } from '../storage/store.ts';
import type { AdmissionContext, AdmissionOp } from './admission.ts';
import { clone, decodeStored, encodeStored, keyOf, objectKey } from './codec.ts';
import type { ServerContext } from './context.ts';
import { CONFLICT_MESSAGE, fromStoreError } from './errors.ts';
import { recordUpdate } from './fieldmanager/index.ts';
import { rfc3339 } from '../../api/schemas/timestamp.ts';
import { bumpGeneration, isNoopUpdate, nameCauses, prepareForCreate, prepareForUpdate, readyToRemove } from './meta.ts';
import type { WriteOptions } from './options.ts';

/** Which kind a write is for and how. */
export interface WriteRequest {
  kind: KindInfo;
  opts: WriteOptions;
  /** 'status' for writes through the status subresource. */
  subresource?: string;
}

/** Status details naming an object of `kind`. */
export function targetOf(kind: KindInfo, name: string | undefined): StatusTarget {
  return { group: groupOf(kind), kind: kind.plural, name };
}

/** How many times an update re-reads and retries after losing a compare-and-swap race. */
const MAX_ATTEMPTS = 16;

/** Schema defaults and validation, mutating admission, then validating admission; throws 422 on causes. */
async function admit(ctx: ServerContext, op: AdmissionOp, w: WriteRequest, obj: ApiObject, old: ApiObject | undefined, extra: StatusCause[]): Promise<void> {
  const target = { ...targetOf(w.kind, obj.metadata?.name), kindName: w.kind.kind };
  const schema = (o: ApiObject) => mergeCauses(extra, validateObject(w.kind, o));
  let causes = schema(obj);
  if (causes.length > 0) throw invalid(target, causes);
  const actx: AdmissionContext = { kind: w.kind, subresource: w.subresource, dryRun: w.opts.dryRun, manager: w.opts.manager };
  // Hooks see a defaulted, valid object; what they change is validated again.
  if (await ctx.admission.mutate(op, obj, old, actx)) {
    causes = schema(obj);
    if (causes.length > 0) throw invalid(target, causes);
  }
  if (old) bumpGeneration(old, obj);
  causes = await ctx.admission.validate(op, obj, old, actx);
  if (causes.length > 0) throw invalid(target, causes);
}

// Our own metadata.name cause replaces the schema's for the same field (one message, not two).
function mergeCauses(ours: StatusCause[], schema: StatusCause[]): StatusCause[] {
  const fields = new Set(ours.map((c) => c.field));
  return [...ours, ...schema.filter((c) => !fields.has(c.field))];
}

/** Fail unless the object's namespace exists and is not being deleted. */
async function checkNamespace(ctx: ServerContext, w: WriteRequest, obj: ApiObject): Promise<void> {
  const nsKind = ctx.namespaceKind;
  const ns = obj.metadata.namespace;
  if (!nsKind || !w.kind.namespaced || !ns) return;
  const key = objectKey(nsKind, undefined, ns);
  let nsObj = await ctx.caches.get(nsKind, key);
  // Absent from our cache: another API server may have just created it; the store decides.
  if (!nsObj) {
    const { kv } = await ctx.store.get(key);
    nsObj = kv ? decodeStored(kv) : undefined;
  }
  if (!nsObj) throw notFound({ kind: 'namespaces', name: ns });
  if (nsObj.metadata.deletionTimestamp) {
    const t = targetOf(w.kind, obj.metadata.name);
    throw apiError('Forbidden', `${t.kind}.${t.group} "${t.name ?? ''}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`, { ...t });
  }
}

/**
 * Create `obj` (already checked against the request path). `managedFieldsDone` when server-side apply has
 * computed managedFields already. Returns the stored object with its resourceVersion.
 */
export async function createObject(ctx: ServerContext, w: WriteRequest, obj: ApiObject, managedFieldsDone = false): Promise<ApiObject> {
  const generated = !obj.metadata.name && !!obj.metadata.generateName;
  for (let attempt = 0; ; attempt++) {
    const candidate = attempt === 0 ? obj : clone(obj);
    if (generated) candidate.metadata.name = '';
    prepareForCreate(w.kind, candidate, ctx.clock.now());
    // Namespace first, as Kubernetes' NamespaceLifecycle admission runs before validation.
    await checkNamespace(ctx, w, candidate);
    await admit(ctx, 'CREATE', w, candidate, undefined, nameCauses(candidate.metadata.name, w.kind));
    if (!managedFieldsDone) {
      candidate.metadata.managedFields = recordUpdate({ live: undefined, updated: candidate, manager: w.opts.manager, now: rfc3339(ctx.clock.now()), subresource: w.subresource });
    }
    if (w.opts.dryRun) return candidate;
    try {
      const kv = await ctx.store.create(keyOf(w.kind, candidate), encodeStored(candidate));
      return stored(ctx, w.kind, candidate, kv);
    } catch (err) {
      // A generated name that collided: draw another, as Kubernetes does a few times.
      if (generated && isStoreError(err, 'AlreadyExists') && attempt < 7) continue;
      throw fromStoreError(err, targetOf(w.kind, candidate.metadata.name));
    }
  }
}

function stored(ctx: ServerContext, kind: KindInfo, obj: ApiObject, kv: KeyValue): ApiObject {
  ctx.caches.noteWrite(kind, kv.modRevision);
  obj.metadata.resourceVersion = String(kv.modRevision);
  return obj;
}

/** The result of tryUpdate: the desired object, and whether its managedFields are final (server-side apply). */
export interface Desired {
  obj: ApiObject;
  managedFieldsDone?: boolean;
}

/** The outcome of an update: the object written (or deleted, when the last finalizer went), and whether created. */
export interface Updated {
  obj: ApiObject;
  created: boolean;
}

/**
 * Kubernetes' GuaranteedUpdate: read the current object (cache first), let `tryUpdate` compute the desired
 * one from it, write it with CAS on the current resourceVersion, and on a lost race re-read from the store
 * and try again. `tryUpdate` throws ApiError for preconditions (a Conflict retries once from a fresh read,
 * as the cache may lag). With `allowCreate`, an absent object is handed as undefined and created.
 */
export async function guaranteedUpdate(
  ctx: ServerContext,
  w: WriteRequest,
  key: string,
  name: string,
  tryUpdate: (current: ApiObject | undefined) => Promise<Desired>,
  allowCreate = false,
): Promise<Updated> {
  let current = await ctx.caches.get(w.kind, key);
  let fresh = false;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (!current && !fresh) {
      current = await readStore(ctx, key);
      fresh = true;
      continue;
    }
    if (!current && !allowCreate) throw notFound(targetOf(w.kind, name));
    let desired: Desired;
    try {
      desired = await tryUpdate(current ? clone(current) : undefined);
    } catch (err) {
      if (isConflict(err) && !fresh) {
        current = await readStore(ctx, key);
        fresh = true;
        continue;
      }
      throw err;
    }
    try {
      if (!current) return { obj: await createObject(ctx, w, desired.obj, desired.managedFieldsDone), created: true };
      return { obj: await writeUpdate(ctx, w, key, current, desired), created: false };
    } catch (err) {
      const raced = err instanceof ApiError ? err.reason === 'AlreadyExists' && !current : isStoreError(err, 'Conflict') || isStoreError(err, 'NotFound');
      if (!raced) throw err instanceof ApiError ? err : fromStoreError(err, targetOf(w.kind, name));
      current = isStoreError(err) && err.current ? decodeStored(err.current) : await readStore(ctx, key);
      fresh = true;
    }
  }
  throw conflict(targetOf(w.kind, name), CONFLICT_MESSAGE);
}

/** The object at `key` straight from the store (after a lost race or a cache miss), or undefined. */
export async function readStore(ctx: ServerContext, key: string): Promise<ApiObject | undefined> {
  const { kv } = await ctx.store.get(key);
  return kv ? decodeStored(kv) : undefined;
}

/** Write `desired` over `current` (CAS). Store errors propagate raw so guaranteedUpdate can retry. */
async function writeUpdate(ctx: ServerContext, w: WriteRequest, key: string, current: ApiObject, desired: Desired): Promise<ApiObject> {
  const { obj, causes } = prepareForUpdate(w.kind, current, desired.obj, w.subresource);
  await admit(ctx, 'UPDATE', w, obj, current, causes);
  if (!desired.managedFieldsDone) {
    obj.metadata.managedFields = recordUpdate({ live: current, updated: obj, manager: w.opts.manager, now: rfc3339(ctx.clock.now()), subresource: w.subresource });
  }
  const rev = Number(current.metadata.resourceVersion);
  if (readyToRemove(obj)) {
    // The last finalizer is gone from an object being deleted: remove it (watchers see DELETED).
    if (w.opts.dryRun) return obj;
    const kv = await ctx.store.delete(key, rev);
    ctx.caches.noteWrite(w.kind, kv.modRevision);
    return obj;
  }
  if (isNoopUpdate(current, obj)) return current;
  if (w.opts.dryRun) return obj;
  const kv = await ctx.store.update(key, encodeStored(obj), rev);
  return stored(ctx, w.kind, obj, kv);
}

/** A 409 for a precondition on resourceVersion that does not hold. */
export function staleVersion(kind: KindInfo, name: string): ApiError {
  return conflict(targetOf(kind, name), CONFLICT_MESSAGE);
}
