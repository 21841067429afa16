// What a hollow node pretends happened to an allocation's tasks: the mock driver's semantics from the task
// config (Nomad's mock driver: `runFor`, `exitCode`, `startError`), every other driver running until stopped,
// and the allocation status (client status, task states with Received/Task Setup/Started/... events) an agent
// would report for it. Pure functions of the tasks and the times given.
import type { AllocationStatus, Task, TaskEvent, TaskState } from '../../../api/schemas/index.ts';
import { parseDuration } from '../../scheduler/duration.ts';

/** How one simulated task behaves once started. */
export type TaskBehaviour =
  | { kind: 'startError'; message: string }
  | { kind: 'exit'; afterMs: number; exitCode: number }
  | { kind: 'run' };

/** The behaviour of `task`: mock tasks per their config, other drivers run until stopped. */
export function taskBehaviour(task: Pick<Task, 'driver' | 'config'>): TaskBehaviour {
  if (task.driver !== 'mock') return { kind: 'run' };
  const config = (task.config ?? {}) as Record<string, unknown>;
  if (typeof config.startError === 'string' && config.startError !== '') return { kind: 'startError', message: config.startError };
  const exitCode = typeof config.exitCode === 'number' ? config.exitCode : 0;
  const runFor = parseDuration(config.runFor, -1);
  if (runFor >= 0) return { kind: 'exit', afterMs: runFor, exitCode };
  // An exit code without a run time: the task fails (or finishes) straight away.
  if (exitCode !== 0) return { kind: 'exit', afterMs: 0, exitCode };
  return { kind: 'run' };
}

/** When and how a running allocation ends on its own, or undefined when it runs until stopped. */
export function allocEnding(behaviours: Record<string, TaskBehaviour>): { afterMs: number; failed: boolean } | undefined {
  const exits = Object.values(behaviours).filter((b): b is Extract<TaskBehaviour, { kind: 'exit' }> => b.kind === 'exit');
  const failures = exits.filter((b) => b.exitCode !== 0);
  // The first failing task fails the allocation; otherwise it completes when every task has exited.
  if (failures.length > 0) return { afterMs: Math.min(...failures.map((b) => b.afterMs)), failed: true };
  if (exits.length === Object.keys(behaviours).length && exits.length > 0) return { afterMs: Math.max(...exits.map((b) => b.afterMs)), failed: false };
  return undefined;
}

const iso = (ms: number) => new Date(ms).toISOString();
const event = (type: string, at: number, message?: string, exitCode?: number): TaskEvent => {
  const e: TaskEvent = { type, time: iso(at) };
  if (message !== undefined) e.message = message;
  if (exitCode !== undefined) e.exitCode = exitCode;
  return e;
};

/** The status of an allocation whose tasks were received at `receivedAt` and started at `now`. */
export function startedStatus(behaviours: Record<string, TaskBehaviour>, receivedAt: number, now: number): AllocationStatus {
  const failure = Object.entries(behaviours).find(([, b]) => b.kind === 'startError');
  const taskStates: Record<string, TaskState> = {};
  for (const [name, b] of Object.entries(behaviours)) {
    const events = [event('Received', receivedAt, 'Task received by client'), event('Task Setup', now, 'Building Task Directory')];
    if (b.kind === 'startError') taskStates[name] = { state: 'dead', failed: true, finishedAt: iso(now), events: [...events, event('Driver Failure', now, b.message)] };
    else if (failure) taskStates[name] = { state: 'dead', failed: false, finishedAt: iso(now), events: [...events, event('Sibling Task Failed', now, `Task's sibling "${failure[0]}" failed`)] };
    else taskStates[name] = { state: 'running', startedAt: iso(now), events: [...events, event('Started', now, 'Task started by client')] };
  }
  if (failure) return { clientStatus: 'failed', clientDescription: 'Failed tasks', taskStates };
  return { clientStatus: 'running', clientDescription: 'Tasks are running', taskStates };
}

/** The status once the allocation ended on its own (`ending` from allocEnding) at `now`. */
export function endedStatus(
  behaviours: Record<string, TaskBehaviour>,
  prior: Record<string, TaskState>,
  ending: { afterMs: number; failed: boolean },
  now: number,
): AllocationStatus {
  const taskStates: Record<string, TaskState> = {};
  for (const [name, b] of Object.entries(behaviours)) {
    const before = prior[name] ?? { state: 'running' as const };
    const events = before.events ?? [];
    // Tasks due to exit later than the end (a sibling failed first) are killed with the rest.
    if (b.kind === 'exit' && b.afterMs <= ending.afterMs) {
      const message = `Exit Code: ${b.exitCode}`;
      taskStates[name] = { ...before, state: 'dead', failed: b.exitCode !== 0, finishedAt: iso(now), events: [...events, event('Terminated', now, message, b.exitCode)] };
    } else {
      taskStates[name] = { ...before, state: 'dead', failed: false, finishedAt: iso(now), events: [...events, event('Killing', now, 'Sent interrupt'), event('Killed', now, 'Task successfully killed')] };
    }
  }
  if (ending.failed) return { clientStatus: 'failed', clientDescription: 'Failed tasks', taskStates };
  return { clientStatus: 'complete', clientDescription: 'All tasks have completed', taskStates };
}

/** The status after the agent stopped the allocation (desired stop/evict) at `now`. */
export function stoppedStatus(taskNames: string[], prior: Record<string, TaskState>, now: number): AllocationStatus {
  const taskStates: Record<string, TaskState> = {};
  for (const name of taskNames) {
    const before = prior[name] ?? { state: 'pending' as const };
    const events = before.events ?? [];
    const kill = before.state === 'running' ? [event('Killing', now, 'Sent interrupt'), event('Killed', now, 'Task successfully killed')] : [];
    taskStates[name] = { ...before, state: 'dead', failed: before.failed ?? false, finishedAt: before.finishedAt ?? iso(now), events: [...events, ...kill] };
  }
  return { clientStatus: 'complete', clientDescription: 'All tasks have completed', taskStates };
}
