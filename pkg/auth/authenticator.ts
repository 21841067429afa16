// Authenticators: each looks at a request and answers with a user, or null for "not mine / no credential".
// They form a chain (first non-null wins) so a TLS client-certificate authenticator can join the bearer-token
// ones later without the API server changing. An authenticator that recognises a credential as its own but
// finds it bad (forged, expired, revoked) throws AuthenticationError: the request is refused, not passed on.
import { timingSafeEqual } from 'node:crypto';
import type { UserInfo } from './user.ts';

/** What an authenticator may look at. */
export interface AuthRequest {
  headers: Record<string, string | string[] | undefined>;
  /** The connection the request came on: a TLS socket's verified client certificate names a user. */
  socket?: unknown;
}

/** One way of telling who sent a request. */
export type Authenticator = (req: AuthRequest) => Promise<UserInfo | null>;

/** A credential that was presented and is not valid: 401, whatever later authenticators would say. */
export class AuthenticationError extends Error {}

/** The first authenticator that knows the request decides; null when none does. */
export function chainAuthenticators(authenticators: Authenticator[]): Authenticator {
  return async (req) => {
    for (const a of authenticators) {
      const user = await a(req);
      if (user) return user;
    }
    return null;
  };
}

/** The bearer token of `Authorization: Bearer <token>`, if any. */
export function bearerToken(headers: AuthRequest['headers']): string | undefined {
  const raw = headers.authorization;
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (!value) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(value);
  return m ? m[1] : undefined;
}

/** A token known only to this process (the in-process components' own), matched in constant time. */
export interface StaticToken {
  token: string;
  user: UserInfo;
}

/** An authenticator for tokens held in memory, never stored. */
export function staticTokenAuthenticator(tokens: StaticToken[]): Authenticator {
  const known = tokens.map((t) => ({ want: Buffer.from(t.token), user: t.user }));
  return async (req) => {
    const token = bearerToken(req.headers);
    if (token === undefined) return null;
    const got = Buffer.from(token);
    for (const k of known) if (got.length === k.want.length && timingSafeEqual(got, k.want)) return k.user;
    return null;
  };
}
