// The job diff: a structural, field-level comparison of the running job's spec with the planned one, in
// Nomad's shape (job → fields/objects → task groups → tasks, each Added/Deleted/Edited/None). Both specs are
// schema-defaulted, so defaults never show up as changes. Groups and tasks are matched by name; other lists of
// objects by their `name` or `label` when every element has a distinct one (services, ports), else as sets
// (constraints: a changed one is one Deleted and one Added element); lists of scalars by index (`args[1]`).
import type { JobSpec } from '../../../api/schemas/index.ts';
import { stableStringify } from '../../scheduler/fingerprint.ts';
import type { DiffType, FieldDiff, JobDiff, ObjectDiff, TaskDiff, TaskGroupDiff } from './types.ts';

type Json = unknown;
type Obj = Record<string, Json>;

const isObj = (v: Json): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isScalar = (v: Json) => v === null || (typeof v !== 'object' && v !== undefined);

/** Renders a scalar the way the diff reports it (strings as they are). */
function show(v: Json): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** The diff of two versions of a job spec; `contextual` keeps unchanged fields and objects (type None). */
export function jobDiff(name: string, old: JobSpec | undefined, next: JobSpec | undefined, contextual: boolean): JobDiff {
  const body = diffObject('job', without(old, 'groups'), without(next, 'groups'), contextual);
  const taskGroups = matchByName(groupsOf(old), groupsOf(next)).map(([o, n]) => groupDiff(o, n, contextual));
  const changed = body.type !== 'None' || taskGroups.some((g) => g.type !== 'None');
  return { type: old === undefined ? 'Added' : next === undefined ? 'Deleted' : changed ? 'Edited' : 'None', id: name, fields: body.fields, objects: body.objects, taskGroups };
}

function groupDiff(old: Obj | undefined, next: Obj | undefined, contextual: boolean): TaskGroupDiff {
  const name = String((next ?? old)!.name);
  const body = diffObject(name, without(old, 'tasks'), without(next, 'tasks'), contextual);
  const tasks = matchByName(listOf(old?.tasks), listOf(next?.tasks)).map(([o, n]): TaskDiff => ({ ...diffObject(String((n ?? o)!.name), o, n, contextual), annotations: [] }));
  // `name` identifies the group and task; it is never a change of its own.
  const dropName = (d: ObjectDiff) => ({ ...d, fields: d.fields.filter((f) => f.name !== 'name') });
  const type = old === undefined ? 'Added' : next === undefined ? 'Deleted' : body.type !== 'None' || tasks.some((t) => t.type !== 'None') ? 'Edited' : 'None';
  return { ...dropName(body), type, tasks: tasks.map((t) => ({ ...dropName(t), annotations: t.annotations })), updates: {} };
}

function groupsOf(spec: JobSpec | undefined): Obj[] {
  return listOf(spec?.groups as Json);
}

function listOf(v: Json): Obj[] {
  return Array.isArray(v) ? v.filter(isObj) : [];
}

function without(v: Json, key: string): Obj | undefined {
  if (!isObj(v)) return undefined;
  const { [key]: _dropped, ...rest } = v;
  return rest;
}

/** Pairs elements with equal `name`: the new list's order first, then what only the old list had. */
function matchByName(old: Obj[], next: Obj[]): Array<[Obj | undefined, Obj | undefined]> {
  const oldBy = new Map(old.map((o) => [String(o.name), o]));
  const out: Array<[Obj | undefined, Obj | undefined]> = next.map((n) => [oldBy.get(String(n.name)), n]);
  const seen = new Set(next.map((n) => String(n.name)));
  for (const o of old) if (!seen.has(String(o.name))) out.push([o, undefined]);
  return out;
}

/** The diff of two objects (either may be absent: Added or Deleted, with every field typed the same). */
export function diffObject(name: string, old: Obj | undefined, next: Obj | undefined, contextual: boolean): ObjectDiff {
  const fields: FieldDiff[] = [];
  const objects: ObjectDiff[] = [];
  const keys = [...new Set([...Object.keys(old ?? {}), ...Object.keys(next ?? {})])].sort();
  for (const key of keys) {
    const d = diffValue(key, old?.[key], next?.[key], contextual);
    fields.push(...d.fields);
    objects.push(...d.objects);
  }
  const changed = fields.some((f) => f.type !== 'None') || objects.some((o) => o.type !== 'None');
  const type: DiffType = old === undefined ? 'Added' : next === undefined ? 'Deleted' : changed ? 'Edited' : 'None';
  return { type, name, fields, objects };
}

