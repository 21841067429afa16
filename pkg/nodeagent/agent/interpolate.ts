// Nomad's runtime interpolation in task fields: `${NOMAD_ALLOC_ID}` (any variable of the task environment),
// `${attr.kernel.name}`, `${meta.rack}` (node meta), `${node.unique.name}`, `${node.datacenter}`,
// `${node.class}` — resolved with the scheduler's own rules for node targets (resolveTarget). As in Nomad, a
// reference that resolves to nothing is left as written, so a shell's own `${VAR}` passes through.
import { resolveTarget, type TargetNode } from '../../scheduler/attributes.ts';

/** The node as interpolation sees it. */
export type NodeFacts = TargetNode;

const REF = /\$\{([^{}]+)\}/g;

/** `text` with every resolvable `${...}` replaced. */
export function interpolate(text: string, env: Record<string, string>, node?: NodeFacts): string {
  if (!text.includes('${')) return text;
  return text.replace(REF, (whole, name: string) => {
    const key = name.trim();
    if (Object.prototype.hasOwnProperty.call(env, key)) return env[key]!;
    if (node && /^(attr|meta|node)\./.test(key)) {
      const r = resolveTarget(`\${${key}}`, node);
      if (r.found) return r.value;
    }
    return whole;
  });
}

/** Every string inside `value` (driver config: command, args, image, ...) interpolated; other values kept. */
export function interpolateDeep<T>(value: T, env: Record<string, string>, node?: NodeFacts): T {
  if (typeof value === 'string') return interpolate(value, env, node) as T;
  if (Array.isArray(value)) return value.map((v) => interpolateDeep(v, env, node)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateDeep(v, env, node)])) as T;
  }
  return value;
}

/** The variables a template's `env` function sees: the task env plus the node as `attr.*`, `meta.*`, `node.*`. */
export function nodeVariables(node: NodeFacts | undefined): Record<string, string> {
  if (!node) return {};
  const out: Record<string, string> = {
    'node.unique.id': node.id, 'node.unique.name': node.name, 'node.datacenter': node.datacenter, 'node.class': node.nodeClass,
  };
  for (const [k, v] of Object.entries(node.attributes)) out[`attr.${k}`] = v;
  for (const [k, v] of Object.entries(node.meta)) out[`meta.${k}`] = v;
  return out;
}
