// The agent's small HTTP listener for task logs, which the API server's `allocations/{name}/log` subresource
// proxies to (the kubelet's /containerLogs, Nomad's /v1/client/fs/logs):
//
//   GET /v1/alloc/<alloc>/logs            the allocation's first main task
//   GET /v1/alloc/<alloc>/<task>/logs     ?namespace=default&stderr=true&tail=N&follow=true
//
// Answers text/plain, streamed; errors are JSON `{"error": "..."}` with 400/403/404. With `tls` it is HTTPS and
// only a client presenting a certificate of the configured CA (the API server's) gets past the handshake.
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Clock } from '../../clock/clock.ts';
import type { Logger } from '../../log/logger.ts';
import { peerIdentity, serverTlsOptions } from '../../tls/index.ts';
import { readLog } from './logs.ts';

/** Where a task's logs are, as the agent knows it. */
export type LogLocation = { dir: string; task: string; finished(): boolean } | { error: string; code: 404 | 400 };

/** What the log server asks the agent. */
export interface LogSource {
  find(namespace: string, alloc: string, task: string | undefined): LogLocation;
}

/** Options of startLogServer. */
export interface LogServerOptions {
  host: string;
  port: number;
  source: LogSource;
  clock: Clock;
  logger: Logger;
  /** Poll period while following (default 250 ms). */
  pollMs?: number;
  /** mTLS: serve HTTPS and accept only clients with a certificate of `clientCaPem` (the API server's). */
  tls?: LogServerTls;
}

/** The listener's TLS: its certificate and the CA of the only clients it accepts. */
export interface LogServerTls {
  certPem: string;
  keyPem: string;
  clientCaPem: string;
  /** When set, the client certificate's CN must be one of these (when the CA also signs other users' certificates). */
  allowedClientNames?: string[];
}

/** A listening log server. */
export interface LogServer {
  /** Base URL, e.g. http://127.0.0.1:4646. */
  readonly url: string;
  close(): Promise<void>;
}

const ROUTE = /^\/v1\/alloc\/([^/]+)(?:\/([^/]+))?\/logs$/;

/** Start the log listener. */
export async function startLogServer(opts: LogServerOptions): Promise<LogServer> {
  const open = new Set<ServerResponse>();
  const listener: RequestListener = (req, res) => {
    if (opts.tls?.allowedClientNames && !opts.tls.allowedClientNames.includes(peerIdentity(req.socket)?.name ?? '')) {
      return sendError(res, 403, `client ${JSON.stringify(peerIdentity(req.socket)?.name)} may not read logs here`);
    }
    open.add(res);
    res.on('close', () => open.delete(res));
    handle(opts, req, res).catch((err) => {
      opts.logger.warn('log request failed', { url: req.url, err });
      if (!res.headersSent) sendError(res, 500, err instanceof Error ? err.message : String(err));
      else res.destroy();
    });
  };
  // With TLS, Node refuses a client without a certificate of the CA during the handshake (requireClientCert).
  const server: Server = opts.tls
    ? createHttpsServer(serverTlsOptions({ certPem: opts.tls.certPem, keyPem: opts.tls.keyPem, clientCaPem: opts.tls.clientCaPem, requireClientCert: true }), listener)
    : createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `${opts.tls ? 'https' : 'http'}://${host}:${port}`,
    close: () => closeServer(server, open),
  };
}

async function handle(opts: LogServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://agent');
  const m = ROUTE.exec(url.pathname);
  if (req.method !== 'GET' || !m) return sendError(res, 404, `no route for ${req.method} ${url.pathname}`);
  const q = url.searchParams;
  const tailRaw = q.get('tail');
  const tail = tailRaw === null || tailRaw === '' ? undefined : Number(tailRaw);
  if (tail !== undefined && (!Number.isInteger(tail) || tail < 0)) return sendError(res, 400, `tail: must be a non-negative integer, got ${JSON.stringify(tailRaw)}`);
  const where = opts.source.find(q.get('namespace') || 'default', decodeURIComponent(m[1]!), m[2] ? decodeURIComponent(m[2]) : undefined);
  if ('error' in where) return sendError(res, where.code, where.error);
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'x-drover-task': where.task, 'cache-control': 'no-cache' });
  res.flushHeaders();
  const stream = flag(q.get('stderr')) ? 'stderr' : 'stdout';
  const reader = readLog(where.dir, where.task, stream, {
    tail, follow: flag(q.get('follow')), finished: where.finished, signal: abort.signal, clock: opts.clock, pollMs: opts.pollMs,
  });
  for await (const chunk of reader) {
    if (abort.signal.aborted) break;
    if (!res.write(chunk)) await new Promise<void>((resolve) => res.once('drain', resolve).once('close', resolve));
  }
  res.end();
}

function flag(v: string | null): boolean {
  return v !== null && v !== 'false' && v !== '0';
}

function sendError(res: ServerResponse, code: number, error: string): void {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error }));
}

// Following readers never end on their own: close their responses so the server can stop.
async function closeServer(server: Server, open: Set<ServerResponse>): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  for (const res of open) res.destroy();
  server.closeIdleConnections();
  await closed;
}
