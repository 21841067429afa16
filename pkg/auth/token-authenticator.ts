// The stored-token authenticator: a bearer token is hashed and looked up as a Token object. Absent (forged or
// revoked by deleting it), expired, or a ServiceAccount token whose account is gone or was recreated: 401.
// Looked up on every request (from the API server's watch cache), so a revocation takes effect at once.
import type { Token } from '../../api/schemas/index.ts';
import type { Clock } from '../clock/clock.ts';
import { AuthenticationError, bearerToken, type Authenticator } from './authenticator.ts';
import { isTokenExpired, tokenHash } from './token.ts';
import { serviceAccountGroups, serviceAccountUsername, type UserInfo } from './user.ts';

/** What the authenticator reads. */
export interface StoredTokenDeps {
  /** The Token object named `hash`, if it exists. */
  lookup(hash: string): Promise<Token | undefined>;
  /** The uid of ServiceAccount `namespace/name`, if it exists. */
  serviceAccountUid(namespace: string, name: string): Promise<string | undefined>;
  clock: Clock;
}

/** Authenticate bearer tokens against their stored hashes. */
export function storedTokenAuthenticator(deps: StoredTokenDeps): Authenticator {
  return async (req) => {
    const token = bearerToken(req.headers);
    if (token === undefined) return null;
    const hash = tokenHash(token);
    const record = await deps.lookup(hash);
    if (!record) throw new AuthenticationError('unknown or revoked token');
    if (isTokenExpired(record, deps.clock.now())) throw new AuthenticationError('token has expired');
    const sa = record.spec.serviceAccount;
    if (sa) {
      const uid = await deps.serviceAccountUid(sa.namespace, sa.name);
      if (uid !== sa.uid) throw new AuthenticationError('the service account of this token no longer exists');
      return { username: serviceAccountUsername(sa.namespace, sa.name), uid: sa.uid, groups: serviceAccountGroups(sa.namespace), extra: { 'authentication.drover.dev/token': [hash.slice(0, 12)] } };
    }
    const user: UserInfo = { username: record.spec.user, groups: [...(record.spec.userGroups ?? [])], extra: { 'authentication.drover.dev/token': [hash.slice(0, 12)] } };
    return user;
  };
}
