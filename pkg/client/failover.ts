// One client over several API servers: requests go to the server that answered last; when it cannot be reached
// the client moves on to the next. Any API server of a cluster serves every request (they share one store), so
// failing over needs no coordination, only care not to send a write twice.
import { isNetworkError, type NetworkError } from './errors.ts';
import type { HttpRequest, HttpStream, Transport } from './transport.ts';

/** Connection failures where the request certainly never reached a server: safe to send again, writes included. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/** The server list of a `--server` value: comma-separated URLs (blanks ignored), in order of preference. */
export function serverList(text: string): string[] {
  const urls = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (urls.length === 0) throw new TypeError(`no API server URL in "${text}"`);
  return urls;
}

/** True when the request of a NetworkError never left this machine (connection refused, no route, DNS). */
export function neverSent(err: NetworkError): boolean {
  return err.code !== undefined && NEVER_SENT.has(err.code);
}

/**
 * A transport over `transports` (one per server, in order of preference). A request that cannot connect is sent
 * to the next server at once, through the whole list. Any other transport failure (a reset or a timeout after the
 * request left) moves the client to the next server but is thrown: a write may have landed, so only its caller,
 * which knows how to retry it (re-read, CAS), may send it again. Reads are idempotent and retried at once too.
 */
export function createFailoverTransport(transports: readonly Transport[], onSwitch?: (from: number, to: number, err: NetworkError) => void): Transport {
  if (transports.length === 0) throw new TypeError('a failover transport needs at least one server');
  let current = 0;
  const attempt = async <T>(req: HttpRequest, call: (t: Transport) => Promise<T>): Promise<T> => {
    let tried = 0;
    for (;;) {
      const index = current;
      try {
        return await call(transports[index]!);
      } catch (err) {
        if (!isNetworkError(err) || transports.length === 1) throw err;
        // Another request may have moved on already; only the first to fail on this server switches.
        if (current === index) {
          current = (index + 1) % transports.length;
          onSwitch?.(index, current, err);
        }
        tried++;
        const resend = neverSent(err) || req.method === 'GET';
        if (!resend || tried >= transports.length) throw err;
      }
    }
  };
  return {
    json: <T>(req: HttpRequest) => attempt(req, (t) => t.json<T>(req)),
    stream: (req: HttpRequest): Promise<HttpStream> => attempt(req, (t) => t.stream(req)),
    close: async () => {
      await Promise.all(transports.map((t) => t.close()));
    },
  };
}
