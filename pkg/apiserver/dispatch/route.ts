// The dispatch subresource's route: POST /apis/drover.dev/v1/namespaces/{ns}/jobs/{name}/dispatch, registered
// as an ApiServerOptions plugin beside the job plan.
import { randomInt } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { GROUP, VERSION } from '../../../api/schemas/kind.ts';
import { decodeObjectBody } from '../content.ts';
import type { ServerContext } from '../context.ts';
import { parseWriteOptions, type RawQuery } from '../options.ts';
import { dispatchJob } from './dispatch.ts';

/** The path of the dispatch subresource, as fastify parameters. */
export const DISPATCH_ROUTE = `/apis/${GROUP}/${VERSION}/namespaces/:namespace/jobs/:name/dispatch`;

// apimachinery's name-generator alphabet: no vowels, nothing confusable.
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const suffix = () => Array.from({ length: 5 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');

/** The plugin for ApiServerOptions.plugins: registers the route when the server serves jobs. 201 with the child Job. */
export function dispatchPlugin(): (app: FastifyInstance, ctx: ServerContext) => void {
  return (app, ctx) => {
    const jobKind = ctx.kindByPlural.get('jobs');
    if (!jobKind) return;
    app.post(DISPATCH_ROUTE, async (request, reply) => {
      ctx.requestLabels.set(request.raw, { verb: 'POST', resource: 'jobs', subresource: 'dispatch' });
      const { namespace, name } = request.params as { namespace: string; name: string };
      const opts = parseWriteOptions(request.query as RawQuery, request.headers['user-agent'], 'CreateOptions');
      const body = decodeObjectBody(request.body, request.headers['content-type']);
      const child = await dispatchJob(ctx, jobKind, { namespace, name, body, opts, random: suffix() });
      return reply.code(201).type('application/json').send(JSON.stringify(child));
    });
  };
}
