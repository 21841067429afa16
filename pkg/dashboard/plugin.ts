// The dashboard on the API server: `/` and `/ui` redirect to `/ui/`, `/ui/` is the single page (views are
// hash routes, `/ui/#/jobs/default/web`), `/ui/assets/*` its bundle, plus the two endpoints only the
// dashboard uses: `/ui/watch` (watch streams multiplexed, watch-mux.ts) and `/ui/convert` (the job editor's
// text as objects, convert.ts). Registered through ApiServerOptions.plugins by cmd/drover/serve.ts.
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { apiError, notFound } from '../apierrors/status.ts';
import { decodeObjectBody } from '../apiserver/content.ts';
import type { ServerContext } from '../apiserver/context.ts';
import type { RawQuery } from '../apiserver/options.ts';
import { acceptsGzip, loadAssets, type Asset } from './assets.ts';
import { convertEditorText } from './convert.ts';
import { muxStreams, serveMux } from './watch-mux.ts';

/** Options of the dashboard plugin. */
export interface DashboardOptions {
  /** The built dashboard (dist/drover/dashboard). */
  assetsDir: string;
}

/** The fastify plugin serving the dashboard. */
export function dashboardPlugin(opts: DashboardOptions): (app: FastifyInstance, ctx: ServerContext) => void {
  return (app, ctx) => {
    const assets = loadAssets(opts.assetsDir);
    const send = (reply: import('fastify').FastifyReply, a: Asset, acceptEncoding: string | undefined) => {
      reply.header('content-type', a.contentType).header('cache-control', a.cacheControl).header('vary', 'accept-encoding').header('x-content-type-options', 'nosniff');
      if (a.gzip && acceptsGzip(acceptEncoding)) return reply.header('content-encoding', 'gzip').send(a.gzip);
      return reply.send(a.body);
    };
    app.get('/', (_req, reply) => reply.redirect('/ui/', 302));
    // The server ignores trailing slashes, so this route answers /ui too: send that to /ui/ (one URL per page).
    app.get('/ui/', (req, reply) => {
      if (req.url.split('?')[0] === '/ui') return reply.redirect('/ui/', 302);
      const index = assets.get('index.html');
      if (!index) throw apiError('ServiceUnavailable', `the dashboard is not built (no ${opts.assetsDir}/index.html): run npm run build`);
      return send(reply, index, req.headers['accept-encoding']);
    });
    app.get('/ui/assets/:file', (req, reply) => {
      const { file } = req.params as { file: string };
      const a = file === 'index.html' ? undefined : assets.get(file);
      if (!a) throw notFound({ group: '', kind: 'ui/assets', name: file });
      return send(reply, a, req.headers['accept-encoding']);
    });
    app.get('/ui/watch', async (req, reply) => {
      const streams = muxStreams(req.query as RawQuery, ctx.kindByPlural);
      const addr = app.server.address() as AddressInfo;
      const host = addr.address === '0.0.0.0' || addr.address === '::' ? '127.0.0.1' : addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
      reply.hijack();
      await serveMux(`http://${host}:${addr.port}`, streams, req.raw, reply.raw);
    });
    app.post('/ui/convert', async (req, reply) => {
      const items = await convertEditorText(decodeObjectBody(req.body, req.headers['content-type']));
      return reply.code(200).header('content-type', 'application/json').send({ apiVersion: 'v1', kind: 'List', items });
    });
  };
}
