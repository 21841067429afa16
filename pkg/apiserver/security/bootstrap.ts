// What an authenticating server makes sure exists before it serves: the default RBAC policy
// (pkg/auth/default-roles.ts) and the bootstrap tokens it was given (the admin token of `drover dev`),
// each created only when missing, so every server of a cluster may try and the first wins.
import { AUTH_API_VERSION, type Token } from '../../../api/schemas/index.ts';
import type { ApiObject, KindInfo } from '../../../api/schemas/kind.ts';
import { isAlreadyExists } from '../../apierrors/status.ts';
import { defaultPolicyObjects } from '../../auth/default-roles.ts';
import { tokenHash } from '../../auth/token.ts';
import type { ServerContext } from '../context.ts';
import { createObject } from '../write.ts';

/** A token to have stored at start. */
export interface BootstrapToken {
  token: string;
  user: string;
  groups: string[];
  description: string;
}

const OPTS = { dryRun: false, manager: 'drover-apiserver', managerGiven: true, fieldValidation: 'Strict', force: false };

async function ensure(ctx: ServerContext, kind: KindInfo, obj: ApiObject): Promise<void> {
  try {
    await createObject(ctx, { kind, opts: { ...OPTS, warnings: [] } }, obj);
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
}

/** Create the default roles and bindings and the bootstrap tokens that are missing. */
export async function bootstrapSecurity(ctx: ServerContext, tokens: BootstrapToken[]): Promise<void> {
  for (const obj of defaultPolicyObjects()) {
    const kind = ctx.kinds.find((k) => k.kind === obj.kind)!;
    await ensure(ctx, kind, obj as unknown as ApiObject);
  }
  const tokenKind = ctx.kinds.find((k) => k.kind === 'Token')!;
  for (const t of tokens) {
    const record: Token = {
      apiVersion: AUTH_API_VERSION, kind: 'Token', metadata: { name: tokenHash(t.token) },
      spec: { user: t.user, userGroups: t.groups, description: t.description },
    };
    await ensure(ctx, tokenKind, record as unknown as ApiObject);
  }
}
