// The RBAC policy as this server's watch caches hold it, rebuilt into an evaluator only when one of the four
// RBAC kinds changed (a decision is then a walk over bindings, never a store read).
import type { KindInfo } from '../../../api/schemas/kind.ts';
import type { Role, RoleBinding, Token } from '../../../api/schemas/index.ts';
import { RbacEvaluator } from '../../auth/rbac.ts';
import { objectKey } from '../codec.ts';
import type { ServerContext } from '../context.ts';

/** The kinds security reads, looked up once. */
export interface SecurityKinds {
  role: KindInfo;
  clusterRole: KindInfo;
  roleBinding: KindInfo;
  clusterRoleBinding: KindInfo;
  token: KindInfo;
  serviceAccount: KindInfo;
}

/** The security kinds among `ctx.kinds`; throws when one is missing (authentication needs them served). */
export function securityKinds(ctx: ServerContext): SecurityKinds {
  const by = (kind: string) => {
    const k = ctx.kinds.find((x) => x.kind === kind);
    if (!k) throw new Error(`authentication needs the ${kind} kind served`);
    return k;
  };
  return {
    role: by('Role'), clusterRole: by('ClusterRole'), roleBinding: by('RoleBinding'), clusterRoleBinding: by('ClusterRoleBinding'),
    token: by('Token'), serviceAccount: by('ServiceAccount'),
  };
}

/** Evaluators over the current policy, cached by the RBAC caches' revisions. */
export class PolicySource {
  private cached?: { key: string; evaluator: RbacEvaluator };

  constructor(private readonly ctx: ServerContext, private readonly k: SecurityKinds) {}

  /** An evaluator over the policy including every RBAC write this server made. */
  async evaluator(): Promise<RbacEvaluator> {
    const caches = await Promise.all([this.k.role, this.k.clusterRole, this.k.roleBinding, this.k.clusterRoleBinding].map((kind) => this.ctx.caches.fresh(kind)));
    // A cache's revision moves with every change of its kind (and sometimes on progress alone: a spare rebuild).
    const key = caches.map((c) => c.revision()).join(',');
    if (this.cached?.key === key) return this.cached.evaluator;
    const [roles, clusterRoles, roleBindings, clusterRoleBindings] = caches.map((c) => c.list().items);
    const evaluator = new RbacEvaluator({
      roles: roles as unknown as Role[], clusterRoles: clusterRoles as unknown as Role[],
      roleBindings: roleBindings as unknown as RoleBinding[], clusterRoleBindings: clusterRoleBindings as unknown as RoleBinding[],
    });
    this.cached = { key, evaluator };
    return evaluator;
  }

  /** The Token object named `hash` (read-your-writes: a revocation through this server is seen at once). */
  async token(hash: string): Promise<Token | undefined> {
    return (await this.ctx.caches.get(this.k.token, objectKey(this.k.token, undefined, hash))) as unknown as Token | undefined;
  }

  /** The uid of a ServiceAccount, if it exists. */
  async serviceAccountUid(namespace: string, name: string): Promise<string | undefined> {
    return (await this.ctx.caches.get(this.k.serviceAccount, objectKey(this.k.serviceAccount, namespace, name)))?.metadata.uid;
  }
}
