// A Deployment's phase as Kubernetes conditions (Ready, Reconciling, Stalled), so `kubectl wait
// --for=condition=Ready` and kstatus-based tools (Flux, Argo CD health checks) judge a rollout: Reconciling while
// it runs or is paused, Ready once successful, Stalled when failed; a cancelled one is none of them.
import type { DeploymentStatus } from '../../../api/schemas/index.ts';
import type { DeploymentPhase } from '../../../api/schemas/deployment.ts';
import { rfc3339 } from '../../../api/schemas/timestamp.ts';

type Condition = NonNullable<DeploymentStatus['conditions']>[number];

const REASONS: Record<DeploymentPhase, string> = {
  running: 'DeploymentRunning', paused: 'DeploymentPaused', successful: 'DeploymentSucceeded', failed: 'DeploymentFailed', cancelled: 'DeploymentCancelled',
};

/** `status` with observedGeneration and the three conditions for its phase; unchanged conditions keep their transition time. */
export function withConditions(status: DeploymentStatus, generation: number, now: number): DeploymentStatus {
  const phase = status.phase ?? 'running';
  const want: Record<string, boolean> = {
    Ready: phase === 'successful',
    Reconciling: phase === 'running' || phase === 'paused',
    Stalled: phase === 'failed',
  };
  const prev = new Map((status.conditions ?? []).map((c) => [c.type, c]));
  const conditions: Condition[] = Object.entries(want).map(([type, on]) => {
    const value = on ? 'True' : 'False';
    const old = prev.get(type);
    const c: Condition = { type, status: value, reason: REASONS[phase], message: status.description ?? '', observedGeneration: generation };
    c.lastTransitionTime = old && old.status === value ? old.lastTransitionTime ?? rfc3339(now) : rfc3339(now);
    return c;
  });
  return { ...status, observedGeneration: generation, conditions };
}
