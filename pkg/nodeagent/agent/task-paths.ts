// Paths a job names relative to the task directory (template destinations and sources, artifact
// destinations): they must stay inside it, since the agent must never write outside the task's sandbox.
import { isAbsolute, relative, resolve } from 'node:path';
import type { TaskDir } from './alloc-dir.ts';

/** The absolute path of `rel` under the task dir; `fail(message)` is thrown when it leaves it. */
export function insideTaskDir(dir: TaskDir, rel: string, what: string, fail: (message: string) => Error): string {
  const target = resolve(dir.root, rel);
  const back = relative(dir.root, target);
  if (isAbsolute(rel) || back === '' || back.startsWith('..') || isAbsolute(back)) throw fail(`${what} "${rel}" is not inside the task directory`);
  return target;
}
