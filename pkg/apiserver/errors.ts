// Mapping every failure to a Kubernetes Status: ApiErrors pass through, store errors get their Status,
// fastify's own 4xx errors (body too large, bad content length) are translated, and anything else is a bug:
// a logged 500 InternalError.
import { ApiError, apiError, status, type Status, type StatusReason, type StatusTarget } from '../apierrors/status.ts';
import { conflict, alreadyExists, notFound, expired } from '../apierrors/status.ts';
import type { Logger } from '../log/logger.ts';
import { isStoreError } from '../storage/store.ts';

/** What a write refused by etcd's space alarm is told (any write, even one that shrinks an object). */
export const NO_SPACE_MESSAGE =
  "the cluster's storage (etcd) is out of space and refuses writes until an operator compacts, defragments and disarms its space alarm (docs/operations.md)";

/** The message Kubernetes sends for a stale resourceVersion. */
export const CONFLICT_MESSAGE = 'the object has been modified; please apply your changes to the latest version and try again';

/** Translate a store failure about `target` into an ApiError (other errors are returned unchanged). */
export function fromStoreError(err: unknown, target: StatusTarget): unknown {
  if (!isStoreError(err)) return err;
  switch (err.code) {
    case 'NotFound':
      return notFound(target);
    case 'AlreadyExists':
      return alreadyExists(target);
    case 'Conflict':
      return conflict(target, CONFLICT_MESSAGE);
    case 'Compacted':
      return expired(`too old resource version: ${err.message}`);
    case 'FutureRevision':
      return apiError('Timeout', `Too large resource version: ${err.message}`, { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 });
    case 'TooLarge':
      return apiError('RequestEntityTooLarge', `the object is too large to store: ${err.message}`, {});
    case 'NoSpace':
      return apiError('InsufficientStorage', `${NO_SPACE_MESSAGE}: ${err.message}`, { retryAfterSeconds: 10 });
    case 'TooManyOps':
      return apiError('BadRequest', `too many operations in one transaction: ${err.message}`, {});
    case 'Unavailable':
      return apiError('ServiceUnavailable', `storage is unavailable: ${err.message}`, { retryAfterSeconds: 1 });
    case 'Undecryptable':
      // The server's encryption config lacks the key a value was written with: an operator's fix, not the client's.
      return apiError('InternalError', `Internal error occurred: ${err.message}`, {});
  }
}

const FASTIFY_REASONS: Record<string, StatusReason> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'RequestEntityTooLarge',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UnsupportedMediaType',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BadRequest',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'BadRequest',
  FST_ERR_BAD_URL: 'BadRequest',
};

/** Reasons for the 4xx codes fastify (or a plugin) may raise without a known error code. */
const CLIENT_ERROR_REASONS: Partial<Record<number, StatusReason>> = {
  401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 405: 'MethodNotAllowed', 406: 'NotAcceptable',
  413: 'RequestEntityTooLarge', 415: 'UnsupportedMediaType', 429: 'TooManyRequests',
};

/** The Status for any error; logs unexpected ones (they are bugs) on `logger`. */
export function toStatus(err: unknown, logger: Logger, context: Record<string, unknown> = {}): Status {
  if (err instanceof ApiError) return err.status;
  const mapped = fromStoreError(err, {});
  if (mapped instanceof ApiError) return mapped.status;
  const e = err as { code?: string; statusCode?: number; message?: string };
  const byCode = e.code ? FASTIFY_REASONS[e.code] : undefined;
  if (byCode) return status(byCode, byCode === 'RequestEntityTooLarge' ? 'Request entity too large: limit is exceeded' : String(e.message), {});
  // Any other 4xx fastify raises is the client's fault: its own reason when the code has one, else BadRequest.
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return status(CLIENT_ERROR_REASONS[e.statusCode] ?? 'BadRequest', String(e.message ?? 'bad request'), {});
  }
  logger.error('internal error', { ...context, err, stack: (err as Error)?.stack });
  return status('InternalError', `Internal error occurred: ${(err as Error)?.message ?? String(err)}`, {});
}
