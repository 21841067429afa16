// Scheduler worker settings, with Nomad's defaults where Nomad has one.
import type { SchedulerConfig } from '../stack.ts';

/** How workers claim, retry and give up on evaluations. Times in milliseconds. */
export interface WorkerConfig {
  /** How long a claim lasts without renewal; an abandoned claim expires and the evaluation is redelivered. */
  claimLeaseMs: number;
  /** How often a worker renews the claim it is processing (default: a third of the lease). */
  renewIntervalMs: number;
  /** How long a nacked evaluation waits before it is delivered again. */
  nackDelayMs: number;
  /** Deliveries after which the evaluation fails and a follow-up evaluation is created. */
  deliveryLimit: number;
  /** Plan submissions without progress before the evaluation fails with a max-plan-attempts follow-up. */
  maxPlanAttempts: number;
  /** Delay of the follow-up evaluation of a failed one (Nomad waits a minute or more). */
  failedFollowupDelayMs: number;
  /** Placements per plan submission; bigger plans go in several (the request body has a size limit). */
  maxPlacementsPerSubmission: number;
  /** The placement stack's settings (algorithm, preemption...). */
  scheduler: Partial<SchedulerConfig>;
}

/** The defaults: 30 s claims, delivery limit 3, 5 plan attempts. */
export const DEFAULT_WORKER_CONFIG: WorkerConfig = {
  claimLeaseMs: 30_000,
  renewIntervalMs: 10_000,
  nackDelayMs: 5_000,
  deliveryLimit: 3,
  maxPlanAttempts: 5,
  failedFollowupDelayMs: 60_000,
  maxPlacementsPerSubmission: 2_000,
  scheduler: {},
};

/** The defaults overridden by `over`; the renew interval follows the lease unless given. */
export function workerConfig(over: Partial<WorkerConfig> = {}): WorkerConfig {
  const claimLeaseMs = over.claimLeaseMs ?? DEFAULT_WORKER_CONFIG.claimLeaseMs;
  const cfg = { ...DEFAULT_WORKER_CONFIG, renewIntervalMs: Math.max(1, Math.floor(claimLeaseMs / 3)), ...over };
  if (!(cfg.renewIntervalMs < cfg.claimLeaseMs)) throw new RangeError('renewIntervalMs must be shorter than claimLeaseMs');
  if (!(cfg.deliveryLimit >= 1)) throw new RangeError('deliveryLimit must be at least 1');
  if (!(cfg.maxPlanAttempts >= 1)) throw new RangeError('maxPlanAttempts must be at least 1');
  return cfg;
}
