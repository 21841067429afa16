// Kubernetes `Status` error bodies: built by the API server, rebuilt by the client from a response body.
// One catalogue of reasons (REASONS) and one of cause types (CAUSE_TYPES): docs/api.md's error tables list
// exactly these, and pkg/apierrors/catalogue.test.ts checks both ways that each is produced and documented.

/** Every cause type a Status' details may carry (Kubernetes' metav1.CauseType values Drover uses). */
export const CAUSE_TYPES = [
  'FieldValueInvalid', 'FieldValueRequired', 'FieldValueNotSupported', 'FieldValueDuplicate', 'FieldValueForbidden',
  'FieldValueNotFound', 'FieldValueTooLong', 'FieldValueTooMany', 'FieldManagerConflict', 'ResourceVersionTooLarge',
  'UnexpectedServerResponse',
] as const;

/** A cause type. */
export type CauseType = (typeof CAUSE_TYPES)[number];

/** A field-level cause inside a Status' details. */
export interface StatusCause {
  reason: CauseType;
  message: string;
  field?: string;
}

/** The metav1.Status shape. */
export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, unknown>;
  status: 'Failure' | 'Success';
  message: string;
  reason: StatusReason;
  details?: { name?: string; group?: string; kind?: string; uid?: string; causes?: StatusCause[]; retryAfterSeconds?: number };
  code: number;
}

/** Every reason the API server can return, with its HTTP code. */
export const REASONS = {
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  MethodNotAllowed: 405,
  NotAcceptable: 406,
  AlreadyExists: 409,
  Conflict: 409,
  Expired: 410,
  RequestEntityTooLarge: 413,
  UnsupportedMediaType: 415,
  Invalid: 422,
  TooManyRequests: 429,
  InternalError: 500,
  ServiceUnavailable: 503,
  Timeout: 504,
  InsufficientStorage: 507,
} as const;

/** A Status reason. */
export type StatusReason = keyof typeof REASONS;

/** Details identifying the object a Status is about. */
export interface StatusTarget {
  group?: string;
  kind?: string; // the plural resource name, as Kubernetes does
  name?: string;
}

/** An error carrying a Status body; thrown by server code and rebuilt by the client. */
export class ApiError extends Error {
  constructor(readonly status: Status) {
    super(status.message);
    this.name = 'ApiError';
  }
  /** HTTP status code. */
  get code(): number {
    return this.status.code;
  }
  /** Status reason. */
  get reason(): StatusReason {
    return this.status.reason;
  }
}

/** Build a failure Status. */
export function status(reason: StatusReason, message: string, details?: Status['details']): Status {
  const s: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code: REASONS[reason] };
  if (details && Object.keys(details).length > 0) s.details = details;
  return s;
}

/** Error for `reason` with `message`. */
export function apiError(reason: StatusReason, message: string, details?: Status['details']): ApiError {
  return new ApiError(status(reason, message, details));
}

const fmt = (t: StatusTarget) => (t.group ? `${t.kind}.${t.group}` : `${t.kind}`);

/** 404: `jobs.drover.dev "web" not found`. */
export const notFound = (t: StatusTarget) => apiError('NotFound', `${fmt(t)} "${t.name}" not found`, { ...t });

/** 409 AlreadyExists. */
export const alreadyExists = (t: StatusTarget) => apiError('AlreadyExists', `${fmt(t)} "${t.name}" already exists`, { ...t });

/** 409 Conflict, e.g. a stale resourceVersion. */
export const conflict = (t: StatusTarget, why: string) =>
  apiError('Conflict', `Operation cannot be fulfilled on ${fmt(t)} "${t.name}": ${why}`, { ...t });

/** 422 Invalid with field causes. */
export function invalid(t: StatusTarget & { kindName?: string }, causes: StatusCause[]): ApiError {
  const list = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message)).join(', ');
  const group = t.group ?? 'drover.dev';
  const what = `${t.kindName ?? t.kind ?? 'object'}${group ? `.${group}` : ''} "${t.name ?? ''}"`;
  return apiError('Invalid', `${what} is invalid: ${list}`, { name: t.name, group: t.group, kind: t.kindName ?? t.kind, causes });
}

/** 400 BadRequest. */
export const badRequest = (message: string, causes?: StatusCause[]) => apiError('BadRequest', message, causes ? { causes } : undefined);

/** 410 Expired: a resourceVersion or continue token older than retained history. */
export const expired = (message: string) => apiError('Expired', message);

/** Predicates, usable on any error (ApiError or not). */
export const isNotFound = (e: unknown) => e instanceof ApiError && e.reason === 'NotFound';
export const isAlreadyExists = (e: unknown) => e instanceof ApiError && e.reason === 'AlreadyExists';
export const isConflict = (e: unknown) => e instanceof ApiError && e.reason === 'Conflict';
export const isGone = (e: unknown) => e instanceof ApiError && (e.code === 410);

/** True when `body` looks like a Status object. */
export function isStatus(body: unknown): body is Status {
  return typeof body === 'object' && body !== null && (body as { kind?: unknown }).kind === 'Status';
}

/** The reason for an HTTP code that has exactly one in the catalogue (409 and 410 say nothing more). */
const REASON_BY_CODE: Partial<Record<number, StatusReason>> = {
  400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 405: 'MethodNotAllowed', 406: 'NotAcceptable',
  409: 'Conflict', 410: 'Expired', 413: 'RequestEntityTooLarge', 415: 'UnsupportedMediaType', 422: 'Invalid',
  429: 'TooManyRequests', 503: 'ServiceUnavailable', 504: 'Timeout',
};

/**
 * Rebuild an ApiError from an HTTP response (client side). A body that is not a Status (a proxy's page, a
 * crash) gets the reason of its code's row in the catalogue, or InternalError, and that reason's code: the
 * body is the message (with the real HTTP code when it differs) and starts an UnexpectedServerResponse cause.
 */
export function fromResponse(code: number, body: unknown): ApiError {
  if (isStatus(body)) return new ApiError(body);
  const reason = REASON_BY_CODE[code] ?? 'InternalError';
  const text = typeof body === 'string' ? body : JSON.stringify(body) ?? '';
  const said = typeof body === 'string' && body ? body : '';
  // The body is the message, as before; the HTTP code joins it whenever the reason's code is not it.
  const message = REASONS[reason] === code && said ? said : `the server responded with status ${code}${said ? `: ${said}` : ''}`;
  return apiError(reason, message, { causes: [{ reason: 'UnexpectedServerResponse', message: text.slice(0, 200) }] });
}
