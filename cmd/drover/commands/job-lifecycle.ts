// `drover job scale JOB GROUP COUNT` and `drover job stop JOB [--purge]`: lifecycle changes without a manifest,
// written as compare-and-swap updates of the Job read just before (a concurrent change is a Conflict, never lost).
import type { Job } from '../../../api/schemas/index.ts';
import { jobVersion } from '../../../api/schemas/job-version.ts';
import type { CommandContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { println } from '../io.ts';

/** Arguments of `drover job scale`. */
export interface JobScaleArgs {
  job: string;
  group: string;
  count: string;
  namespace?: string;
}

/** Arguments of `drover job stop`. */
export interface JobStopArgs {
  job: string;
  namespace?: string;
  /** Delete the job instead of marking it stopped (its allocations are stopped all the same). */
  purge?: boolean;
}

const ref = (name: string) => `job.drover.dev "${name}"`;

/** Run `job scale`; returns the exit code. */
export async function jobScale(ctx: CommandContext, args: JobScaleArgs): Promise<number> {
  const count = Number(args.count);
  if (!Number.isInteger(count) || count < 0) throw new UsageError(`invalid count "${args.count}": a whole number ≥ 0`);
  const namespace = args.namespace ?? ctx.namespace;
  const jobs = ctx.client.resource<Job>('jobs');
  const job = await jobs.get(args.job, { namespace });
  const group = job.spec.groups.find((g) => g.name === args.group);
  if (!group) {
    println(ctx.err, `${ref(args.job)} has no group "${args.group}" (groups: ${job.spec.groups.map((g) => g.name).join(', ')})`);
    return 1;
  }
  if (job.spec.type === 'system' || job.spec.type === 'sysbatch') {
    println(ctx.err, `${ref(args.job)} is a ${job.spec.type} job: it runs one allocation per eligible node and cannot be scaled`);
    return 1;
  }
  const before = group.count ?? 1;
  const groups = job.spec.groups.map((g) => (g.name === args.group ? { ...g, count } : g));
  const updated = await jobs.update({ ...job, spec: { ...job.spec, groups } });
  println(ctx.out, `${ref(args.job)} group "${args.group}" scaled from ${before} to ${count} (version ${jobVersion(updated)})`);
  return 0;
}

/** Run `job stop`; returns the exit code. */
export async function jobStop(ctx: CommandContext, args: JobStopArgs): Promise<number> {
  const namespace = args.namespace ?? ctx.namespace;
  const jobs = ctx.client.resource<Job>('jobs');
  if (args.purge) {
    await jobs.delete(args.job, { namespace });
    println(ctx.out, `${ref(args.job)} purged: deleted, its allocations are being stopped`);
    return 0;
  }
  const job = await jobs.get(args.job, { namespace });
  if (job.spec.stop) {
    println(ctx.out, `${ref(args.job)} is already stopped`);
    return 0;
  }
  const stopped = await jobs.update({ ...job, spec: { ...job.spec, stop: true } });
  println(ctx.out, `${ref(args.job)} stopped (version ${jobVersion(stopped)}); its allocations are being stopped`);
  return 0;
}
