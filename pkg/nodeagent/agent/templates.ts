// A task's templates (Nomad's `template` block): rendered with pkg/gotemplate into the task directory before
// the task starts, and again whenever a ConfigMap or Secret one of them read changes. Rendering is level-based:
// the new text is compared with the file on disk, so a re-render that changes nothing does nothing, and a
// restarted agent that re-arms the watches acts only on what really changed while it was away.
import { chmod, chown, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ConfigMap, Secret, Task } from '../../../api/schemas/index.ts';
import { parseDuration } from '../../../api/schemas/index.ts';
import { Template, type TemplateFunc } from '../../gotemplate/index.ts';
import type { TaskDir } from './alloc-dir.ts';
import { insideTaskDir } from './task-paths.ts';
import { TaskInputError } from './input-error.ts';
import type { InputKind, InputReader, InputRef } from './input-source.ts';
import { interpolate, nodeVariables, type NodeFacts } from './interpolate.ts';

type TemplateSpec = NonNullable<Task['templates']>[number];

/** What templates are rendered with. */
export interface TemplateContext {
  namespace: string;
  dir: TaskDir;
  /** The task's environment (NOMAD_*, DROVER_*, the task's own). */
  env: Record<string, string>;
  /** Job, group and task meta merged. */
  meta: Record<string, string>;
  node: NodeFacts;
  inputs: InputReader;
  /** Dot: `.Alloc`, `.Job`, `.Task`... (see templateData). */
  data: Record<string, unknown>;
}

/** One rendered template. */
export interface Rendered {
  spec: TemplateSpec;
  /** `templates[i]` and its destination, as events name it. */
  label: string;
  path: string;
  content: string;
  /** The file on disk had other content (or none) before this render. */
  changed: boolean;
}

/** The outcome of rendering all of a task's templates. */
export interface RenderResult {
  rendered: Rendered[];
  /** Variables from templates with envFile: true. */
  env: Record<string, string>;
  /** Every ConfigMap and Secret read (to watch). */
  refs: InputRef[];
}

/** Thrown by a function reading a kind whose informer has not listed yet: list it, then render again. */
class Pending extends Error {
  constructor(readonly kind: InputKind) {
    super(`${kind} are not listed yet`);
  }
}

const MAX_SYNC_ROUNDS = 4;

/** Render every template and write those whose content changed; throws TaskInputError. */
export async function renderTemplates(task: Task, ctx: TemplateContext): Promise<RenderResult> {
  const rendered: Rendered[] = [];
  const refs = new Map<string, InputRef>();
  const env: Record<string, string> = {};
  for (const [i, spec] of (task.templates ?? []).entries()) {
    const destination = interpolate(spec.destination, ctx.env, ctx.node);
    const label = `templates[${i}] (${destination})`;
    const path = insideTaskDir(ctx.dir, destination, `${label}: destination`, (m) => new TaskInputError('Template Failure', m, false));
    const source = spec.data ?? (await readSource(ctx, spec, label));
    const content = await renderOne(spec, destination, source, ctx, refs, label);
    const changed = (await readFile(path, 'utf8').catch(() => undefined)) !== content;
    if (changed) await writeAtomic(path, content, perms(spec));
    else await chmod(path, perms(spec));
    if (spec.envFile) Object.assign(env, parseEnvFile(content));
    rendered.push({ spec, label, path, content, changed });
  }
  return { rendered, env, refs: [...refs.values()] };
}

/** The largest splay of `rendered` templates that changed, in ms. */
export function splayOf(rendered: Rendered[]): number {
  return Math.max(0, ...rendered.filter((r) => r.changed).map((r) => (r.spec.splay ? parseDuration(r.spec.splay) : 0)));
}

/** What a re-render asks of the running task: Nomad's precedence, restart over signal over noop. */
export function changeAction(rendered: Rendered[]): { action: 'restart' } | { action: 'signal'; signals: string[] } | { action: 'none' } {
  const changed = rendered.filter((r) => r.changed);
  if (changed.some((r) => (r.spec.changeMode ?? 'restart') === 'restart')) return { action: 'restart' };
  const signals = [...new Set(changed.filter((r) => r.spec.changeMode === 'signal').map((r) => r.spec.changeSignal ?? 'SIGHUP'))];
  return signals.length ? { action: 'signal', signals } : { action: 'none' };
}

/** Dot of a template: the task's facts under Go-style names. */
export function templateData(f: { allocId: string; allocName: string; index: number; job: string; group: string; task: string; namespace: string; env: Record<string, string>; meta: Record<string, string>; node: NodeFacts }): Record<string, unknown> {
  return {
    Alloc: { ID: f.allocId, Name: f.allocName, Index: f.index },
    Job: f.job, Group: f.group, Task: f.task, Namespace: f.namespace,
    Env: f.env, Meta: f.meta,
    Node: { ID: f.node.id, Name: f.node.name, Datacenter: f.node.datacenter, Class: f.node.nodeClass, Attributes: f.node.attributes, Meta: f.node.meta },
  };
}

