// PUT of an object or its status: a full replacement guarded by the body's resourceVersion (409 when stale).
import { groupOf } from '../../api/schemas/kind.ts';
import { sameObjectVersion } from '../../api/schemas/resource-version.ts';
import { badRequest, invalid } from '../apierrors/status.ts';
import { objectKey } from './codec.ts';
import { decodeObjectBody } from './content.ts';
import { header, type RestRequest, type RestResponse, type ServerContext } from './context.ts';
import { objectForPath } from './objects.ts';
import { parseWriteOptions } from './options.ts';
import { guaranteedUpdate, staleVersion } from './write.ts';

/** PUT /…/{plural}/{name}[/status]: replace. */
export async function updateHandler(ctx: ServerContext, req: RestRequest): Promise<RestResponse> {
  const { info } = req;
  const { kind, namespace, subresource } = info;
  const name = info.name!;
  const opts = parseWriteOptions(req.query, header(req, 'user-agent'), 'UpdateOptions');
  const body = decodeObjectBody(req.body, header(req, 'content-type'));
  if (body === undefined) throw badRequest('the request body is empty; an object is required');
  const obj = objectForPath(body, info, undefined, opts);
  const rv = obj.metadata.resourceVersion;
  if (rv === undefined || rv === '') {
    throw invalid({ kindName: kind.kind, group: groupOf(kind), name }, [
      { reason: 'FieldValueInvalid', field: 'metadata.resourceVersion', message: 'Invalid value: 0x0: must be specified for an update' },
    ]);
  }
  const result = await guaranteedUpdate(ctx, { kind, opts, subresource }, objectKey(kind, namespace, name), name, async (current) => {
    if (!sameObjectVersion(rv, current!.metadata.resourceVersion)) throw staleVersion(kind, name);
    return { obj: structuredClone(obj) };
  });
  return { code: 200, body: result.obj, warnings: opts.warnings };
}
