// Names that Drover's components agree on without a schema field to carry them: where node leases live and the
// Node attribute that says where a node agent listens. The node agent writes them, the health controller and the
// API server's log proxy read them; they live here so that neither side imports the other.

/** Namespace of node leases (Kubernetes' kube-node-lease): one Lease per node, named after it. */
export const NODE_LEASE_NAMESPACE = 'drover-node-lease';

/** The Node attribute (`status.attributes`) carrying the base URL of the node agent's HTTP listener (task logs). */
export const AGENT_HTTP_ATTRIBUTE = 'unique.agent.http';
