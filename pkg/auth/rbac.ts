// Kubernetes RBAC evaluation: a request is allowed when some binding that names the user (directly, by group,
// or as its ServiceAccount) grants a role with a rule covering the request. ClusterRoleBindings count
// everywhere; RoleBindings only in their own namespace. Rules only add: there is no deny.
import type { PolicyRule, Role, RoleBinding, Subject } from '../../api/schemas/index.ts';
import type { RequestAttributes, ResourceAttributes } from './attributes.ts';
import { MASTERS_GROUP, serviceAccountUsername, type UserInfo } from './user.ts';

/** The RBAC objects a decision reads. */
export interface RbacPolicy {
  roles: Role[];
  clusterRoles: Role[];
  roleBindings: RoleBinding[];
  clusterRoleBindings: RoleBinding[];
}

/** An authorization decision; `reason` says which binding allowed it. */
export interface Decision {
  allowed: boolean;
  reason: string;
}

/** Whether `subject` (of a binding in `bindingNamespace`) names `user`. */
export function subjectMatches(subject: Subject, user: UserInfo, bindingNamespace: string): boolean {
  switch (subject.kind) {
    case 'User':
      return subject.name === user.username;
    case 'Group':
      return user.groups.includes(subject.name);
    case 'ServiceAccount':
      return user.username === serviceAccountUsername(subject.namespace || bindingNamespace, subject.name);
  }
}

const has = (list: string[] | undefined, v: string) => !!list && (list.includes('*') || list.includes(v));

/** Whether `rule` grants the resource request `a` (verbs × groups × resources/subresources × names). */
export function ruleAllowsResource(rule: PolicyRule, a: ResourceAttributes): boolean {
  if (!has(rule.verbs, a.verb) || !has(rule.apiGroups, a.apiGroup)) return false;
  if (!resourceMatches(rule.resources ?? [], a.resource, a.subresource)) return false;
  const names = rule.resourceNames ?? [];
  return names.length === 0 || (a.name !== '' && names.includes(a.name));
}

function resourceMatches(ruleResources: string[], resource: string, subresource: string): boolean {
  const combined = subresource ? `${resource}/${subresource}` : resource;
  for (const r of ruleResources) {
    if (r === '*' || r === combined) return true;
    if (subresource && r === `*/${subresource}`) return true;
  }
  return false;
}

/** Whether `rule` grants a non-resource request: the path exactly, or a prefix ending in `*`. */
export function ruleAllowsPath(rule: PolicyRule, verb: string, path: string): boolean {
  if (!has(rule.verbs, verb)) return false;
  return (rule.nonResourceURLs ?? []).some((u) => u === '*' || u === path || (u.endsWith('*') && path.startsWith(u.slice(0, -1))));
}

/** Whether `rule` grants request `a`. */
export function ruleAllows(rule: PolicyRule, a: RequestAttributes): boolean {
  return a.resourceRequest ? ruleAllowsResource(rule, a) : ruleAllowsPath(rule, a.verb, a.path);
}

/** An RBAC authorizer over a policy snapshot, with bindings indexed by subject for cheap decisions. */
export class RbacEvaluator {
  private readonly clusterRoles: Map<string, Role>;
  private readonly roles: Map<string, Role>;
  private readonly clusterIndex: SubjectIndex;
  private readonly namespaceIndex = new Map<string, SubjectIndex>();

  constructor(policy: RbacPolicy) {
    this.clusterRoles = new Map(policy.clusterRoles.map((r) => [r.metadata.name, r]));
    this.roles = new Map(policy.roles.map((r) => [`${r.metadata.namespace}/${r.metadata.name}`, r]));
    this.clusterIndex = new SubjectIndex(policy.clusterRoleBindings);
    const byNamespace = new Map<string, RoleBinding[]>();
    for (const b of policy.roleBindings) {
      const ns = b.metadata.namespace ?? '';
      byNamespace.set(ns, [...(byNamespace.get(ns) ?? []), b]);
    }
    for (const [ns, bs] of byNamespace) this.namespaceIndex.set(ns, new SubjectIndex(bs));
  }

  /** Decide request `a` for `user`. */
  authorize(user: UserInfo, a: RequestAttributes): Decision {
    if (user.groups.includes(MASTERS_GROUP)) return { allowed: true, reason: `group ${MASTERS_GROUP}` };
    for (const b of this.clusterIndex.candidates(user)) {
      if (!this.bindsUser(b, user, '')) continue;
      const role = b.roleRef.kind === 'ClusterRole' ? this.clusterRoles.get(b.roleRef.name) : undefined;
      if (role && (role.rules ?? []).some((r) => ruleAllows(r, a))) return { allowed: true, reason: `RBAC: allowed by ClusterRoleBinding "${b.metadata.name}" of ClusterRole "${role.metadata.name}"` };
    }
    // RoleBindings grant only resource requests inside their namespace.
    if (!a.resourceRequest || a.namespace === '') return { allowed: false, reason: '' };
    for (const b of this.namespaceIndex.get(a.namespace)?.candidates(user) ?? []) {
      if (b.metadata.namespace !== a.namespace || !this.bindsUser(b, user, a.namespace)) continue;
      const role = b.roleRef.kind === 'ClusterRole' ? this.clusterRoles.get(b.roleRef.name) : this.roles.get(`${a.namespace}/${b.roleRef.name}`);
      if (role && (role.rules ?? []).some((r) => ruleAllowsResource(r, a))) {
        return { allowed: true, reason: `RBAC: allowed by RoleBinding "${b.metadata.name}/${a.namespace}" of ${b.roleRef.kind} "${role.metadata.name}"` };
      }
    }
    return { allowed: false, reason: '' };
  }

  private bindsUser(b: RoleBinding, user: UserInfo, ns: string): boolean {
    return (b.subjects ?? []).some((s) => subjectMatches(s, user, b.metadata.namespace ?? ns));
  }
}

/** Bindings by the names their subjects match on (a username or a group), so a decision reads only the user's. */
class SubjectIndex {
  private readonly byName = new Map<string, RoleBinding[]>();

  constructor(bindings: RoleBinding[]) {
    for (const b of bindings) {
      const keys = new Set((b.subjects ?? []).map((s) => (s.kind === 'Group' ? `g:${s.name}` : `u:${s.kind === 'ServiceAccount' ? serviceAccountUsername(s.namespace || b.metadata.namespace || '', s.name) : s.name}`)));
      for (const k of keys) this.byName.set(k, [...(this.byName.get(k) ?? []), b]);
    }
  }

  /** The bindings that may name `user` (still to be checked with subjectMatches), each once, in policy order. */
  candidates(user: UserInfo): RoleBinding[] {
    const lists = [this.byName.get(`u:${user.username}`), ...user.groups.map((g) => this.byName.get(`g:${g}`))].filter((l): l is RoleBinding[] => !!l);
    if (lists.length <= 1) return lists[0] ?? [];
    return [...new Set(lists.flat())];
  }
}
