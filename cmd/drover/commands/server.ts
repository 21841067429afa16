// `drover server`: the API server (and control-plane components) on etcd, the production backend.
import { openEtcdStore } from '../../../pkg/storage/etcd/index.ts';
import { defaultComponents, type Component } from '../components.ts';
import { serve } from '../serve.ts';
import type { DisruptionOptions } from '../../../pkg/controllers/health/disruption.ts';
import { DEFAULT_FLOW_CONTROL, type FlowControlConfig } from '../../../pkg/flowcontrol/index.ts';
import type { DevDeps } from './dev.ts';

/** Arguments of `drover server`. */
export interface ServerArgs {
  etcdEndpoints: string[];
  port: number;
  host: string;
  /** Silence past a node lease's TTL before the node is down (default 10 s). */
  heartbeatGraceMs?: number;
  /** The health controller's partial-disruption rule. */
  disruption?: DisruptionOptions;
  /** API Priority and Fairness (false: off; default: pkg/flowcontrol's defaults). */
  flowControl?: FlowControlConfig | false;
  components?: Component[];
}

/** Run `server` until `deps.signal` aborts; returns the exit code. */
export async function server(args: ServerArgs, deps: DevDeps): Promise<number> {
  const store = await openEtcdStore({ endpoints: args.etcdEndpoints, logger: deps.logger, clock: deps.clock });
  try {
    return await serve({
      label: 'drover server',
      store,
      port: args.port,
      flowControl: args.flowControl ?? DEFAULT_FLOW_CONTROL,
      host: args.host,
      storage: `etcd ${args.etcdEndpoints.join(',')}`,
      bannerRows: [['Storage', `etcd ${args.etcdEndpoints.join(', ')}`]],
      components: args.components ?? defaultComponents('server', { heartbeatGraceMs: args.heartbeatGraceMs, disruption: args.disruption }),
      ...deps,
    });
  } finally {
    await store.close();
  }
}
