// GET /ui/watch?kind=jobs&kind=nodes&rv.jobs=123: several of the API's watch streams (`?watch=1`) as one NDJSON
// response, each line `{"kind":"jobs","event":{type,object}}` with the API's own event line inside. A browser
// keeps at most six HTTP/1.1 connections per server, and the dashboard needs seven kinds live plus its actions
// and log streams: one connection for all watches leaves room for the rest.
//
// Each kind is watched through the server's own HTTP API (loopback), with the caller's Authorization header, so
// what the caller may watch is decided where it always is. A kind that cannot be watched (401/403/404) gives one
// `{"kind":...,"error":Status}` line and the others go on. When any stream ends (its timeout, a shutdown) the
// whole response ends, and the client reconnects with the resourceVersion it saw last for each kind.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { request } from 'undici';
import type { KindInfo } from '../../api/schemas/kind.ts';
import { badRequest } from '../apierrors/status.ts';
import { queryParam, queryParams, type RawQuery } from '../apiserver/options.ts';

/** The kinds a dashboard may watch, by plural; everything else is refused with a 400. */
export const WATCHABLE = ['jobs', 'jobversions', 'allocations', 'nodes', 'evaluations', 'deployments', 'events'] as const;

/** One kind's stream of a mux request. */
export interface MuxStream {
  plural: string;
  /** `/apis/drover.dev/v1/jobs` or `/api/v1/events`. */
  path: string;
  resourceVersion?: string;
}

/** The API path of a kind's list across namespaces. */
export function listPath(k: KindInfo): string {
  return k.group === '' ? `/api/v1/${k.plural}` : `/apis/${k.group ?? 'drover.dev'}/v1/${k.plural}`;
}

/** Parse the query into the streams to open; unknown kinds are the client's error. */
export function muxStreams(query: RawQuery, kindByPlural: ReadonlyMap<string, KindInfo>): MuxStream[] {
  const kinds = queryParams(query, 'kind');
  if (kinds.length === 0) throw badRequest('kind: Required value: name one or more kinds to watch');
  return kinds.map((plural, i) => {
    const k = kindByPlural.get(plural);
    if (!k || !(WATCHABLE as readonly string[]).includes(plural)) throw badRequest(`kind[${i}]: Unsupported value: ${JSON.stringify(plural)}: supported values: ${WATCHABLE.map((p) => JSON.stringify(p)).join(', ')}`);
    const rv = queryParam(query, `rv.${plural}`);
    if (rv !== undefined && !/^\d+$/.test(rv)) throw badRequest(`rv.${plural}: Invalid value: ${JSON.stringify(rv)}: must be a resourceVersion`);
    return { plural, path: listPath(k), resourceVersion: rv };
  });
}

/** Serve one mux response on the raw socket: `base` is this server's own URL; ends when any stream ends. */
export async function serveMux(base: string, streams: MuxStream[], req: IncomingMessage, res: ServerResponse): Promise<void> {
  const abort = new AbortController();
  req.socket.on('close', () => abort.abort());
  res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.flushHeaders();
  const headers: Record<string, string> = {};
  if (req.headers.authorization) headers.authorization = req.headers.authorization;
  const one = async (s: MuxStream): Promise<void> => {
    const q = new URLSearchParams({ watch: '1', allowWatchBookmarks: 'true' });
    if (s.resourceVersion) q.set('resourceVersion', s.resourceVersion);
    const upstream = await request(`${base}${s.path}?${q}`, { headers, signal: abort.signal, bodyTimeout: 0 });
    const prefix = `{"kind":${JSON.stringify(s.plural)},`;
    if (upstream.statusCode !== 200) {
      const body = await upstream.body.text();
      write(res, `${prefix}"error":${body.trim().startsWith('{') ? body.trim() : JSON.stringify({ kind: 'Status', code: upstream.statusCode, message: body })}}\n`);
      return new Promise<void>((resolve) => abort.signal.addEventListener('abort', () => resolve(), { once: true }));
    }
    let rest = '';
    for await (const chunk of upstream.body) {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop()!;
      const out = lines.filter((l) => l.length > 0).map((l) => `${prefix}"event":${l}}\n`).join('');
      if (out && !write(res, out)) await new Promise((r) => res.once('drain', r));
    }
  };
  await Promise.race(streams.map((s) => one(s).catch(() => undefined)));
  abort.abort();
  res.end();
}

function write(res: ServerResponse, text: string): boolean {
  return res.destroyed ? true : res.write(text);
}
