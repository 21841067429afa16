// The plan subresource's route: POST /apis/drover.dev/v1/namespaces/{ns}/evaluations/{name}/plan, registered
// through ApiServerOptions.plugins (planCommitPlugin) like the job plan and the log proxy.
import type { FastifyInstance } from 'fastify';
import { GROUP, VERSION } from '../../api/schemas/kind.ts';
import { decodeObjectBody } from '../apiserver/content.ts';
import type { ServerContext } from '../apiserver/context.ts';
import { AllocIndex } from './alloc-index.ts';
import { PlanCommitter, type CommitKinds } from './committer.ts';
import { NodeEvents } from './node-events.ts';

/** The path of the plan subresource, as fastify parameters. */
export const PLAN_ROUTE = `/apis/${GROUP}/${VERSION}/namespaces/:namespace/evaluations/:name/plan`;

/** The kinds a plan commit needs, when the server serves them all. */
export function commitKinds(ctx: Pick<ServerContext, 'kindByPlural'>): CommitKinds | undefined {
  const get = (p: string) => ctx.kindByPlural.get(p);
  const [allocation, evaluation, node, job] = [get('allocations'), get('evaluations'), get('nodes'), get('jobs')];
  return allocation && evaluation && node && job ? { allocation, evaluation, node, job } : undefined;
}

/**
 * The plan commit as an API server plugin: `createApiServer({ ..., plugins: [planCommitPlugin()] })`. Without
 * it the server has no `evaluations/{name}/plan` route (and, by its built-in allocation guard, no way to create
 * a live allocation at all).
 */
export function planCommitPlugin(): (app: FastifyInstance, ctx: ServerContext) => void {
  return (app, ctx) => void registerPlanRoute(app, ctx);
}

/** Register the plan route (when the server serves evaluations, allocations, nodes and jobs). */
function registerPlanRoute(app: FastifyInstance, ctx: ServerContext): PlanCommitter | undefined {
  const kinds = commitKinds(ctx);
  if (!kinds) return undefined;
  const logger = ctx.logger.child({ component: 'plancommit' });
  const index = new AllocIndex(ctx.caches.of(kinds.allocation), logger);
  const nodeEvents = new NodeEvents(ctx.caches.of(kinds.node), logger);
  const committer = new PlanCommitter({ store: ctx.store, caches: ctx.caches, clock: ctx.clock, logger, kinds, index, nodeEvents, admission: ctx.admission });
  app.post(PLAN_ROUTE, async (request, reply) => {
    ctx.requestLabels.set(request.raw, { verb: 'POST', resource: 'evaluations', subresource: 'plan' });
    const { namespace, name } = request.params as { namespace: string; name: string };
    const body = decodeObjectBody(request.body, request.headers['content-type']);
    const res = await committer.commit(namespace, name, body);
    return reply.code(200).type('application/json').send(JSON.stringify(res));
  });
  app.addHook('onClose', async () => committer.stop());
  return committer;
}
