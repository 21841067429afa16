// Resource arithmetic on the comparable dimensions (cpu, memory, disk), and how a group's tasks add up.
import type { Resources, Dimension, TaskView } from './structs.ts';

/** A zero resource vector. */
export function zero(): Resources {
  return { cpu: 0, memoryMB: 0, diskMB: 0 };
}

/** a + b as a new vector. */
export function add(a: Resources, b: Resources): Resources {
  return { cpu: a.cpu + b.cpu, memoryMB: a.memoryMB + b.memoryMB, diskMB: a.diskMB + b.diskMB };
}

/** a - b as a new vector. */
export function subtract(a: Resources, b: Resources): Resources {
  return { cpu: a.cpu - b.cpu, memoryMB: a.memoryMB - b.memoryMB, diskMB: a.diskMB - b.diskMB };
}

/** The first dimension in which `used` exceeds `capacity`, or undefined when it fits. */
export function exceeded(used: Resources, capacity: Resources): Dimension | undefined {
  if (used.cpu > capacity.cpu) return 'cpu';
  if (used.memoryMB > capacity.memoryMB) return 'memory';
  if (used.diskMB > capacity.diskMB) return 'disk';
  return undefined;
}

/** Sum of many vectors. */
export function sum(items: Iterable<Resources>): Resources {
  let total = zero();
  for (const r of items) total = add(total, r);
  return total;
}

/**
 * What one allocation of a group holds on its node: the sum of its tasks plus the group's ephemeral disk.
 * Lifecycle phases are deliberately not folded into a maximum (Nomad does): an Allocation stores per-task
 * resources, and whoever reads it back (the next eval, the plan commit) must compute the same total, so the
 * simple, conservative sum is the one rule everybody can apply.
 */
export function groupAsk(tasks: TaskView[], ephemeralDiskMB: number): Resources {
  const total = sum(tasks.map((t) => t.resources));
  return { cpu: total.cpu, memoryMB: total.memoryMB, diskMB: ephemeralDiskMB + total.diskMB };
}
