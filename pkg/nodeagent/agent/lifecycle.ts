// Task lifecycle ordering within an allocation (Nomad's lifecycle hooks), as a pure function of the tasks'
// states, re-evaluated after every change — so an alloc runner restored after an agent restart continues from
// wherever its tasks are:
//
//   prestart (run to completion) ┐
//   prestart sidecars (running)  ┴─► main tasks ─► poststart (once every main task started)
//   main tasks all dead / a task failed / leader dead / stop requested
//     ─► kill main + poststart ─► kill prestart sidecars ─► poststop (run to completion) ─► done
import type { TaskKind } from './task-runner.ts';

/** What the planner needs to know of one task. */
export interface TaskView {
  name: string;
  kind: TaskKind;
  sidecar: boolean;
  leader: boolean;
  /** Started at least once. */
  started: boolean;
  running: boolean;
  dead: boolean;
  failed: boolean;
  /** Its runner's loop is going (starting, running or waiting to restart). */
  active: boolean;
}

/** The next moves of an allocation. */
export interface LifecycleActions {
  /** Tasks to start now. */
  start: string[];
  /** Tasks to kill now. */
  kill: string[];
  /** Set when the allocation must begin stopping (and why); the caller re-plans with it. */
  beginStop?: string;
  /** Every task is dead: the allocation is finished. */
  done: boolean;
}

/** The moves that follow from `tasks`, given whether (and why) the allocation is stopping. */
export function planLifecycle(tasks: TaskView[], stopping: string | undefined): LifecycleActions {
  const of = (kind: TaskKind, sidecar?: boolean) => tasks.filter((t) => t.kind === kind && (sidecar === undefined || t.sidecar === sidecar));
  const prestart = of('prestart', false);
  const prestartSidecars = of('prestart', true);
  const main = of('main');
  const poststart = of('poststart');
  const poststop = of('poststop');
  const idle = (t: TaskView) => !t.active && !t.dead;
  const done = tasks.every((t) => t.dead);

  if (!stopping) {
    const why = stopReason(tasks, main);
    if (why) return { start: [], kill: [], beginStop: why, done };
    const start = [...prestart, ...prestartSidecars].filter(idle).map((t) => t.name);
    const prestartOk = prestart.every((t) => t.dead && !t.failed) && prestartSidecars.every((t) => t.running);
    if (prestartOk) start.push(...main.filter(idle).map((t) => t.name));
    if (prestartOk && main.every((t) => t.started)) start.push(...poststart.filter(idle).map((t) => t.name));
    return { start, kill: [], done };
  }

  // Stopping: main tasks and poststart hooks first, the sidecars they lean on after, poststop hooks last.
  const first = [...main, ...poststart, ...prestart].filter((t) => !t.dead);
  if (first.length > 0) return { start: [], kill: first.map((t) => t.name), done };
  const sidecars = prestartSidecars.filter((t) => !t.dead);
  if (sidecars.length > 0) return { start: [], kill: sidecars.map((t) => t.name), done };
  // Poststop hooks clean up after work that ran; when no main task ever started there is nothing to clean.
  const ranMain = main.some((t) => t.started);
  const pending = poststop.filter((t) => !t.dead);
  if (ranMain) return { start: pending.filter(idle).map((t) => t.name), kill: [], done };
  return { start: [], kill: pending.map((t) => t.name), done };
}

// Why a running allocation must stop on its own: a failed task (siblings are killed), a dead leader, or every
// main task finished (sidecars and hooks have nothing left to serve).
function stopReason(tasks: TaskView[], main: TaskView[]): string | undefined {
  const failed = tasks.find((t) => t.failed && t.kind !== 'poststop');
  if (failed) return `task "${failed.name}" failed`;
  const leader = main.find((t) => t.leader && t.dead);
  if (leader) return `leader task "${leader.name}" is dead`;
  if (main.length > 0 && main.every((t) => t.dead)) return 'all main tasks finished';
  if (main.length === 0 && tasks.filter((t) => t.kind !== 'poststop').every((t) => t.dead)) return 'all tasks finished';
  return undefined;
}

/** The allocation's client status from its task states (Nomad's order: failed, running, pending, complete). */
export function clientStatusOf(tasks: Array<Pick<TaskView, 'running' | 'dead' | 'failed'>>): 'pending' | 'running' | 'complete' | 'failed' {
  if (tasks.some((t) => t.failed)) return 'failed';
  if (tasks.length > 0 && tasks.every((t) => t.dead)) return 'complete';
  if (tasks.some((t) => t.running)) return 'running';
  return 'pending';
}
