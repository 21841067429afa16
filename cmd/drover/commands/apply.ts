// `drover apply -f FILE|DIR|-`: server-side apply of every object in the manifests as field manager `drover`.
// Each object prints `job.drover.dev/web created|configured|unchanged`; one failure does not stop the rest.
import { apiVersionOf, type ApiObject } from '../../../api/schemas/kind.ts';
import { isNotFound } from '../../../pkg/apierrors/status.ts';
import { findKind } from '../../../pkg/client/kinds.ts';
import { kindRef, type CommandContext } from '../context.ts';
import { describeError } from '../errors.ts';
import { println } from '../io.ts';
import { type FormatOptions, readManifests, type Manifest } from '../manifests.ts';

/** The field manager the CLI applies as (kubectl uses `kubectl`). */
export const FIELD_MANAGER = 'drover';

/** Arguments of `drover apply`. */
export interface ApplyArgs extends FormatOptions {
  files: string[];
  recursive?: boolean;
  /** Server dry run: the server validates and admits but stores nothing. */
  dryRun?: boolean;
  /** Take over fields other managers own instead of failing with a conflict. */
  forceConflicts?: boolean;
  /** `-n`: namespace for objects that do not name one. */
  namespace?: string;
  readStdin(): Promise<string>;
}

/** Run `apply`; returns the exit code. */
export async function apply(ctx: CommandContext, args: ApplyArgs): Promise<number> {
  const manifests = await readManifests(args.files, { recursive: !!args.recursive, readStdin: args.readStdin, format: args.format, variables: args.variables });
  if (manifests.length === 0) {
    println(ctx.err, 'error: no objects passed to apply');
    return 1;
  }
  let failed = false;
  for (const m of manifests) {
    try {
      println(ctx.out, await applyOne(ctx, m, args));
    } catch (err) {
      println(ctx.err, describeError(err));
      failed = true;
    }
  }
  return failed ? 1 : 0;
}

async function applyOne(ctx: CommandContext, m: Manifest, args: ApplyArgs): Promise<string> {
  const obj = m.object;
  const kind = findKind(obj.kind);
  if (!kind || kind.kind !== obj.kind) throw new Error(`${m.source}: no kind "${obj.kind}" is registered in version "${obj.apiVersion}"`);
  // Core kinds (ConfigMap, Secret...) are apiVersion v1, the rest drover.dev/v1.
  const want = apiVersionOf(kind);
  if (obj.apiVersion !== want) throw new Error(`${m.source}: ${obj.kind} "${obj.metadata.name}": unsupported apiVersion "${obj.apiVersion}" (want ${want})`);
  const namespace = kind.namespaced ? (obj.metadata.namespace ?? args.namespace ?? ctx.namespace) : undefined;
  const target: ApiObject = { ...obj, metadata: { ...obj.metadata, ...(namespace ? { namespace } : {}) } };
  const rc = ctx.client.resource(kind);
  // Read first: "created" and "unchanged" are only knowable against what was there before.
  let before: ApiObject | undefined;
  try {
    before = await rc.get(obj.metadata.name, { namespace });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  const after = await rc.apply(target, { fieldManager: FIELD_MANAGER, force: args.forceConflicts, dryRun: args.dryRun });
  const verb = !before ? 'created' : before.metadata.resourceVersion === after.metadata.resourceVersion ? 'unchanged' : 'configured';
  return `${kindRef(kind)}/${obj.metadata.name} ${verb}${args.dryRun ? ' (server dry run)' : ''}`;
}
