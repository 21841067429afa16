// The TokenRequest subresource, POST /api/v1/namespaces/{ns}/serviceaccounts/{name}/token (`kubectl create
// token SA`): a new random token for the ServiceAccount, stored only as a Token object named by its SHA-256,
// bound to the account's uid (deleting or recreating the account revokes it) and expiring after
// spec.expirationSeconds (default 1 h, at least 10 min, at most 48 h).
import type { FastifyInstance } from 'fastify';
import { AUTH_API_VERSION, type Token } from '../../../api/schemas/index.ts';
import type { ApiObject } from '../../../api/schemas/kind.ts';
import { rfc3339 } from '../../../api/schemas/timestamp.ts';
import { badRequest, invalid, notFound, type StatusCause } from '../../apierrors/status.ts';
import { newToken, tokenHash } from '../../auth/token.ts';
import { serviceAccountGroups, serviceAccountUsername } from '../../auth/user.ts';
import { objectKey } from '../codec.ts';
import { decodeObjectBody } from '../content.ts';
import type { ServerContext } from '../context.ts';
import { parseWriteOptions, type RawQuery } from '../options.ts';
import { sendJson } from '../routes.ts';
import { createObject } from '../write.ts';
import type { SecurityKinds } from './policy-source.ts';

const DEFAULT_SECONDS = 3600;
const MIN_SECONDS = 600;
const MAX_SECONDS = 48 * 3600;
const SPEC_FIELDS = new Set(['audiences', 'expirationSeconds', 'boundObjectRef']);

/** Register the TokenRequest route. */
export function registerTokenRequestRoute(app: FastifyInstance, ctx: ServerContext, k: SecurityKinds): void {
  app.post('/api/v1/namespaces/:namespace/serviceaccounts/:name/token', async (request, reply) => {
    ctx.requestLabels.set(request.raw, { verb: 'POST', resource: 'serviceaccounts', subresource: 'token' });
    const { namespace, name } = request.params as { namespace: string; name: string };
    const opts = parseWriteOptions(request.query as RawQuery, request.headers['user-agent'], 'CreateOptions');
    const body = (decodeObjectBody(request.body, request.headers['content-type']) ?? {}) as Record<string, unknown>;
    if (typeof body !== 'object' || Array.isArray(body)) throw badRequest('the body must be a TokenRequest object');
    const spec = (body.spec ?? {}) as Record<string, unknown>;
    const seconds = checkSpec(spec);
    const sa = (await ctx.caches.get(k.serviceAccount, objectKey(k.serviceAccount, namespace, name))) as ApiObject | undefined;
    if (!sa) throw notFound({ group: '', kind: 'serviceaccounts', name });
    const token = newToken();
    const expires = rfc3339(ctx.clock.now() + seconds * 1000);
    const record: Token = {
      apiVersion: AUTH_API_VERSION, kind: 'Token', metadata: { name: tokenHash(token) },
      spec: {
        user: serviceAccountUsername(namespace, name), userGroups: serviceAccountGroups(namespace), expirationTimestamp: expires,
        serviceAccount: { namespace, name, uid: sa.metadata.uid! }, description: `TokenRequest for serviceaccount ${namespace}/${name}`,
      },
    };
    await createObject(ctx, { kind: k.token, opts }, record as unknown as ApiObject);
    return sendJson(reply, 201, {
      apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest',
      metadata: { name, namespace, creationTimestamp: null },
      spec: { audiences: [], expirationSeconds: seconds, boundObjectRef: null },
      status: { token: opts.dryRun ? '' : token, expirationTimestamp: expires },
    });
  });
}

/** The token's lifetime in seconds; refuses what Drover cannot honour (audiences, bound objects). */
function checkSpec(spec: Record<string, unknown>): number {
  const causes: StatusCause[] = [];
  for (const f of Object.keys(spec)) if (!SPEC_FIELDS.has(f)) causes.push({ reason: 'FieldValueInvalid', field: `spec.${f}`, message: 'unknown field' });
  const audiences = spec.audiences;
  if (audiences !== undefined && audiences !== null && !(Array.isArray(audiences) && audiences.length === 0)) {
    causes.push({ reason: 'FieldValueNotSupported', field: 'spec.audiences', message: 'Unsupported value: Drover tokens are valid for this API server only; leave audiences empty' });
  }
  if (spec.boundObjectRef !== undefined && spec.boundObjectRef !== null) {
    causes.push({ reason: 'FieldValueNotSupported', field: 'spec.boundObjectRef', message: 'Unsupported value: tokens are bound to their service account only' });
  }
  const raw = spec.expirationSeconds;
  let seconds = DEFAULT_SECONDS;
  if (raw !== undefined && raw !== null) {
    if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < MIN_SECONDS || raw > MAX_SECONDS) {
      causes.push({ reason: 'FieldValueInvalid', field: 'spec.expirationSeconds', message: `Invalid value: ${JSON.stringify(raw)}: must be an integer from ${MIN_SECONDS} (10 minutes) to ${MAX_SECONDS} (48 hours)` });
    } else seconds = raw;
  }
  if (causes.length) throw invalid({ kindName: 'TokenRequest', group: 'authentication.k8s.io', name: '' }, causes);
  return seconds;
}
