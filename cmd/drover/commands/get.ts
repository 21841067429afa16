// `drover get KIND [NAME...]`: list or fetch objects and print them as a table, yaml, json or names; `-w`
// keeps watching and prints each change.
import type { ApiObject, KindInfo } from '../../../api/schemas/kind.ts';
import { kindArg, type CommandContext } from '../context.ts';
import { describeError, UsageError } from '../errors.ts';
import { println } from '../io.ts';
import { formatObjects, nameOf, toJson, toYaml, withoutManagedFields, type OutputFormat } from '../output.ts';
import { columnWidths, formatRow, tableHeader, tableRow, type TableSpec } from '../table.ts';

/** Arguments of `drover get`. */
export interface GetArgs {
  kind: string;
  names: string[];
  namespace?: string;
  allNamespaces?: boolean;
  labelSelector?: string;
  fieldSelector?: string;
  output?: OutputFormat;
  watch?: boolean;
  watchOnly?: boolean;
}

/** Run `get`; returns the exit code. */
export async function get(ctx: CommandContext, args: GetArgs): Promise<number> {
  const kind = kindArg(args.kind);
  if (args.allNamespaces && args.names.length > 0) throw new UsageError('a resource cannot be retrieved by name across all namespaces');
  const namespace = !kind.namespaced || args.allNamespaces ? undefined : (args.namespace ?? ctx.namespace);
  const format = args.output ?? 'table';
  const rc = ctx.client.resource(kind);

  const { objects, resourceVersion, failed } = await fetchObjects(ctx, kind, namespace, args);
  const spec: TableSpec = { kind, withNamespace: kind.namespaced && !!args.allNamespaces, wide: format === 'wide', now: ctx.now() };
  const printer = watchPrinter(ctx, kind, format, spec, objects, !args.watchOnly && objects.length > 0);
  if (!args.watchOnly) printInitial(ctx, kind, format, spec, objects, args, namespace);
  if (!(args.watch || args.watchOnly)) return failed ? 1 : 0;

  // Watch from the list's revision so no change between the list and the watch is missed.
  const fieldSelector = args.names.length === 1 ? joinSelectors(`metadata.name=${args.names[0]}`, args.fieldSelector) : args.fieldSelector;
  const wanted = args.names.length > 1 ? new Set(args.names) : undefined;
  let rv = resourceVersion;
  while (!ctx.signal.aborted) {
    const handle = rc.watch({ namespace, resourceVersion: rv, labelSelector: args.labelSelector, fieldSelector, allowWatchBookmarks: true }, (ev) => {
      rv = ev.object.metadata.resourceVersion ?? rv;
      if (ev.type !== 'BOOKMARK' && (!wanted || wanted.has(ev.object.metadata.name))) printer(ev.object);
    });
    const stop = () => handle.cancel();
    ctx.signal.addEventListener('abort', stop, { once: true });
    try {
      await handle.done;
    } catch (err) {
      ctx.err(describeError(err) + '\n');
      return 1;
    } finally {
      ctx.signal.removeEventListener('abort', stop);
    }
  }
  return failed ? 1 : 0;
}

async function fetchObjects(ctx: CommandContext, kind: KindInfo, namespace: string | undefined, args: GetArgs) {
  const rc = ctx.client.resource(kind);
  if (args.names.length === 0) {
    const list = await rc.listAll({ namespace, labelSelector: args.labelSelector, fieldSelector: args.fieldSelector });
    return { objects: list.items, resourceVersion: list.metadata.resourceVersion, failed: false };
  }
  const objects: ApiObject[] = [];
  let failed = false;
  for (const name of args.names) {
    try {
      objects.push(await rc.get(name, { namespace }));
    } catch (err) {
      // kubectl prints what it found and reports each missing name; the exit code says something failed.
      ctx.err(describeError(err) + '\n');
      failed = true;
    }
  }
  // A watch after named gets starts from "now": the newest object version seen.
  const resourceVersion = objects.map((o) => o.metadata.resourceVersion ?? '0').sort((a, b) => Number(b) - Number(a))[0] ?? '0';
  return { objects, resourceVersion, failed };
}

function printInitial(ctx: CommandContext, kind: KindInfo, format: OutputFormat, spec: TableSpec, objects: ApiObject[], args: GetArgs, namespace?: string) {
  if (format === 'table' || format === 'wide') {
    if (objects.length === 0) {
      if (args.names.length === 0) println(ctx.err, namespace ? `No resources found in ${namespace} namespace.` : 'No resources found');
      return;
    }
    const rows = [tableHeader(spec), ...objects.map((o) => tableRow(spec, o))];
    const widths = columnWidths(rows);
    for (const r of rows) println(ctx.out, formatRow(r, widths));
    return;
  }
  if (objects.length === 0 && args.names.length > 0) return;
  ctx.out(formatObjects(kind, objects, format, args.names.length === 1));
}

// Rows printed while watching keep the initial table's column widths (later values may overflow them).
function watchPrinter(ctx: CommandContext, kind: KindInfo, format: OutputFormat, spec: TableSpec, initial: ApiObject[], headerPrinted: boolean) {
  if (format === 'table' || format === 'wide') {
    const widths = columnWidths([tableHeader(spec), ...initial.map((o) => tableRow(spec, o))]);
    let headerShown = headerPrinted;
    return (obj: ApiObject) => {
      const now = { ...spec, now: ctx.now() };
      if (!headerShown) {
        println(ctx.out, formatRow(tableHeader(now), widths));
        headerShown = true;
      }
      println(ctx.out, formatRow(tableRow(now, obj), widths));
    };
  }
  if (format === 'name') return (obj: ApiObject) => println(ctx.out, nameOf(kind, obj));
  if (typeof format === 'object') return (obj: ApiObject) => ctx.out(format.jsonpath.render(obj));
  if (format === 'json') return (obj: ApiObject) => ctx.out(toJson(withoutManagedFields(obj)));
  return (obj: ApiObject) => ctx.out('---\n' + toYaml(withoutManagedFields(obj)));
}

function joinSelectors(a: string, b?: string): string {
  return b ? `${a},${b}` : a;
}
