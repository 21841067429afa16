// Nomad's task block onto a Drover task: driver and config, env, resources, services and checks, lifecycle,
// logs, volume mounts, dispatch payload, restart and placement. Ports a task declares under
// resources.network (the old syntax) are handed back for the group network.
import { checkDockerConfig } from '../../nodeagent/drivers/docker/config.ts';
import { checkProcessConfig } from '../../nodeagent/drivers/rawexec/config.ts';
import type { Body } from './body.ts';
import { copy, NOT_HONOURED, placement, refuseAll, restart } from './blocks.ts';

type Json = Record<string, unknown>;

/** A task, and the ports its resources.network declared (old syntax). */
export interface TaskResult {
  task: Json;
  ports: { port: Json; body: Body; name: string }[];
}

/** Map `task "name" { ... }`. */
export function task(name: string, b: Body): TaskResult {
  const out: Json = { name };
  copy(b, out, { driver: 'driver', user: 'user', kill_timeout: 'killTimeout', kill_signal: 'killSignal', leader: 'leader' });
  const config = b.block('config');
  if (config) out.config = driverConfig(String(out.driver), config);
  const env = b.stringMap('env');
  if (env) out.env = env;
  const meta = b.stringMap('meta');
  if (meta) out.meta = meta;
  const ports: TaskResult['ports'] = [];
  const res = b.block('resources');
  if (res) out.resources = resources(res, ports);
  const services = b.blocks('service').map(service);
  if (services.length) out.services = services;
  const lc = b.block('lifecycle');
  if (lc) {
    out.lifecycle = copy(lc, {}, { hook: 'hook', sidecar: 'sidecar' });
    lc.finish();
  }
  const logs = b.block('logs');
  if (logs) {
    out.logs = copy(logs, {}, { max_files: 'maxFiles', max_file_size: 'maxFileSizeMB' });
    logs.finish();
  }
  const mounts = b.blocks('volume_mount').map((m) => {
    const v = copy(m, {}, { volume: 'volume', destination: 'destination', read_only: 'readOnly' });
    m.finish();
    return v;
  });
  if (mounts.length) out.volumeMounts = mounts;
  const dp = b.block('dispatch_payload');
  if (dp) {
    out.dispatchPayload = copy(dp, {}, { file: 'file' });
    dp.finish();
  }
  const rs = b.block('restart');
  if (rs) out.restart = restart(rs);
  placement(b, out, { spreads: false });
  const templates = b.blocks('template').map(template);
  if (templates.length) out.templates = templates;
  const artifacts = b.blocks('artifact').map(artifact);
  if (artifacts.length) out.artifacts = artifacts;
  refuseAll(b, ['vault'], 'Drover has no secret store (no Variables or Vault integration): the task would start without its secrets');
  refuseAll(b, ['identity'], 'Drover issues no workload identities');
  b.finish();
  return { task: out, ports };
}

/** Map a template block (rendered by the node agent with its Go-template engine). */
function template(b: Body): Json {
  const out = copy(b, {}, {
    data: 'data', source: 'source', destination: 'destination', change_mode: 'changeMode', change_signal: 'changeSignal', perms: 'perms',
    env: 'envFile', splay: 'splay', left_delimiter: 'leftDelimiter', right_delimiter: 'rightDelimiter',
  });
  refuseAll(b, ['change_script'], `${NOT_HONOURED}: the agent restarts or signals on a change, it runs no scripts`);
  refuseAll(b, ['wait'], `${NOT_HONOURED}: a change is rendered as it arrives (splay spreads the action)`);
  refuseAll(b, ['uid', 'gid'], `${NOT_HONOURED}: rendered files belong to the agent (perms set their mode)`);
  b.finish();
  return out;
}

/** Map an artifact block (http, https and file sources; options checksum and archive). */
function artifact(b: Body): Json {
  const out = copy(b, {}, { source: 'source', destination: 'destination', mode: 'mode' });
  const options = b.stringMap('options');
  if (options) out.options = options;
  refuseAll(b, ['headers'], `${NOT_HONOURED}: artifacts are fetched without extra headers`);
  refuseAll(b, ['chown'], `${NOT_HONOURED}: fetched files belong to the agent`);
  b.finish();
  return out;
}

