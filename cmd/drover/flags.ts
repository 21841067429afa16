// The option parsers and option builders the commands share (ports, durations, counts, fractions), and those of
// `drover dev` / `drover server` / `drover agent`: heartbeat grace, flow control, partial disruption, logging.
import { CommanderError, Option, type Command } from 'commander';
import type { AuditLevel } from '../../pkg/auth/audit.ts';
import { parseDuration } from '../../api/schemas/duration.ts';
import { DEFAULT_FLOW_CONTROL, type FlowControlConfig } from '../../pkg/flowcontrol/config.ts';
import { DEFAULT_LARGE_CLUSTER_RATE, DEFAULT_LARGE_CLUSTER_SIZE, DEFAULT_UNHEALTHY_THRESHOLD, type DisruptionOptions } from '../../pkg/controllers/health/disruption.ts';
import { LEVELS } from '../../pkg/log/logger.ts';

export const collect = (value: string, previous: string[] = []) => [...previous, value];
export const port = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new CommanderError(1, 'drover.invalidPort', `error: invalid port "${value}"`);
  return n;
};
export const duration = (value: string) => {
  try {
    return parseDuration(value);
  } catch {
    throw new CommanderError(1, 'drover.invalidDuration', `error: invalid duration "${value}" (use e.g. 10s, 500ms, 1m)`);
  }
};
export const heartbeatGrace = () =>
  new Option('--heartbeat-grace <duration>', "silence allowed past a node lease's TTL before the node is marked down (default 10s, Nomad's)").argParser(duration);
export const nonNegativeInt = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new CommanderError(1, 'drover.invalidNumber', `error: invalid number "${value}" (a whole number ≥ 0)`);
  return n;
};
export const maxInflight = () =>
  new Option('--max-requests-inflight <n>', 'seats of API Priority and Fairness shared by its priority levels (system 40 %, workload-high 30 %, global-default 30 %); 0 turns flow control off').argParser(nonNegativeInt).default(DEFAULT_FLOW_CONTROL.totalSeats);
export const queueWait = () =>
  new Option('--flowcontrol-queue-wait <duration>', 'longest a request waits for a seat of its priority level before it is answered 429 with Retry-After').argParser(duration).default(DEFAULT_FLOW_CONTROL.maxQueueWaitMs, '10s');
/** The flow control of `drover dev` / `drover server` from their flags. */
export const flowControlOf = (o: { maxRequestsInflight: number; flowcontrolQueueWait: number }): FlowControlConfig | false =>
  o.maxRequestsInflight === 0 ? false : { ...DEFAULT_FLOW_CONTROL, totalSeats: o.maxRequestsInflight, maxQueueWaitMs: o.flowcontrolQueueWait };
export const fraction = (value: string) => {
  const n = Number(value);
  if (!(n > 0 && n <= 1)) throw new CommanderError(1, 'drover.invalidNumber', `error: invalid fraction "${value}" (a number in (0, 1])`);
  return n;
};
export const rate = (value: string) => {
  const n = Number(value);
  if (!(value.trim() !== '' && n >= 0 && Number.isFinite(n))) throw new CommanderError(1, 'drover.invalidNumber', `error: invalid rate "${value}" (nodes per second, ≥ 0)`);
  return n;
};
export const disruptionOptions = () => [
  new Option('--unhealthy-node-threshold <fraction>', 'fraction of nodes missing their lease at once (with more than two) that makes the health controller slow down marking nodes down (Kubernetes\' unhealthy-zone threshold)').argParser(fraction).default(DEFAULT_UNHEALTHY_THRESHOLD),
  new Option('--large-cluster-size <n>', 'above this many nodes, a disrupted cluster still marks nodes down at --large-cluster-down-rate; at or below it, none until the disruption ends').argParser(nonNegativeInt).default(DEFAULT_LARGE_CLUSTER_SIZE),
  new Option('--large-cluster-down-rate <per-second>', 'nodes marked down per second during a disruption of a large cluster').argParser(rate).default(DEFAULT_LARGE_CLUSTER_RATE),
];
export const disruptionOf = (o: { unhealthyNodeThreshold: number; largeClusterSize: number; largeClusterDownRate: number }): DisruptionOptions => ({
  unhealthyThreshold: o.unhealthyNodeThreshold, largeClusterSize: o.largeClusterSize, largeClusterRate: o.largeClusterDownRate,
});
export const logLevel = () => new Option('--log-level <level>', 'least severe level logged to stderr').choices(LEVELS).default('info');
export const logFormat = () =>
  new Option('--log-format <format>', 'log lines on stderr: text (readable, coloured on a terminal unless NO_COLOR is set) or json (default: text on a terminal, json when piped)').choices(['text', 'json']);


/**
 * The API server's flags, the same on `drover dev` and `drover server`: HTTPS, authentication off, audit, node
 * liveness, flow control, partial disruption and logging (each command adds its own storage, token and agent flags).
 */
export function withApiServerOptions(cmd: Command): Command {
  return cmd
    .option('--tls-cert-file <file>', 'serve HTTPS with this certificate (followed by its CA certificate, as `drover tls cert create server` writes it)')
    .option('--tls-key-file <file>', 'key of --tls-cert-file')
    .option('--client-ca-file <file>', 'request client certificates and verify them against this CA; one it did not sign is refused at the TLS layer')
    .option('--insecure-no-auth', 'serve without authentication or authorization (anyone who can connect may do anything), as before; for benchmarks and throwaway clusters')
    .option('--audit-log <path>', 'append one JSON line per request (user, groups, verb, resource, namespace, name, code, latency) to this file')
    .addOption(new Option('--audit-level <level>', 'what each audit line holds: Metadata, or Request (also the request body; Secret values are always redacted); None writes nothing').choices(['None', 'Metadata', 'Request']).default('Metadata'))
    .addOption(heartbeatGrace())
    .addOption(maxInflight())
    .addOption(queueWait())
    .addOption(disruptionOptions()[0]!)
    .addOption(disruptionOptions()[1]!)
    .addOption(disruptionOptions()[2]!)
    .addOption(logLevel())
    .addOption(logFormat());
}

/** The audit log of `drover dev` / `drover server` from their flags (none without --audit-log). */
export const auditOf = (o: { auditLog?: string; auditLevel: string }) => (o.auditLog ? { path: o.auditLog, level: o.auditLevel as AuditLevel } : undefined);
