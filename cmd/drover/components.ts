// The pieces `drover dev` and `drover server` run beside the API server. Controllers, scheduler workers and
// (in dev) a node agent plug in here as they are written: each starts against the running server and stops
// in reverse order on shutdown.
import type { Client } from '../../pkg/client/client.ts';
import type { Clock } from '../../pkg/clock/clock.ts';
import type { Logger } from '../../pkg/log/logger.ts';
import type { Store } from '../../pkg/storage/store.ts';

/** What a component receives when it starts. */
export interface ComponentDeps {
  /** The store the API server runs on (components should prefer the API through `client`). */
  store: Store;
  /** A client connected to the in-process API server. */
  client: Client;
  /** The API server's URL. */
  server: string;
  logger: Logger;
  clock: Clock;
}

/** A started component. */
export interface RunningComponent {
  stop(): Promise<void>;
}

/** A part of the control plane started after the API server is listening. */
export interface Component {
  name: string;
  start(deps: ComponentDeps): Promise<RunningComponent>;
}

/** Which process runs the components: `dev` is everything in one process, `server` the control plane only. */
export type ComponentMode = 'dev' | 'server';

/** The components each mode starts, in start order. Empty until controllers, scheduler and agent land. */
export function defaultComponents(_mode: ComponentMode): Component[] {
  return [];
}
