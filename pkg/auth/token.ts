// Bearer tokens: 32 random bytes, prefixed so a leaked one is recognisable; only their SHA-256 is ever stored.
import { createHash, randomBytes } from 'node:crypto';
import type { Token } from '../../api/schemas/index.ts';

/** Every Drover token starts with this. */
export const TOKEN_PREFIX = 'drover_';

/** A new random token. */
export function newToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/** The lowercase hex SHA-256 of a token: the name of its Token object. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Whether a Token record is past its expiry at `nowMs`. */
export function isTokenExpired(t: Pick<Token, 'spec'>, nowMs: number): boolean {
  const exp = t.spec.expirationTimestamp;
  return exp !== undefined && Date.parse(exp) <= nowMs;
}
