// The environment a task sees: Drover's variables (Nomad's NOMAD_* under the DROVER_ prefix) and then the
// task's own env, which may override them (as in Nomad, the job author has the last word).
import type { Allocation } from '../../../api/schemas/index.ts';

/** What the env is built from. */
export interface TaskEnvInput {
  alloc: Allocation;
  taskName: string;
  datacenter: string;
  /** Address allocations are reachable on (the node's). */
  address: string;
  /** The shared `alloc/` directory and the task's `local/` and `secrets/` directories. */
  allocDir: string;
  taskDir: string;
  secretsDir: string;
  /** The task's own env from the job. */
  taskEnv?: Record<string, string>;
  /** Job meta merged with group and task meta (exported as DROVER_META_<key>). */
  meta?: Record<string, string>;
  resources?: { cpuMHz: number; memoryMB: number; memoryMaxMB?: number };
}

/** `DROVER_ALLOC_NAME`'s value: Nomad's `<job>.<group>[<index>]`. */
export function allocDisplayName(alloc: Allocation): string {
  return `${alloc.spec.jobName}.${alloc.spec.groupName}[${alloc.spec.index ?? 0}]`;
}

/** The task's environment. */
export function taskEnv(input: TaskEnvInput): Record<string, string> {
  const { alloc } = input;
  const env: Record<string, string> = {
    DROVER_ALLOC_ID: alloc.metadata.name,
    DROVER_ALLOC_UID: alloc.metadata.uid ?? '',
    DROVER_ALLOC_NAME: allocDisplayName(alloc),
    DROVER_ALLOC_INDEX: String(alloc.spec.index ?? 0),
    DROVER_NAMESPACE: alloc.metadata.namespace ?? 'default',
    DROVER_JOB_NAME: alloc.spec.jobName,
    DROVER_GROUP_NAME: alloc.spec.groupName,
    DROVER_TASK_NAME: input.taskName,
    DROVER_DC: input.datacenter,
    DROVER_NODE_NAME: alloc.spec.nodeName,
    DROVER_ALLOC_DIR: input.allocDir,
    DROVER_TASK_DIR: input.taskDir,
    DROVER_SECRETS_DIR: input.secretsDir,
  };
  if (input.resources) {
    env.DROVER_CPU_LIMIT = String(input.resources.cpuMHz);
    env.DROVER_MEMORY_LIMIT = String(input.resources.memoryMB);
    if (input.resources.memoryMaxMB) env.DROVER_MEMORY_MAX_LIMIT = String(input.resources.memoryMaxMB);
  }
  for (const p of alloc.spec.resources?.ports ?? []) {
    const label = envName(p.label);
    env[`DROVER_PORT_${label}`] = String(p.to && p.to > 0 ? p.to : p.value);
    env[`DROVER_HOST_PORT_${label}`] = String(p.value);
    env[`DROVER_IP_${label}`] = p.hostIP ?? input.address;
    env[`DROVER_ADDR_${label}`] = `${p.hostIP ?? input.address}:${p.value}`;
  }
  for (const [k, v] of Object.entries(input.meta ?? {})) env[`DROVER_META_${envName(k)}`] = v;
  return { ...env, ...(input.taskEnv ?? {}) };
}

/** A label as an env var name part: anything not alphanumeric becomes `_` (Nomad keeps the label's case). */
function envName(label: string): string {
  return label.replace(/[^A-Za-z0-9_]/g, '_');
}
