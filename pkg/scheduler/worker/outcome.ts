// An evaluation's outcome as the plan commit writes it: complete (with a blocked evaluation for placements that
// found no node, and follow-ups for delayed reschedules), blocked again (a re-processed blocked evaluation that
// still cannot place), or failed (with a follow-up evaluation that tries again later).
import type { AllocMetric as ApiAllocMetric, Evaluation, EvaluationStatus } from '../../../api/schemas/index.ts';
import { API_VERSION } from '../../../api/schemas/kind.ts';
import type { EvalOutcome } from '../plan/wire.ts';
import { hashOf } from '../fingerprint.ts';
import type { AllocMetric } from '../metrics.ts';
import type { Plan } from '../plan/plan.ts';
import { iso, type ClaimToken } from './claims.ts';

/** A DNS-1123 name for an evaluation derived from `parent` (deterministic, so a retried outcome is idempotent). */
export function childName(parent: string, suffix: string): string {
  const name = `${parent}-${suffix}`;
  if (name.length <= 253) return name;
  const h = hashOf(name).slice(0, 8);
  return `${parent.slice(0, 253 - suffix.length - h.length - 2)}-${h}-${suffix}`;
}

/** A scheduler metric in the Evaluation schema's form (the structured top scores stay behind). */
export function apiMetric(m: AllocMetric): ApiAllocMetric {
  const { topScores: _t, ...rest } = m;
  return rest;
}

/** The status fields every outcome starts from: the claim released, deliveries kept. */
function released(ev: Evaluation, token: ClaimToken): EvaluationStatus {
  const s: EvaluationStatus = { ...ev.status, deliveries: token.deliveries };
  delete s.claimedBy;
  delete s.claimExpiresAt;
  return s;
}

/** A new evaluation of the same job. */
function sibling(ev: Evaluation, name: string, spec: Partial<Evaluation['spec']>, status?: EvaluationStatus): Evaluation {
  const base: Evaluation['spec'] = { jobName: ev.spec.jobName, triggeredBy: 'queued-allocs', previousEval: ev.metadata.name };
  for (const k of ['jobVersion', 'priority', 'type'] as const) if (ev.spec[k] !== undefined) (base as Record<string, unknown>)[k] = ev.spec[k];
  const out: Evaluation = { apiVersion: API_VERSION, kind: 'Evaluation', metadata: { name }, spec: { ...base, ...spec } };
  if (status) out.status = status;
  return out;
}

/** The outcome of a processed plan: complete, or blocked again when a blocked evaluation still cannot place. */
export function planOutcome(ev: Evaluation, token: ClaimToken, plan: Plan, snapshotRevision: number): EvalOutcome {
  const status = released(ev, token);
  const failed = Object.keys(plan.queued).length > 0;
  const failedTGAllocs = Object.fromEntries(Object.entries(plan.failedGroups).map(([g, m]) => [g, apiMetric(m)]));
  const annotations = Object.fromEntries(Object.entries(plan.desiredChanges).map(([g, d]) => [`desiredChanges.${g}`, JSON.stringify(d)]));
  Object.assign(status, { snapshotRevision: String(snapshotRevision), annotations, queuedAllocations: plan.queued, failedTGAllocs });
  delete status.statusDescription;
  const create: Evaluation[] = [];
  const followups: EvalOutcome['followups'] = [];
  plan.followups.forEach((f, i) => {
    const name = childName(ev.metadata.name, `f${i}`);
    create.push(sibling(ev, name, { triggeredBy: 'alloc-failure', waitUntil: iso(f.waitUntil) }));
    for (const id of f.allocIds) followups.push({ name: id, followupEval: name });
  });
  if (!failed) {
    delete status.blockedEval;
    return { status: { ...status, phase: 'complete' }, create, followups };
  }
  const blockedFacts = { failedTGAllocs, queuedAllocations: plan.queued, classEligibility: plan.classEligibility, escapedComputedClass: plan.escapedComputedClass };
  if (ev.spec.triggeredBy === 'queued-allocs') {
    // Nomad's reblock: the blocked evaluation goes back to waiting, with fresh eligibility and deliveries reset.
    return { status: { ...status, ...blockedFacts, phase: 'blocked', deliveries: 0, statusDescription: 'still cannot place every allocation' }, create, followups };
  }
  const blocked = childName(ev.metadata.name, 'blocked');
  create.push(sibling(ev, blocked, { triggeredBy: 'queued-allocs' }, { phase: 'blocked', ...blockedFacts, statusDescription: `created to place what ${ev.metadata.name} could not` }));
  return { status: { ...status, phase: 'complete', blockedEval: blocked }, create, followups };
}

/** The outcome of an evaluation given up on: failed, with a follow-up evaluation due after `delayMs`. */
export function failedOutcome(ev: Evaluation, token: ClaimToken, reason: string, triggeredBy: 'failed-follow-up' | 'max-plan-attempts', nowMs: number, delayMs: number): EvalOutcome {
  const next = childName(ev.metadata.name, triggeredBy === 'failed-follow-up' ? 'retry' : 'replan');
  const status: EvaluationStatus = { ...released(ev, token), phase: 'failed', statusDescription: reason.slice(0, 1024), nextEval: next };
  return { status, create: [sibling(ev, next, { triggeredBy, waitUntil: iso(nowMs + delayMs) })], followups: [] };
}
