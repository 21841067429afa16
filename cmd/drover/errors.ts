// How the CLI reports failures on stderr, in kubectl's words.
import { ApiError } from '../../pkg/apierrors/status.ts';
import { isNetworkError } from '../../pkg/client/errors.ts';

/** A usage error the CLI reports as `error: ...` (exit 1), e.g. a missing argument or an unknown kind. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The stderr line for `err`: `Error from server (NotFound): jobs.drover.dev "x" not found`. */
export function describeError(err: unknown, server?: string): string {
  if (err instanceof ApiError) return `Error from server (${err.reason}): ${err.message}`;
  if (isNetworkError(err)) return `Unable to connect to the server${server ? ` at ${server}` : ''}: ${err.message}`;
  return `error: ${err instanceof Error ? err.message : String(err)}`;
}