// The drivers' own config checks: what they call an unknown field is refused here, at its position, instead of
// failing the allocation later (Nomad's docker options such as auth_soft_fail, port_map, mount, logging).
const CONFIG_CHECKS: Record<string, (c: Record<string, unknown>) => string[]> = {
  docker: checkDockerConfig,
  exec: (c) => checkProcessConfig(c),
  raw_exec: (c) => checkProcessConfig(c),
};

function driverConfig(driver: string, b: Body): Record<string, unknown> {
  const config = b.all();
  for (const problem of CONFIG_CHECKS[driver]?.(config) ?? []) {
    const m = /^config\.([^:]+): (unknown field .*)$/.exec(problem);
    if (!m) continue;
    b.refuse(m[1]!, `the ${driver} driver has no such option: ${m[2]}`);
    delete config[m[1]!];
  }
  return config;
}

/** Map a task's resources; old-syntax network ports go to `ports`. */
function resources(b: Body, ports: TaskResult['ports']): Json {
  const out = copy(b, {}, { cpu: 'cpu', cores: 'cores', memory: 'memoryMB', memory_max: 'memoryMaxMB', disk: 'diskMB' });
  refuseAll(b, ['device'], `${NOT_HONOURED}: Drover nodes fingerprint no devices`);
  for (const net of b.blocks('network')) {
    // mbits is kept as networkMbits: the seed's own Drover manifest (shared/examples/redis.yaml) spells it so.
    const mbits = net.attr('mbits');
    if (mbits !== undefined) out.networkMbits = mbits;
    for (const { label, body } of net.labeled('port')) ports.push({ port: port(label, body), body, name: `port.${label}` });
    const dynamic = net.attr('dynamic_ports');
    if (Array.isArray(dynamic)) for (const label of dynamic) ports.push({ port: { label }, body: net, name: 'dynamic_ports' });
    net.finish();
  }
  b.finish();
  return out;
}

/** Map `port "label" { static, to }`. */
export function port(label: string, b: Body): Json {
  const out = copy(b, { label }, { static: 'static', to: 'to' });
  refuseAll(b, ['host_network'], `${NOT_HONOURED}: nodes advertise no host networks`);
  b.finish();
  return out;
}

/** Map a service block (task or group). */
export function service(b: Body): Json {
  const out = copy(b, {}, { name: 'name' });
  const p = b.attr('port');
  if (typeof p === 'string') out.portLabel = p;
  else if (p !== undefined) b.refuse('port', 'a service port must be a port label of the group network');
  if (b.has('provider') && b.attr('provider') !== 'nomad') b.refuse('provider', 'Drover has no Consul integration');
  refuseAll(b, ['tags', 'canary_tags'], `${NOT_HONOURED}: services are not registered in a catalogue, so tags have no reader`);
  const checks = b.blocks('check').map(check);
  if (checks.length) out.checks = checks;
  b.finish();
  return out;
}

function check(b: Body): Json {
  const out = copy(b, {}, {
    name: 'name', type: 'type', path: 'path', protocol: 'protocol', method: 'method', command: 'command', args: 'args',
    interval: 'interval', timeout: 'timeout', initial_status: 'initialStatus', grpc_service: 'grpcService',
  });
  // grpc_use_tls: Drover's check says TLS with protocol https, for grpc checks as for http ones.
  const grpcTls = b.attr('grpc_use_tls');
  if (grpcTls === true) out.protocol = 'https';
  else if (grpcTls !== undefined && grpcTls !== false) b.refuse('grpc_use_tls', 'must be a boolean');
  const p = b.attr('port');
  if (typeof p === 'string') out.portLabel = p;
  else if (p !== undefined) b.refuse('port', 'a check port must be a port label of the group network');
  const header = b.block('header');
  if (header) out.header = header.all();
  const cr = b.block('check_restart');
  if (cr) {
    out.checkRestart = copy(cr, {}, { limit: 'limit', grace: 'grace', ignore_warnings: 'ignoreWarnings' });
    cr.finish();
  }
  b.finish();
  return out;
}
