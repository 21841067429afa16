// The audit hook: when a response has been sent, one record (pkg/auth/audit.ts) goes to the sink. Streaming
// watches are recorded when they end, with the whole watch as their latency.
import type { FastifyInstance } from 'fastify';
import { rfc3339 } from '../../../api/schemas/timestamp.ts';
import { requestAttributes } from '../../auth/attributes.ts';
import { auditRecord, type AuditLevel } from '../../auth/audit.ts';
import { decodeObjectBody } from '../content.ts';
import type { ServerContext } from '../context.ts';

/** ApiServerOptions.audit. */
export interface AuditOptions {
  level: AuditLevel;
  /** Receives each record as one JSON line (without the newline). */
  write(line: string): void;
}

/** Install the audit hook (nothing at level None). */
export function installAudit(app: FastifyInstance, ctx: ServerContext, opts: AuditOptions): void {
  if (opts.level === 'None') return;
  app.addHook('onResponse', async (request, reply) => {
    const attrs = requestAttributes(request.method, request.url);
    let body: unknown;
    if (opts.level === 'Request' && request.body !== undefined && request.method !== 'GET') body = parsed(request.body, request.headers['content-type']);
    const record = auditRecord(opts.level, {
      time: rfc3339(ctx.clock.now()),
      user: ctx.requestUsers.get(request.raw),
      attrs,
      code: reply.statusCode,
      latencyMs: reply.elapsedTime,
      sourceIP: request.ip,
      userAgent: request.headers['user-agent'],
      body,
    });
    if (record) opts.write(JSON.stringify(record));
  });
}

/** The body as JSON/YAML (patch bodies of every type are one or the other); never its raw text, which could hold a secret. */
function parsed(body: unknown, contentType: string | undefined): unknown {
  try {
    return decodeObjectBody(body, /yaml/.test(contentType ?? '') ? 'application/yaml' : 'application/json');
  } catch {
    return { unparsed: true };
  }
}
