// Routes of the custom kinds: `/apis/{group}`, `/apis/{group}/{version}` (discovery), every resource path under
// it (the one generic handler, with the kinds CustomKinds serves at the time of the request) and
// `/openapi/v3/apis/{group}/{version}`. Drover's own groups are static routes and take precedence.
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.ts';
import { apiGroup, apiResourceList } from '../discovery.ts';
import { resourceNotFound } from '../request-info.ts';
import { sendJson, serveResource } from '../routes.ts';
import type { CustomOpenApi } from './openapi.ts';
import type { CustomKinds } from './registry.ts';

type GroupParams = { group: string; version?: string };

/** Register the custom kinds' routes on `app`. */
export function registerCustomKindRoutes(app: FastifyInstance, ctx: ServerContext, custom: CustomKinds, openapi: CustomOpenApi): void {
  app.get<{ Params: GroupParams }>('/apis/:group', async (req, reply) => {
    const versions = custom.groups().get(req.params.group);
    if (!versions) throw resourceNotFound();
    return sendJson(reply, 200, apiGroup(req.params.group, versions));
  });
  app.get<{ Params: GroupParams }>('/apis/:group/:version', async (req, reply) => {
    const { group, version } = req.params;
    if (custom.ofGroupVersion(group, version!).size === 0) throw resourceNotFound();
    return sendJson(reply, 200, apiResourceList(custom.all(), group, version));
  });
  app.route<{ Params: GroupParams }>({
    method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    url: '/apis/:group/:version/*',
    handler: (request, reply) => {
      const { group, version } = request.params;
      const served = custom.ofGroupVersion(group, version!);
      if (served.size === 0) throw resourceNotFound();
      return serveResource(ctx, served, `/apis/${group}/${version}`, request, reply);
    },
  });
  app.get<{ Params: GroupParams }>('/openapi/v3/apis/:group/:version', async (req, reply) => {
    const doc = openapi.documents()[`apis/${req.params.group}/${req.params.version}`];
    if (doc === undefined) throw resourceNotFound();
    return reply.code(200).type('application/json').send(doc);
  });
}
