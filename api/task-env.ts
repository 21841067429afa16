// The task environment's catalogue: every variable the node agent sets for a task, with what it holds. The
// agent (pkg/nodeagent/agent/env.ts) sets exactly these (a test checks it), and docs/jobspec.md lists them.
// Each name is set twice: NOMAD_<name>, so Nomad job files run unchanged, and DROVER_<name>.

/** One variable: its name without the NOMAD_/DROVER_ prefix (`<label>`/`<key>` stand for a port label or meta key). */
export interface TaskEnvVariable {
  name: string;
  description: string;
}

/** The variables, in the order docs list them. */
export const TASK_ENV_VARIABLES: readonly TaskEnvVariable[] = [
  { name: 'ALLOC_ID', description: "The allocation's id (its object name, which is the scheduler's id)." },
  { name: 'SHORT_ALLOC_ID', description: 'The first 8 characters of ALLOC_ID.' },
  { name: 'ALLOC_UID', description: "The allocation object's uid (names its directory on the node)." },
  { name: 'ALLOC_NAME', description: 'The allocation name: `<job>.<group>[<index>]`.' },
  { name: 'ALLOC_INDEX', description: "The allocation's index within its group (0..count-1)." },
  { name: 'NAMESPACE', description: 'The namespace of the job.' },
  { name: 'REGION', description: "The job's region (default `global`)." },
  { name: 'DC', description: "The node's datacenter." },
  { name: 'JOB_ID', description: 'The job id (its name).' },
  { name: 'JOB_NAME', description: 'The job name.' },
  { name: 'GROUP_NAME', description: 'The task group name.' },
  { name: 'TASK_NAME', description: 'The task name.' },
  { name: 'NODE_NAME', description: 'The name of the node the task runs on (Drover; Nomad has only `${node.unique.name}`).' },
  { name: 'ALLOC_DIR', description: 'The shared `alloc/` directory of the allocation (host path).' },
  { name: 'TASK_DIR', description: "The task's `local/` directory (host path)." },
  { name: 'SECRETS_DIR', description: "The task's `secrets/` directory (host path, mode 0700)." },
  { name: 'CPU_LIMIT', description: 'The CPU allocated to the task, in MHz.' },
  { name: 'MEMORY_LIMIT', description: 'The memory allocated to the task, in MB.' },
  { name: 'MEMORY_MAX_LIMIT', description: 'The memory limit with oversubscription, in MB (only when `memoryMaxMB` is set).' },
  { name: 'PORT_<label>', description: 'The port inside the task: `to` when set, else the host port.' },
  { name: 'ALLOC_PORT_<label>', description: 'Same as PORT_<label>.' },
  { name: 'HOST_PORT_<label>', description: 'The host port allocated for the label.' },
  { name: 'IP_<label>', description: 'The IP the port is reachable on (the node address, or the port\'s hostIP).' },
  { name: 'HOST_IP_<label>', description: 'Same as IP_<label>.' },
  { name: 'ADDR_<label>', description: '`IP:host port` of the label.' },
  { name: 'HOST_ADDR_<label>', description: 'Same as ADDR_<label>.' },
  { name: 'META_<key>', description: 'Job, group and task meta merged (task wins), each key as written and upper-cased.' },
];

/** The prefixes every variable is set under. */
export const TASK_ENV_PREFIXES = ['NOMAD_', 'DROVER_'] as const;
