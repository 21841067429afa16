// PATCH of an object or its status: JSON patch, merge patch, strategic merge patch (keyed lists merge by key,
// with the list rules server-side apply uses) and server-side apply. Non-apply patches apply to the current
// object and retry on CAS conflicts; a resourceVersion in the patched result is a precondition (409 when stale).
import type { ApiObject } from '../../api/schemas/kind.ts';
import { sameObjectVersion } from '../../api/schemas/resource-version.ts';
import { badRequest, invalid } from '../apierrors/status.ts';
import { objectKey } from './codec.ts';
import { decodePatchBody, patchTypeOf, type PatchType } from './content.ts';
import { header, type RestRequest, type RestResponse, type ServerContext } from './context.ts';
import { applyPatch, DEFAULT_LIST_RULES } from './fieldmanager/index.ts';
import { rfc3339 } from '../../api/schemas/timestamp.ts';
import { checkTypeMeta, objectForPath } from './objects.ts';
import { parseWriteOptions, type WriteOptions } from './options.ts';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from './patch/index.ts';
import type { RequestInfo } from './request-info.ts';
import { guaranteedUpdate, staleVersion, type Desired } from './write.ts';

/** PATCH /…/{plural}/{name}[/status]. */
export async function patchHandler(ctx: ServerContext, req: RestRequest): Promise<RestResponse> {
  const { info } = req;
  const type = patchTypeOf(header(req, 'content-type'));
  const opts = parseWriteOptions(req.query, header(req, 'user-agent'), 'PatchOptions');
  checkPatchOptions(type, opts);
  const patch = decodePatchBody(req.body, type);
  const { kind, namespace, subresource } = info;
  const name = info.name!;
  const tryUpdate = type === 'apply' ? applyUpdater(ctx, info, opts, patch) : patchUpdater(info, type, patch, opts);
  const key = objectKey(kind, namespace, name);
  // Apply creates a missing object, but not through /status (there is nothing to hold the status).
  const result = await guaranteedUpdate(ctx, { kind, opts, subresource }, key, name, tryUpdate, type === 'apply' && !subresource);
  return { code: result.created ? 201 : 200, body: result.obj, warnings: opts.warnings };
}

function checkPatchOptions(type: PatchType, opts: WriteOptions): void {
  const target = { kindName: 'PatchOptions', group: 'meta.k8s.io', name: '' };
  if (type !== 'apply' && opts.force) {
    throw invalid(target, [{ reason: 'FieldValueForbidden', field: 'force', message: 'Forbidden: may not be specified for non-apply patch' }]);
  }
  if (type === 'apply' && !opts.managerGiven) {
    throw invalid(target, [{ reason: 'FieldValueRequired', field: 'fieldManager', message: 'Required value: is required for apply patch' }]);
  }
}

/** json/merge/strategic: apply the patch document to the current object. */
function patchUpdater(info: RequestInfo, type: PatchType, patch: unknown, opts: WriteOptions) {
  return async (current: ApiObject | undefined): Promise<Desired> => {
    const cur = current!;
    const patched = applyPatchDocument(type, cur, patch) as ApiObject;
    const obj = objectForPath(patched, info, 'the patched object', opts);
    // A patch that sets resourceVersion makes it a precondition, as in Kubernetes.
    const rv = obj.metadata.resourceVersion;
    if (rv !== cur.metadata.resourceVersion && (rv === undefined || !sameObjectVersion(rv, cur.metadata.resourceVersion))) throw staleVersion(info.kind, info.name!);
    return { obj };
  };
}

function applyPatchDocument(type: PatchType, cur: ApiObject, patch: unknown): object {
  if (type === 'json') return applyJsonPatch(cur, patch);
  if (type === 'strategic') return applyStrategicMergePatch(cur, patch, DEFAULT_LIST_RULES);
  return applyMergePatch(cur, patch);
}

/** Server-side apply: merge the applied configuration into the live object, tracking field ownership. */
function applyUpdater(ctx: ServerContext, info: RequestInfo, opts: WriteOptions, patch: unknown) {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw badRequest('an apply patch must be an object');
  const applied = patch as ApiObject;
  if (!applied.apiVersion || !applied.kind) throw badRequest('apiVersion and kind must be set in an apply patch');
  checkTypeMeta(applied, info.kind);
  objectForPath(applied, info, 'the applied configuration', opts);
  const wantRv = applied.metadata.resourceVersion;
  return async (live: ApiObject | undefined): Promise<Desired> => {
    if (wantRv !== undefined && !sameObjectVersion(wantRv, live?.metadata.resourceVersion)) throw staleVersion(info.kind, info.name!);
    const obj = applyPatch({
      live,
      applied: structuredClone(applied),
      manager: opts.manager,
      force: opts.force,
      now: rfc3339(ctx.clock.now()),
      subresource: info.subresource,
      // Through the main resource, status belongs to /status writers (Kubernetes' ResetFieldsStrategy).
      resetFields: info.kind.hasStatus && !info.subresource ? ['status'] : undefined,
    });
    // Defensive: the merged object is addressed by the path, whatever the merge produced.
    obj.metadata.name = info.name!;
    if (info.kind.namespaced) obj.metadata.namespace = info.namespace;
    if (live) obj.metadata.resourceVersion = live.metadata.resourceVersion;
    return { obj, managedFieldsDone: true };
  };
}
