// `drover agent [--name] [--datacenter] [--node-class] [--data-dir] [--http-addr] [--docker-socket] [--config FILE]`: the node
// agent of this machine. Flags win over the config file (YAML, see AgentFileConfig), which wins over defaults.
// Note: `--config` here names the agent's config file; the connection comes from --server/--token, the file's
// `server`/`token`, or DROVER_ADDR/DROVER_TOKEN.
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseDuration } from '../../../api/schemas/duration.ts';
import { createClient } from '../../../pkg/client/client.ts';
import type { ClientTls } from '../../../pkg/client/transport.ts';
import type { Clock } from '../../../pkg/clock/clock.ts';
import type { Logger } from '../../../pkg/log/logger.ts';
import { Agent, type AgentOptions } from '../../../pkg/nodeagent/agent/agent.ts';
import type { LogServerTls } from '../../../pkg/nodeagent/agent/log-server.ts';
import { createDrivers } from '../../../pkg/nodeagent/drivers/index.ts';
import type { Component } from '../components.ts';
import { DEFAULT_SERVER } from '../config.ts';
import { UsageError } from '../errors.ts';
import { println } from '../io.ts';
import { untilAborted } from '../lifetime.ts';

/** Arguments of `drover agent` (flags). */
export interface AgentArgs {
  name?: string;
  datacenter?: string;
  nodeClass?: string;
  dataDir?: string;
  /** `host:port` of the log listener. */
  httpAddr?: string;
  /** The docker driver's daemon socket. */
  dockerSocket?: string;
  /** The agent config file. */
  configFile?: string;
  server?: string;
  token?: string;
  /** CA for an https API server, and the agent's client certificate (drover tls cert create agent). */
  tls?: ClientTls;
  /** mTLS for the log listener (only the API server's certificate is let in). */
  logTls?: LogServerTls;
}

/** The agent config file (YAML). Every field optional. */
export interface AgentFileConfig {
  /** One API server URL, or several comma-separated. */
  server?: string;
  /** API server URLs to fail over between (with `server`, those come first). */
  servers?: string[];
  token?: string;
  name?: string;
  datacenter?: string;
  nodeClass?: string;
  dataDir?: string;
  /** Address allocations are reachable on. */
  address?: string;
  meta?: Record<string, string>;
  hostVolumes?: Record<string, { path: string; readOnly?: boolean }>;
  http?: { host?: string; port?: number; advertiseUrl?: string };
  drivers?: { enabled?: string[]; dockerSocket?: string; execUser?: string; cgroupParent?: string };
  /** Go durations. */
  heartbeatInterval?: string;
  leaseDuration?: string;
  reserved?: { cpu?: number; memoryMB?: number; diskMB?: number };
}

/** What `agent` runs with. */
export interface AgentCommandDeps {
  logger: Logger;
  clock: Clock;
  out(text: string): void;
  signal: AbortSignal;
  version: string;
  env: Record<string, string | undefined>;
  homedir: string;
}

/** Run the agent until `deps.signal` aborts (its tasks keep running for the next start); returns the exit code. */
export async function agent(args: AgentArgs, deps: AgentCommandDeps): Promise<number> {
  const file = args.configFile ? await loadAgentConfig(args.configFile) : {};
  const server = args.server ?? fileServers(file) ?? deps.env.DROVER_ADDR ?? DEFAULT_SERVER;
  const name = args.name ?? file.name ?? defaultNodeName();
  const dataDir = args.dataDir ?? file.dataDir ?? join(deps.homedir, '.drover', 'agent');
  const listen = args.httpAddr ? hostPort(args.httpAddr) : file.http;
  const http = args.logTls ? { ...listen, tls: args.logTls } : listen;
  const client = createClient({
    server, token: args.token ?? file.token ?? deps.env.DROVER_TOKEN, userAgent: `drover-agent/${deps.version}`, tls: args.tls,
    onFailover: (from, to, err) => deps.logger.warn('API server unreachable, failing over', { from, to, err: err.message }),
  });
  const drivers = createDrivers({
    logger: deps.logger, clock: deps.clock, enabled: file.drivers?.enabled, dockerSocket: args.dockerSocket ?? file.drivers?.dockerSocket,
    execUser: file.drivers?.execUser, cgroupParent: file.drivers?.cgroupParent,
  });
  const options: AgentOptions = {
    client, drivers, logger: deps.logger, clock: deps.clock, name, dataDir,
    datacenter: args.datacenter ?? file.datacenter, nodeClass: args.nodeClass ?? file.nodeClass, meta: file.meta, hostVolumes: file.hostVolumes,
    address: file.address, http, reserved: file.reserved, agentVersion: deps.version,
    heartbeatIntervalMs: file.heartbeatInterval ? parseDuration(file.heartbeatInterval) : undefined,
    leaseDurationSeconds: file.leaseDuration ? Math.ceil(parseDuration(file.leaseDuration) / 1000) : undefined,
  };
  const node = new Agent(options);
  try {
    await node.start();
    println(deps.out, `drover agent "${name}" running (data ${dataDir}, logs ${node.httpUrl}), server ${server}`);
    await untilAborted(deps.signal);
    deps.logger.info('agent shutting down; tasks keep running');
  } finally {
    await node.stop();
    await client.close();
  }
  return 0;
}

