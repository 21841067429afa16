// `drover dev`: the whole system in one process on the embedded memory store, persisted to a data directory.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../../../pkg/clock/clock.ts';
import type { Logger } from '../../../pkg/log/logger.ts';
import { openMemoryStore } from '../../../pkg/storage/memory/index.ts';
import { defaultComponents, type Component } from '../components.ts';
import { serve } from '../serve.ts';
import type { DisruptionOptions } from '../../../pkg/controllers/health/disruption.ts';
import { DEFAULT_FLOW_CONTROL, type FlowControlConfig } from '../../../pkg/flowcontrol/index.ts';
import { localAgentComponent } from './agent.ts';

/** Arguments of `drover dev`. */
export interface DevArgs {
  port: number;
  host: string;
  dataDir: string;
  /** Silence past a node lease's TTL before the node is down (default 10 s). */
  heartbeatGraceMs?: number;
  /** The health controller's partial-disruption rule. */
  disruption?: DisruptionOptions;
  /** API Priority and Fairness (false: off; default: pkg/flowcontrol's defaults). */
  flowControl?: FlowControlConfig | false;
  /** Defaults to defaultComponents('dev'). */
  components?: Component[];
}

/** What `dev` runs with. */
export interface DevDeps {
  logger: Logger;
  clock: Clock;
  out(text: string): void;
  signal: AbortSignal;
  startedAt: number;
  /** Drover's version, served at /version. */
  version: string;
  /** Colour in the banner. */
  colour?: boolean;
  /** The log level, shown in the banner. */
  logLevel?: string;
}

/** Run `dev` until `deps.signal` aborts; returns the exit code. */
export async function dev(args: DevArgs, deps: DevDeps): Promise<number> {
  await mkdir(args.dataDir, { recursive: true });
  const store = await openMemoryStore({ dataDir: args.dataDir, logger: deps.logger, clock: deps.clock });
  try {
    return await serve({
      label: 'drover dev',
      store,
      port: args.port,
      flowControl: args.flowControl ?? DEFAULT_FLOW_CONTROL,
      host: args.host,
      storage: `data ${args.dataDir}`,
      bannerRows: [
        ['Data dir', `${args.dataDir} (the embedded store and the local agent's allocations; delete it to start afresh)`],
        ['Runs', 'the API server, every controller, the scheduler and a node agent for this machine, in this process'],
      ],
      // One local node agent too, so a job applied to `drover dev` runs on this machine (its state under <data>/agent).
      components: args.components ?? [...defaultComponents('dev', { heartbeatGraceMs: args.heartbeatGraceMs, disruption: args.disruption }), localAgentComponent({ dataDir: join(args.dataDir, 'agent'), version: deps.version })],
      ...deps,
    });
  } finally {
    await store.close();
  }
}
