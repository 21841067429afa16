// Which priority level and which flow a request belongs to: the one place that decides it. The requesting user
// (and groups) is used when the request carries one (an authenticator sets it); until then the identity a client
// shows today — its User-Agent — stands in for the user. Drover's own node agents and control-plane components
// (UA `drover-agent…/…`, `…/components`) are the system: their heartbeats, Leases and writes get their own level.

/** The Kubernetes verbs a resource request performs. */
export type FlowVerb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

/** What classification looks at. */
export interface RequestDescriptor {
  /** The authenticated user, when an authenticator has set one. */
  user?: { name: string; groups?: readonly string[] };
  /** The User-Agent header (the client identity visible without authentication). */
  userAgent?: string;
  verb: FlowVerb;
  /** Plural resource name, e.g. `leases`. */
  resource: string;
  subresource?: string;
  namespace?: string;
}

/** The priority level names of the built-in configuration (Kubernetes' suggested ones, fewer). */
export const LEVELS = {
  /** Node heartbeats (leases), node and allocation status from agents, and control-plane components' writes. */
  system: 'system',
  /** The system's own reads: informers' lists and watches of agents and components. */
  workloadHigh: 'workload-high',
  /** Everyone else. */
  globalDefault: 'global-default',
} as const;

/** Where a request goes: its level, and the flow (fair-queued against the other flows of that level). */
export interface Classification {
  level: string;
  /** The flow distinguisher: the user (or client identity) — one flow must not starve another. */
  flow: string;
}

/** Groups that mark a user as Drover's own (Kubernetes' names, for the authenticator to set). */
// Drover's own identities (pkg/auth/user.ts: drover:nodes, drover:controllers, drover:schedulers; agents are
// users drover:node:NAME), and Kubernetes' node group. An administrator (system:masters) is not the system: its
// lists queue with everyone else's, so they never crowd out heartbeats.
const SYSTEM_GROUPS = new Set(['drover:nodes', 'drover:controllers', 'drover:schedulers', 'system:nodes']);

const READS = new Set<FlowVerb>(['get', 'list', 'watch']);

/** The client identity a request shows: the user's name when authenticated, else the User-Agent's product. */
export function clientIdentity(d: RequestDescriptor): string {
  if (d.user) return `user:${d.user.name}`;
  const ua = (d.userAgent ?? '').trim();
  return ua === '' ? 'anonymous' : `ua:${ua}`;
}

/** True for Drover's own agents and components (by group when authenticated, by User-Agent until then). */
export function isSystemClient(d: RequestDescriptor): boolean {
  if (d.user) return (d.user.groups ?? []).some((g) => SYSTEM_GROUPS.has(g)) || d.user.name.startsWith('drover:node:') || d.user.name.startsWith('system:node:');
  const ua = d.userAgent ?? '';
  return ua.startsWith('drover-agent') || ua.endsWith('/components');
}

/** Classify one resource request. */
export function classify(d: RequestDescriptor): Classification {
  const flow = clientIdentity(d);
  if (isSystemClient(d)) {
    // A node lease renewal or any write of an agent or a component: never behind lists and watches.
    if (!READS.has(d.verb) || d.resource === 'leases') return { level: LEVELS.system, flow };
    return { level: LEVELS.workloadHigh, flow };
  }
  return { level: LEVELS.globalDefault, flow };
}
