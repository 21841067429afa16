// The environment a task sees: Nomad's task environment under both NOMAD_ (so Nomad job files run unchanged)
// and DROVER_ names — the catalogue is api/task-env.ts — then the task's own env, with `${...}` interpolated
// (interpolate.ts), which may override them (as in Nomad, the job author has the last word).
import type { Allocation } from '../../../api/schemas/index.ts';
import { TASK_ENV_PREFIXES } from '../../../api/task-env.ts';
import { interpolate, type NodeFacts } from './interpolate.ts';

/** What the env is built from. */
export interface TaskEnvInput {
  alloc: Allocation;
  taskName: string;
  datacenter: string;
  /** The job's region (default `global`). */
  region?: string;
  /** Address allocations are reachable on (the node's). */
  address: string;
  /** The shared `alloc/` directory and the task's `local/` and `secrets/` directories. */
  allocDir: string;
  taskDir: string;
  secretsDir: string;
  /** The task's own env from the job (values may use `${NOMAD_...}`, `${attr.*}`, `${meta.*}`, `${node.*}`). */
  taskEnv?: Record<string, string>;
  /** Job meta merged with group and task meta (exported as NOMAD_META_<key>). */
  meta?: Record<string, string>;
  resources?: { cpuMHz: number; memoryMB: number; memoryMaxMB?: number };
  /** The node, for `${attr.*}`, `${meta.*}` and `${node.*}` in the task's env values. */
  node?: NodeFacts;
}

/** `NOMAD_ALLOC_NAME`'s value: Nomad's `<job>.<group>[<index>]`. */
export function allocDisplayName(alloc: Allocation): string {
  return `${alloc.spec.jobName}.${alloc.spec.groupName}[${alloc.spec.index ?? 0}]`;
}

/** The agent's variables without prefix (see api/task-env.ts). */
function variables(input: TaskEnvInput): Record<string, string> {
  const { alloc } = input;
  const v: Record<string, string> = {
    ALLOC_ID: alloc.metadata.name,
    SHORT_ALLOC_ID: alloc.metadata.name.slice(0, 8),
    ALLOC_UID: alloc.metadata.uid ?? '',
    ALLOC_NAME: allocDisplayName(alloc),
    ALLOC_INDEX: String(alloc.spec.index ?? 0),
    NAMESPACE: alloc.metadata.namespace ?? 'default',
    REGION: input.region ?? 'global',
    DC: input.datacenter,
    JOB_ID: alloc.spec.jobName,
    JOB_NAME: alloc.spec.jobName,
    GROUP_NAME: alloc.spec.groupName,
    TASK_NAME: input.taskName,
    NODE_NAME: alloc.spec.nodeName,
    ALLOC_DIR: input.allocDir,
    TASK_DIR: input.taskDir,
    SECRETS_DIR: input.secretsDir,
  };
  if (input.resources) {
    v.CPU_LIMIT = String(input.resources.cpuMHz);
    v.MEMORY_LIMIT = String(input.resources.memoryMB);
    if (input.resources.memoryMaxMB) v.MEMORY_MAX_LIMIT = String(input.resources.memoryMaxMB);
  }
  for (const p of alloc.spec.resources?.ports ?? []) {
    const label = envName(p.label);
    const inside = String(p.to && p.to > 0 ? p.to : p.value);
    const ip = p.hostIP ?? input.address;
    v[`PORT_${label}`] = inside;
    v[`ALLOC_PORT_${label}`] = inside;
    v[`HOST_PORT_${label}`] = String(p.value);
    v[`IP_${label}`] = ip;
    v[`HOST_IP_${label}`] = ip;
    v[`ADDR_${label}`] = `${ip}:${p.value}`;
    v[`HOST_ADDR_${label}`] = `${ip}:${p.value}`;
  }
  for (const [k, val] of Object.entries(input.meta ?? {})) {
    v[`META_${envName(k)}`] = val;
    v[`META_${envName(k).toUpperCase()}`] = val;
  }
  return v;
}

/** The task's environment. */
export function taskEnv(input: TaskEnvInput): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, val] of Object.entries(variables(input))) for (const prefix of TASK_ENV_PREFIXES) env[`${prefix}${k}`] = val;
  const own: Record<string, string> = {};
  // The task's values see the agent's variables (not each other's, as in Nomad).
  for (const [k, val] of Object.entries(input.taskEnv ?? {})) own[k] = interpolate(val, env, input.node);
  return { ...env, ...own };
}

/** A label as an env var name part: anything not alphanumeric becomes `_` (Nomad keeps the label's case). */
function envName(label: string): string {
  return label.replace(/[^A-Za-z0-9_]/g, '_');
}
