// Honouring 429 Too Many Requests: the server's flow control (pkg/flowcontrol) answers 429 with Retry-After
// before it runs a request, so the request is sent again after max(Retry-After, backoff). Reads are retried on
// any 429. A write is retried only when the 429 carries retryAfterSeconds — what flow control sends, and only
// before the request ran — so a write that may have happened is never sent twice.
import { ApiError } from '../apierrors/status.ts';
import { realClock, type Clock } from '../clock/clock.ts';
import { backoffDelay, type BackoffOptions } from '../retry/backoff.ts';
import type { HttpRequest, HttpStream, Transport } from './transport.ts';

/** Options of the 429 retry. */
export interface ThrottleRetryOptions {
  clock?: Clock;
  /** Retries of one request before its 429 is thrown (default 8). */
  maxRetries?: number;
  /** Backoff between retries when it exceeds Retry-After (default 500 ms doubling to 10 s). */
  backoff?: BackoffOptions;
  /** Called before each retry (logging, tests). */
  onThrottled?: (req: HttpRequest, delayMs: number, attempt: number) => void;
}

const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 10_000 };

/** True when `err` is a 429 that `req` may be sent again after. */
export function retryableThrottle(req: HttpRequest, err: unknown): err is ApiError {
  if (!(err instanceof ApiError) || err.code !== 429) return false;
  return req.method === 'GET' || err.status.details?.retryAfterSeconds !== undefined;
}

/** The wait before retry `attempt` (0 = the first): at least the server's Retry-After, at least the backoff. */
export function throttleDelay(err: ApiError, attempt: number, backoff: BackoffOptions = DEFAULT_BACKOFF): number {
  const after = Math.max(0, Number(err.status.details?.retryAfterSeconds ?? 0)) * 1000;
  return Math.max(after, backoffDelay(attempt, backoff));
}

/** `inner` with 429s retried as above. */
export function withThrottleRetry(inner: Transport, opts: ThrottleRetryOptions = {}): Transport {
  const clock = opts.clock ?? realClock;
  const maxRetries = opts.maxRetries ?? 8;
  const attempt = async <T>(req: HttpRequest, call: () => Promise<T>): Promise<T> => {
    for (let n = 0; ; n++) {
      try {
        return await call();
      } catch (err) {
        if (n >= maxRetries || req.signal?.aborted || !retryableThrottle(req, err)) throw err;
        const delay = throttleDelay(err, n, opts.backoff);
        opts.onThrottled?.(req, delay, n + 1);
        await clock.sleep(delay);
        if (req.signal?.aborted) throw err;
      }
    }
  };
  return {
    json: <T>(req: HttpRequest) => attempt(req, () => inner.json<T>(req)),
    stream: (req: HttpRequest): Promise<HttpStream> => attempt(req, () => inner.stream(req)),
    close: () => inner.close(),
  };
}
