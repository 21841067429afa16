// `drover node drain NODE` and `drover node eligibility NODE`: operator intent on a Node, written as merge
// patches of its spec (the drain controller and the scheduler act on it). Nodes are listed with `drover get nodes`.
import type { Node } from '../../../api/schemas/index.ts';
import { parseDuration } from '../../../api/schemas/duration.ts';
import { rfc3339 } from '../../../api/schemas/timestamp.ts';
import type { CommandContext } from '../context.ts';
import { describeError, UsageError } from '../errors.ts';
import { println } from '../io.ts';

/** Nomad's default drain deadline. */
export const DEFAULT_DRAIN_DEADLINE = '1h';

/** Arguments of `drover node drain`. */
export interface NodeDrainArgs {
  node: string;
  /** Time allowed for migrations before everything left is moved at once (default 1h). */
  deadline?: string;
  /** No deadline: migrate only under the jobs' migrate policies, however long it takes. */
  noDeadline?: boolean;
  /** Deadline now: move everything at once. */
  force?: boolean;
  /** Leave system jobs' allocations running. */
  ignoreSystem?: boolean;
  /** Cancel the drain instead of starting one. */
  disable?: boolean;
  /** With disable: leave the node ineligible. */
  keepIneligible?: boolean;
}

/** Arguments of `drover node eligibility`. */
export interface NodeEligibilityArgs {
  node: string;
  enable?: boolean;
  disable?: boolean;
}

const ref = (name: string) => `node.drover.dev "${name}"`;

/** Run `node drain`; returns the exit code. */
export async function nodeDrain(ctx: CommandContext, args: NodeDrainArgs): Promise<number> {
  const patch = args.disable ? disablePatch(args) : drainPatch(args, ctx.now());
  const node = await patchNode(ctx, args.node, patch);
  if (!node) return 1;
  if (args.disable) {
    println(ctx.out, `${ref(args.node)} drain disabled (${node.spec?.eligibility === 'ineligible' ? 'still ineligible' : 'eligible'})`);
    return 0;
  }
  const drain = node.spec?.drain;
  const deadline = drain?.deadline === undefined ? 'no deadline' : drain.deadline === '0' ? 'forced' : `deadline ${drain.deadline}`;
  println(ctx.out, `${ref(args.node)} draining (${deadline}; system jobs ${drain?.ignoreSystemJobs ? 'ignored' : 'last'}); the node is ineligible`);
  return 0;
}

/** Run `node eligibility`; returns the exit code. */
export async function nodeEligibility(ctx: CommandContext, args: NodeEligibilityArgs): Promise<number> {
  if (args.enable === args.disable) throw new UsageError('exactly one of --enable or --disable is required');
  const eligibility = args.enable ? 'eligible' : 'ineligible';
  const node = await patchNode(ctx, args.node, { spec: { eligibility } });
  if (!node) return 1;
  println(ctx.out, `${ref(args.node)} eligibility set to ${eligibility}`);
  return 0;
}

function drainPatch(args: NodeDrainArgs, now: number): unknown {
  const chosen = [args.deadline !== undefined, !!args.noDeadline, !!args.force].filter(Boolean).length;
  if (chosen > 1) throw new UsageError('--deadline, --no-deadline and --force exclude each other');
  if (args.keepIneligible) throw new UsageError('--keep-ineligible only goes with --disable');
  const deadline = args.force ? '0' : args.noDeadline ? null : (args.deadline ?? DEFAULT_DRAIN_DEADLINE);
  if (deadline !== null) {
    try {
      parseDuration(deadline);
    } catch {
      throw new UsageError(`invalid deadline "${deadline}": use a duration such as 30m, 1h or 2h30m`);
    }
  }
  // A merge patch: null removes an earlier drain's deadline; a drain started again counts from now.
  const drain = { deadline, ignoreSystemJobs: !!args.ignoreSystem, startedAt: rfc3339(now) };
  return { spec: { eligibility: 'ineligible', drain } };
}

function disablePatch(args: NodeDrainArgs): unknown {
  if (args.deadline !== undefined || args.noDeadline || args.force || args.ignoreSystem) {
    throw new UsageError('--disable cancels a drain; it takes no drain options besides --keep-ineligible');
  }
  return { spec: { drain: null, ...(args.keepIneligible ? {} : { eligibility: 'eligible' }) } };
}

/** Merge-patch the node; prints the server's error and returns undefined when it refuses. */
async function patchNode(ctx: CommandContext, name: string, patch: unknown): Promise<Node | undefined> {
  try {
    return await ctx.client.resource<Node>('nodes').patch(name, patch, 'merge', { fieldManager: 'drover' });
  } catch (err) {
    println(ctx.err, describeError(err));
    return undefined;
  }
}