// The file's `server` (one URL or a comma-separated list) and `servers` (a list), as one --server value.
function fileServers(file: AgentFileConfig): string | undefined {
  const all = [...(file.server ? [file.server] : []), ...(file.servers ?? [])];
  return all.length ? all.join(',') : undefined;
}

/** The node name when none is given: the hostname, as a valid object name. */
export function defaultNodeName(): string {
  return hostname().toLowerCase().replace(/[^a-z0-9.-]/g, '-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '') || 'node';
}

/** The local agent `drover dev` runs beside the control plane (node: the hostname; state under `dataDir`). */
export function localAgentComponent(opts: { dataDir: string; version: string; name?: string }): Component {
  return {
    name: 'agent',
    async start(deps) {
      const drivers = createDrivers({ logger: deps.logger, clock: deps.clock });
      const node = new Agent({ client: deps.client, drivers, logger: deps.logger, clock: deps.clock, name: opts.name ?? defaultNodeName(), dataDir: opts.dataDir, agentVersion: opts.version });
      await node.start();
      // Tasks keep running when dev stops; the next `drover dev` re-attaches to them.
      return { stop: () => node.stop() };
    },
  };
}

const FIELDS: Record<keyof AgentFileConfig, 'string' | 'list' | 'map' | 'object' | 'duration'> = {
  server: 'string', servers: 'list', token: 'string', name: 'string', datacenter: 'string', nodeClass: 'string', dataDir: 'string', address: 'string',
  meta: 'map', hostVolumes: 'object', http: 'object', drivers: 'object', heartbeatInterval: 'duration', leaseDuration: 'duration', reserved: 'object',
};

/** Read and check an agent config file; unknown fields and wrong types are errors naming the field. */
export async function loadAgentConfig(path: string): Promise<AgentFileConfig> {
  let doc: unknown;
  try {
    doc = parse(await readFile(path, 'utf8')) ?? {};
  } catch (err) {
    throw new UsageError(`agent config ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const problems = checkAgentConfig(doc);
  if (problems.length) throw new UsageError(`agent config ${path}: ${problems.join('; ')}`);
  return doc as AgentFileConfig;
}

/** The problems of a parsed agent config (empty = fine). */
export function checkAgentConfig(doc: unknown): string[] {
  if (!isObj(doc)) return ['expected a mapping'];
  const out: string[] = [];
  for (const [k, v] of Object.entries(doc)) {
    const kind = FIELDS[k as keyof AgentFileConfig];
    if (!kind) out.push(`${k}: unknown field (allowed: ${Object.keys(FIELDS).join(', ')})`);
    else if (kind === 'string' && typeof v !== 'string') out.push(`${k}: must be a string`);
    else if (kind === 'list' && !(Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' && x !== ''))) out.push(`${k}: must be a list of URLs`);
    else if (kind === 'map' && !(isObj(v) && Object.values(v).every((x) => typeof x === 'string'))) out.push(`${k}: must map names to strings`);
    else if (kind === 'object' && !isObj(v)) out.push(`${k}: must be a mapping`);
    else if (kind === 'duration' && !isDuration(v)) out.push(`${k}: must be a duration such as "10s"`);
  }
  if (isObj(doc.hostVolumes)) {
    for (const [n, hv] of Object.entries(doc.hostVolumes)) if (!isObj(hv) || typeof hv.path !== 'string') out.push(`hostVolumes.${n}.path: required`);
  }
  if (isObj(doc.http) && doc.http.port !== undefined && !(Number.isInteger(doc.http.port) && (doc.http.port as number) >= 0 && (doc.http.port as number) <= 65535)) {
    out.push('http.port: must be a port number');
  }
  return out;
}

function hostPort(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):([0-9]+)$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new UsageError(`--http-addr must be host:port, got "${text}"`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isDuration(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  try {
    parseDuration(v);
    return true;
  } catch {
    return false;
  }
}

