// `drover plan -f job.yaml`: a server-side dry run of each Job in the manifests (POST jobs/{name}/plan), printed
// like `nomad job plan` (see plan-format.ts) or as the JobPlanResult JSON with `-o json`. Nothing is stored.
// Exit codes are Nomad's: 0 no allocations would be created or destroyed, 1 some would (failed placements
// included), 255 an error (see program.ts: the plan command reports errors with 255).
import { API_VERSION } from '../../../api/schemas/kind.ts';
import type { JobPlanResult } from '../../../pkg/apiserver/jobplan/types.ts';
import { findKind } from '../../../pkg/client/kinds.ts';
import type { CommandContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { type FormatOptions, readManifests } from '../manifests.ts';
import { formatPlan, planExitCode } from './plan-format.ts';

/** Exit code of `drover plan` when it could not plan (Nomad's 255). */
export const PLAN_ERROR_EXIT = 255;

/** Output formats of `drover plan`. */
export const PLAN_OUTPUT_FORMATS = ['text', 'json'] as const;

/** Arguments of `drover plan`. */
export interface PlanArgs extends FormatOptions {
  files: string[];
  recursive?: boolean;
  /** `-n`: namespace for jobs that do not name one. */
  namespace?: string;
  output?: (typeof PLAN_OUTPUT_FORMATS)[number];
  /** Unchanged fields in the diff, fields of added tasks, node usage and scores. */
  verbose?: boolean;
  readStdin(): Promise<string>;
}

/** Run `plan`; returns 0 or 1 (Nomad's codes); throws on errors (the caller exits 255). */
export async function plan(ctx: CommandContext, args: PlanArgs): Promise<number> {
  const manifests = await readManifests(args.files, { recursive: !!args.recursive, readStdin: args.readStdin, format: args.format, variables: args.variables });
  const jobs = manifests.filter((m) => findKind(m.object.kind)?.kind === 'Job' && m.object.apiVersion === API_VERSION);
  const others = manifests.filter((m) => !jobs.includes(m));
  if (others.length > 0) {
    const o = others[0]!;
    throw new UsageError(`${o.source}: ${o.object.kind} "${o.object.metadata?.name ?? ''}": only ${API_VERSION} Jobs can be planned`);
  }
  if (jobs.length === 0) throw new UsageError('no jobs passed to plan');
  const results: JobPlanResult[] = [];
  for (const { object, source } of jobs) {
    if (typeof object.metadata.name !== 'string' || object.metadata.name === '') throw new UsageError(`${source}: the Job has no metadata.name`);
    const namespace = object.metadata.namespace ?? args.namespace ?? ctx.namespace;
    const path = `/apis/drover.dev/v1/namespaces/${encodeURIComponent(namespace)}/jobs/${encodeURIComponent(object.metadata.name)}/plan`;
    results.push(await ctx.client.request<JobPlanResult>({
      method: 'POST', path, body: object, query: args.verbose ? { contextual: 'true' } : undefined, signal: ctx.signal,
    }));
  }
  if (args.output === 'json') {
    const doc = results.length === 1 ? results[0] : { apiVersion: 'v1', kind: 'List', items: results };
    ctx.out(JSON.stringify(doc, null, 2) + '\n');
  } else {
    ctx.out(results.map((r) => formatPlan(r, !!args.verbose)).join('\n'));
  }
  return Math.max(...results.map(planExitCode));
}
