// The docker task config, its checks, and the container-create body built from it and the task.
import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { TaskConfig } from '../driver.ts';

/** The docker driver's task config. */
export interface DockerConfig {
  image: string;
  /** Overrides the image's command; run without a shell. */
  command?: string;
  args?: string[];
  /** Port labels to publish: host port (the allocated value) → container port (`to`, or the same). */
  ports?: string[];
  /** Added to the task's env. */
  env?: Record<string, string>;
  /** Extra bind mounts "host:container[:ro]"; a relative host path is under the task directory. */
  volumes?: string[];
}

/** Labels every Drover container carries; recovery and orphan cleanup find containers by them. */
export const LABEL_TASK_ID = 'drover.task-id';
/** The allocation a container belongs to. */
export const LABEL_ALLOC_ID = 'drover.alloc-id';
/** The task name within its allocation. */
export const LABEL_TASK_NAME = 'drover.task-name';

const ALLOWED = ['image', 'command', 'args', 'ports', 'env', 'volumes'];
const VOLUME = /^[^:]+:\/[^:]*(:(ro|rw))?$/;

/** Field problems with a docker config (empty = ok). */
export function checkDockerConfig(config: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (typeof config.image !== 'string' || config.image.trim() === '') problems.push('config.image: required, the image to run (e.g. "drover/busybox:latest")');
  if (config.command !== undefined && (typeof config.command !== 'string' || config.command === '')) problems.push('config.command: must be a non-empty string');
  const strings = (key: string, pattern?: RegExp, hint?: string) => {
    const v = config[key];
    if (v === undefined) return;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) problems.push(`config.${key}: must be a list of strings`);
    else if (pattern) for (const x of v as string[]) if (!pattern.test(x)) problems.push(`config.${key}: ${JSON.stringify(x)} ${hint}`);
  };
  strings('args');
  strings('ports', /^[A-Za-z0-9_-]+$/, 'is not a port label');
  strings('volumes', VOLUME, 'must be "host-path:/container-path[:ro]"');
  const env = config.env;
  if (env !== undefined && (typeof env !== 'object' || env === null || Array.isArray(env) || Object.values(env).some((v) => typeof v !== 'string'))) {
    problems.push('config.env: must be a map of strings');
  }
  for (const key of Object.keys(config)) if (!ALLOWED.includes(key)) problems.push(`config.${key}: unknown field (allowed: ${ALLOWED.join(', ')})`);
  return problems;
}

/** The container-create body for `task` (POST /containers/create). Throws a user-facing Error on a bad port label. */
export function containerSpec(task: TaskConfig, cfg: DockerConfig): Record<string, unknown> {
  const exposed: Record<string, object> = {};
  const bindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  for (const label of cfg.ports ?? []) {
    const port = task.ports.find((p) => p.label === label);
    if (!port) {
      const have = task.ports.map((p) => p.label).join(', ') || 'none';
      throw new Error(`config.ports: port label ${JSON.stringify(label)} is not allocated to this task (allocated: ${have})`);
    }
    const inside = `${port.to && port.to > 0 ? port.to : port.value}/tcp`;
    exposed[inside] = {};
    (bindings[inside] ??= []).push({ HostIp: '', HostPort: String(port.value) });
  }
  const env = { ...task.env, ...containerPaths(task.env), ...(cfg.env ?? {}) };
  const memoryMB = Math.max(task.resources.memoryMaxMB ?? 0, task.resources.memoryMB);
  return {
    Image: cfg.image,
    Cmd: cfg.command ? [cfg.command, ...(cfg.args ?? [])] : cfg.args?.length ? cfg.args : undefined,
    Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
    User: task.user,
    Labels: { [LABEL_TASK_ID]: task.id, [LABEL_ALLOC_ID]: task.allocId, [LABEL_TASK_NAME]: task.taskName },
    ExposedPorts: exposed,
    HostConfig: {
      PortBindings: bindings,
      Binds: binds(task, cfg),
      // Hard limit = memoryMaxMB when larger (oversubscription), reservation = memoryMB; no swap beyond it.
      Memory: memoryMB * 1024 * 1024,
      MemorySwap: memoryMB * 1024 * 1024,
      MemoryReservation: memoryMB > task.resources.memoryMB ? task.resources.memoryMB * 1024 * 1024 : undefined,
      // Nomad's mapping: one CPU share per MHz.
      CpuShares: Math.max(2, Math.round(task.resources.cpuMHz)),
      // A tiny init as pid 1 forwards the kill signal (pid 1 ignores SIGTERM without a handler) and reaps.
      Init: true,
      LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '2' } },
    },
  };
}

// The agent's env holds host paths; inside the container the directories are where binds() mounts them.
function containerPaths(env: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const prefix of ['NOMAD_', 'DROVER_']) {
    for (const [name, inside] of [['ALLOC_DIR', '/alloc'], ['TASK_DIR', '/local'], ['SECRETS_DIR', '/secrets']] as const) {
      if (env[`${prefix}${name}`] !== undefined) out[`${prefix}${name}`] = inside;
    }
  }
  return out;
}

function binds(task: TaskConfig, cfg: DockerConfig): string[] {
  const out: string[] = [];
  // Nomad's layout inside the container: the shared alloc dir and the task's local/ and secrets/.
  const standard: Array<[string, string]> = [
    [join(task.allocDir, 'alloc'), '/alloc'],
    [join(task.taskDir, 'local'), '/local'],
    [join(task.taskDir, 'secrets'), '/secrets'],
  ];
  for (const [host, inside] of standard) if (existsSync(host)) out.push(`${host}:${inside}`);
  for (const m of task.mounts) out.push(`${m.source}:${m.destination}${m.readOnly ? ':ro' : ''}`);
  for (const v of cfg.volumes ?? []) {
    const [host, inside, mode] = v.split(':') as [string, string, string?];
    out.push(`${isAbsolute(host) ? host : resolve(task.taskDir, host)}:${inside}${mode ? `:${mode}` : ''}`);
  }
  return out;
}

/** A container name from the task identity (Docker allows [a-zA-Z0-9][a-zA-Z0-9_.-]*). */
export function containerName(task: TaskConfig): string {
  return `drover-${task.taskName}-${task.allocId}`.replace(/[^a-zA-Z0-9_.-]/g, '_');
}
