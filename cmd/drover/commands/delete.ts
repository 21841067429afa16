// `drover delete KIND NAME...` or `drover delete -f FILE`: delete objects, printing `job.drover.dev "web" deleted`.
import type { KindInfo } from '../../../api/schemas/kind.ts';
import { isNotFound } from '../../../pkg/apierrors/status.ts';
import { findKind } from '../../../pkg/client/kinds.ts';
import { kindArg, kindRef, type CommandContext } from '../context.ts';
import { describeError, UsageError } from '../errors.ts';
import { println } from '../io.ts';
import { readManifests } from '../manifests.ts';

/** Arguments of `drover delete`. */
export interface DeleteArgs {
  /** KIND followed by names (empty with `files`). */
  args: string[];
  files?: string[];
  recursive?: boolean;
  namespace?: string;
  ignoreNotFound?: boolean;
  dryRun?: boolean;
  readStdin(): Promise<string>;
}

interface Target {
  kind: KindInfo;
  name: string;
  namespace?: string;
}

/** Run `delete`; returns the exit code. */
export async function del(ctx: CommandContext, args: DeleteArgs): Promise<number> {
  const targets = await targetsOf(ctx, args);
  let failed = false;
  for (const t of targets) {
    try {
      await ctx.client.resource(t.kind).delete(t.name, { namespace: t.namespace, dryRun: args.dryRun });
      println(ctx.out, `${kindRef(t.kind)} "${t.name}" deleted${args.dryRun ? ' (server dry run)' : ''}`);
    } catch (err) {
      if (args.ignoreNotFound && isNotFound(err)) continue;
      println(ctx.err, describeError(err));
      failed = true;
    }
  }
  return failed ? 1 : 0;
}

async function targetsOf(ctx: CommandContext, args: DeleteArgs): Promise<Target[]> {
  const ns = (kind: KindInfo, own?: string) => (kind.namespaced ? (own ?? args.namespace ?? ctx.namespace) : undefined);
  if (args.files && args.files.length > 0) {
    if (args.args.length > 0) throw new UsageError('names cannot be given together with -f');
    const manifests = await readManifests(args.files, { recursive: !!args.recursive, readStdin: args.readStdin });
    return manifests.map(({ object, source }) => {
      const kind = findKind(object.kind);
      if (!kind) throw new UsageError(`${source}: no kind "${object.kind}" is registered`);
      return { kind, name: object.metadata.name, namespace: ns(kind, object.metadata.namespace) };
    });
  }
  const [kindName, ...names] = args.args;
  if (!kindName) throw new UsageError('you must provide a KIND and one or more NAMEs, or -f FILE');
  const kind = kindArg(kindName);
  if (names.length === 0) throw new UsageError(`you must name the ${kind.plural} to delete`);
  return names.map((name) => ({ kind, name, namespace: ns(kind) }));
}
