// Fixtures for the security tests: a server with authentication on over the test kinds, an admin token,
// and helpers that mint user tokens and write RBAC objects through the API as the admin.
import { newToken, tokenHash } from '../../auth/token.ts';
import { ADMIN_USER, MASTERS_GROUP } from '../../auth/user.ts';
import { ManualClock } from '../../clock/clock.ts';
import { testServer, type TestResponse, type TestServer } from '../test-support.ts';
import type { AuthenticationOptions } from './index.ts';
import type { ApiServerOptions } from '../server.ts';

/** The admin token every secured test server starts with. */
export const ADMIN_TOKEN = 'drover_test-admin-token';

/** A secured test server and helpers. */
export interface SecuredServer extends TestServer {
  clock: ManualClock;
  /** A request as the holder of `token` (undefined: no Authorization header). */
  as(token: string | undefined, method: string, url: string, body?: unknown): Promise<TestResponse>;
  /** A request as the admin; throws unless it succeeds (2xx). */
  admin(method: string, url: string, body?: unknown): Promise<TestResponse>;
  /** A new stored token for `user` in `groups`, expiring at `expires` (ms) if given. */
  mintToken(user: string, groups?: string[], expires?: number): Promise<string>;
}

/** Start a server with authentication (RBAC unless told otherwise) and the admin token bootstrapped. */
export async function securedServer(opts: Partial<AuthenticationOptions> = {}, server: Partial<ApiServerOptions> = {}): Promise<SecuredServer> {
  const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
  const t = await testServer({
    clock,
    authentication: { bootstrapTokens: [{ token: ADMIN_TOKEN, user: ADMIN_USER, groups: [MASTERS_GROUP], description: 'test admin' }], ...opts },
    ...server,
  });
  const as = (token: string | undefined, method: string, url: string, body?: unknown) =>
    t.req(method as never, url, body, token === undefined ? {} : { authorization: `Bearer ${token}` });
  const admin = async (method: string, url: string, body?: unknown) => {
    const r = await as(ADMIN_TOKEN, method, url, body);
    if (r.code >= 300) throw new Error(`${method} ${url}: ${r.code} ${r.text}`);
    return r;
  };
  return {
    ...t, clock, as, admin,
    async mintToken(user, groups = [], expires) {
      const token = newToken();
      const spec = { user, userGroups: groups, ...(expires !== undefined ? { expirationTimestamp: new Date(expires).toISOString() } : {}) };
      await admin('POST', '/apis/auth.drover.dev/v1/tokens', { apiVersion: 'auth.drover.dev/v1', kind: 'Token', metadata: { name: tokenHash(token) }, spec });
      return token;
    },
  };
}

/** RBAC object paths. */
export const rbacPath = (plural: string, ns?: string, name?: string) =>
  `/apis/rbac.authorization.k8s.io/v1${ns ? `/namespaces/${ns}` : ''}/${plural}${name ? `/${name}` : ''}`;
