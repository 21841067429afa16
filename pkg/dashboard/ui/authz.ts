// Whether the user may do an action, asked of the server with a SelfSubjectAccessReview
// (authorization.k8s.io/v1, as `kubectl auth can-i`). A server without the endpoint (404) authorizes nothing
// separately, so every action is shown; the API still refuses what it refuses, and the view shows its Status.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from './api.ts';

/** One question: may I `verb` `resource` (`deployments`, `nodes`...) in `namespace`? */
export interface Access {
  verb: string;
  resource: string;
  namespace?: string;
  group?: string;
}

const answers = new Map<string, Promise<boolean>>();

/** Ask (once per question until the token changes). */
export function canI(a: Access): Promise<boolean> {
  const key = `${a.verb} ${a.group ?? 'drover.dev'}/${a.resource} ${a.namespace ?? ''}`;
  let p = answers.get(key);
  if (!p) {
    const body = {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec: { resourceAttributes: { verb: a.verb, group: a.group ?? 'drover.dev', resource: a.resource, namespace: a.namespace } },
    };
    p = api<{ status?: { allowed?: boolean } }>('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', body).then(
      (r) => r.status?.allowed === true,
      (err) => err instanceof ApiError && err.code === 404,
    );
    answers.set(key, p);
  }
  return p;
}

/** Forget every answer (the token changed). */
export function forgetAccess(): void {
  answers.clear();
}

/** The answer as component state: false until the server says yes. */
export function useCan(a: Access): boolean {
  const [allowed, set] = useState(false);
  useEffect(() => {
    let live = true;
    void canI(a).then((v) => live && set(v));
    return () => {
      live = false;
    };
  }, [a.verb, a.resource, a.namespace, a.group]);
  return allowed;
}
