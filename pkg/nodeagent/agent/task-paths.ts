// Paths a job names relative to the task directory (template destinations and sources, artifact
// destinations): they must stay inside the allocation directory — Nomad's sandbox, so `../alloc/data/x`
// and an interpolated `${NOMAD_ALLOC_DIR}/x` work — since the agent must never write outside it.
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type { TaskDir } from './alloc-dir.ts';

/** The absolute path of `rel` (relative to the task dir); `fail(message)` is thrown when it leaves the alloc dir. */
export function insideTaskDir(dir: TaskDir, rel: string, what: string, fail: (message: string) => Error): string {
  const allocRoot = dirname(dir.root);
  const target = resolve(dir.root, rel);
  const back = relative(allocRoot, target);
  if (back === '' || back.startsWith('..') || isAbsolute(back)) throw fail(`${what} "${rel}" is not inside the allocation directory`);
  return target;
}
