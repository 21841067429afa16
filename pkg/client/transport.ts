// The HTTP layer under the typed client: one keep-alive undici Pool per server, JSON in and out, Status errors
// rebuilt as ApiError, transport failures as NetworkError. Streams (watch) get the raw body.
import { Pool } from 'undici';
import { ApiError, fromResponse, status } from '../apierrors/status.ts';
import { toNetworkError } from './errors.ts';
import { queryString, type Query } from './paths.ts';

/** Connection settings of a client. */
export interface TransportOptions {
  /** Base URL of the API server, e.g. `http://127.0.0.1:7070`. A path prefix is kept. */
  server: string;
  /** Bearer token sent as `Authorization`. */
  token?: string;
  userAgent?: string;
  /** Timeout for a whole non-streaming request and for a stream's response headers (default 30 s). */
  timeoutMs?: number;
  /** For https servers: the CA that vouches for the server (default: the system's roots), and a client certificate. */
  tls?: ClientTls;
}

/** PEM material of a TLS client. */
export interface ClientTls {
  /** CA certificate(s) the server's certificate must chain to. */
  ca?: string;
  /** Client certificate (and chain) presented to servers that request one. */
  cert?: string;
  key?: string;
}

/** One HTTP request. `body` is JSON-encoded unless it is already a string. */
export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Query;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
}

/** An open streaming response (status < 400). */
export interface HttpStream {
  statusCode: number;
  body: AsyncIterable<Buffer>;
}

/** The transport the typed client and the watch reader are built on. */
export interface Transport {
  /** Send a request and decode its JSON answer; throws ApiError (status >= 400) or NetworkError. */
  json<T>(req: HttpRequest): Promise<T>;
  /** Send a request and return the body as a stream (no body timeout); throws like `json` when status >= 400. */
  stream(req: HttpRequest): Promise<HttpStream>;
  /** Close idle connections and abort open streams. */
  close(): Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** A keep-alive transport to `opts.server`. */
export function createTransport(opts: TransportOptions): Transport {
  const url = new URL(opts.server);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`unsupported server URL ${opts.server}`);
  const prefix = url.pathname.replace(/\/+$/, '');
  const timeout = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // connections: null = unbounded, since every watch holds a connection for its whole life.
  const connect = opts.tls && url.protocol === 'https:' ? { ca: opts.tls.ca, cert: opts.tls.cert, key: opts.tls.key } : undefined;
  const pool = new Pool(url.origin, { connections: null, keepAliveTimeout: 30_000, pipelining: 1, ...(connect ? { connect } : {}) });
  const headers = (req: HttpRequest): Record<string, string> => {
    const h: Record<string, string> = { accept: 'application/json' };
    if (opts.token) h.authorization = `Bearer ${opts.token}`;
    if (opts.userAgent) h['user-agent'] = opts.userAgent;
    if (req.body !== undefined) h['content-type'] = req.contentType ?? 'application/json';
    return h;
  };
  const send = async (req: HttpRequest, streaming: boolean) => {
    const path = prefix + req.path + queryString(req.query);
    try {
      return await pool.request({
        method: req.method,
        path,
        headers: headers(req),
        body: req.body === undefined ? undefined : typeof req.body === 'string' ? req.body : JSON.stringify(req.body),
        signal: req.signal,
        headersTimeout: timeout,
        bodyTimeout: streaming ? 0 : timeout,
      });
    } catch (err) {
      throw toNetworkError(err, `${req.method} ${path}`);
    }
  };
  return {
    async json<T>(req: HttpRequest): Promise<T> {
      const res = await send(req, false);
      const text = await readText(res.body, `${req.method} ${req.path}`);
      if (res.statusCode >= 400) throw fromResponse(res.statusCode, parseOrText(text));
      return decode<T>(text, res.statusCode);
    },
    async stream(req: HttpRequest): Promise<HttpStream> {
      const res = await send(req, true);
      if (res.statusCode >= 400) {
        const text = await readText(res.body, `${req.method} ${req.path}`);
        throw fromResponse(res.statusCode, parseOrText(text));
      }
      return { statusCode: res.statusCode, body: res.body };
    },
    async close() {
      // destroy, not close: close would wait for open watch streams to end by themselves.
      await pool.destroy();
    },
  };
}

async function readText(body: { text(): Promise<string> }, what: string): Promise<string> {
  try {
    return await body.text();
  } catch (err) {
    throw toNetworkError(err, `reading response of ${what}`);
  }
}

function parseOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

// A 2xx body that is not JSON is a broken server, reported as a Status like kubectl's "unexpected response".
function decode<T>(text: string, code: number): T {
  if (text === '') return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    const s = status('InternalError', `the server returned a non-JSON body with status ${code}`, {
      causes: [{ reason: 'UnexpectedServerResponse', message: text.slice(0, 200) }],
    });
    throw new ApiError(s);
  }
}
