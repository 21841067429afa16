// The roles and bindings every authenticating API server creates at start when they are missing (Kubernetes'
// bootstrap policy): cluster-admin for system:masters, the user-facing admin / edit / view, basic access for
// every authenticated user, and Drover's own drover:node, drover:scheduler and drover:controller.
// Existing objects are left as an operator changed them.
import { RBAC_API_VERSION, type PolicyRule, type Role, type RoleBinding } from '../../api/schemas/index.ts';
import { AUTHENTICATED_GROUP, CONTROLLERS_GROUP, MASTERS_GROUP, NODES_GROUP, SCHEDULERS_GROUP } from './user.ts';

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'update', 'patch', 'delete', 'deletecollection'];
const DROVER = 'drover.dev';
const RBAC = 'rbac.authorization.k8s.io';
const COORDINATION = 'coordination.k8s.io';

const rule = (verbs: string[], apiGroups: string[], resources: string[]): PolicyRule => ({ verbs, apiGroups, resources });

/** Drover's default ClusterRoles, by name. */
export const DEFAULT_CLUSTER_ROLES: Record<string, PolicyRule[]> = {
  'cluster-admin': [rule(['*'], ['*'], ['*']), { verbs: ['*'], nonResourceURLs: ['*'] }],
  // Meant for RoleBindings: everything in a namespace, its roles and bindings included.
  admin: [rule([...READ, ...WRITE], ['', DROVER, RBAC], ['*'])],
  edit: [rule([...READ, ...WRITE], ['', DROVER], ['*'])],
  // Secrets are not for viewers; tokens live in their own group and are not readable either.
  view: [rule(READ, [DROVER], ['*']), rule(READ, [''], ['configmaps', 'serviceaccounts', 'events', 'namespaces'])],
  'drover:basic-user': [
    rule(['create'], ['authentication.k8s.io'], ['selfsubjectreviews']),
    rule(['create'], ['authorization.k8s.io'], ['selfsubjectaccessreviews']),
    { verbs: ['get'], nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/version', '/openapi', '/openapi/*'] },
    // The dashboard's own endpoints: its watch fan-in re-issues every watch with the caller's credentials (RBAC
    // decides there), and its converter only turns text into objects.
    { verbs: ['get', 'post'], nonResourceURLs: ['/ui/watch', '/ui/convert'] },
  ],
  // A node agent: registers and heartbeats its Node and Lease, reports its allocations' status, reads what
  // they need. (Restricting an agent to its own node is the NodeRestriction work, not this role.)
  'drover:node': [
    rule(READ, [DROVER], ['*']),
    rule(READ, [''], ['configmaps', 'secrets', 'serviceaccounts', 'namespaces']),
    rule(['create', 'update', 'patch'], [DROVER], ['nodes', 'nodes/status', 'allocations', 'allocations/status', 'evaluations']),
    rule([...READ, ...WRITE], [COORDINATION], ['leases']),
    // An agent makes sure the node-lease namespace exists before its first lease (create, AlreadyExists is fine).
    rule(['create'], [''], ['namespaces']),
    rule(['create', 'update', 'patch'], [''], ['events']),
  ],
  // The scheduler: consumes evaluations and commits plans (evaluations/{name}/plan).
  'drover:scheduler': [
    rule(READ, [DROVER], ['*']),
    rule([...READ, ...WRITE], [DROVER], ['evaluations', 'evaluations/status', 'evaluations/plan', 'allocations', 'allocations/status', 'deployments', 'deployments/status']),
    rule([...READ, ...WRITE], [COORDINATION], ['leases']),
    rule(READ, [''], ['namespaces']),
    rule(['create', 'update', 'patch'], [''], ['events']),
  ],
  // The controllers (evaluator, deployment, health, gc, periodic, volume, ...): every Drover object.
  'drover:controller': [
    rule([...READ, ...WRITE], [DROVER], ['*']),
    rule([...READ, ...WRITE], [''], ['configmaps', 'secrets', 'serviceaccounts', 'events', 'namespaces', 'namespaces/status', 'namespaces/finalize']),
    rule([...READ, ...WRITE], [COORDINATION], ['leases']),
    // The namespace controller empties a deleted namespace: its Roles and RoleBindings too.
    rule([...READ, 'delete', 'deletecollection'], [RBAC], ['roles', 'rolebindings']),
  ],
};

/** Who each default ClusterRole is bound to (one ClusterRoleBinding of the same name each). */
const DEFAULT_BINDINGS: Record<string, string> = {
  'cluster-admin': MASTERS_GROUP,
  'drover:basic-user': AUTHENTICATED_GROUP,
  'drover:node': NODES_GROUP,
  'drover:scheduler': SCHEDULERS_GROUP,
  'drover:controller': CONTROLLERS_GROUP,
};

const BOOTSTRAP_LABELS = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };

/** The default ClusterRoles and ClusterRoleBindings as objects to create. */
export function defaultPolicyObjects(): Array<Role | RoleBinding> {
  const roles: Role[] = Object.entries(DEFAULT_CLUSTER_ROLES).map(([name, rules]) => ({
    apiVersion: RBAC_API_VERSION, kind: 'ClusterRole', metadata: { name, labels: BOOTSTRAP_LABELS }, rules,
  }));
  const bindings: RoleBinding[] = Object.entries(DEFAULT_BINDINGS).map(([name, group]) => ({
    apiVersion: RBAC_API_VERSION, kind: 'ClusterRoleBinding', metadata: { name, labels: BOOTSTRAP_LABELS },
    subjects: [{ kind: 'Group', apiGroup: RBAC, name: group }],
    roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name },
  }));
  return [...roles, ...bindings];
}
