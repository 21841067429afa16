// The catalogue of reasons a node is filtered or exhausted. They are the keys of AllocMetric's constraintFiltered
// and dimensionExhausted maps, shown by `drover plan` and stored on blocked evaluations; the README documents
// each one (a test checks it). Failed constraints are reported by their own text, e.g. `${attr.kernel.name} = linux`.

/** Why a feasibility check dropped a node. */
export const FILTER_REASONS = {
  nodeNotReady: 'node not ready',
  nodeLeaseOverdue: 'node lease overdue',
  nodeIneligible: 'node ineligible',
  nodeDraining: 'node draining',
  datacenter: 'datacenter not in job',
  missingDrivers: 'missing drivers',
  missingHostVolumes: 'missing compatible host volumes',
  distinctHosts: 'distinct_hosts',
  /** Prefix: `distinct_property: ${meta.rack}=r1 used by 2 allocs` or `distinct_property: ${meta.rack} missing`. */
  distinctProperty: 'distinct_property',
} as const;

/** Which resource a feasible node lacked. */
export const EXHAUSTED_DIMENSIONS = {
  cpu: 'cpu',
  memory: 'memory',
  disk: 'disk',
  /** Prefix: `network: reserved port collision http=8080`. */
  portCollision: 'network: reserved port collision',
  dynamicPorts: 'network: dynamic port selection failed',
} as const;
