// Route table: discovery, OpenAPI, health, metrics, and ONE handler for every resource path of every kind, in
// every group served (`/api/v1` for the core group, `/apis/{group}/v1` for the others).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { buildOpenApiRoot, buildOpenApiV3, groupVersionPath } from '../../api/openapi.ts';
import { buildSwaggerV2 } from '../../api/swagger.ts';
import { apiPrefixOf, groupOf, type KindInfo } from '../../api/schemas/kind.ts';
import { apiError, type Status } from '../apierrors/status.ts';
import { acceptsJson, mediaType } from './content.ts';
import type { RestRequest, RestResponse, ServerContext } from './context.ts';
import { apiGroup, apiGroupList, apiResourceList, apiVersions, groupsOf, versionInfo } from './discovery.ts';
import { toStatus } from './errors.ts';
import { readinessCheck } from './readiness.ts';
import { queryFlag, type RawQuery } from './options.ts';
import { createHandler } from './rest-create.ts';
import { deleteCollectionHandler, deleteHandler } from './rest-delete.ts';
import { patchHandler } from './rest-patch.ts';
import { getObject, listObjects } from './rest-read.ts';
import { updateHandler } from './rest-update.ts';
import { watchHandler } from './rest-watch.ts';
import { resolveRequest, resourceNotFound, type RequestInfo, type Verb } from './request-info.ts';

/** Send a JSON body with `code`. */
export function sendJson(reply: FastifyReply, code: number, body: unknown): FastifyReply {
  return reply.code(code).type('application/json').send(JSON.stringify(body));
}

/** Send a Status (with Retry-After when it carries retryAfterSeconds). */
export function sendStatus(reply: FastifyReply, s: Status): FastifyReply {
  const retry = s.details?.retryAfterSeconds;
  if (retry !== undefined) reply.header('Retry-After', String(retry));
  return sendJson(reply, s.code, s);
}

/** The custom kinds' share of the server-wide documents (/apis, /openapi/v3, /openapi/v2); see crd/. */
export interface CustomDocuments {
  kinds(): KindInfo[];
  openApiDocuments(): Record<string, string>;
  swaggerV2(): string;
}

/** Register every route of the API server on `app`. */
export function registerRoutes(app: FastifyInstance, ctx: ServerContext, opts: { version?: string; ready: () => boolean; custom?: CustomDocuments }): void {
  const readyz = readinessCheck(ctx, opts.ready);
  const kinds = ctx.kinds;
  const openApiDocs: Record<string, string> = {};
  for (const group of groupsOf(kinds)) openApiDocs[groupVersionPath(group)] = JSON.stringify(buildOpenApiV3(kinds, group));
  const openApiRoot = JSON.stringify(buildOpenApiRoot(openApiDocs));
  const swagger = JSON.stringify(buildSwaggerV2(kinds));

  app.get('/api', async (_req, reply) => sendJson(reply, 200, apiVersions(kinds)));
  app.get('/apis', async (_req, reply) => sendJson(reply, 200, apiGroupList([...kinds, ...(opts.custom?.kinds() ?? [])])));
  app.get('/version', async (_req, reply) => sendJson(reply, 200, versionInfo(opts.version)));
  app.get('/openapi/v2', async (req, reply) => {
    // Only JSON: a client that asks for protobuf alone (client-go's OpenAPISchema) gets a 406, not bytes it cannot parse.
    if (!acceptsJson(req.headers.accept)) throw apiError('NotAcceptable', 'only application/json is served at /openapi/v2', {});
    return reply.code(200).type('application/json').send(opts.custom ? opts.custom.swaggerV2() : swagger);
  });
  app.get('/openapi/v3', async (_req, reply) => {
    const extra = opts.custom?.openApiDocuments();
    const root = extra && Object.keys(extra).length > 0 ? JSON.stringify(buildOpenApiRoot({ ...openApiDocs, ...extra })) : openApiRoot;
    return reply.code(200).type('application/json').send(root);
  });
  for (const [gv, doc] of Object.entries(openApiDocs)) {
    app.get(`/openapi/v3/${gv}`, async (_req, reply) => reply.code(200).type('application/json').send(doc));
  }
  for (const group of groupsOf(kinds)) registerGroup(app, ctx, group);
  for (const path of ['/healthz', '/livez']) {
    app.get(path, async (_req, reply) => reply.code(200).type('text/plain; charset=utf-8').send('ok'));
  }
  app.get('/readyz', async (_req, reply) => {
    const failed = await readyz();
    return failed.length === 0
      ? reply.code(200).type('text/plain; charset=utf-8').send('ok')
      : reply.code(503).type('text/plain; charset=utf-8').send(`${failed.map((f) => `[-]${f}`).join('\n')}\nreadyz check failed`);
  });
  app.get('/metrics', async (_req, reply) => reply.code(200).type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics()));

}

