// Every write the deployment controller makes: Deployments (created, status through /status), evaluations for
// the next batch, the stable mark on a JobVersion, and the revert of a job to its last stable version. Each is a
// compare-and-swap on the copy last read, or a create under a fixed name, so a retried reconcile repeats nothing.
import { isDeepStrictEqual } from 'node:util';
import type { Deployment, DeploymentStatus, Evaluation, Job, JobVersion } from '../../../api/schemas/index.ts';
import { API_VERSION } from '../../../api/schemas/kind.ts';
import { isAlreadyExists, isNotFound } from '../../apierrors/status.ts';
import type { Client } from '../../client/client.ts';
import type { Logger } from '../../log/logger.ts';
import { recordEvent } from '../health/events.ts';
import { jobVersionName } from '../evaluator/versions.ts';
import { recordOwnerRefs } from '../../../api/schemas/owner.ts';

/** The component name on Events, Evaluations and in logs. */
export const DEPLOYMENT_COMPONENT = 'deployment-controller';

/** What the writers need. */
export interface WriteDeps {
  client: Client;
  logger: Logger;
}

/** Create the deployment; false when it exists already (created by an earlier pass). */
export async function createDeployment(deps: WriteDeps, d: Deployment, now: number): Promise<boolean> {
  try {
    const created = await deps.client.resource<Deployment>('deployments').create(d);
    await recordEvent(deps.client, deps.logger, { object: created, reason: 'DeploymentStarted', message: `rolling out job version ${d.spec.jobVersion}`, component: DEPLOYMENT_COMPONENT, now });
    return true;
  } catch (err) {
    if (isAlreadyExists(err)) return false;
    throw err;
  }
}

/** Write the deployment's status (CAS on the copy read; a conflict is retried by the queue). */
export async function writeStatus(deps: WriteDeps, d: Deployment, status: DeploymentStatus): Promise<Deployment> {
  return deps.client.resource<Deployment>('deployments').updateStatus({ ...d, status });
}

/** Record a phase change of a deployment as an Event on it. */
export function phaseEvent(deps: WriteDeps, d: Deployment, status: DeploymentStatus, now: number): Promise<void> {
  const reason = { successful: 'DeploymentSucceeded', failed: 'DeploymentFailed', cancelled: 'DeploymentCancelled', paused: 'DeploymentPaused', running: 'DeploymentResumed' }[status.phase ?? 'running'];
  const type = status.phase === 'failed' ? 'Warning' : 'Normal';
  return recordEvent(deps.client, deps.logger, { object: d, reason, message: status.description ?? '', type, component: DEPLOYMENT_COMPONENT, now });
}

/**
 * Ask the scheduler for the next batch: an evaluation named after the deployment, its generation (a resume or a
 * promotion changes it) and its healthy total, so the same progress never makes two (a retried reconcile finds it
 * exists).
 */
export async function requestEvaluation(deps: WriteDeps, job: Job, d: Deployment, healthyTotal: number): Promise<void> {
  const ev: Evaluation = {
    apiVersion: API_VERSION,
    kind: 'Evaluation',
    metadata: {
      name: `${d.metadata.name}-g${d.metadata.generation ?? 1}-h${healthyTotal}`.slice(0, 253),
      namespace: d.metadata.namespace,
      ownerReferences: recordOwnerRefs(job),
    },
    spec: {
      jobName: job.metadata.name,
      jobVersion: d.spec.jobVersion,
      priority: job.spec.priority ?? 50,
      type: job.spec.type ?? 'service',
      triggeredBy: 'deployment-watcher',
      deploymentName: d.metadata.name,
    },
  };
  try {
    await deps.client.resource<Evaluation>('evaluations').create(ev);
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
}

/** Mark the JobVersion a successful deployment rolled out as stable (idempotent). */
export async function markStable(deps: WriteDeps, d: Deployment): Promise<void> {
  const versions = deps.client.resource<JobVersion>('jobversions');
  let v: JobVersion;
  try {
    v = await versions.get(jobVersionName(d.spec.jobName, d.spec.jobVersion), { namespace: d.metadata.namespace });
  } catch (err) {
    if (isNotFound(err)) return; // pruned: nothing left to mark
    throw err;
  }
  if (v.spec.stable === true) return;
  await versions.update({ ...v, spec: { ...v.spec, stable: true } });
}

/**
 * The newest stable version of the job older than `below`, whose spec differs from the job's current one (as
 * Nomad: a failed rollback to an identical spec is not rolled back again). Compared as values, key order ignored.
 */
export async function lastStable(deps: WriteDeps, job: Job, below: number): Promise<JobVersion | undefined> {
  const all = await deps.client.resource<JobVersion>('jobversions').listAll({ namespace: job.metadata.namespace, fieldSelector: `spec.jobName=${job.metadata.name}` });
  return all.items
    .filter((v) => v.spec.stable === true && v.spec.version < below && !isDeepStrictEqual(v.spec.jobSpec, job.spec))
    .sort((a, b) => b.spec.version - a.spec.version)[0];
}

/** Re-register the job with `to`'s spec (a new version), CAS on the job read. */
export async function revertJob(deps: WriteDeps, job: Job, to: JobVersion, d: Deployment, now: number): Promise<void> {
  await deps.client.resource<Job>('jobs').update({ ...job, spec: to.spec.jobSpec });
  deps.logger.info('reverted job', { job: job.metadata.name, from: d.spec.jobVersion, to: to.spec.version });
  await recordEvent(deps.client, deps.logger, {
    object: job, reason: 'JobReverted', type: 'Warning', component: DEPLOYMENT_COMPONENT, now,
    message: `deployment ${d.metadata.name} failed; re-registered job version ${to.spec.version}`,
  });
}
