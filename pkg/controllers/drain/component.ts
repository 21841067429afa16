// The drain controller as a `drover dev` / `drover server` component: campaigns for the `drain-controller`
// Lease and runs the controller only while it leads.
import { runElected, type ControllerHost, type ElectedOptions } from '../runtime/index.ts';
import { startDrainController, type DrainControllerOptions } from './drain.ts';

/** Name of the drain controller's leader-election Lease (in drover-system). */
export const DRAIN_LEASE = 'drain-controller';

/** Tuning of the drain component. */
export type DrainComponentOptions = Omit<DrainControllerOptions, keyof ControllerHost | 'signal'> & Pick<ElectedOptions, 'identity' | 'timings'>;

/** Start campaigning; the returned stop() ends the current term (if any) and the campaign. */
export function startDrainComponent(deps: ControllerHost, opts: DrainComponentOptions = {}): Promise<{ stop(): Promise<void> }> {
  const { identity, timings, ...tuning } = opts;
  return runElected({ ...deps, leaseName: DRAIN_LEASE, identity, timings, start: (signal) => startDrainController({ ...deps, ...tuning, signal }) });
}
