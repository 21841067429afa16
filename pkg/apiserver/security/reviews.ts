// The review endpoints: authentication.k8s.io/v1 SelfSubjectReview (`kubectl auth whoami`) and
// authorization.k8s.io/v1 SelfSubjectAccessReview (`kubectl auth can-i`) and SubjectAccessReview (may user X?),
// answered by the same RBAC evaluator that guards every request. Nothing is stored.
import type { FastifyInstance } from 'fastify';
import { badRequest, invalid, type StatusCause } from '../../apierrors/status.ts';
import type { RequestAttributes } from '../../auth/attributes.ts';
import { withAuthenticatedGroup, type UserInfo } from '../../auth/user.ts';
import { decodeObjectBody } from '../content.ts';
import type { ServerContext } from '../context.ts';
import { sendJson } from '../routes.ts';
import type { PolicySource } from './policy-source.ts';

const AUTHN = 'authentication.k8s.io/v1';
const AUTHZ = 'authorization.k8s.io/v1';

type Body = Record<string, unknown>;

/** Register the review routes. */
export function registerReviewRoutes(app: FastifyInstance, ctx: ServerContext, policy: PolicySource | undefined): void {
  app.post('/apis/authentication.k8s.io/v1/selfsubjectreviews', async (request, reply) => {
    checkEnvelope(decodeObjectBody(request.body, request.headers['content-type']), AUTHN, 'SelfSubjectReview');
    const user = ctx.requestUsers.get(request.raw);
    return sendJson(reply, 201, {
      apiVersion: AUTHN, kind: 'SelfSubjectReview', metadata: { creationTimestamp: null },
      status: { userInfo: user ? userInfoOut(user) : { username: 'system:anonymous', groups: ['system:unauthenticated'] } },
    });
  });
  const review = (kind: 'SelfSubjectAccessReview' | 'SubjectAccessReview') => async (request: { body: unknown; headers: Record<string, unknown>; raw: object }) => {
    const body = checkEnvelope(decodeObjectBody(request.body, request.headers['content-type'] as string | undefined), AUTHZ, kind);
    const spec = (body.spec ?? {}) as Body;
    const attrs = attributesOf(kind, spec);
    const user = kind === 'SubjectAccessReview' ? subjectOf(spec) : ctx.requestUsers.get(request.raw);
    let status: Body = { allowed: true, reason: 'authorization is off' };
    if (policy && user) {
      const d = (await policy.evaluator()).authorize(user, attrs);
      status = d.allowed ? { allowed: true, reason: d.reason } : { allowed: false };
    } else if (!user) status = { allowed: true, reason: 'authentication is off' };
    return { apiVersion: AUTHZ, kind, metadata: { creationTimestamp: null }, spec, status };
  };
  for (const [path, kind] of [['selfsubjectaccessreviews', 'SelfSubjectAccessReview'], ['subjectaccessreviews', 'SubjectAccessReview']] as const) {
    const answer = review(kind);
    app.post(`/apis/authorization.k8s.io/v1/${path}`, async (request, reply) => sendJson(reply, 201, await answer(request)));
  }
}

function userInfoOut(u: UserInfo): Body {
  return { username: u.username, ...(u.uid ? { uid: u.uid } : {}), groups: u.groups, ...(u.extra ? { extra: u.extra } : {}) };
}

function checkEnvelope(body: unknown, apiVersion: string, kind: string): Body {
  if (body === undefined) return { apiVersion, kind };
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest(`the body must be a ${kind} object`);
  const b = body as Body;
  const causes: StatusCause[] = [];
  if (b.kind !== undefined && b.kind !== kind) causes.push({ reason: 'FieldValueInvalid', field: 'kind', message: `Invalid value: ${JSON.stringify(b.kind)}: must be ${kind}` });
  if (b.apiVersion !== undefined && b.apiVersion !== apiVersion) causes.push({ reason: 'FieldValueInvalid', field: 'apiVersion', message: `Invalid value: ${JSON.stringify(b.apiVersion)}: must be ${apiVersion}` });
  if (causes.length) throw invalid({ kindName: kind, group: apiVersion.split('/')[0], name: '' }, causes);
  return b;
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** The request attributes a review asks about (exactly one of resourceAttributes and nonResourceAttributes). */
function attributesOf(kind: string, spec: Body): RequestAttributes {
  const ra = spec.resourceAttributes as Body | undefined;
  const na = spec.nonResourceAttributes as Body | undefined;
  const fail = (field: string, message: string) => invalid({ kindName: kind, group: 'authorization.k8s.io', name: '' }, [{ reason: 'FieldValueRequired', field, message }]);
  if ((ra === undefined) === (na === undefined)) throw fail('spec.resourceAttributes', 'Required value: exactly one of resourceAttributes and nonResourceAttributes must be specified');
  if (na) {
    if (!str(na.verb)) throw fail('spec.nonResourceAttributes.verb', 'Required value');
    return { resourceRequest: false, verb: str(na.verb), path: str(na.path) };
  }
  if (!str(ra!.verb)) throw fail('spec.resourceAttributes.verb', 'Required value');
  return {
    resourceRequest: true, verb: str(ra!.verb), apiGroup: str(ra!.group), resource: str(ra!.resource),
    subresource: str(ra!.subresource), namespace: str(ra!.namespace), name: str(ra!.name),
  };
}

/** The user a SubjectAccessReview asks about. */
function subjectOf(spec: Body): UserInfo {
  const groups = Array.isArray(spec.groups) ? spec.groups.filter((g): g is string => typeof g === 'string') : [];
  if (!str(spec.user) && groups.length === 0) {
    throw invalid({ kindName: 'SubjectAccessReview', group: 'authorization.k8s.io', name: '' }, [{ reason: 'FieldValueRequired', field: 'spec.user', message: 'Required value: at least one of user or groups must be specified' }]);
  }
  // Evaluated as given, as Kubernetes does: system:authenticated counts only when the review lists it.
  return { username: str(spec.user), groups, ...(str(spec.uid) ? { uid: str(spec.uid) } : {}) };
}
