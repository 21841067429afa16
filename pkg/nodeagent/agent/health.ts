// Allocation health (Nomad's allochealth tracker): an allocation becomes healthy once its tasks run — and, in
// `checks` mode, every check passes — continuously for minHealthyTime; it becomes unhealthy when a task fails, or
// when healthyDeadline passes first. The verdict is given once per deployment, by the group's update block; a
// service allocation outside a deployment gets one verdict by the group's migrate block (the drainer waits for it
// before moving the next batch), keyed MIGRATE_HEALTH.
import { parseDuration, type UpdateStrategy } from '../../../api/schemas/index.ts';
import type { Clock, Timer } from '../../clock/clock.ts';

/** How health is judged (the update stanza's healthCheck). */
export type HealthMode = 'checks' | 'task_states' | 'manual';

/** The health rules of one group. */
export interface HealthRules {
  mode: HealthMode;
  minHealthyMs: number;
  healthyDeadlineMs: number;
}

/** What the watcher observes after each change. */
export interface HealthObservation {
  /** Every task that should be running is running. */
  tasksRunning: boolean;
  /** A task has failed (dead, failed). */
  taskFailed: boolean;
  /** Every check's latest status is passing (true when there are no checks). */
  checksPassing: boolean;
}

/** What a health verdict outside any deployment is keyed by (the snapshot's `health.deployment`). */
export const MIGRATE_HEALTH = '';

/** The rules from a group's update or migrate strategy (job's merged with group's), with Nomad's defaults. */
export function healthRules(update: Pick<UpdateStrategy, 'healthCheck' | 'minHealthyTime' | 'healthyDeadline'> | undefined): HealthRules {
  return {
    mode: update?.healthCheck ?? 'checks',
    minHealthyMs: parseDuration(update?.minHealthyTime ?? '10s'),
    healthyDeadlineMs: parseDuration(update?.healthyDeadline ?? '5m'),
  };
}

/** Watches one allocation's health and reports the verdict once. */
export class HealthWatcher {
  private verdict: { healthy: boolean; at: number } | undefined;
  private minTimer: Timer | undefined;
  private deadline: Timer | undefined;
  private last: HealthObservation = { tasksRunning: false, taskFailed: false, checksPassing: false };

  constructor(
    private readonly rules: HealthRules,
    private readonly clock: Clock,
    private readonly report: (healthy: boolean, at: number) => void,
    restored?: { healthy: boolean; at: number },
  ) {
    this.verdict = restored;
  }

  /** The verdict, once given. */
  get result(): { healthy: boolean; at: number } | undefined {
    return this.verdict;
  }

  /** Start the healthyDeadline clock (`startedAt`: when the allocation began, so a restarted agent keeps it). */
  start(startedAt: number): void {
    if (this.verdict || this.rules.mode === 'manual') return;
    const left = Math.max(0, startedAt + this.rules.healthyDeadlineMs - this.clock.now());
    this.deadline = this.clock.setTimeout(() => this.decide(false), left);
  }

  /** Feed the latest state of tasks and checks. */
  observe(o: HealthObservation): void {
    this.last = o;
    if (this.verdict || this.rules.mode === 'manual') return;
    if (o.taskFailed) return this.decide(false);
    const good = o.tasksRunning && (this.rules.mode === 'task_states' || o.checksPassing);
    if (!good) {
      this.minTimer?.cancel();
      this.minTimer = undefined;
      return;
    }
    // Healthy only after staying good for the whole minHealthyTime: any dip above cancels the timer.
    this.minTimer ??= this.clock.setTimeout(() => {
      this.minTimer = undefined;
      if (this.last.tasksRunning && !this.last.taskFailed) this.decide(true);
    }, this.rules.minHealthyMs);
  }

  stop(): void {
    this.minTimer?.cancel();
    this.deadline?.cancel();
    this.minTimer = this.deadline = undefined;
  }

  private decide(healthy: boolean): void {
    if (this.verdict) return;
    this.verdict = { healthy, at: this.clock.now() };
    this.stop();
    this.report(healthy, this.verdict.at);
  }
}
