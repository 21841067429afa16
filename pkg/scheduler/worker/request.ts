// Turning a computed Plan into the plan subresource's request: Allocation drafts for placements, stops,
// in-place updates, and the basis (what the plan was computed from) the server checks for staleness. Large
// plans are cut into several submissions, node by node.
import type { Allocation, Evaluation, Job } from '../../../api/schemas/index.ts';
import { API_VERSION } from '../../../api/schemas/kind.ts';
import { formatDuration } from '../../../api/schemas/duration.ts';
import { nodeStateOf } from '../plan/node-state.ts';
import type { PlanBasis, PlanRequest, PlanStop, PlanUpdate } from '../plan/wire.ts';
import type { ClusterSnapshot } from '../cluster.ts';
import type { Plan, PlannedAlloc } from '../plan/plan.ts';
import { isTerminal } from '../../../api/schemas/allocation-state.ts';
import type { ViewKind } from './view.ts';
import { iso } from './claims.ts';

/** The Allocation draft of a placement (the server stamps metadata and the evaluation). */
export function allocationDraft(p: PlannedAlloc): Allocation {
  const spec: Allocation['spec'] = {
    nodeName: p.nodeName,
    jobName: p.jobName,
    jobVersion: p.jobVersion,
    groupName: p.groupName,
    index: p.index,
    resources: {
      tasks: p.taskResources,
      diskMB: p.resources.diskMB,
      ports: p.ports.map((x) => (x.to === undefined ? { label: x.label, value: x.value } : { label: x.label, value: x.value, to: x.to })),
    },
  };
  if (p.previousAllocation) spec.previousAllocation = p.previousAllocation;
  if (p.deploymentName) spec.deploymentName = p.deploymentName;
  if (p.canary) spec.canary = true;
  if (p.rescheduleEvents.length > 0) {
    spec.rescheduleTracker = {
      events: p.rescheduleEvents.map((e) => ({
        rescheduleTime: iso(e.time),
        prevAllocName: e.prevAllocId,
        ...(e.prevNodeName ? { prevNodeName: e.prevNodeName } : {}),
        delay: formatDuration(e.delayMs),
      })),
    };
  }
  return { apiVersion: API_VERSION, kind: 'Allocation', metadata: { name: p.id, namespace: p.namespace }, spec };
}

/** The changes of a plan as request lists. */
export function planChanges(plan: Plan): Pick<PlanRequest, 'placements' | 'stops' | 'updates'> {
  const placements: Allocation[] = [];
  const stops: PlanStop[] = [];
  const updates: PlanUpdate[] = [];
  for (const np of Object.values(plan.nodes)) {
    for (const p of np.place) placements.push(allocationDraft(p));
    for (const s of np.stop) {
      const stop: PlanStop = { name: s.id, desiredStatus: s.desiredStatus, description: s.description };
      if (s.preemptedBy) stop.preemptedBy = s.preemptedBy;
      if (s.clientStatus === 'lost') stop.lost = true;
      stops.push(stop);
    }
    for (const u of np.update) updates.push({ name: u.id, jobVersion: u.toVersion });
  }
  return { placements, stops, updates };
}

/**
 * What the plan is computed from: the job's identity and generation, the informers' revisions, and the state of
 * every node hosting the job's live allocations plus the node that triggered the evaluation.
 */
export function planBasis(ev: Evaluation, job: Job | undefined, revisions: Record<ViewKind, number>, cluster: ClusterSnapshot): PlanBasis {
  const nodes: PlanBasis['nodes'] = {};
  for (const a of cluster.jobAllocs(ev.metadata.namespace ?? 'default', ev.spec.jobName)) {
    if (!isTerminal(a)) nodes[a.nodeName] = nodeStateOf(cluster.node(a.nodeName));
  }
  if (ev.spec.nodeName) nodes[ev.spec.nodeName] = nodeStateOf(cluster.node(ev.spec.nodeName));
  return {
    job: job ? { uid: job.metadata.uid, generation: job.metadata.generation ?? 0 } : null,
    revisions: { ...revisions },
    nodes,
  };
}

/** Cut a plan's changes into submissions of at most `maxPlacements` placements, keeping each node's changes together. */
export function splitChanges(changes: Pick<PlanRequest, 'placements' | 'stops' | 'updates'>, maxPlacements: number): Array<Pick<PlanRequest, 'placements' | 'stops' | 'updates'>> {
  if (changes.placements.length <= maxPlacements) return [changes];
  const byNode = new Map<string, Allocation[]>();
  for (const p of changes.placements) {
    const list = byNode.get(p.spec.nodeName);
    if (list) list.push(p);
    else byNode.set(p.spec.nodeName, [p]);
  }
  const parts: Array<Pick<PlanRequest, 'placements' | 'stops' | 'updates'>> = [];
  let cur: Allocation[] = [];
  for (const list of byNode.values()) {
    if (cur.length > 0 && cur.length + list.length > maxPlacements) {
      parts.push({ placements: cur, stops: [], updates: [] });
      cur = [];
    }
    cur.push(...list);
  }
  parts.push({ placements: cur, stops: [], updates: [] });
  // Stops and updates go with the first part: they free room the later parts may count on.
  parts[0] = { ...parts[0]!, stops: changes.stops, updates: changes.updates };
  return parts;
}
