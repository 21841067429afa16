// A deployment's phase and whether it still moves: the one definition, free of runtime imports so the
// dashboard's browser bundle (pkg/dashboard/ui) shares it with the CLI and the controllers.

/** A deployment's phase (absent on a fresh object means running). */
export type DeploymentPhase = 'running' | 'paused' | 'failed' | 'successful' | 'cancelled';

/** Whether a deployment still moves (running or paused): not successful, failed or cancelled. */
export function isDeploymentActive(phase: DeploymentPhase | undefined): boolean {
  return phase === undefined || phase === 'running' || phase === 'paused';
}
