// A Deployment's phase as Kubernetes conditions (Ready, Reconciling, Stalled), so `kubectl wait
// --for=condition=Ready` and kstatus-based tools (Flux, Argo CD health checks) judge a rollout: Reconciling while
// it runs or is paused, Ready once successful, Stalled when failed; a cancelled one is none of them.
import type { DeploymentStatus } from '../../../api/schemas/index.ts';
import type { DeploymentPhase } from '../../../api/schemas/deployment.ts';
import { settleConditions } from '../../../api/schemas/conditions.ts';

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
  const next = Object.entries(want).map(([type, on]) => ({ type, status: on ? ('True' as const) : ('False' as const), reason: REASONS[phase], message: status.description ?? '' }));
  return { ...status, observedGeneration: generation, conditions: settleConditions(status.conditions, next, generation, now) };
}
