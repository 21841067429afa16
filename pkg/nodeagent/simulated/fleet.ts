// A fleet of hollow nodes in one process (the kubemark idea): N Nodes registered with varied fingerprints, one
// Lease each renewed on a staggered schedule, and one allocation informer that pretends to run whatever the
// scheduler places on them. Scale can then be measured without N machines.
import type { Lease, Node } from '../../../api/schemas/index.ts';
import type { Client } from '../../client/client.ts';
import type { Clock } from '../../clock/clock.ts';
import type { Logger } from '../../log/logger.ts';
import { DEFAULT_HEARTBEAT_INTERVAL_MS, ensureNamespace, HeartbeatScheduler, NodeLease, type HeartbeatStats } from '../heartbeat.ts';
import { NODE_LEASE_NAMESPACE } from '../../../api/schemas/well-known.ts';
import { Limiter } from '../limiter.ts';
import { registerNode } from '../register.ts';
import { HollowAllocations, type AllocationStats } from './allocs.ts';
import { simulatedFingerprint, type FleetShape } from './fingerprints.ts';
import { JobSpecCache } from './jobs.ts';

/** Options of startHollowFleet. */
export interface HollowFleetOptions {
  client: Client;
  clock: Clock;
  logger: Logger;
  /** Number of nodes. */
  count: number;
  /** Datacenter of every node (default dc1). */
  datacenter?: string;
  /** Node name prefix (default `hollow-`): nodes are `<prefix>00000`, `<prefix>00001`, ... */
  namePrefix?: string;
  /** Seed of the fingerprint variation (default: the prefix). */
  seed?: string;
  /** Time between renewals of each node's lease (default 10 s). */
  heartbeatIntervalMs?: number;
  /** leaseDurationSeconds of the node leases (default 20). */
  leaseDurationSeconds?: number;
  /** Placed → running delay range in ms (default [100, 1000]). */
  startDelayMs?: readonly [number, number];
  /** Stopped → complete delay range in ms (default [50, 500]). */
  stopDelayMs?: readonly [number, number];
  /** API writes in flight at once, per kind of work (default 32). */
  concurrency?: number;
  /** Random source in [0, 1) for report delays (default Math.random). */
  random?: () => number;
  agentVersion?: string;
}

/** Counters of a running fleet. */
export interface FleetStats {
  nodes: number;
  heartbeats: HeartbeatStats;
  allocations: AllocationStats;
}

/** A running fleet. */
export interface HollowFleet {
  /** The registered node names. */
  readonly nodes: readonly string[];
  stats(): FleetStats;
  /** Stop heartbeats and allocation reports (the Nodes stay; their leases lapse and the health controller marks them down). */
  stop(): void;
}

/** Register `count` hollow nodes, start their heartbeats and their allocation runner. */
export async function startHollowFleet(opts: HollowFleetOptions): Promise<HollowFleet> {
  const shape: FleetShape = { datacenter: opts.datacenter ?? 'dc1', namePrefix: opts.namePrefix ?? 'hollow-', seed: opts.seed, agentVersion: opts.agentVersion };
  const fingerprints = Array.from({ length: opts.count }, (_, i) => simulatedFingerprint(shape, i));
  const names = new Set(fingerprints.map((f) => f.name));
  const concurrency = opts.concurrency ?? 32;
  const log = opts.logger.child({ fleet: shape.namePrefix });
  const allocs = new HollowAllocations({
    client: opts.client, clock: opts.clock, logger: log, jobs: new JobSpecCache(opts.client, log), owns: (n) => names.has(n),
    startDelayMs: opts.startDelayMs ?? [100, 1000], stopDelayMs: opts.stopDelayMs ?? [50, 500], concurrency, random: opts.random ?? Math.random,
  });
  const heartbeats = new HeartbeatScheduler({ clock: opts.clock, logger: log, intervalMs: opts.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS, concurrency });
  await ensureNamespace(opts.client, NODE_LEASE_NAMESPACE);
  const leaseClient = opts.client.resource<Lease>('leases');
  const nodeClient = opts.client.resource<Node>('nodes');
  const leases = fingerprints.map((f) => new NodeLease({ leases: leaseClient, nodeName: f.name, clock: opts.clock, durationSeconds: opts.leaseDurationSeconds }));
  // The first heartbeat goes with registration, so a node is never ready without a live lease.
  const limiter = new Limiter(concurrency);
  await Promise.all(
    fingerprints.map((fp, i) =>
      limiter.run(async () => {
        await leases[i]!.renew();
        await registerNode(nodeClient, fp, { now: () => opts.clock.now() });
      }),
    ),
  );
  log.info('hollow nodes registered', { count: opts.count });
  heartbeats.start(leases);
  await allocs.start();
  return {
    nodes: fingerprints.map((f) => f.name),
    stats: () => ({ nodes: opts.count, heartbeats: heartbeats.stats(), allocations: allocs.stats() }),
    stop() {
      heartbeats.stop();
      allocs.stop();
    },
  };
}
