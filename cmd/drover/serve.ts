// Running the API server (and its components) until interrupted: shared by `drover dev` and `drover server`.
import { performance } from 'node:perf_hooks';
import { createApiServer } from '../../pkg/apiserver/server.ts';
import { dispatchPlugin } from '../../pkg/apiserver/dispatch/route.ts';
import { jobPlanPlugin } from '../../pkg/apiserver/jobplan/index.ts';
import { logProxyPlugin } from '../../pkg/apiserver/logproxy/log-proxy.ts';
import { planCommitPlugin } from '../../pkg/plancommit/route.ts';
import { createClient } from '../../pkg/client/client.ts';
import { SharedInformerFactory } from '../../pkg/client/shared-informer.ts';
import type { Clock } from '../../pkg/clock/clock.ts';
import type { FlowControlConfig } from '../../pkg/flowcontrol/index.ts';
import type { Logger } from '../../pkg/log/logger.ts';
import type { Store } from '../../pkg/storage/store.ts';
import type { Component, RunningComponent } from './components.ts';
import { banner } from './banner.ts';
import { println } from './io.ts';
import { untilAborted } from './lifetime.ts';

/** What serve() runs. */
export interface ServeOptions {
  /** The command name for the ready line (`drover dev`). */
  label: string;
  store: Store;
  port: number;
  host: string;
  /** Where the state lives, for the ready line (`data /home/x/.drover/dev`, `etcd http://...`). */
  storage: string;
  /** Rows of the banner after the API and UI addresses (`['Data dir', dir]`). */
  bannerRows: Array<[string, string]>;
  /** Bold banner headings (stdout is a terminal and NO_COLOR is unset). */
  colour?: boolean;
  /** The log level, for the banner. */
  logLevel?: string;
  components: Component[];
  logger: Logger;
  clock: Clock;
  out(text: string): void;
  /** Shutdown starts when this aborts. */
  signal: AbortSignal;
  /** performance.now() at process start, for `ready in N ms`. */
  startedAt: number;
  /** Drover's version, served at /version. */
  version: string;
  /** API Priority and Fairness of the API server (false: off). */
  flowControl?: FlowControlConfig | false;
}

/** Serve until `signal` aborts, then stop components (in reverse), the server, and return 0. The caller closes the store. */
export async function serve(opts: ServeOptions): Promise<number> {
  // Every API server commits plans (any of them may take a worker's plan), serves the job plan dry run
  // (`drover plan`, so every client gets the same answer) and the allocation log subresource (`drover logs`),
  // proxied to the allocation's node agent.
  const api = await createApiServer({ store: opts.store, logger: opts.logger, clock: opts.clock, version: opts.version, flowControl: opts.flowControl, plugins: [planCommitPlugin(), jobPlanPlugin(), dispatchPlugin(), logProxyPlugin()] });
  const url = await api.listen({ port: opts.port, host: opts.host });
  // The banner first, as soon as the address is known; components log as they start; the ready line last.
  opts.out(banner({ label: opts.label, url, host: opts.host, rows: opts.bannerRows, logLevel: opts.logLevel ?? 'info', colour: opts.colour ?? false }));
  const client = createClient({ server: url, userAgent: `${opts.label}/components` });
  // One informer per kind for every component of this process: each kind is listed, watched and cached once.
  const informers = new SharedInformerFactory({ client, clock: opts.clock, logger: opts.logger.child({ component: 'informers' }) });
  const running: Array<{ name: string; component: RunningComponent }> = [];
  try {
    for (const c of opts.components) {
      const deps = { store: opts.store, client, server: url, logger: opts.logger.child({ component: c.name }), clock: opts.clock, informers, metrics: api.metrics };
      running.push({ name: c.name, component: await c.start(deps) });
    }
    println(opts.out, `${opts.label} listening on ${url} (${opts.storage}), ready in ${Math.round(performance.now() - opts.startedAt)} ms`);
    await untilAborted(opts.signal);
    opts.logger.info('shutting down');
  } finally {
    for (const r of running.reverse()) {
      await stopWithin(r.component, STOP_TIMEOUT_MS).catch((err) => opts.logger.error('component failed to stop', { component: r.name, err }));
    }
    informers.stop();
    await client.close();
    await api.close();
  }
  return 0;
}

/** How long one component may take to stop before shutdown goes on without it (a stuck stop must not hang the process). */
const STOP_TIMEOUT_MS = 15_000;

function stopWithin(component: RunningComponent, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not stop within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([component.stop(), timeout]).finally(() => clearTimeout(timer));
}

