// What a controller receives from the process that hosts it (`drover dev`, `drover server`, a test): the API
// client, the clock, a logger, the process's one SharedInformerFactory and the registry its metrics go to.
import type { Registry } from 'prom-client';
import type { Client } from '../../client/client.ts';
import type { Clock } from '../../clock/clock.ts';
import type { Logger } from '../../log/logger.ts';
import { SharedInformerFactory } from '../../client/shared-informer.ts';

/** Dependencies every controller component takes. */
export interface ControllerHost {
  client: Client;
  clock: Clock;
  logger: Logger;
  /** One informer per kind for the whole process (created on demand by withInformers when absent). */
  informers?: SharedInformerFactory;
  /** Registry for the controllers' work-queue metrics (drover dev/server: the API server's, served at /metrics). */
  metrics?: Registry;
}

/**
 * The host's informer factory, or a new one owned by the caller (a controller started on its own, as in unit
 * tests): `owned` says whether the caller must stop it.
 */
export function informersOf(host: ControllerHost): { informers: SharedInformerFactory; owned: boolean } {
  if (host.informers) return { informers: host.informers, owned: false };
  return { informers: new SharedInformerFactory({ client: host.client, clock: host.clock, logger: host.logger }), owned: true };
}
