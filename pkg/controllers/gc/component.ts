// The garbage collector as a `drover dev` / `drover server` component: campaigns for the `garbage-collector`
// Lease and collects only while it leads (one collector in the cluster, so two never race for one dependent).
import { runElected, type ControllerHost, type ElectedOptions } from '../runtime/index.ts';
import { startGarbageCollector, type GarbageCollectorOptions } from './collector.ts';

/** Name of the collector's leader-election Lease (in drover-system). */
export const GC_LEASE = 'garbage-collector';

/** Tuning of the collector component. */
export type GcComponentOptions = Omit<GarbageCollectorOptions, keyof ControllerHost | 'signal'> & Pick<ElectedOptions, 'identity' | 'timings'>;

/** Start campaigning; the returned stop() ends the current term (if any) and the campaign. */
export function startGcComponent(deps: ControllerHost, opts: GcComponentOptions = {}): Promise<{ stop(): Promise<void> }> {
  const { identity, timings, ...tuning } = opts;
  return runElected({ ...deps, leaseName: GC_LEASE, identity, timings, start: (signal) => startGarbageCollector({ ...deps, ...tuning, signal }) });
}
