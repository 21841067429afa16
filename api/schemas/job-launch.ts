// Child jobs of periodic and parameterized templates (Nomad's `<parent>/periodic-<unix>` and
// `<parent>/dispatch-<unix>-<random>`, spelled DNS-1123: `<parent>-periodic-<unix>`, `<parent>-dispatch-<unix>-<random>`).
// The periodic controller, the dispatch endpoint and `drover job periodic force` build children here, so a child
// looks the same whoever launched it: the parent's spec without periodic/parameterized (a child is an ordinary
// job the evaluator schedules), the parent's labels, and a controller ownerReference to the parent.
import type { Job, JobSpec } from './index.ts';
import { API_VERSION } from './kind.ts';
import { controllerRef } from './owner.ts';

/** Whether a job is a template (periodic or parameterized): it places nothing under its own name, its children do. */
export function isTemplate(job: { spec: Pick<JobSpec, 'periodic' | 'parameterized'> }): boolean {
  return !!job.spec.periodic || !!job.spec.parameterized;
}

/** Longest template name: its children add at most this many characters and must stay within 253. */
export const MAX_TEMPLATE_NAME = 253 - '-dispatch-'.length - 10 - 1 - 6;

/** The name of the periodic child launched at `launchMs` (seconds precision, as Nomad). */
export function periodicChildName(parent: string, launchMs: number): string {
  return `${parent}-periodic-${Math.floor(launchMs / 1000)}`;
}

/** The name of a dispatched child: launch second plus a random suffix (several dispatches may share a second). */
export function dispatchChildName(parent: string, nowMs: number, random: string): string {
  return `${parent}-dispatch-${Math.floor(nowMs / 1000)}-${random}`;
}

/** The launch time (ms) a periodic child's name records, or undefined if `child` is no periodic child of `parent`. */
export function periodicLaunchTime(parent: string, child: string): number | undefined {
  const prefix = `${parent}-periodic-`;
  if (!child.startsWith(prefix)) return undefined;
  const rest = child.slice(prefix.length);
  return /^\d{1,12}$/.test(rest) ? Number(rest) * 1000 : undefined;
}

/** Whether `job` is controlled by the job `parent` (uid-matched ownerReference). */
export function isChildOf(job: Job, parent: Job): boolean {
  return (job.metadata.ownerReferences ?? []).some((r) => r.kind === 'Job' && r.controller === true && r.uid === parent.metadata.uid);
}

/** What a child carries beyond the parent's spec. */
export interface ChildExtras {
  /** Dispatch meta, merged over the parent's spec.meta. */
  meta?: Record<string, string>;
  /** Base64 dispatch payload. */
  payload?: string;
}

/** The child Job of `parent` named `name`, ready to create. */
export function childJob(parent: Job, name: string, extras: ChildExtras = {}): Job {
  const { periodic: _p, parameterized: _q, payload: _old, ...rest } = parent.spec;
  const spec: JobSpec = { ...rest };
  if (extras.meta && Object.keys(extras.meta).length > 0) spec.meta = { ...(parent.spec.meta ?? {}), ...extras.meta };
  if (extras.payload) spec.payload = extras.payload;
  return {
    apiVersion: API_VERSION,
    kind: 'Job',
    metadata: {
      name,
      namespace: parent.metadata.namespace,
      ...(parent.metadata.labels ? { labels: { ...parent.metadata.labels } } : {}),
      ownerReferences: [controllerRef(parent, { blockOwnerDeletion: true })],
    },
    spec,
  } as Job;
}
