// POST to a collection: create one object (201), or report what would be created with dryRun=All.
import { header, type RestRequest, type RestResponse, type ServerContext } from './context.ts';
import { decodeObjectBody } from './content.ts';
import { objectForPath } from './objects.ts';
import { parseWriteOptions } from './options.ts';
import { createObject } from './write.ts';
import { badRequest } from '../apierrors/status.ts';

/** POST /…/{plural}: create. */
export async function createHandler(ctx: ServerContext, req: RestRequest): Promise<RestResponse> {
  const { info } = req;
  const opts = parseWriteOptions(req.query, header(req, 'user-agent'), 'CreateOptions');
  const body = decodeObjectBody(req.body, header(req, 'content-type'));
  if (body === undefined) throw badRequest('the request body is empty; an object is required');
  const obj = objectForPath(body, info, undefined, opts);
  const created = await createObject(ctx, { kind: info.kind, opts }, obj);
  return { code: 201, body: created, warnings: opts.warnings };
}
