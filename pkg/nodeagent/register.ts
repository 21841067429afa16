// Node registration: create the Node (or adopt the one a previous run of the agent left), bring the
// agent-owned spec fields up to date, then write the fingerprint through /status by compare-and-swap.
import type { Node } from '../../api/schemas/index.ts';
import { isAlreadyExists, isConflict } from '../apierrors/status.ts';
import type { ResourceClient } from '../client/client.ts';
import { nodeObject, nodeSpec, nodeStatus, type NodeFingerprint } from './fingerprint.ts';

/** How many times a status write is retried after losing a compare-and-swap race. */
const STATUS_ATTEMPTS = 5;

/**
 * Register `fp` as a Node in `phase` (default ready) and return the stored Node. Idempotent: re-registering
 * keeps the operator's spec fields (eligibility, drain) and replaces the status with the new fingerprint.
 */
export async function registerNode(
  nodes: ResourceClient<Node>,
  fp: NodeFingerprint,
  opts: { now: () => number; phase?: NonNullable<NonNullable<Node['status']>['phase']> },
): Promise<Node> {
  let node: Node;
  try {
    node = await nodes.create(nodeObject(fp));
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    node = await adopt(nodes, fp);
  }
  return writeStatus(nodes, node, fp, opts.phase ?? 'ready', opts.now);
}

// The agent owns datacenter, class and meta; a changed config file is applied with a merge patch, which
// leaves the operator's eligibility and drain alone.
async function adopt(nodes: ResourceClient<Node>, fp: NodeFingerprint): Promise<Node> {
  const current = await nodes.get(fp.name);
  const want = nodeSpec(fp);
  const spec = current.spec ?? {};
  const same = spec.datacenter === want.datacenter && spec.nodeClass === want.nodeClass && JSON.stringify(spec.meta ?? {}) === JSON.stringify(want.meta ?? {});
  if (same) return current;
  const patch = { spec: { datacenter: want.datacenter, nodeClass: want.nodeClass ?? null, meta: metaPatch(spec.meta ?? {}, want.meta ?? {}) } };
  return nodes.patch(fp.name, patch, 'merge');
}

// A merge patch replaces values key by key: keys the agent no longer sets are removed with null.
function metaPatch(current: Record<string, string>, want: Record<string, string>): Record<string, string | null> {
  const out: Record<string, string | null> = { ...want };
  for (const k of Object.keys(current)) if (!(k in want)) out[k] = null;
  return out;
}

async function writeStatus(nodes: ResourceClient<Node>, node: Node, fp: NodeFingerprint, phase: NonNullable<NonNullable<Node['status']>['phase']>, now: () => number): Promise<Node> {
  let current = node;
  for (let attempt = 1; ; attempt++) {
    try {
      return await nodes.updateStatus({ ...current, status: nodeStatus(fp, phase, now()) });
    } catch (err) {
      if (!isConflict(err) || attempt >= STATUS_ATTEMPTS) throw err;
      current = await nodes.get(fp.name);
    }
  }
}
