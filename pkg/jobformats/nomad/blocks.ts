// Nomad's shared blocks (constraint, affinity, spread, update, migrate, reschedule, restart, ephemeral_disk,
// periodic, parameterized) onto Drover's policies. Each reads its body and refuses what it leaves.
import type { Body } from './body.ts';

type Json = Record<string, unknown>;

/** Fields Drover accepts but nothing honours yet: refused rather than mapped onto a field that is ignored. */
export const NOT_HONOURED = 'Drover accepts no equivalent that it honours (nothing in Drover acts on it)';

/** Copy attributes `from` → `to` when present (undefined values are dropped later by `compact`). */
export function copy(b: Body, out: Json, pairs: Record<string, string>): Json {
  for (const [from, to] of Object.entries(pairs)) {
    const v = b.attr(from);
    if (v !== undefined) out[to] = v;
  }
  return out;
}

/** Refuse each present field of `names` as not honoured. */
export function refuseAll(b: Body, names: string[], message = NOT_HONOURED): void {
  for (const n of names) if (b.has(n)) b.refuse(n, message);
}

/** Nomad's constraint, including the distinct_hosts / distinct_property shorthands. */
export function constraint(b: Body): Json {
  const out: Json = {};
  copy(b, out, { attribute: 'attribute', operator: 'operator', value: 'value' });
  const distinctHosts = b.attr('distinct_hosts');
  if (distinctHosts !== undefined) {
    out.operator = 'distinct_hosts';
    out.value = String(distinctHosts);
  }
  const distinctProperty = b.attr('distinct_property');
  if (distinctProperty !== undefined) {
    out.operator = 'distinct_property';
    out.attribute = distinctProperty;
  }
  if (typeof out.value === 'number' || typeof out.value === 'boolean') out.value = String(out.value);
  b.finish();
  return out;
}

/** Nomad's affinity. */
export function affinity(b: Body): Json {
  const out = copy(b, {}, { attribute: 'attribute', operator: 'operator', value: 'value', weight: 'weight' });
  if (typeof out.value === 'number' || typeof out.value === 'boolean') out.value = String(out.value);
  b.finish();
  return out;
}

/** Nomad's spread with its `target "value" { percent }` blocks. */
export function spread(b: Body): Json {
  const out = copy(b, {}, { attribute: 'attribute', weight: 'weight' });
  const targets = b.labeled('target').map(({ label, body }) => {
    const t = { value: label, ...copy(body, {}, { percent: 'percent' }) };
    body.finish();
    return t;
  });
  if (targets.length > 0) out.targets = targets;
  b.finish();
  return out;
}

/** constraint/affinity/spread lists of a job, group or task body. */
export function placement(b: Body, out: Json, opts: { spreads: boolean }): void {
  const constraints = b.blocks('constraint').map(constraint);
  if (constraints.length) out.constraints = constraints;
  const affinities = b.blocks('affinity').map(affinity);
  if (affinities.length) out.affinities = affinities;
  if (!opts.spreads) return;
  const spreads = b.blocks('spread').map(spread);
  if (spreads.length) out.spreads = spreads;
}

/** Nomad's update block: what Drover's deployment controller, scheduler and agents act on. */
export function update(b: Body): Json {
  const out = copy(b, {}, {
    max_parallel: 'maxParallel', health_check: 'healthCheck', min_healthy_time: 'minHealthyTime', healthy_deadline: 'healthyDeadline',
    progress_deadline: 'progressDeadline', canary: 'canary', auto_revert: 'autoRevert', auto_promote: 'autoPromote',
  });
  refuseAll(b, ['stagger'], `${NOT_HONOURED}: nothing in Drover waits between migrations of a rolling update`);
  b.finish();
  return out;
}

/** Nomad's migrate block. */
export function migrate(b: Body): Json {
  const out = copy(b, {}, { max_parallel: 'maxParallel', health_check: 'healthCheck', min_healthy_time: 'minHealthyTime', healthy_deadline: 'healthyDeadline' });
  b.finish();
  return out;
}

/** Nomad's reschedule block. */
export function reschedule(b: Body): Json {
  const out = copy(b, {}, { attempts: 'attempts', interval: 'interval', delay: 'delay', delay_function: 'delayFunction', max_delay: 'maxDelay', unlimited: 'unlimited' });
  b.finish();
  return out;
}

/** Nomad's restart block. */
export function restart(b: Body): Json {
  const out = copy(b, {}, { attempts: 'attempts', interval: 'interval', delay: 'delay', mode: 'mode' });
  b.finish();
  return out;
}

/** Nomad's ephemeral_disk: the size is honoured by the scheduler; sticky and migrate are not acted on. */
export function ephemeralDisk(b: Body): Json {
  const out = copy(b, {}, { size: 'sizeMB' });
  refuseAll(b, ['sticky', 'migrate'], `${NOT_HONOURED}: the scheduler does not prefer the previous node and the agent does not copy the disk`);
  b.finish();
  return out;
}

/** Nomad's periodic block. */
export function periodic(b: Body): Json {
  const out = copy(b, {}, { prohibit_overlap: 'prohibitOverlap', time_zone: 'timeZone', enabled: 'enabled' });
  const cron = b.attr('cron');
  if (cron !== undefined) out.cron = cron;
  const crons = b.attr('crons');
  if (crons !== undefined) out.crons = crons;
  b.finish();
  return out;
}

/** Nomad's parameterized block. */
export function parameterized(b: Body): Json {
  const out = copy(b, {}, { payload: 'payload', meta_required: 'metaRequired', meta_optional: 'metaOptional' });
  b.finish();
  return out;
}
