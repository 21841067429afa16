// The periodic decision, a pure function of the parent, its children and the time (Nomad's periodic dispatcher,
// made level-based): when the next launch is due, whether it is due now, and whether prohibitOverlap skips it.
import type { Job } from '../../../api/schemas/index.ts';
import { nextFire, parseCron, type CronSchedule } from '../../../api/schemas/cron.ts';
import { isJobStopped } from '../../../api/schemas/job-stopping.ts';

/** A periodic child as the planner sees it. */
export interface ChildView {
  /** The launch time its name records (ms). */
  launchMs: number;
  /** Whether it is still running (not dead). */
  active: boolean;
}

/** What planLaunch looks at. */
export interface LaunchInput {
  parent: Job;
  children: readonly ChildView[];
  now: number;
  /**
   * The latest launch time already decided in this controller's memory (launched or skipped). Lost on a restart,
   * so a restarted controller may launch one missed time, as Nomad's dispatcher does when it is restored.
   */
  decided?: number;
}

/** What to do now. */
export interface LaunchPlan {
  /** Launch the child of this time (ms) now. */
  launch?: number;
  /** This time (ms) is due but skipped: a child still runs and overlap is prohibited. */
  skip?: number;
  /** Look again at this time (ms): the next launch after the one decided now. */
  wakeAt?: number;
}

/** At most this many due times are walked to find the latest one after a long outage; beyond, the oldest found wins. */
const MAX_CATCH_UP = 100_000;

/** The parsed schedules of a periodic spec (admission guarantees they parse). */
export function schedulesOf(parent: Job): CronSchedule[] {
  const p = parent.spec.periodic;
  if (!p) return [];
  return (p.crons ?? (p.cron !== undefined ? [p.cron] : [])).map(parseCron);
}

/** The earliest firing of any schedule after `after`. */
function nextOf(schedules: CronSchedule[], after: number, zone: string): number | undefined {
  let best: number | undefined;
  for (const s of schedules) {
    const t = nextFire(s, after, zone);
    if (t !== undefined && (best === undefined || t < best)) best = t;
  }
  return best;
}

/** Whether a parent launches at all: periodic, enabled, not stopped, not being deleted. */
export function isLaunching(parent: Job): boolean {
  return !!parent.spec.periodic && parent.spec.periodic.enabled !== false && !isJobStopped(parent);
}

/**
 * Decide for one parent. Times after the latest of (creation, newest child's launch, `decided`) are candidates;
 * when several have passed (the controller was away) only the newest is launched, as Nomad launches one.
 */
export function planLaunch(input: LaunchInput): LaunchPlan {
  const { parent, children, now } = input;
  if (!isLaunching(parent)) return {};
  const zone = parent.spec.periodic!.timeZone ?? 'UTC';
  const schedules = schedulesOf(parent);
  const created = Date.parse(parent.metadata.creationTimestamp ?? '') || now;
  const base = Math.max(created, input.decided ?? -Infinity, ...children.map((c) => c.launchMs));
  const due = nextOf(schedules, base, zone);
  if (due === undefined) return {};
  if (due > now) return { wakeAt: due };
  let latest = due;
  for (let i = 0, t = nextOf(schedules, due, zone); i < MAX_CATCH_UP && t !== undefined && t <= now; i++, t = nextOf(schedules, t, zone)) latest = t;
  const wakeAt = nextOf(schedules, latest, zone);
  const overlapping = parent.spec.periodic!.prohibitOverlap === true && children.some((c) => c.active);
  return { ...(overlapping ? { skip: latest } : { launch: latest }), ...(wakeAt !== undefined ? { wakeAt } : {}) };
}
