// Building the driver's TaskConfig for one task of an allocation: its directory, environment, artifacts and
// templates (in Nomad's order: artifacts first, so a template may read one), allocated resources and ports,
// host volume mounts, and `${...}` interpolated in the driver config. Problems the job author can fix (an
// unknown volume, a port label the group does not have) are thrown as plain Errors and end the task with a
// clear, unrecoverable event; input failures are TaskInputErrors with events of their own.
import type { Allocation, Task, TaskGroup } from '../../../api/schemas/index.ts';
import type { TaskConfig } from '../drivers/driver.ts';
import { buildTaskDir, taskDirOf, writeDispatchPayload, type AllocDir } from './alloc-dir.ts';
import { taskEnv } from './env.ts';
import { fetchArtifacts } from './artifacts.ts';
import type { InputReader } from './input-source.ts';
import { interpolateDeep, type NodeFacts } from './interpolate.ts';
import { renderTemplates, templateData, type RenderResult } from './templates.ts';

/** What the config is built from. */
export interface TaskConfigInput {
  alloc: Allocation;
  group: TaskGroup;
  task: Task;
  dir: AllocDir;
  datacenter: string;
  address: string;
  hostVolumes: Record<string, { path: string; readOnly?: boolean }>;
  jobMeta?: Record<string, string>;
  /** The job's dispatch payload (base64), written where the task's dispatchPayload says. */
  payload?: string;
  /** The job's region (NOMAD_REGION). */
  region?: string;
  /** The node, for interpolation and templates. */
  node: NodeFacts;
  /** ConfigMaps and Secrets for templates. */
  inputs: InputReader;
  /** Artifacts are fetched once per task runner: false until then (set by buildTaskConfig). */
  artifacts: { fetched: boolean };
}

/** A TaskConfig and what its templates rendered (the alloc runner watches their inputs). */
export interface PreparedTask {
  config: TaskConfig;
  templates: RenderResult;
}

/** Nomad's default task resources (the scheduler counts the same). */
const DEFAULT_CPU = 100;
const DEFAULT_MEMORY_MB = 300;

/** Create the task directory, fetch artifacts, render templates, and return the driver's TaskConfig. */
export async function buildTaskConfig(input: TaskConfigInput): Promise<PreparedTask> {
  const { alloc, task, dir } = input;
  const td = taskDirOf(dir, task.name);
  const ports = (alloc.spec.resources?.ports ?? []).map((p) => ({ label: p.label, value: p.value, ...(p.to !== undefined ? { to: p.to } : {}) }));
  checkPortLabels(task, new Set(ports.map((p) => p.label)));
  const mounts = volumeMounts(input);
  const allocated = alloc.spec.resources?.tasks?.[task.name];
  const resources = {
    cpuMHz: allocated?.cpu ?? task.resources?.cpu ?? DEFAULT_CPU,
    memoryMB: allocated?.memoryMB ?? task.resources?.memoryMB ?? DEFAULT_MEMORY_MB,
    ...((allocated?.memoryMaxMB ?? task.resources?.memoryMaxMB) ? { memoryMaxMB: allocated?.memoryMaxMB ?? task.resources?.memoryMaxMB } : {}),
  };
  await buildTaskDir(td);
  if (task.dispatchPayload && input.payload) await writeDispatchPayload(td, task.dispatchPayload.file, Buffer.from(input.payload, 'base64'));
  const meta = { ...(input.jobMeta ?? {}), ...(input.group.meta ?? {}), ...(task.meta ?? {}) };
  const env = taskEnv({
    alloc,
    taskName: task.name,
    datacenter: input.datacenter,
    region: input.region,
    address: input.address,
    allocDir: dir.shared,
    taskDir: td.local,
    secretsDir: td.secrets,
    taskEnv: task.env,
    meta,
    resources,
    node: input.node,
  });
  if (!input.artifacts.fetched && task.artifacts?.length) {
    await fetchArtifacts(task, { dir: td, env, node: input.node });
  }
  input.artifacts.fetched = true;
  const namespace = alloc.metadata.namespace ?? 'default';
  const data = templateData({
    allocId: alloc.metadata.name, allocName: env.NOMAD_ALLOC_NAME!, index: alloc.spec.index ?? 0, job: alloc.spec.jobName, group: alloc.spec.groupName,
    task: task.name, namespace, env, meta, node: input.node,
  });
  const templates = await renderTemplates(task, { namespace, dir: td, env, meta, node: input.node, inputs: input.inputs, data });
  // envFile templates add to the environment; the task's own env still wins, as in Nomad.
  const fullEnv = { ...env, ...templates.env, ...pick(env, Object.keys(task.env ?? {})) };
  const uid = alloc.metadata.uid ?? `${alloc.metadata.namespace}-${alloc.metadata.name}`;
  const config: TaskConfig = {
    id: `${uid}/${task.name}`,
    allocId: uid,
    taskName: task.name,
    config: interpolateDeep(task.config ?? {}, fullEnv, input.node),
    env: fullEnv,
    ...(task.user ? { user: task.user } : {}),
    resources,
    ports,
    taskDir: td.root,
    allocDir: dir.root,
    stdoutPath: td.stdoutPath,
    stderrPath: td.stderrPath,
    mounts,
  };
  return { config, templates };
}

function pick(env: Record<string, string>, keys: string[]): Record<string, string> {
  return Object.fromEntries(keys.filter((k) => k in env).map((k) => [k, env[k]!]));
}

// Drivers that map ports (docker's `config.ports: [label]`) need labels the group network allocated.
function checkPortLabels(task: Task, allocated: Set<string>): void {
  const wanted = task.config?.ports;
  if (!Array.isArray(wanted)) return;
  for (const label of wanted) {
    if (typeof label === 'string' && !allocated.has(label)) {
      const known = [...allocated].join(', ') || 'none';
      throw new Error(`config.ports: port label "${label}" is not in the group network (allocated: ${known})`);
    }
  }
}

function volumeMounts(input: TaskConfigInput): TaskConfig['mounts'] {
  const out: TaskConfig['mounts'] = [];
  for (const vm of input.task.volumeMounts ?? []) {
    const req = input.group.volumes?.[vm.volume];
    if (!req) throw new Error(`volumeMounts: volume "${vm.volume}" is not declared in the group's volumes`);
    if (req.type !== 'host') throw new Error(`volumeMounts: volume "${vm.volume}" is of type ${req.type}, which this agent cannot mount`);
    const hv = input.hostVolumes[req.source];
    if (!hv) throw new Error(`volumeMounts: host volume "${req.source}" does not exist on this node`);
    const readOnly = !!(vm.readOnly || req.readOnly || hv.readOnly);
    out.push({ source: hv.path, destination: vm.destination, readOnly });
  }
  return out;
}
