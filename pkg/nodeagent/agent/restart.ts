// The restart tracker (Nomad's client/allocrunner/taskrunner/restarts): decides, each time a task ends, whether
// it is restarted and after what delay, counting restarts within a sliding interval. Pure: time is a value.
import { defaultRestartPolicy, formatDuration, parseDuration, type JobType, type RestartPolicy } from '../../../api/schemas/index.ts';

/** A restart policy with its durations in milliseconds. */
export interface RestartRules {
  attempts: number;
  intervalMs: number;
  delayMs: number;
  mode: 'fail' | 'delay';
}

/** What happens after a task ended. */
export type RestartDecision =
  | { action: 'restart'; delayMs: number; reason: string }
  | { action: 'fail'; reason: string }
  | { action: 'done'; reason: string };

/** The persisted counters of a tracker (so an agent restart does not grant fresh attempts). */
export interface RestartCounters {
  count: number;
  /** Start of the current interval (ms); 0 = not started. */
  windowStart: number;
}

/** The effective policy of a task: the job type's defaults, overridden by the group's, then the task's fields. */
export function restartRules(type: JobType, group?: RestartPolicy, task?: RestartPolicy): RestartRules {
  const merged = { ...defaultRestartPolicy(type), ...stripUndefined(group), ...stripUndefined(task) };
  return {
    attempts: merged.attempts,
    intervalMs: parseDuration(merged.interval),
    delayMs: parseDuration(merged.delay),
    mode: merged.mode === 'delay' ? 'delay' : 'fail',
  };
}

/** Counts restarts within the policy's interval and decides what follows each exit. */
export class RestartTracker {
  private counters: RestartCounters;

  constructor(
    private rules: RestartRules,
    counters?: RestartCounters,
  ) {
    this.counters = counters ? { ...counters } : { count: 0, windowStart: 0 };
  }

  /** Swap the policy (an in-place job update); the counters are kept. */
  setRules(rules: RestartRules): void {
    this.rules = rules;
  }

  /** The counters, for persistence. */
  snapshot(): RestartCounters {
    return { ...this.counters };
  }

  /**
   * The task ended at `now`. `success`: exit code 0 and no driver error. `terminalOnSuccess`: a successful end
   * is final (batch jobs, non-sidecar hooks); service tasks are restarted even after a clean exit, as in Nomad.
   */
  next(now: number, outcome: { success: boolean; terminalOnSuccess: boolean }): RestartDecision {
    if (outcome.success && outcome.terminalOnSuccess) return { action: 'done', reason: 'task completed' };
    const r = this.rules;
    if (r.attempts === 0 && r.mode === 'fail') return { action: 'fail', reason: 'Policy allows no restarts' };
    if (this.counters.windowStart === 0 || now >= this.counters.windowStart + r.intervalMs) {
      this.counters = { count: 0, windowStart: now };
    }
    this.counters.count++;
    if (this.counters.count <= r.attempts) return { action: 'restart', delayMs: r.delayMs, reason: 'Restart within policy' };
    if (r.mode === 'fail') {
      return { action: 'fail', reason: `Exceeded allowed attempts ${r.attempts} in interval ${formatDuration(r.intervalMs)} and mode is "fail"` };
    }
    // mode delay: wait out the rest of the interval, then a fresh window of attempts begins.
    const wait = Math.max(r.delayMs, this.counters.windowStart + r.intervalMs - now);
    this.counters = { count: 0, windowStart: 0 };
    return { action: 'restart', delayMs: wait, reason: `Exceeded allowed attempts ${r.attempts} in interval ${formatDuration(r.intervalMs)}, delaying` };
  }
}

function stripUndefined<T extends object>(o: T | undefined): Partial<T> {
  if (!o) return {};
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
