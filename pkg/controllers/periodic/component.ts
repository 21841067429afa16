// The periodic controller as a `drover dev` / `drover server` component: campaigns for the
// `periodic-controller` Lease and launches children only while it leads, so one process launches each time.
import { runElected, type ControllerHost, type ElectedOptions } from '../runtime/index.ts';
import { startPeriodicController, type PeriodicControllerOptions } from './periodic.ts';

/** Name of the periodic controller's leader-election Lease (in drover-system). */
export const PERIODIC_LEASE = 'periodic-controller';

/** Tuning of the periodic component. */
export type PeriodicComponentOptions = Omit<PeriodicControllerOptions, keyof ControllerHost | 'signal'> & Pick<ElectedOptions, 'identity' | 'timings'>;

/** Start campaigning; the returned stop() ends the current term (if any) and the campaign. */
export function startPeriodicComponent(deps: ControllerHost, opts: PeriodicComponentOptions = {}): Promise<{ stop(): Promise<void> }> {
  const { identity, timings, ...tuning } = opts;
  return runElected({ ...deps, leaseName: PERIODIC_LEASE, identity, timings, start: (signal) => startPeriodicController({ ...deps, ...tuning, signal }) });
}
