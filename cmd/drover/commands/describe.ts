// `drover describe KIND NAME`: a human-readable dump of an object (metadata, spec, status) and, when the
// Event kind exists, the events about it — the shape of kubectl's generic describer.
import type { Event } from '../../../api/schemas/index.ts';
import type { ApiObject, KindInfo } from '../../../api/schemas/kind.ts';
import { findKind } from '../../../pkg/client/kinds.ts';
import { age, formatTable } from '../table.ts';
import { kindArg, type CommandContext } from '../context.ts';
import { describeError, UsageError } from '../errors.ts';
import { println } from '../io.ts';
import { describeEvaluation } from './describe-eval.ts';
import { describeSecret } from './describe-secret.ts';

/** Kinds with a describer of their own (the rest get the generic dump). */
const KIND_DESCRIBERS: Record<string, (obj: ApiObject, now: number) => string> = {
  Evaluation: describeEvaluation,
  Secret: (obj, now) => describeSecret(obj, now, describeObject),
};

/** Arguments of `drover describe`. */
export interface DescribeArgs {
  kind: string;
  names: string[];
  namespace?: string;
}

/** Run `describe`; returns the exit code. */
export async function describe(ctx: CommandContext, args: DescribeArgs): Promise<number> {
  const kind = kindArg(args.kind);
  if (args.names.length === 0) throw new UsageError(`you must name the ${kind.singular} to describe`);
  const namespace = kind.namespaced ? (args.namespace ?? ctx.namespace) : undefined;
  let failed = false;
  for (const [i, name] of args.names.entries()) {
    try {
      const obj = await ctx.client.resource(kind).get(name, { namespace });
      if (i > 0) println(ctx.out);
      ctx.out((KIND_DESCRIBERS[kind.kind] ?? describeObject)(obj, ctx.now()));
      ctx.out(await eventsSection(ctx, kind, obj));
    } catch (err) {
      println(ctx.err, describeError(err));
      failed = true;
    }
  }
  return failed ? 1 : 0;
}

/** The key/value text for `obj` (without events). */
export function describeObject(obj: ApiObject, now: number): string {
  const m = obj.metadata;
  const lines: string[] = [];
  const head: Array<[string, string]> = [['Name:', m.name]];
  if (m.namespace) head.push(['Namespace:', m.namespace]);
  head.push(['Labels:', pairs(m.labels)], ['Annotations:', pairs(m.annotations)], ['API Version:', obj.apiVersion], ['Kind:', obj.kind]);
  lines.push(...alignPairs(head, ''));
  const { name: _n, namespace: _ns, labels: _l, annotations: _a, managedFields: _mf, ...restMeta } = m;
  if (m.creationTimestamp) (restMeta as Record<string, unknown>).creationTimestamp = `${m.creationTimestamp} (${age(m.creationTimestamp, now)} ago)`;
  lines.push('Metadata:', ...dump(restMeta, '  '));
  for (const section of ['spec', 'status'] as const) {
    const value = obj[section];
    if (value === undefined) continue;
    lines.push(`${title(section)}:`, ...dump(value, '  '));
  }
  return lines.join('\n') + '\n';
}

// Labels/annotations one per line, continued under the value column as kubectl prints them.
function pairs(map: Record<string, string> | undefined): string {
  const entries = Object.entries(map ?? {});
  if (entries.length === 0) return '<none>';
  return entries.map(([k, v]) => `${k}=${v}`).join('\n' + ' '.repeat(14));
}

function alignPairs(pairs: Array<[string, string]>, indent: string): string[] {
  const width = Math.max(...pairs.map(([k]) => k.length)) + 2;
  return pairs.map(([k, v]) => `${indent}${k.padEnd(width)}${v}`.trimEnd());
}

/** Lines for any JSON value: scalars aligned within a mapping, nested mappings indented, list items marked `-`. */
function dump(value: unknown, indent: string): string[] {
  if (Array.isArray(value)) {
    if (value.length === 0) return [`${indent}<none>`];
    return value.flatMap((item) => {
      const inner = isObject(item) ? dump(item, indent + '  ') : [`${indent}  ${scalar(item)}`];
      inner[0] = `${indent}- ${inner[0]!.slice(indent.length + 2)}`;
      return inner;
    });
  }
  if (!isObject(value)) return [`${indent}${scalar(value)}`];
  const entries = Object.entries(value);
  if (entries.length === 0) return [`${indent}<none>`];
  const scalars = entries.filter(([, v]) => !isObject(v) && !Array.isArray(v));
  const width = Math.max(0, ...scalars.map(([k]) => title(k).length + 1)) + 2;
  const lines: string[] = [];
  for (const [k, v] of entries) {
    if (isObject(v) || Array.isArray(v)) lines.push(`${indent}${title(k)}:`, ...dump(v, indent + '  '));
    else lines.push(`${indent}${(title(k) + ':').padEnd(width)}${scalar(v)}`);
  }
  return lines;
}

const ACRONYMS: Record<string, string> = { uid: 'UID', id: 'ID', api: 'API', ip: 'IP', url: 'URL', cpu: 'CPU', mb: 'MB', dns: 'DNS' };

/** `creationTimestamp` → `Creation Timestamp`, `memoryMB` → `Memory MB`, `uid` → `UID`. */
export function title(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[ _]+/)
    .map((w) => ACRONYMS[w.toLowerCase()] ?? w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const scalar = (v: unknown) => (v === null || v === undefined ? '<none>' : typeof v === 'string' ? v : String(v));

// Events are optional: a registry without an Event kind (or a server refusing the list) just has no section.
async function eventsSection(ctx: CommandContext, kind: KindInfo, obj: ApiObject): Promise<string> {
  const eventKind = findKind('Event');
  if (!eventKind) return '';
  let events: Event[];
  try {
    const list = await ctx.client.resource<Event & ApiObject>(eventKind).listAll({ namespace: obj.metadata.namespace });
    events = list.items.filter((e) => isAbout(e, kind, obj));
  } catch {
    return '';
  }
  if (events.length === 0) return 'Events:  <none>\n';
  const when = (e: Event) => e.lastTimestamp ?? e.firstTimestamp ?? e.metadata.creationTimestamp ?? '';
  const rows = events
    .sort((a, b) => when(a).localeCompare(when(b)))
    .map((e) => {
      const ago = age(when(e), ctx.now());
      return [e.type ?? 'Normal', e.reason ?? '', (e.count ?? 1) > 1 ? `${ago} (x${e.count})` : ago, e.source?.component ?? '', e.message ?? ''];
    });
  const table = formatTable([['Type', 'Reason', 'Age', 'From', 'Message'], ['----', '------', '----', '----', '-------'], ...rows]);
  return 'Events:\n' + table.map((l) => `  ${l}`).join('\n') + '\n';
}

// Events name their object by uid when the reporter knew it, else by kind and name.
function isAbout(event: Event, kind: KindInfo, obj: ApiObject): boolean {
  const ref = event.involvedObject;
  if (ref.uid && obj.metadata.uid) return ref.uid === obj.metadata.uid;
  return ref.kind === kind.kind && ref.name === obj.metadata.name && (ref.namespace ?? obj.metadata.namespace) === obj.metadata.namespace;
}
