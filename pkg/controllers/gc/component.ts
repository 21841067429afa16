// The garbage collector and the namespace controller as one `drover dev` / `drover server` component: campaigns
// for the `garbage-collector` Lease and runs both only while it leads (one collector in the cluster, so two never
// race for one dependent).
import { runElected, type ControllerHost, type ElectedOptions } from '../runtime/index.ts';
import { startGarbageCollector, type GarbageCollectorOptions } from './collector.ts';
import { startNamespaceController } from './namespace.ts';

/** Name of the collector's leader-election Lease (in drover-system). */
export const GC_LEASE = 'garbage-collector';

/** Tuning of the collector component. */
export type GcComponentOptions = Omit<GarbageCollectorOptions, keyof ControllerHost | 'signal'> & Pick<ElectedOptions, 'identity' | 'timings'>;

/** Start campaigning; the returned stop() ends the current term (if any) and the campaign. */
export function startGcComponent(deps: ControllerHost, opts: GcComponentOptions = {}): Promise<{ stop(): Promise<void> }> {
  const { identity, timings, ...tuning } = opts;
  return runElected({
    ...deps, leaseName: GC_LEASE, identity, timings,
    async start(signal) {
      const gc = await startGarbageCollector({ ...deps, ...tuning, signal });
      try {
        const ns = await startNamespaceController({ ...deps, signal });
        return { stop: async () => void (await Promise.all([ns.stop(), gc.stop()])) };
      } catch (err) {
        await gc.stop();
        throw err;
      }
    },
  });
}