async function readSource(ctx: TemplateContext, spec: TemplateSpec, label: string): Promise<string> {
  const src = interpolate(spec.source!, ctx.env, ctx.node);
  const path = insideTaskDir(ctx.dir, src, `${label}: source`, (m) => new TaskInputError('Template Failure', m, false));
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    // An artifact may not have delivered it: retry through the restart policy.
    throw new TaskInputError('Template Failure', `${label}: reading source "${src}" failed: ${(err as Error).message}`, true);
  }
}

async function renderOne(spec: TemplateSpec, name: string, source: string, ctx: TemplateContext, refs: Map<string, InputRef>, label: string): Promise<string> {
  let tpl: Template;
  try {
    tpl = Template.parse(name, source, { funcs: functions(ctx, refs), leftDelim: spec.leftDelimiter, rightDelim: spec.rightDelimiter });
  } catch (err) {
    throw new TaskInputError('Template Failure', `${label}: ${(err as Error).message}`, false);
  }
  // Functions read the informer caches synchronously; a kind not listed yet is listed, then the render is redone.
  for (let round = 0; ; round++) {
    try {
      return tpl.execute(ctx.data);
    } catch (err) {
      const cause = (err as { cause?: unknown }).cause;
      if (cause instanceof Pending && round < MAX_SYNC_ROUNDS) {
        await ctx.inputs.ready(cause.kind, ctx.namespace);
        continue;
      }
      throw new TaskInputError('Template Failure', `${label}: ${(err as Error).message}`, true);
    }
  }
}

// Nomad's template functions that make sense here: env (with node attributes), key/keyOrDefault on ConfigMaps
// (`<configmap>/<key>`, Consul KV's place), secret/secretOrDefault on Secrets, meta, attr, configMap.
function functions(ctx: TemplateContext, refs: Map<string, InputRef>): Record<string, TemplateFunc> {
  const vars = { ...nodeVariables(ctx.node), ...ctx.env };
  const read = <T extends ConfigMap | Secret>(kind: InputKind, name: string): T | undefined => {
    const ref = { kind, namespace: ctx.namespace, name };
    refs.set(`${kind}/${name}`, ref);
    const v = ctx.inputs.peek(ref);
    if (v === 'pending') throw new Pending(kind);
    return v as T | undefined;
  };
  const split = (fn: string, path: unknown): [string, string] => {
    const parts = String(path).split('/');
    if (parts.length !== 2 || !parts[0] || !parts[1]) throw new Error(`${fn}: want "<name>/<key>", got ${JSON.stringify(path)}`);
    return [parts[0], parts[1]];
  };
  const cmValue = (fn: string, path: unknown): string | undefined => {
    const [name, key] = split(fn, path);
    const cm = read<ConfigMap>('configmaps', name);
    const v = cm?.data?.[key] ?? (cm?.binaryData?.[key] !== undefined ? Buffer.from(cm.binaryData[key]!, 'base64').toString('utf8') : undefined);
    return v;
  };
  const secretValue = (fn: string, path: unknown): string | undefined => {
    const [name, key] = split(fn, path);
    const s = read<Secret>('secrets', name);
    const b64 = s?.data?.[key];
    return b64 === undefined ? undefined : Buffer.from(b64, 'base64').toString('utf8');
  };
  const need = (what: string, v: string | undefined): string => {
    if (v === undefined) throw new Error(`${what} does not exist`);
    return v;
  };
  return {
    env: (name) => vars[String(name)] ?? '',
    meta: (k) => ctx.meta[String(k)] ?? '',
    attr: (k) => ctx.node.attributes[String(k)] ?? '',
    key: (path) => need(`ConfigMap key ${JSON.stringify(path)}`, cmValue('key', path)),
    keyOrDefault: (path, def) => cmValue('keyOrDefault', path) ?? def,
    configMap: (name) => read<ConfigMap>('configmaps', String(name))?.data ?? {},
    secret: (path) => need(`Secret key ${JSON.stringify(path)}`, secretValue('secret', path)),
    secretOrDefault: (path, def) => secretValue('secretOrDefault', path) ?? def,
  };
}

function perms(spec: TemplateSpec): number {
  return parseInt(spec.perms ?? '0644', 8);
}

// The file takes the owner of its directory: under the exec driver the task user owns its directories once it
// has started, so a re-render (signal, noop) stays readable by the task, even with perms 0600.
async function writeAtomic(path: string, content: string, mode: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.drover-tmp`;
  await writeFile(tmp, content, { mode });
  await chmod(tmp, mode);
  const owner = await stat(dirname(path));
  const self = await stat(tmp);
  if (owner.uid !== self.uid || owner.gid !== self.gid) await chown(tmp, owner.uid, owner.gid).catch(() => {});
  await rename(tmp, path);
}

/** KEY=value lines (blank lines and # comments skipped; values may be quoted), as Nomad reads an env template. */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).replace(/^export\s+/, '').trim();
    let value = line.slice(eq + 1).trim();
    if (value.length >= 2 && ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'")))) value = value.slice(1, -1);
    out[key] = value;
  }
  return out;
}
