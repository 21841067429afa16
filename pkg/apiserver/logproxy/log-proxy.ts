// The API server side of `drover logs` / `kubectl logs`: the allocation `log` subresource, proxied to the
// agent of the allocation's node (its address is the Node attribute `unique.agent.http`):
//
//   GET /apis/drover.dev/v1/namespaces/{ns}/allocations/{name}/log?container=TASK&follow=true&tailLines=N[&stderr=true]
//
// Registered through ApiServerOptions.plugins: `createApiServer({ ..., plugins: [logProxyPlugin()] })`.
import type { FastifyInstance } from 'fastify';
import { Agent, request } from 'undici';
import type { Allocation, Node } from '../../../api/schemas/index.ts';
import { GROUP } from '../../../api/schemas/kind.ts';
import { AGENT_HTTP_ATTRIBUTE } from '../../../api/schemas/well-known.ts';
import { apiError, notFound, type StatusReason } from '../../apierrors/status.ts';
import { objectKey } from '../codec.ts';
import type { ServerContext } from '../context.ts';
import { queryFlag, queryParam, type RawQuery } from '../options.ts';

/** Options of the log proxy. */
export interface LogProxyOptions {
  /** Time to wait for the agent's response headers (default 10 s). */
  connectTimeoutMs?: number;
  /** For agents serving https: the CA of their certificates and the client certificate the API server presents. */
  agentTls?: { caPem: string; certPem: string; keyPem: string };
}

/** The fastify plugin serving `allocations/{name}/log`. */
export function logProxyPlugin(opts: LogProxyOptions = {}): (app: FastifyInstance, ctx: ServerContext) => void {
  return (app, ctx) => {
    const dispatcher = opts.agentTls ? new Agent({ connect: { ca: opts.agentTls.caPem, cert: opts.agentTls.certPem, key: opts.agentTls.keyPem } }) : undefined;
    if (dispatcher) app.addHook('onClose', async () => dispatcher.close());
    app.get(`/apis/${GROUP}/v1/namespaces/:namespace/allocations/:name/log`, async (req, reply) => {
      const { namespace, name } = req.params as { namespace: string; name: string };
      const query = req.query as RawQuery;
      const target = await agentLogUrl(ctx, namespace, name, query);
      const abort = new AbortController();
      reply.raw.on('close', () => abort.abort());
      let res: Awaited<ReturnType<typeof request>>;
      try {
        res = await request(target.url, { signal: abort.signal, headersTimeout: opts.connectTimeoutMs ?? 10_000, bodyTimeout: 0, ...(dispatcher ? { dispatcher } : {}) });
      } catch (err) {
        throw apiError('ServiceUnavailable', `cannot reach the agent of node "${target.node}": ${err instanceof Error ? err.message : String(err)}`);
      }
      if (res.statusCode >= 400) {
        const body = (await res.body.json().catch(() => ({}))) as { error?: string };
        const reason: StatusReason = res.statusCode === 404 ? 'NotFound' : res.statusCode === 400 ? 'BadRequest' : 'InternalError';
        throw apiError(reason, body.error ?? `the agent of node "${target.node}" answered ${res.statusCode}`);
      }
      reply.code(200).type('text/plain; charset=utf-8');
      return reply.send(res.body);
    });
  };
}

// The agent URL for an allocation's log, from the watch caches (no store round trip).
async function agentLogUrl(ctx: ServerContext, namespace: string, name: string, query: RawQuery): Promise<{ url: string; node: string }> {
  const allocKind = ctx.kindByPlural.get('allocations');
  const nodeKind = ctx.kindByPlural.get('nodes');
  if (!allocKind || !nodeKind) throw apiError('NotFound', 'allocations are not served');
  const alloc = (await ctx.caches.get(allocKind, objectKey(allocKind, namespace, name))) as Allocation | undefined;
  if (!alloc) throw notFound({ group: GROUP, kind: 'allocations', name });
  const nodeName = alloc.spec.nodeName;
  const node = (await ctx.caches.get(nodeKind, objectKey(nodeKind, undefined, nodeName))) as Node | undefined;
  const base = node?.status?.attributes?.[AGENT_HTTP_ATTRIBUTE];
  if (!base) throw apiError('ServiceUnavailable', `node "${nodeName}" has no agent serving logs (attribute ${AGENT_HTTP_ATTRIBUTE} is not set)`);
  const tailLines = queryParam(query, 'tailLines');
  if (tailLines !== undefined && !/^[0-9]+$/.test(tailLines)) throw apiError('BadRequest', `tailLines: must be a non-negative integer, got ${JSON.stringify(tailLines)}`);
  const container = queryParam(query, 'container');
  const params = new URLSearchParams({ namespace });
  if (queryFlag(query, 'follow')) params.set('follow', 'true');
  if (queryFlag(query, 'stderr')) params.set('stderr', 'true');
  if (tailLines !== undefined) params.set('tail', tailLines);
  const path = `/v1/alloc/${encodeURIComponent(name)}${container ? `/${encodeURIComponent(container)}` : ''}/logs`;
  return { url: `${base.replace(/\/+$/, '')}${path}?${params}`, node: nodeName };
}
