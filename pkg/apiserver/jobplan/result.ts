// From the scheduler's Plan and reconcile buckets to the JobPlanResult wire shape: placements per node, planned
// changes per group (with in-place updates that failed their feasibility re-check moved to destructive, as the
// plan really does them), and the diff annotated with those changes.
import type { JobSpec } from '../../../api/schemas/index.ts';
import type { ScheduleResult } from '../../scheduler/schedule.ts';
import type { NodePlan } from '../../scheduler/plan/plan.ts';
import type { DesiredChanges } from '../../scheduler/reconcile/types.ts';
import type { JobView } from '../../scheduler/structs.ts';
import { annotate } from './annotate.ts';
import { jobDiff } from './diff.ts';
import type { GroupChanges, JobPlanResult, NodePlacements } from './types.ts';

/** What the result is built from besides the schedule itself. */
export interface ResultInput {
  job: JobView;
  oldSpec: JobSpec | undefined;
  newSpec: JobSpec;
  current?: { version: number; modifyIndex: number };
  contextual: boolean;
  basis: JobPlanResult['basis'];
}

/** Assemble the answer of a dry run. */
export function buildResult(s: ScheduleResult, input: ResultInput): JobPlanResult {
  const { plan } = s;
  const desiredChanges = groupChanges(s);
  const diff = jobDiff(input.job.name, input.oldSpec, input.newSpec, input.contextual);
  annotate(diff, input.oldSpec, input.newSpec, desiredChanges);
  const result: JobPlanResult = {
    apiVersion: 'drover.dev/v1',
    kind: 'JobPlanResult',
    namespace: input.job.namespace,
    jobName: input.job.name,
    jobType: input.job.type,
    jobVersion: input.job.version,
    jobModifyIndex: input.current?.modifyIndex ?? 0,
    diff,
    desiredChanges,
    nodes: Object.fromEntries(Object.entries(plan.nodes).map(([name, np]) => [name, nodePlacements(np)])),
    failedGroups: plan.failedGroups,
    queued: plan.queued,
    placementMetrics: plan.placementMetrics,
    followups: plan.followups,
    basis: input.basis,
  };
  if (input.current) result.currentVersion = input.current.version;
  return result;
}

/** The reconciler's counts, corrected by what the plan did with in-place updates. */
function groupChanges(s: ScheduleResult): Record<string, GroupChanges> {
  const updated = new Set(Object.values(s.plan.nodes).flatMap((np) => np.update.map((u) => u.id)));
  const demoted: Record<string, number> = {};
  // An in-place update whose node no longer passes the group's checks became a destructive update.
  for (const a of s.reconcile.inplaceUpdate) if (!updated.has(a.id)) demoted[a.groupName] = (demoted[a.groupName] ?? 0) + 1;
  const out: Record<string, GroupChanges> = {};
  for (const [group, c] of Object.entries(s.reconcile.desiredChanges)) out[group] = fromDesired(c, demoted[group] ?? 0);
  return out;
}

function fromDesired(c: DesiredChanges, demoted: number): GroupChanges {
  return {
    place: c.place, stop: c.stop, inPlaceUpdate: c.inplaceUpdate - demoted, destructiveUpdate: c.destructiveUpdate + demoted,
    migrate: c.migrate, ignore: c.ignore, canary: 0, lost: c.lost, reschedule: c.reschedule,
  };
}

function nodePlacements(np: NodePlan): NodePlacements {
  return {
    place: np.place.map((a) => ({
      id: a.id, name: a.name, group: a.groupName, reason: a.reason, ...(a.previousAllocation ? { previousAllocation: a.previousAllocation } : {}),
      resources: a.resources, ports: a.ports, score: a.score, preempts: a.preempts,
    })),
    stop: np.stop.map((a) => ({
      id: a.id, name: a.name, group: a.groupName, job: a.jobName, desiredStatus: a.desiredStatus, description: a.description,
      ...(a.clientStatus ? { clientStatus: a.clientStatus } : {}),
    })),
    update: np.update.map((u) => ({ id: u.id, name: u.name, fromVersion: u.fromVersion, toVersion: u.toVersion })),
    usage: np.usage,
    capacity: np.capacity,
  };
}
