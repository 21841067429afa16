// When a failed allocation may be replaced: the reschedule policy's attempt budget and delay function.
import type { AllocView, ReschedulePolicy } from '../structs.ts';

/** A reschedule due this close to now is done now rather than through a follow-up eval (Nomad's window). */
export const RESCHEDULE_WINDOW_MS = 1000;

/** The outcome for one failed allocation. */
export type RescheduleDecision = { kind: 'now' } | { kind: 'later'; at: number } | { kind: 'awaiting-followup' } | { kind: 'never' };

/** Whether the policy's attempt budget allows another reschedule at `now`. */
export function attemptsLeft(alloc: AllocView, policy: ReschedulePolicy, now: number): boolean {
  if (policy.unlimited) return true;
  if (policy.attempts <= 0) return false;
  const since = now - policy.intervalMs;
  const recent = alloc.rescheduleEvents.filter((e) => e.time > since).length;
  return recent < policy.attempts;
}

/** The delay before the next reschedule, grown by the delay function from the chain's last delays. */
export function nextDelay(alloc: AllocView, policy: ReschedulePolicy): number {
  const events = alloc.rescheduleEvents;
  const last = events[events.length - 1];
  let delay = policy.delayMs;
  if (policy.delayFunction === 'exponential' && last) delay = Math.max(policy.delayMs, last.delayMs * 2);
  if (policy.delayFunction === 'fibonacci' && events.length >= 2) delay = last.delayMs + events[events.length - 2].delayMs;
  if (policy.maxDelayMs > 0) delay = Math.min(delay, policy.maxDelayMs);
  // An allocation that ran for longer than the maximum delay since its last reschedule starts the growth over.
  if (last && policy.delayFunction !== 'constant' && policy.maxDelayMs > 0 && (alloc.finishTime ?? 0) - last.time > policy.maxDelayMs) {
    delay = policy.delayMs;
  }
  return delay;
}

/**
 * Decides when a failed allocation is replaced. It is due now when its delay has (nearly) passed or when this is
 * the follow-up evaluation created for it; later when it has no follow-up yet (else it awaits that one); never
 * when attempts ran out.
 */
export function rescheduleDecision(alloc: AllocView, policy: ReschedulePolicy, now: number, evalId?: string): RescheduleDecision {
  const failedAt = alloc.finishTime ?? now;
  if (!attemptsLeft(alloc, policy, failedAt)) return { kind: 'never' };
  const at = failedAt + nextDelay(alloc, policy);
  if ((evalId !== undefined && alloc.followupEval === evalId) || at - now <= RESCHEDULE_WINDOW_MS) return { kind: 'now' };
  if (alloc.followupEval) return { kind: 'awaiting-followup' };
  return { kind: 'later', at };
}
