// `drover token create` and `drover token revoke`: user tokens (a node agent's, an operator's) as Token
// objects. The token is made here and printed once; the server only ever receives its SHA-256 as the object's
// name, so the token never crosses the wire until it is used. Revoking deletes the object.
import { AUTH_API_VERSION, parseDuration, type Token } from '../../../api/schemas/index.ts';
import { newToken, tokenHash, TOKEN_PREFIX } from '../../../pkg/auth/token.ts';
import type { CommandContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { println } from '../io.ts';

/** Arguments of `drover token create`. */
export interface TokenCreateArgs {
  user: string;
  groups?: string[];
  /** Go duration; absent = never expires. */
  ttl?: string;
  description?: string;
}

/** Create a token and print it (only this once). */
export async function tokenCreate(ctx: CommandContext, args: TokenCreateArgs): Promise<number> {
  let expires: string | undefined;
  if (args.ttl !== undefined) {
    let ms: number;
    try {
      ms = parseDuration(args.ttl);
    } catch {
      throw new UsageError(`--ttl: invalid duration ${JSON.stringify(args.ttl)} (e.g. 24h, 90m)`);
    }
    if (ms <= 0) throw new UsageError('--ttl: must be more than 0');
    expires = new Date(ctx.now() + ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  const token = newToken();
  const record: Token = {
    apiVersion: AUTH_API_VERSION, kind: 'Token', metadata: { name: tokenHash(token) },
    spec: { user: args.user, userGroups: args.groups ?? [], ...(expires ? { expirationTimestamp: expires } : {}), ...(args.description ? { description: args.description } : {}) },
  };
  await ctx.client.resource('tokens').create(record as never);
  println(ctx.out, token);
  return 0;
}

/** Revoke a token, given the token itself or its SHA-256 (the Token object's name, from `drover get tokens`). */
export async function tokenRevoke(ctx: CommandContext, tokenOrHash: string): Promise<number> {
  const name = tokenOrHash.startsWith(TOKEN_PREFIX) || !/^[0-9a-f]{64}$/.test(tokenOrHash) ? tokenHash(tokenOrHash) : tokenOrHash;
  await ctx.client.resource('tokens').delete(name);
  println(ctx.out, `token.auth.drover.dev "${name}" revoked`);
  return 0;
}
