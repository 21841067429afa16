// The deployment controller as a `drover dev` / `drover server` component: campaigns for the
// `deployment-controller` Lease and runs the controller only while it leads.
import { runElected, type ControllerHost, type ElectedOptions } from '../runtime/index.ts';
import { startDeploymentController, type DeploymentControllerOptions } from './controller.ts';

/** Name of the deployment controller's leader-election Lease (in drover-system). */
export const DEPLOYMENT_LEASE = 'deployment-controller';

/** Tuning of the deployment component. */
export type DeploymentComponentOptions = Omit<DeploymentControllerOptions, keyof ControllerHost | 'signal'> & Pick<ElectedOptions, 'identity' | 'timings'>;

/** Start campaigning; the returned stop() ends the current term (if any) and the campaign. */
export function startDeploymentComponent(deps: ControllerHost, opts: DeploymentComponentOptions = {}): Promise<{ stop(): Promise<void> }> {
  const { identity, timings, ...tuning } = opts;
  return runElected({ ...deps, leaseName: DEPLOYMENT_LEASE, identity, timings, start: (signal) => startDeploymentController({ ...deps, ...tuning, signal }) });
}
