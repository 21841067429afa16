// Authentication, RBAC authorization and their endpoints, installed on an API server when
// ApiServerOptions.authentication is set (see pkg/auth for the pieces that need no server).
import type { FastifyInstance } from 'fastify';
import { chainAuthenticators, staticTokenAuthenticator, type Authenticator, type StaticToken } from '../../auth/authenticator.ts';
import { storedTokenAuthenticator } from '../../auth/token-authenticator.ts';
import type { ServerContext } from '../context.ts';
import { bootstrapSecurity, type BootstrapToken } from './bootstrap.ts';
import { installSecurityHooks } from './hooks.ts';
import { PolicySource, securityKinds } from './policy-source.ts';
import { registerReviewRoutes } from './reviews.ts';
import { registerTokenRequestRoute } from './token-request.ts';

export { securityObjectRules } from './admission.ts';
export type { BootstrapToken } from './bootstrap.ts';

/** ApiServerOptions.authentication. */
export interface AuthenticationOptions {
  /** Tokens stored (hashed) at start when missing: the bootstrap admin token. */
  bootstrapTokens?: BootstrapToken[];
  /** Tokens known only to this process (its in-process components), tried before stored tokens. */
  staticTokens?: StaticToken[];
  /** More authenticators, tried after tokens (the TLS client-certificate one, when the server verifies client certificates). */
  authenticators?: Authenticator[];
  /** 'RBAC' (default) or 'AlwaysAllow' (authentication only: any authenticated user may do anything). */
  authorization?: 'RBAC' | 'AlwaysAllow';
}

/** Bootstrap the policy and tokens, then install the hooks and the review and TokenRequest routes. */
export async function installSecurity(app: FastifyInstance, ctx: ServerContext, opts: AuthenticationOptions): Promise<void> {
  const kinds = securityKinds(ctx);
  await bootstrapSecurity(ctx, opts.bootstrapTokens ?? []);
  const source = new PolicySource(ctx, kinds);
  const authenticate = chainAuthenticators([
    staticTokenAuthenticator(opts.staticTokens ?? []),
    ...(opts.authenticators ?? []),
    storedTokenAuthenticator({ lookup: (h) => source.token(h), serviceAccountUid: (ns, n) => source.serviceAccountUid(ns, n), clock: ctx.clock }),
  ]);
  const policy = opts.authorization === 'AlwaysAllow' ? undefined : source;
  installSecurityHooks(app, ctx, { authenticate, policy });
  registerReviewRoutes(app, ctx, policy);
  registerTokenRequestRoute(app, ctx, kinds);
}
