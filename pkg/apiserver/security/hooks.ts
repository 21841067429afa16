// Authentication and authorization in front of every route: the authenticator chain finds the user (401 when
// none does, or a presented token is bad), then RBAC decides on the request's attributes (403). Health checks
// stay open, as Kubernetes leaves /healthz, /livez and /readyz to anonymous probes; discovery, OpenAPI and
// /version need a user (granted to every authenticated user by drover:basic-user).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { apiError } from '../../apierrors/status.ts';
import { requestAttributes } from '../../auth/attributes.ts';
import { AuthenticationError, type Authenticator } from '../../auth/authenticator.ts';
import { forbidden } from '../../auth/forbidden.ts';
import { withAuthenticatedGroup } from '../../auth/user.ts';
import type { ServerContext } from '../context.ts';
import { sendStatus } from '../routes.ts';
import type { PolicySource } from './policy-source.ts';

/**
 * Paths anyone may read: liveness and readiness probes, and the dashboard's page and bundle, which hold no cluster
 * data (the page is where the user enters a token; its data, /ui/watch and the API, is authenticated like
 * everything else).
 */
export const UNAUTHENTICATED_PATHS: ReadonlySet<string> = new Set(['/healthz', '/livez', '/readyz', '/', '/ui', '/ui/']);
const UNAUTHENTICATED_PREFIXES = ['/ui/assets/'];

/** What the hooks use. */
export interface SecurityHooksOptions {
  authenticate: Authenticator;
  /** RBAC; absent = every authenticated user may do anything (authentication only). */
  policy?: PolicySource;
}

/** Install the onRequest hook that authenticates and authorizes each request. */
export function installSecurityHooks(app: FastifyInstance, ctx: ServerContext, opts: SecurityHooksOptions): void {
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0]!;
    if (UNAUTHENTICATED_PATHS.has(path) || UNAUTHENTICATED_PREFIXES.some((p) => path.startsWith(p))) return;
    let found;
    try {
      found = await opts.authenticate({ headers: request.headers, socket: request.raw.socket });
    } catch (err) {
      if (!(err instanceof AuthenticationError)) throw err;
      ctx.logger.debug('authentication failed', { url: request.url, why: err.message });
    }
    if (!found) {
      sendStatus(reply, apiError('Unauthorized', 'Unauthorized').status);
      return reply;
    }
    const user = withAuthenticatedGroup(found);
    ctx.requestUsers.set(request.raw, user);
    if (!opts.policy) return;
    const attrs = requestAttributes(request.method, request.url);
    const decision = (await opts.policy.evaluator()).authorize(user, attrs);
    if (decision.allowed) return;
    sendStatus(reply, forbidden(user, attrs).status);
    return reply;
  });
}
