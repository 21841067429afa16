// Defaults that depend on the job type, which a schema `default` cannot express. Nomad's values: services
// restart a couple of times and reschedule forever with backoff; batch jobs retry locally then once elsewhere;
// system jobs never reschedule (they are pinned to their node).
import type { JOB_TYPES } from './job.ts';
import type { Static } from '@sinclair/typebox';
import type { MigrateStrategy, RestartPolicy, ReschedulePolicy, UpdateStrategy } from './policies.ts';

/** A job type. */
export type JobType = (typeof JOB_TYPES)[number];
type Restart = Required<Static<typeof RestartPolicy>>;
type Reschedule = Required<Static<typeof ReschedulePolicy>>;

/** The restart policy a group gets when neither it nor its tasks set one. */
export function defaultRestartPolicy(type: JobType): Restart {
  const batch = type === 'batch' || type === 'sysbatch';
  return { attempts: batch ? 3 : 2, interval: batch ? '24h' : '30m', delay: '15s', mode: 'fail' };
}

/** The reschedule policy a group gets when neither it nor the job sets one. */
export function defaultReschedulePolicy(type: JobType): Reschedule {
  if (type === 'service') return { attempts: 0, interval: '0', delay: '30s', delayFunction: 'exponential', maxDelay: '1h', unlimited: true };
  if (type === 'batch') return { attempts: 1, interval: '24h', delay: '5s', delayFunction: 'constant', maxDelay: '0', unlimited: false };
  return { attempts: 0, interval: '0', delay: '0', delayFunction: 'constant', maxDelay: '0', unlimited: false };
}

/** Merges policy blocks from outermost (job) to innermost (task): inner fields win, absent fields inherit. */
export function mergePolicy<T extends object>(...layers: Array<Partial<T> | undefined>): Partial<T> {
  return Object.assign({}, ...layers.filter(Boolean));
}

/** The update strategy of a group: the job's, overridden field by field by the group's. */
export function groupUpdateStrategy(job?: Static<typeof UpdateStrategy>, group?: Static<typeof UpdateStrategy>): Static<typeof UpdateStrategy> | undefined {
  if (!job && !group) return undefined;
  return mergePolicy<Static<typeof UpdateStrategy>>(job, group);
}

/** The migrate strategy of a group: the job's, overridden field by field by the group's (Nomad's defaults apply later). */
export function groupMigrateStrategy(job?: Static<typeof MigrateStrategy>, group?: Static<typeof MigrateStrategy>): Static<typeof MigrateStrategy> | undefined {
  if (!job && !group) return undefined;
  return mergePolicy<Static<typeof MigrateStrategy>>(job, group);
}
