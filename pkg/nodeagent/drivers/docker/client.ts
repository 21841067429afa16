// A small Docker Engine API client over the daemon's unix socket (node:http): just the calls the docker
// driver makes. Unversioned paths: the daemon answers with its own API version.
import { Agent, request, type IncomingMessage } from 'node:http';

/** An error answer from the Docker daemon, with its HTTP status and message. */
export class DockerApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'DockerApiError';
  }
}

/** Options of one request. */
export interface DockerRequest {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Abort after this many ms (the default: none, for long polls such as wait). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** A summary of a container from GET /containers/json. */
export interface ContainerSummary {
  Id: string;
  Names: string[];
  Image: string;
  State: string;
  Labels: Record<string, string>;
}

/** The Docker Engine API over a unix socket. */
export class DockerClient {
  private readonly agent = new Agent({ keepAlive: true });

  constructor(readonly socketPath: string) {}

  /** Sends a request and parses the JSON answer; throws DockerApiError on a status >= 400. */
  async call<T = unknown>(method: string, path: string, opts: DockerRequest = {}): Promise<T> {
    const res = await this.open(method, path, opts);
    const text = await readAll(res);
    if ((res.statusCode ?? 500) >= 400) throw new DockerApiError(res.statusCode ?? 500, messageOf(text));
    if (!text) return undefined as T;
    return (res.headers['content-type'] ?? '').includes('json') ? (JSON.parse(text) as T) : (text as T);
  }

  /** Sends a request and returns the raw response stream (logs, exec output); throws on a status >= 400. */
  async stream(method: string, path: string, opts: DockerRequest = {}): Promise<IncomingMessage> {
    const res = await this.open(method, path, opts);
    if ((res.statusCode ?? 500) >= 400) throw new DockerApiError(res.statusCode ?? 500, messageOf(await readAll(res)));
    return res;
  }

  /** GET /_ping: "OK" when the daemon answers. */
  ping(timeoutMs = 5000): Promise<string> {
    return this.call<string>('GET', '/_ping', { timeoutMs });
  }

  /** GET /version. */
  version(timeoutMs = 5000): Promise<{ Version: string; ApiVersion: string; Os: string; Arch: string; KernelVersion?: string }> {
    return this.call('GET', '/version', { timeoutMs });
  }

  /** Containers carrying every label in `labels` (running and stopped). */
  listContainers(labels: Record<string, string | undefined>): Promise<ContainerSummary[]> {
    const label = Object.entries(labels).map(([k, v]) => (v === undefined ? k : `${k}=${v}`));
    return this.call('GET', '/containers/json', { query: { all: true, filters: JSON.stringify({ label }) } });
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    this.agent.destroy();
  }

  private open(method: string, path: string, opts: DockerRequest): Promise<IncomingMessage> {
    const qs = Object.entries(opts.query ?? {})
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
      .join('&');
    const body = opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
    return new Promise((resolve, reject) => {
      const req = request({
        socketPath: this.socketPath,
        agent: this.agent,
        method,
        path: qs ? `${path}?${qs}` : path,
        headers: body ? { 'content-type': 'application/json', 'content-length': body.length } : {},
        timeout: opts.timeoutMs,
        signal: opts.signal,
      });
      req.once('response', resolve);
      req.once('timeout', () => req.destroy(new Error(`docker ${method} ${path}: no answer in ${opts.timeoutMs} ms`)));
      req.once('error', (e) => reject(friendly(e, this.socketPath)));
      req.end(body);
    });
  }
}

function friendly(e: Error, socket: string): Error {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ECONNREFUSED') return new Error(`no Docker daemon at ${socket} (${code})`);
  return e;
}

function readAll(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.once('error', reject);
  });
}

function messageOf(text: string): string {
  try {
    const m = (JSON.parse(text) as { message?: string }).message;
    if (m) return m;
  } catch {
    // not JSON
  }
  return text.trim() || 'docker daemon error';
}

/** True for a DockerApiError with `status`. */
export function isStatus(e: unknown, status: number): boolean {
  return e instanceof DockerApiError && e.status === status;
}
