// The 403 Kubernetes sends when RBAC refuses: the same message shape, so tools that parse it (and people who
// have read many) recognise it.
import { apiError, type ApiError } from '../apierrors/status.ts';
import type { RequestAttributes } from './attributes.ts';
import type { UserInfo } from './user.ts';

/** The message of a refused request, e.g. `jobs.drover.dev "web" is forbidden: User "bob" cannot get resource "jobs" in API group "drover.dev" in the namespace "default"`. */
export function forbiddenMessage(user: UserInfo, a: RequestAttributes): string {
  if (!a.resourceRequest) return `forbidden: User "${user.username}" cannot ${a.verb} path "${a.path}"`;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const qualified = a.apiGroup ? `${a.resource}.${a.apiGroup}` : a.resource;
  const subject = a.name ? `${qualified} "${a.name}"` : qualified;
  const where = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  return `${subject} is forbidden: User "${user.username}" cannot ${a.verb} resource "${resource}" in API group "${a.apiGroup}" ${where}`;
}

/** The 403 Forbidden ApiError for `user` doing `a`. */
export function forbidden(user: UserInfo, a: RequestAttributes): ApiError {
  const details = a.resourceRequest ? { name: a.name || undefined, group: a.apiGroup, kind: a.resource } : {};
  return apiError('Forbidden', forbiddenMessage(user, a), details);
}
