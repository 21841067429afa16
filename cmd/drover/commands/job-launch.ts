// `drover job dispatch JOB [--meta k=v]... [PAYLOAD-FILE]` (Nomad's `nomad job dispatch`: POST jobs/{name}/dispatch)
// and `drover job periodic force JOB` (Nomad's `nomad job periodic force`: launch a periodic job's child now,
// whatever its schedule and prohibitOverlap say).
import { readFile } from 'node:fs/promises';
import type { Job } from '../../../api/schemas/index.ts';
import { childJob, periodicChildName } from '../../../api/schemas/job-launch.ts';
import type { CommandContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { println } from '../io.ts';

/** Arguments of `drover job dispatch`. */
export interface JobDispatchArgs {
  job: string;
  namespace?: string;
  /** `key=value` pairs. */
  meta?: string[];
  /** A file holding the payload, `-` for stdin. */
  payloadFile?: string;
  /** Print only the child's name. */
  quiet?: boolean;
  readStdin(): Promise<string>;
}

/** Parse `--meta key=value` flags. */
export function parseMeta(pairs: string[] = []): Record<string, string> {
  const meta: Record<string, string> = {};
  for (const p of pairs) {
    const i = p.indexOf('=');
    if (i <= 0) throw new UsageError(`invalid --meta "${p}": use key=value`);
    meta[p.slice(0, i)] = p.slice(i + 1);
  }
  return meta;
}

/** Run `job dispatch`; returns the exit code. */
export async function jobDispatch(ctx: CommandContext, args: JobDispatchArgs): Promise<number> {
  const namespace = args.namespace ?? ctx.namespace;
  const meta = parseMeta(args.meta);
  let payload: string | undefined;
  if (args.payloadFile !== undefined) {
    const bytes = args.payloadFile === '-' ? Buffer.from(await args.readStdin()) : await readFile(args.payloadFile);
    if (bytes.length > 0) payload = bytes.toString('base64');
  }
  const body = { apiVersion: 'drover.dev/v1', kind: 'JobDispatchRequest', ...(Object.keys(meta).length ? { meta } : {}), ...(payload ? { payload } : {}) };
  const child = await ctx.client.request<Job>({
    method: 'POST', path: `/apis/drover.dev/v1/namespaces/${encodeURIComponent(namespace)}/jobs/${encodeURIComponent(args.job)}/dispatch`, body, signal: ctx.signal,
  });
  println(ctx.out, args.quiet ? child.metadata.name : `job.drover.dev/${child.metadata.name} dispatched from ${args.job}`);
  return 0;
}

/** Arguments of `drover job periodic force`. */
export interface JobPeriodicForceArgs {
  job: string;
  namespace?: string;
}

/** Run `job periodic force`: create the child of now, as the periodic controller would name it. */
export async function jobPeriodicForce(ctx: CommandContext, args: JobPeriodicForceArgs): Promise<number> {
  const jobs = ctx.client.resource<Job>('jobs');
  const parent = await jobs.get(args.job, { namespace: args.namespace ?? ctx.namespace });
  if (!parent.spec.periodic) throw new UsageError(`job "${args.job}" is not a periodic job`);
  const child = await jobs.create(childJob(parent, periodicChildName(parent.metadata.name, ctx.now())));
  println(ctx.out, `job.drover.dev/${child.metadata.name} launched from ${args.job}`);
  return 0;
}
