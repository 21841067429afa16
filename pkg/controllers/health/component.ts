// The health controller as a `drover dev` / `drover server` component: campaigns for the `health-controller`
// Lease and runs the controller only while it leads.
import type { Client } from '../../client/client.ts';
import type { Clock } from '../../clock/clock.ts';
import type { Logger } from '../../log/logger.ts';
import { runElected, untilAborted, type ElectedOptions } from './elected.ts';
import { startHealthController, type HealthControllerOptions } from './health.ts';

/** Name of the health controller's leader-election Lease (in drover-system). */
export const HEALTH_LEASE = 'health-controller';

/** What the component needs from its host process (cmd/drover's ComponentDeps fits). */
export interface ControllerHostDeps {
  client: Client;
  clock: Clock;
  logger: Logger;
}

/** Tuning of the health component. */
export type HealthComponentOptions = Omit<HealthControllerOptions, 'client' | 'clock' | 'logger' | 'signal'> & Pick<ElectedOptions, 'identity' | 'timings'>;

/** Start campaigning; the returned stop() ends the current term (if any) and the campaign. */
export function startHealthComponent(deps: ControllerHostDeps, opts: HealthComponentOptions = {}): Promise<{ stop(): Promise<void> }> {
  const { identity, timings, ...tuning } = opts;
  return runElected({
    ...deps,
    leaseName: HEALTH_LEASE,
    identity,
    timings,
    async lead(signal) {
      const controller = await startHealthController({ ...deps, ...tuning, signal });
      await untilAborted(signal);
      await controller.stop();
    },
  });
}
