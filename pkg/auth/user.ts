// Who a request is: the user an authenticator found, as Kubernetes' user.Info.

/** An authenticated user. */
export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  /** Extra facts an authenticator knows (Kubernetes' user.Info extra), e.g. the token's id. */
  extra?: Record<string, string[]>;
}

/** The group every authenticated user is in. */
export const AUTHENTICATED_GROUP = 'system:authenticated';
/** The group that may do anything (bound to cluster-admin; also allowed without RBAC objects). */
export const MASTERS_GROUP = 'system:masters';
/** The bootstrap administrator. */
export const ADMIN_USER = 'drover:admin';
/** Drover's node agents (bound to the drover:node ClusterRole). */
export const NODES_GROUP = 'drover:nodes';
/** Drover's controllers (bound to drover:controller). */
export const CONTROLLERS_GROUP = 'drover:controllers';
/** Drover's schedulers (bound to drover:scheduler). */
export const SCHEDULERS_GROUP = 'drover:schedulers';
/** The user of the in-process components of `drover dev` / `drover server`. */
export const COMPONENTS_USER = 'drover:components';

const SA_PREFIX = 'system:serviceaccount:';

/** The username of a ServiceAccount: `system:serviceaccount:<ns>:<name>`. */
export function serviceAccountUsername(namespace: string, name: string): string {
  return `${SA_PREFIX}${namespace}:${name}`;
}

/** The groups of a ServiceAccount's user (besides system:authenticated). */
export function serviceAccountGroups(namespace: string): string[] {
  return ['system:serviceaccounts', `system:serviceaccounts:${namespace}`];
}

/** `user` with system:authenticated added (once). */
export function withAuthenticatedGroup(user: UserInfo): UserInfo {
  return user.groups.includes(AUTHENTICATED_GROUP) ? user : { ...user, groups: [...user.groups, AUTHENTICATED_GROUP] };
}
