// The allocation directory (Nomad's layout): a shared `alloc/` (data, logs, tmp) for every task of the
// allocation, and one directory per task with its private `local/`, `secrets/` and `tmp/`.
//
//   <dataDir>/allocs/<alloc uid>/
//     alloc/{data,logs,tmp}
//     <task>/{local,secrets,tmp}
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';

/** Paths of one allocation's directory. */
export interface AllocDir {
  /** The allocation's root. */
  root: string;
  /** The directory every task shares (`alloc/`). */
  shared: string;
  /** Where task stdout/stderr files live (`alloc/logs`). */
  logs: string;
  /** The ephemeral disk size the group asked for (MB); placement uses it, the agent does not enforce it (as Nomad). */
  diskMB: number;
}

/** Paths of one task's directory. */
export interface TaskDir {
  root: string;
  local: string;
  secrets: string;
  tmp: string;
  stdoutPath: string;
  stderrPath: string;
}

/** The directory of allocation `uid` under the agent's data dir. */
export function allocDirOf(dataDir: string, uid: string, diskMB = 300): AllocDir {
  const root = join(dataDir, 'allocs', uid);
  const shared = join(root, 'alloc');
  return { root, shared, logs: join(shared, 'logs'), diskMB };
}

/** The directory of `task` within `dir`. */
export function taskDirOf(dir: AllocDir, task: string): TaskDir {
  const root = join(dir.root, task);
  return {
    root,
    local: join(root, 'local'),
    secrets: join(root, 'secrets'),
    tmp: join(root, 'tmp'),
    stdoutPath: join(dir.logs, `${task}.stdout`),
    stderrPath: join(dir.logs, `${task}.stderr`),
  };
}

/** Create the shared part of the allocation directory (idempotent). */
export async function buildAllocDir(dir: AllocDir): Promise<void> {
  for (const sub of ['data', 'logs', 'tmp']) await mkdir(join(dir.shared, sub), { recursive: true });
}

/** Create a task's directories (idempotent); secrets are readable by the owner only. */
export async function buildTaskDir(dir: TaskDir): Promise<void> {
  await mkdir(dir.local, { recursive: true });
  await mkdir(dir.tmp, { recursive: true });
  await mkdir(dir.secrets, { recursive: true, mode: 0o700 });
}

/**
 * Write a dispatched job's payload to `file` under the task's `local/` (Nomad's dispatch_payload). Admission
 * refuses paths that leave it; this checks again, since the agent must never write outside the task dir.
 */
export async function writeDispatchPayload(dir: TaskDir, file: string, payload: Buffer): Promise<string> {
  const target = resolve(dir.local, file);
  const rel = relative(dir.local, target);
  if (rel === '' || rel.startsWith('..') || resolve(dir.local, rel) !== target) throw new Error(`dispatchPayload.file: "${file}" is not inside the task's local/ directory`);
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, payload, { mode: 0o644 });
  return target;
}

/** Remove the allocation directory and everything in it. */
export async function destroyAllocDir(dir: AllocDir): Promise<void> {
  await rm(dir.root, { recursive: true, force: true });
}
