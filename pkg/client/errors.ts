// Client-side failures that are not API Status errors: the server could not be reached, the connection broke,
// or a request timed out. Callers retry these; ApiErrors (from pkg/apierrors) are answers and usually are not.

/** The request never got a complete answer: connection refused/reset, DNS, timeout, aborted stream. */
export class NetworkError extends Error {
  constructor(
    message: string,
    /** The transport's error code when it had one (ECONNREFUSED, UND_ERR_SOCKET, ...). */
    readonly code: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'NetworkError';
  }
}

/** True when `err` is a transport failure rather than an answer from the server. */
export function isNetworkError(err: unknown): err is NetworkError {
  return err instanceof NetworkError;
}

/** Wrap an undici/system error as a NetworkError, keeping its code and cause. */
export function toNetworkError(err: unknown, what: string): NetworkError {
  if (err instanceof NetworkError) return err;
  const code = errorCode(err);
  const detail = err instanceof Error ? err.message : String(err);
  return new NetworkError(`${what}: ${detail}${code && !detail.includes(code) ? ` (${code})` : ''}`, code, { cause: err });
}

// Node puts system codes on `code`; undici's errors do too. An AggregateError (happy eyeballs) hides them inside.
function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const inner = (err as { errors?: unknown[]; cause?: unknown }).errors?.[0] ?? (err as { cause?: unknown }).cause;
  return inner && inner !== err ? errorCode(inner) : undefined;
}
