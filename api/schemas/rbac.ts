// rbac.authorization.k8s.io/v1: Role, ClusterRole, RoleBinding, ClusterRoleBinding in Kubernetes' shapes, so
// `kubectl create role|rolebinding|clusterrole|clusterrolebinding` and client libraries work on them unmodified.
// Flat objects (no spec/status), as in Kubernetes; names are path segments (`drover:node`, `system:masters`).
import { Type, type TProperties } from '@sinclair/typebox';
import { Obj, Fixed, StringEnum } from './common.ts';
import { ObjectMeta } from './meta.ts';

/** The RBAC API group. */
export const RBAC_GROUP = 'rbac.authorization.k8s.io';
/** apiVersion of RBAC objects. */
export const RBAC_API_VERSION = `${RBAC_GROUP}/v1`;

const strings = (description: string) => Type.Optional(Type.Array(Type.String(), { description }));

/** One rule: the verbs allowed on the resources (or non-resource URLs) it names; `*` is every one. */
export const PolicyRule = Obj(
  {
    verbs: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, description: 'Verbs allowed: get, list, watch, create, update, patch, delete, deletecollection, or *.' }),
    apiGroups: strings('API groups of the resources ("" is the core group, * every group).'),
    resources: strings('Resources ("jobs"), subresources ("jobs/plan", "*/status"), or * for all.'),
    resourceNames: strings('When set, only the objects with these names (never list/watch without a name selector, create or deletecollection).'),
    nonResourceURLs: strings('Paths outside the resource API ("/metrics", "/debug/*"); only in ClusterRoles.'),
  },
  { description: 'A set of verbs allowed on a set of resources.' },
);

/** Who a binding grants to. */
export const Subject = Obj(
  {
    kind: StringEnum(['User', 'Group', 'ServiceAccount'], { description: 'User, Group or ServiceAccount.' }),
    apiGroup: Type.Optional(Type.String({ description: 'rbac.authorization.k8s.io for users and groups, "" for service accounts.' })),
    name: Type.String({ minLength: 1, description: 'The user, group or service account name.' }),
    namespace: Type.Optional(Type.String({ description: "The service account's namespace." })),
  },
  { description: 'A user, group or service account a binding grants to.' },
);

/** The role a binding grants. */
export const RoleRef = Obj(
  {
    apiGroup: Fixed(RBAC_GROUP, { description: 'rbac.authorization.k8s.io.' }),
    kind: StringEnum(['Role', 'ClusterRole'], { description: 'Role (same namespace) or ClusterRole.' }),
    name: Type.String({ minLength: 1, description: 'Name of the role.' }),
  },
  { description: 'The role a binding grants; cannot be changed.' },
);

function rbacObject<T extends TProperties>(kind: string, fields: T, description: string) {
  return Obj(
    {
      apiVersion: Fixed(RBAC_API_VERSION, { description: `Versioned schema of this representation: ${RBAC_API_VERSION}.` }),
      kind: Fixed(kind, { description: `Kind of this object: ${kind}.` }),
      metadata: ObjectMeta('path'),
      ...fields,
    },
    { description },
  );
}

const rules = Type.Optional(Type.Array(PolicyRule, { description: 'What the role allows.' }));

/** Role: rules inside one namespace. */
export const RoleSchema = rbacObject('Role', { rules }, 'A namespaced set of permissions.');
/** ClusterRole: rules for every namespace, cluster-scoped resources and non-resource URLs. */
export const ClusterRoleSchema = rbacObject('ClusterRole', { rules }, 'A cluster-wide set of permissions.');
/** RoleBinding: grants a Role or ClusterRole inside its namespace. */
export const RoleBindingSchema = rbacObject('RoleBinding', {
  subjects: Type.Optional(Type.Array(Subject, { description: 'Who is granted the role.' })),
  roleRef: RoleRef,
}, 'Grants the permissions of a role in one namespace.');
/** ClusterRoleBinding: grants a ClusterRole everywhere. */
export const ClusterRoleBindingSchema = rbacObject('ClusterRoleBinding', {
  subjects: Type.Optional(Type.Array(Subject, { description: 'Who is granted the role.' })),
  roleRef: RoleRef,
}, 'Grants the permissions of a ClusterRole cluster-wide.');
