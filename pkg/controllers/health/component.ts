// The health controller as a `drover dev` / `drover server` component: campaigns for the `health-controller`
// Lease and runs the controller only while it leads.
import { runElected, type ControllerHost, type ElectedOptions } from '../runtime/index.ts';
import { startHealthController, type HealthControllerOptions } from './health.ts';

/** Name of the health controller's leader-election Lease (in drover-system). */
export const HEALTH_LEASE = 'health-controller';

/** Tuning of the health component. */
export type HealthComponentOptions = Omit<HealthControllerOptions, keyof ControllerHost | 'signal'> & Pick<ElectedOptions, 'identity' | 'timings'>;

/** Start campaigning; the returned stop() ends the current term (if any) and the campaign. */
export function startHealthComponent(deps: ControllerHost, opts: HealthComponentOptions = {}): Promise<{ stop(): Promise<void> }> {
  const { identity, timings, ...tuning } = opts;
  return runElected({ ...deps, leaseName: HEALTH_LEASE, identity, timings, start: (signal) => startHealthController({ ...deps, ...tuning, signal }) });
}
