// Job files in other schedulers' formats (Nomad HCL, Marathon JSON) read as Drover Jobs, and Drover Jobs written
// back as Nomad HCL. A field that does not convert is refused with its file:line:column, never dropped.
import { RefusedError, type Refusal } from './refusal.ts';
import { nomadToDrover } from './nomad/job.ts';
import { marathonToDrover } from './marathon/app.ts';
import type { VariableInputs } from './nomad/variables.ts';

export { jobToHcl } from './nomad/to-hcl.ts';
export { JobFileSyntaxError, RefusedError, type Refusal } from './refusal.ts';
export type { VariableInputs } from './nomad/variables.ts';

/** The formats a job file may be in. */
export const JOB_FORMATS = ['yaml', 'hcl', 'marathon'] as const;
/** A job file format. */
export type JobFormat = (typeof JOB_FORMATS)[number];

/** The format a file's name implies: .nomad, .nomad.hcl and .hcl are HCL, .marathon.json Marathon. */
export function formatOfPath(path: string): JobFormat | undefined {
  if (/\.(nomad|nomad\.hcl|hcl)$/i.test(path)) return 'hcl';
  if (/\.marathon\.json$/i.test(path)) return 'marathon';
  return undefined;
}

/** Whether a parsed JSON document is a Marathon app or group (no kind, an id, and an app's or a group's fields). */
export function looksLikeMarathon(doc: unknown): boolean {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return false;
  const o = doc as Record<string, unknown>;
  return o.kind === undefined && o.apiVersion === undefined && typeof o.id === 'string' && ['cmd', 'args', 'container', 'apps', 'groups', 'instances'].some((k) => k in o);
}

/** Convert a job file in `format` to Drover Job objects; refusals throw one 422 error listing them all. */
export async function convertJobFile(text: string, source: string, format: Exclude<JobFormat, 'yaml'>, inputs: VariableInputs = {}): Promise<Record<string, unknown>[]> {
  const { jobs, refusals } = format === 'hcl' ? await nomadToDrover(text, source, inputs) : marathonToDrover(text, source);
  if (refusals.length > 0) throw new RefusedError(source, format === 'hcl' ? 'Nomad' : 'Marathon', nameOf(jobs), sortRefusals(refusals));
  return jobs;
}

function nameOf(jobs: Record<string, unknown>[]): string {
  return jobs.map((j) => String((j.metadata as { name?: string } | undefined)?.name ?? '')).join(',');
}

function sortRefusals(list: Refusal[]): Refusal[] {
  return [...list].sort((a, b) => (a.position?.line ?? 0) - (b.position?.line ?? 0) || (a.position?.column ?? 0) - (b.position?.column ?? 0));
}
