// Cycles in a dependency graph (jobs of a namespace, or groups of one job): the path of one cycle, so a refusal
// can name it (`a -> b -> c -> a`). Depth-first, iterative, in the order the edges are listed.

/** A cycle through `start` in `edges` (node → what it depends on), as the path `[start, …, start]`; else undefined. */
export function cycleThrough(edges: ReadonlyMap<string, readonly string[]>, start: string): string[] | undefined {
  const path: string[] = [start];
  const next: number[] = [0];
  const done = new Set<string>();
  const onPath = new Set<string>([start]);
  while (path.length > 0) {
    const node = path[path.length - 1]!;
    const deps = edges.get(node) ?? [];
    const i = next[next.length - 1]!;
    if (i >= deps.length) {
      done.add(node);
      onPath.delete(node);
      path.pop();
      next.pop();
      continue;
    }
    next[next.length - 1] = i + 1;
    const d = deps[i]!;
    if (d === start) return [...path, start];
    // A node on the path other than start closes a cycle that does not pass through start: not this one's.
    if (onPath.has(d) || done.has(d)) continue;
    path.push(d);
    next.push(0);
    onPath.add(d);
  }
  return undefined;
}
