// The dashboard's writes, the same requests the CLI makes (cmd/drover/commands): a deployment's promote / pause /
// resume / fail as a compare-and-swap update of its spec (`drover deployment ...`), a node's drain and
// eligibility as merge patches (`drover node drain|eligibility`), a job submitted by server-side apply
// (`drover apply`) after its plan dry run (`drover plan`).
import { isDeploymentActive } from '../../../api/schemas/deployment-phase.ts';
import { api, ApiError, objectPath } from './api.ts';
import type { Obj } from './store.ts';

/** What can be done to a running deployment. */
export type DeploymentAction = 'promote' | 'pause' | 'resume' | 'fail';

/** The field manager of the dashboard's writes. */
export const FIELD_MANAGER = 'drover-ui';

/** Set the deployment's spec for `action`, re-reading on a conflict (the controller writes its status meanwhile). */
export async function deploymentAction(namespace: string, name: string, action: DeploymentAction): Promise<void> {
  const path = objectPath('deployments', namespace, name);
  for (let attempt = 0; ; attempt++) {
    const d = await api<Obj>('GET', path);
    if (!isDeploymentActive(d.status?.phase)) throw new ApiError(409, `deployment "${name}" is ${d.status?.phase}: nothing to ${action}`);
    const spec = { ...d.spec };
    if (action === 'fail') spec.failed = true;
    else if (action === 'promote') spec.groups = Object.fromEntries(Object.entries(d.spec.groups as Record<string, any>).map(([g, t]) => [g, (t.desiredCanaries ?? 0) > 0 ? { ...t, promoted: true } : t]));
    else spec.paused = action === 'pause';
    try {
      await api('PUT', path, { ...d, spec });
      return;
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 409) || attempt >= 4) throw err;
    }
  }
}

/**
 * Run an old version's spec again, as `drover job revert` does: a compare-and-swap update of the job just read
 * (a change made meanwhile is a conflict, shown, never overwritten); the job gets a new version.
 */
export async function revertJob(job: Obj, version: Obj): Promise<void> {
  const path = objectPath('jobs', job.metadata.namespace, job.metadata.name);
  const current = await api<Obj>('GET', path);
  await api('PUT', path, { ...current, spec: version.spec.jobSpec });
}

/** Whether a deployment waits for promotion: it has canaries and a group not yet promoted. */
export function awaitsPromotion(d: Obj): boolean {
  return isDeploymentActive(d.status?.phase) && Object.entries(d.spec?.groups ?? {}).some(([g, t]: [string, any]) => (t.desiredCanaries ?? 0) > 0 && !t.promoted && !d.status?.groups?.[g]?.promoted);
}

/** Drain a node (Nomad's default 1 h deadline), or cancel its drain leaving it eligible again. */
export async function drainNode(name: string, on: boolean): Promise<void> {
  const patch = on ? { spec: { eligibility: 'ineligible', drain: { deadline: '1h', ignoreSystemJobs: false, startedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z') } } } : { spec: { drain: null, eligibility: 'eligible' } };
  await api('PATCH', `${objectPath('nodes', undefined, name)}?fieldManager=${FIELD_MANAGER}`, patch, 'application/merge-patch+json');
}

/** Mark a node eligible or ineligible for new placements. */
export async function setEligibility(name: string, eligible: boolean): Promise<void> {
  await api('PATCH', `${objectPath('nodes', undefined, name)}?fieldManager=${FIELD_MANAGER}`, { spec: { eligibility: eligible ? 'eligible' : 'ineligible' } }, 'application/merge-patch+json');
}

/** The editor's text as objects (POST /ui/convert: YAML, Nomad HCL or Marathon JSON). */
export async function convertText(text: string, format: string): Promise<Obj[]> {
  const r = await api<{ items: Obj[] }>('POST', '/ui/convert', { text, format: format === 'auto' ? undefined : format });
  return r.items;
}

/** The plan dry run of a job (nothing stored). */
export function planJob(job: Obj): Promise<any> {
  return api('POST', objectPath('jobs', job.metadata.namespace ?? 'default', job.metadata.name, 'plan'), job);
}

/** Submit a job by server-side apply; returns the stored object. */
export function applyJob(job: Obj): Promise<Obj> {
  const ns = job.metadata.namespace ?? 'default';
  const body = { ...job, metadata: { ...job.metadata, namespace: ns } };
  return api('PATCH', `${objectPath('jobs', ns, job.metadata.name)}?fieldManager=${FIELD_MANAGER}&force=true`, body, 'application/apply-patch+yaml');
}