/** The shape of a value, to tell a change of value from a change of kind. */
function shapeOf(v: Json): 'absent' | 'scalar' | 'list' | 'object' {
  return v === undefined ? 'absent' : Array.isArray(v) ? 'list' : isObj(v) ? 'object' : 'scalar';
}

/** The fields and objects one key contributes. */
function diffValue(key: string, old: Json, next: Json, contextual: boolean): { fields: FieldDiff[]; objects: ObjectDiff[] } {
  const [os, ns] = [shapeOf(old), shapeOf(next)];
  const out = { fields: [] as FieldDiff[], objects: [] as ObjectDiff[] };
  if (os === 'absent' && ns === 'absent') return out;
  // A value that changed shape (a scalar became an object...) is reported as the old one gone, the new one added.
  if (os !== 'absent' && ns !== 'absent' && os !== ns) {
    const [a, b] = [diffValue(key, old, undefined, contextual), diffValue(key, undefined, next, contextual)];
    return { fields: [...a.fields, ...b.fields], objects: [...a.objects, ...b.objects] };
  }
  const shape = os === 'absent' ? ns : os;
  if (shape === 'list') return diffList(key, (old as Json[] | undefined) ?? [], (next as Json[] | undefined) ?? [], contextual);
  if (shape === 'object') {
    const d = diffObject(key, old as Obj | undefined, next as Obj | undefined, contextual);
    if (d.type !== 'None' || contextual) out.objects.push(d);
    return out;
  }
  const f = fieldDiff(key, old, next);
  if (f.type !== 'None' || contextual) out.fields.push(f);
  return out;
}

function fieldDiff(name: string, old: Json, next: Json): FieldDiff {
  const f: FieldDiff = { type: old === undefined ? 'Added' : next === undefined ? 'Deleted' : show(old) === show(next) ? 'None' : 'Edited', name };
  if (old !== undefined) f.old = show(old);
  if (next !== undefined) f.new = show(next);
  return f;
}

/** The key that identifies elements of both lists (`name` or `label`): every element has a distinct one. */
function listKey(old: Json[], next: Json[]): string | undefined {
  const distinct = (items: Json[], k: string) => {
    const ids = items.map((i) => (isObj(i) && typeof i[k] === 'string' ? i[k] : undefined));
    return ids.every((id) => id !== undefined) && new Set(ids).size === ids.length;
  };
  return ['name', 'label'].find((k) => distinct(old, k) && distinct(next, k));
}

function diffList(key: string, old: Json[], next: Json[], contextual: boolean) {
  const out = { fields: [] as FieldDiff[], objects: [] as ObjectDiff[] };
  if (old.every(isScalar) && next.every(isScalar)) {
    for (let i = 0; i < Math.max(old.length, next.length); i++) out.fields.push(...diffValue(`${key}[${i}]`, old[i], next[i], contextual).fields);
    return out;
  }
  const byKey = listKey(old, next);
  if (byKey !== undefined) {
    const oldBy = new Map(old.map((o) => [String((o as Obj)[byKey]), o]));
    const nextBy = new Map(next.map((n) => [String((n as Obj)[byKey]), n]));
    for (const id of new Set([...nextBy.keys(), ...oldBy.keys()])) {
      const d = diffValue(`${key}[${id}]`, oldBy.get(id), nextBy.get(id), contextual);
      out.fields.push(...d.fields);
      out.objects.push(...d.objects);
    }
    return out;
  }
  // No keys: a set. Equal elements are unchanged; the rest are removed or added whole.
  const remaining = new Map<string, number>();
  for (const n of next) remaining.set(stableStringify(n), (remaining.get(stableStringify(n)) ?? 0) + 1);
  const added = [...next];
  for (const o of old) {
    const s = stableStringify(o);
    const left = remaining.get(s) ?? 0;
    if (left > 0) {
      remaining.set(s, left - 1);
      added.splice(added.findIndex((n) => stableStringify(n) === s), 1);
      if (contextual) out.objects.push(...asElement(key, o, o, contextual));
    } else out.objects.push(...asElement(key, o, undefined, contextual));
  }
  for (const n of added) out.objects.push(...asElement(key, undefined, n, contextual));
  return out;
}

/** One element of a keyless list, as an object named after the list (a scalar element becomes `{value}`). */
function asElement(key: string, old: Json, next: Json, contextual: boolean): ObjectDiff[] {
  const wrap = (v: Json): Obj | undefined => (v === undefined ? undefined : isObj(v) ? v : { value: v });
  return [diffObject(key, wrap(old), wrap(next), contextual)];
}
