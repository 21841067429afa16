// The audit log: one JSON line per request — who (user, groups), what (verb, group, resource, subresource,
// namespace, name), how it ended (code, latency) — and, at level Request, the request body. Secret values are
// never written: a Secret's data and stringData values (and kubectl's last-applied annotation, which copies
// them) are replaced before the record leaves this file, whatever the level.
import type { RequestAttributes } from './attributes.ts';
import type { UserInfo } from './user.ts';

/** How much each record holds (Kubernetes' audit levels, without RequestResponse). */
export type AuditLevel = 'None' | 'Metadata' | 'Request';
/** The levels, for flags. */
export const AUDIT_LEVELS: readonly AuditLevel[] = ['None', 'Metadata', 'Request'];

/** What is written in place of a secret value. */
export const REDACTED = '<redacted>';
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** One audit record. */
export interface AuditRecord {
  time: string;
  user: string | null;
  groups: string[];
  verb: string;
  apiGroup?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  /** Non-resource requests: the path. */
  path?: string;
  code: number;
  latencyMs: number;
  sourceIP?: string;
  userAgent?: string;
  /** Level Request only: the body of a write, secrets redacted. */
  requestObject?: unknown;
}

/** What the hook knows of a finished request. */
export interface AuditInput {
  time: string;
  user?: UserInfo;
  attrs: RequestAttributes;
  code: number;
  latencyMs: number;
  sourceIP?: string;
  userAgent?: string;
  /** The parsed request body, if any (only read at level Request). */
  body?: unknown;
}

/** The record of a request at `level` (undefined at None). */
export function auditRecord(level: AuditLevel, input: AuditInput): AuditRecord | undefined {
  if (level === 'None') return undefined;
  const a = input.attrs;
  const record: AuditRecord = {
    time: input.time,
    user: input.user?.username ?? null,
    groups: input.user?.groups ?? [],
    verb: a.verb,
    ...(a.resourceRequest
      ? { apiGroup: a.apiGroup, resource: a.resource, subresource: a.subresource || undefined, namespace: a.namespace || undefined, name: a.name || undefined }
      : { path: a.path }),
    code: input.code,
    latencyMs: Math.round(input.latencyMs * 10) / 10,
    sourceIP: input.sourceIP,
    userAgent: input.userAgent,
  };
  if (level === 'Request' && input.body !== undefined) {
    record.requestObject = a.resourceRequest && a.apiGroup === '' && a.resource === 'secrets' ? redactSecret(input.body) : input.body;
  }
  return record;
}

/** A Secret body (object, merge patch or JSON patch) with every value under data/stringData replaced. */
export function redactSecret(body: unknown): unknown {
  if (Array.isArray(body)) {
    // JSON patch: an op touching data, stringData or metadata (the last-applied annotation) loses its value.
    return body.map((op) => (op && typeof op === 'object' && 'value' in op ? { ...op, value: REDACTED } : op));
  }
  if (!body || typeof body !== 'object') return body === undefined ? undefined : REDACTED;
  const o = { ...(body as Record<string, unknown>) };
  for (const field of ['data', 'stringData']) {
    const v = o[field];
    if (v && typeof v === 'object') o[field] = Object.fromEntries(Object.keys(v).map((k) => [k, REDACTED]));
    else if (v !== undefined) o[field] = REDACTED;
  }
  const meta = o.metadata as { annotations?: Record<string, string> } | undefined;
  if (meta?.annotations?.[LAST_APPLIED] !== undefined) {
    o.metadata = { ...meta, annotations: { ...meta.annotations, [LAST_APPLIED]: REDACTED } };
  }
  if (o.kind === 'SecretList' && Array.isArray(o.items)) o.items = o.items.map(redactSecret);
  return o;
}
