// `drover job history JOB [-p]` and `drover job revert JOB VERSION`: the job's recorded versions (JobVersion
// objects, newest first, with the diff to the version before under -p, as `nomad job history -p`), and putting
// an old version's spec back. A revert is a spec change like any other: the job gets a new version, and the
// scheduler rolls it out under the job's update policy.
import type { Job, JobVersion } from '../../../api/schemas/index.ts';
import { jobVersion } from '../../../api/schemas/job-version.ts';
import { jobDiff } from '../../../pkg/apiserver/jobplan/diff.ts';
import { isDeepStrictEqual } from 'node:util';
import type { CommandContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { println } from '../io.ts';
import { formatDiff } from './plan-format.ts';

/** Arguments of `drover job history`. */
export interface JobHistoryArgs {
  job: string;
  namespace?: string;
  /** Show the diff of each version to the one before. */
  diffs?: boolean;
}

/** Arguments of `drover job revert`. */
export interface JobRevertArgs {
  job: string;
  version: string;
  namespace?: string;
}

/** The job's recorded versions, newest first. */
async function versionsOf(ctx: CommandContext, job: string, namespace: string): Promise<JobVersion[]> {
  const list = await ctx.client.resource<JobVersion>('jobversions').listAll({ namespace, fieldSelector: `spec.jobName=${job}` });
  return list.items.sort((a, b) => b.spec.version - a.spec.version);
}

/** Run `job history`; returns the exit code. */
export async function jobHistory(ctx: CommandContext, args: JobHistoryArgs): Promise<number> {
  const namespace = args.namespace ?? ctx.namespace;
  const versions = await versionsOf(ctx, args.job, namespace);
  if (versions.length === 0) {
    println(ctx.err, `no versions of job "${args.job}" are recorded in namespace "${namespace}"`);
    return 1;
  }
  ctx.out(formatHistory(args.job, versions, !!args.diffs));
  return 0;
}

/** Each version as Nomad prints it: version, stable, submit date, and with diffs the change from the one before. */
export function formatHistory(job: string, newestFirst: JobVersion[], diffs: boolean): string {
  const blocks = newestFirst.map((v, i) => {
    const lines = [`Version     = ${v.spec.version}`, `Stable      = ${v.spec.stable === true}`, `Submit Date = ${v.metadata.creationTimestamp ?? '<unknown>'}`];
    const older = newestFirst[i + 1];
    if (diffs && older) {
      const diff = jobDiff(job, older.spec.jobSpec, v.spec.jobSpec, false);
      lines.push(`Diff        =`, ...(diff.type === 'None' ? ['(no change)'] : formatDiff(diff, false)));
    }
    return lines.join('\n');
  });
  return blocks.join('\n\n') + '\n';
}

/** Run `job revert`; returns the exit code. */
export async function jobRevert(ctx: CommandContext, args: JobRevertArgs): Promise<number> {
  const namespace = args.namespace ?? ctx.namespace;
  const wanted = Number(args.version);
  if (!Number.isInteger(wanted) || wanted < 0) throw new UsageError(`invalid version "${args.version}": a version number from \`drover job history\``);
  const record = (await versionsOf(ctx, args.job, namespace)).find((v) => v.spec.version === wanted);
  if (!record) {
    println(ctx.err, `job "${args.job}" has no recorded version ${wanted} (see \`drover job history ${args.job}\`)`);
    return 1;
  }
  const jobs = ctx.client.resource<Job>('jobs');
  const current = await jobs.get(args.job, { namespace });
  if (isDeepStrictEqual(current.spec, record.spec.jobSpec)) {
    println(ctx.err, `job "${args.job}" already runs the spec of version ${wanted} (it is at version ${jobVersion(current)})`);
    return 1;
  }
  // A compare-and-swap on the copy just read: a change made meanwhile is a Conflict, never overwritten.
  const reverted = await jobs.update({ ...current, spec: record.spec.jobSpec });
  println(ctx.out, `job.drover.dev "${args.job}" reverted to the spec of version ${wanted}; it is now version ${jobVersion(reverted)}`);
  return 0;
}
