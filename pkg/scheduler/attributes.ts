// Node attribute lookups in Nomad's interpolation form: `${node.datacenter}`, `${attr.kernel.name}`,
// `${meta.rack}`. A string without `${` is a literal. These are what constraints, affinities, spreads and
// distinct_property compare.
import type { NodeView } from './structs.ts';

/** The result of resolving a target: `found` is false when the node lacks the attribute. */
export interface Resolved {
  found: boolean;
  value: string;
}

const NOT_FOUND: Resolved = { found: false, value: '' };

/** The parts of a node that targets read (the node agent resolves task interpolations with the same rules). */
export type TargetNode = Pick<NodeView, 'id' | 'name' | 'datacenter' | 'nodeClass' | 'attributes' | 'meta'>;

/** Resolves `${...}` against a node, or returns the literal. */
export function resolveTarget(target: string, node: TargetNode): Resolved {
  if (!target.startsWith('${')) return { found: true, value: target };
  if (!target.endsWith('}')) return NOT_FOUND;
  const path = target.slice(2, -1);
  switch (path) {
    case 'node.unique.id':
      return { found: true, value: node.id };
    case 'node.unique.name':
      return { found: true, value: node.name };
    case 'node.datacenter':
      return { found: true, value: node.datacenter };
    case 'node.class':
      return { found: node.nodeClass !== '', value: node.nodeClass };
  }
  if (path.startsWith('attr.')) return lookup(node.attributes, path.slice(5));
  if (path.startsWith('meta.')) return lookup(node.meta, path.slice(5));
  return NOT_FOUND;
}

function lookup(map: Record<string, string>, key: string): Resolved {
  return Object.prototype.hasOwnProperty.call(map, key) ? { found: true, value: map[key] } : NOT_FOUND;
}

/**
 * Whether a target names something unique to one node. Such targets "escape" the computed class: their result
 * cannot be cached per class, and a blocked evaluation cannot be unblocked by class alone.
 */
export function isUniqueTarget(target: string): boolean {
  return target.startsWith('${node.unique.') || target.startsWith('${attr.unique.') || target.startsWith('${meta.unique.');
}