/** Discovery of one group (`/apis/{group}`, `/apis/{group}/v1` or `/api/v1`) and its resource paths, all in the one handler. */
function registerGroup(app: FastifyInstance, ctx: ServerContext, group: string): void {
  const prefix = apiPrefixOf({ group });
  const served = new Map<string, KindInfo>(ctx.kinds.filter((k) => groupOf(k) === group).map((k) => [k.plural, k]));
  const resources = apiResourceList(ctx.kinds, group);
  if (group !== '') app.get(`/apis/${group}`, async (_req, reply) => sendJson(reply, 200, apiGroup(group)));
  app.get(prefix, async (_req, reply) => sendJson(reply, 200, resources));
  app.route({
    method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    url: `${prefix}/*`,
    handler: (request, reply) => serveResource(ctx, served, prefix, request, reply),
  });
}

/** The one generic handler: resolve the path against the group's kinds, dispatch on the verb, send the result. */
export async function serveResource(
  ctx: ServerContext, served: ReadonlyMap<string, KindInfo>, prefix: string, request: FastifyRequest, reply: FastifyReply,
): Promise<void> {
  const query = request.query as RawQuery;
  const path = request.url.split('?')[0]!;
  const rest = path.slice(prefix.length + 1).split('/');
  const info = resolveRequest(rest, request.method, queryFlag(query, 'watch'), served);
  ctx.requestLabels.set(request.raw, { verb: metricVerb(info.verb, request), resource: info.kind.plural, subresource: info.subresource ?? '' });
  const req: RestRequest = { info, query, headers: request.headers, body: request.body };
  if (info.verb === 'watch') {
    await watchHandler(ctx, req, reply, request.url);
    ctx.watchStarted?.(request.raw);
    return;
  }
  const res = await dispatch(ctx, info, req);
  if (res.warnings && res.warnings.length > 0) reply.header('Warning', res.warnings.map(warningHeader));
  sendJson(reply, res.code, res.body);
}

/** An RFC 7234 warning as kube-apiserver sends it: `299 - "text"` (quotes and backslashes escaped). */
export function warningHeader(text: string): string {
  return `299 - ${JSON.stringify(text)}`;
}

function dispatch(ctx: ServerContext, info: RequestInfo, req: RestRequest): Promise<RestResponse> {
  switch (info.verb) {
    case 'get':
      return getObject(ctx, req);
    case 'list':
      return listObjects(ctx, req);
    case 'create':
      return createHandler(ctx, req);
    case 'update':
      return updateHandler(ctx, req);
    case 'patch':
      return patchHandler(ctx, req);
    case 'delete':
      return deleteHandler(ctx, req);
    case 'deletecollection':
      return deleteCollectionHandler(ctx, req);
    default:
      throw resourceNotFound();
  }
}

/** The verb label of request metrics (kube-apiserver's spelling). */
export const METRIC_VERBS: Record<Verb, string> = {
  get: 'GET',
  list: 'LIST',
  watch: 'WATCH',
  create: 'POST',
  update: 'PUT',
  patch: 'PATCH',
  delete: 'DELETE',
  deletecollection: 'DELETECOLLECTION',
};

function metricVerb(verb: Verb, request: FastifyRequest): string {
  if (verb === 'patch' && mediaType(request.headers['content-type']) === 'application/apply-patch+yaml') return 'APPLY';
  return METRIC_VERBS[verb];
}

/** Install the error and not-found handlers that answer with Status bodies. */
export function installErrorHandlers(app: FastifyInstance, ctx: ServerContext): void {
  app.setErrorHandler((err, request, reply) => {
    const s = toStatus(err, ctx.logger, { method: request.method, url: request.url });
    if (reply.sent || reply.raw.headersSent) return;
    sendStatus(reply, s);
  });
  app.setNotFoundHandler((_request, reply) => {
    sendStatus(reply, resourceNotFound().status);
  });
}
