// `drover agent --simulate N [--datacenter DC] [--name-prefix P] [--heartbeat-interval D]`: N hollow nodes in
// this process (pkg/nodeagent/simulated), for measuring scale without N machines. The connection is resolved like
// every client command's: --server/--token, DROVER_ADDR/DROVER_TOKEN, the CLI config's context, the default.
import { parseDuration } from '../../../api/schemas/duration.ts';
import { createClient } from '../../../pkg/client/client.ts';
import type { ClientTls } from '../../../pkg/client/transport.ts';
import { readClientTls } from '../tls-files.ts';
import type { Timer } from '../../../pkg/clock/clock.ts';
import { startHollowFleet } from '../../../pkg/nodeagent/simulated/fleet.ts';
import { resolveConnection } from '../config.ts';
import { UsageError } from '../errors.ts';
import { println } from '../io.ts';
import type { AgentCommandDeps } from './agent.ts';
import { untilAborted } from '../lifetime.ts';

/** Arguments of `drover agent --simulate`. */
export interface SimulateArgs {
  /** Number of hollow nodes. */
  count: number;
  datacenter?: string;
  namePrefix?: string;
  /** Go duration between lease renewals of each node (default 10s). */
  heartbeatInterval?: string;
  server?: string;
  token?: string;
  context?: string;
  /** CA for an https API server, and a client certificate. */
  tls?: ClientTls;
}

/** How often the fleet's counters are logged. */
const STATS_EVERY_MS = 30_000;

/** Run the hollow fleet until `deps.signal` aborts; returns the exit code. */
export async function simulate(args: SimulateArgs, deps: AgentCommandDeps): Promise<number> {
  if (!Number.isInteger(args.count) || args.count < 1) throw new UsageError(`--simulate needs a positive number of nodes, not "${args.count}"`);
  const interval = args.heartbeatInterval === undefined ? undefined : durationArg(args.heartbeatInterval);
  const conn = await resolveConnection({ server: args.server, token: args.token, context: args.context }, deps.env, deps.homedir);
  const client = createClient({
    server: conn.server, token: conn.token, userAgent: `drover-agent-simulated/${deps.version}`, tls: args.tls ?? (await readClientTls(conn.tls ?? {})),
    onFailover: (from, to, err) => deps.logger.warn('API server unreachable, failing over', { from, to, err: err.message }),
  });
  let timer: Timer | undefined;
  try {
    const fleet = await startHollowFleet({
      client, clock: deps.clock, logger: deps.logger, count: args.count, datacenter: args.datacenter, namePrefix: args.namePrefix,
      heartbeatIntervalMs: interval, agentVersion: deps.version,
    });
    const first = fleet.nodes[0];
    const last = fleet.nodes[fleet.nodes.length - 1];
    println(deps.out, `drover agent: ${args.count} hollow nodes ${first}..${last} in ${args.datacenter ?? 'dc1'}, server ${conn.server}`);
    const report = () => {
      deps.logger.info('hollow fleet', { ...fleet.stats() });
      timer = deps.clock.setTimeout(report, STATS_EVERY_MS);
    };
    timer = deps.clock.setTimeout(report, STATS_EVERY_MS);
    await untilAborted(deps.signal);
    fleet.stop();
    deps.logger.info('hollow fleet stopped', { ...fleet.stats() });
  } finally {
    timer?.cancel();
    await client.close();
  }
  return 0;
}

function durationArg(text: string): number {
  try {
    const ms = parseDuration(text);
    if (ms > 0) return ms;
  } catch {
    // Reported below.
  }
  throw new UsageError(`--heartbeat-interval needs a positive duration such as 10s, not "${text}"`);
}

