// The job plan subresource's route: POST /apis/drover.dev/v1/namespaces/{ns}/jobs/{name}/plan, registered as
// an ApiServerOptions plugin. It sits beside the evaluations/{name}/plan commit route (pkg/plancommit) and, being
// more specific than the generic /apis/drover.dev/v1/* handler, takes precedence over it.
import type { FastifyInstance } from 'fastify';
import { GROUP, VERSION } from '../../../api/schemas/kind.ts';
import type { SchedulerConfig } from '../../scheduler/stack.ts';
import { decodeObjectBody } from '../content.ts';
import type { ServerContext } from '../context.ts';
import { queryFlag, type RawQuery } from '../options.ts';
import { jobPlanKinds, planJob } from './planner.ts';

/** The path of the job plan subresource, as fastify parameters. */
export const JOB_PLAN_ROUTE = `/apis/${GROUP}/${VERSION}/namespaces/:namespace/jobs/:name/plan`;

/** Options of the plugin. */
export interface JobPlanOptions {
  /** The scheduler configuration the workers run with (algorithm, preemption), so the dry run agrees with them. */
  scheduler?: Partial<SchedulerConfig>;
}

/**
 * The plugin for ApiServerOptions.plugins: registers the route when the server serves jobs, nodes and
 * allocations. Query: `contextual=true` keeps unchanged fields in the diff.
 */
export function jobPlanPlugin(opts: JobPlanOptions = {}): (app: FastifyInstance, ctx: ServerContext) => void {
  return (app, ctx) => {
    const kinds = jobPlanKinds(ctx);
    if (!kinds) return;
    app.post(JOB_PLAN_ROUTE, async (request, reply) => {
      ctx.requestLabels.set(request.raw, { verb: 'POST', resource: 'jobs', subresource: 'plan' });
      const { namespace, name } = request.params as { namespace: string; name: string };
      const body = decodeObjectBody(request.body, request.headers['content-type']);
      const contextual = queryFlag(request.query as RawQuery, 'contextual');
      const result = await planJob(ctx, kinds, opts.scheduler, { namespace, name, body, contextual });
      return reply.code(200).type('application/json').send(JSON.stringify(result));
    });
  };
}
