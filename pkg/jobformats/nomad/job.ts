// A Nomad job file (HCL, old and current syntax) onto a Drover Job: job → groups → tasks. A task directly under
// the job (the old syntax of the seed's redis.nomad) becomes a group of its own name; ports declared under a
// task's resources.network become the group network's ports.
import { parse } from '@cdktf/hcl2json';
import { JobFileSyntaxError, type Refusal } from '../refusal.ts';
import { Body, type FileContext } from './body.ts';
import { ephemeralDisk, migrate, parameterized, periodic, placement, refuseAll, reschedule, restart, update, copy, NOT_HONOURED } from './blocks.ts';
import { scanPositions } from './positions.ts';
import { port, service, task } from './task.ts';
import { Variables, type VariableInputs } from './variables.ts';

type Json = Record<string, unknown>;

/** The Drover Jobs of a Nomad file and every field it could not convert. */
export interface NomadConversion {
  jobs: Json[];
  refusals: Refusal[];
}

/** Parse HCL text to hcl2json's JSON; syntax errors carry the parser's file:line,column. */
export async function parseHcl(text: string, source: string): Promise<Json> {
  try {
    return (await parse(source, text)) as Json;
  } catch (err) {
    throw new JobFileSyntaxError(`error parsing ${source}: ${(err as Error).message.replace(/^parse config: \[?|\]$/g, '')}`);
  }
}

/** Convert a Nomad job file. */
export async function nomadToDrover(text: string, source: string, inputs: VariableInputs = {}): Promise<NomadConversion> {
  const json = await parseHcl(text, source);
  const refusals: Refusal[] = [];
  const vars = new Variables(refusals);
  const ctx: FileContext = { positions: scanPositions(text), refusals, resolve: (v, at) => vars.resolve(v, at) };
  const root = new Body(ctx, json, [], '');
  const raw: FileContext = { ...ctx, resolve: (v) => v };
  const decls = new Body(raw, json, [], '').labeled('variable').map(({ label, body }) => {
    const d = { name: label, hasDefault: body.has('default'), default: body.attr('default'), type: body.attr('type') as string | undefined, path: `variable.${label}`, position: body.position() };
    body.attr('description');
    body.attr('sensitive');
    body.attr('nullable');
    body.finish();
    return d;
  });
  root.labeled('variable');
  vars.declare(decls, inputs);
  root.blocks('locals');
  for (const l of new Body(raw, json, [], '').blocks('locals')) {
    for (const [k, v] of Object.entries(l.all())) vars.local(k, v, { path: `locals.${k}`, position: l.positionOf(k) });
  }
  const jobs = root.labeled('job').map(({ label, body }) => job(label, body));
  root.finish();
  return { jobs, refusals };
}

function job(name: string, b: Body): Json {
  const spec: Json = {};
  copy(b, spec, { type: 'type', priority: 'priority', datacenters: 'datacenters', region: 'region' });
  const metadata: Json = { name };
  const ns = b.attr('namespace');
  if (ns !== undefined) metadata.namespace = ns;
  placement(b, spec, { spreads: true });
  const u = b.block('update');
  if (u) spec.update = update(u);
  const m = b.block('migrate');
  if (m) spec.migrate = migrate(m);
  const r = b.block('reschedule');
  if (r) spec.reschedule = reschedule(r);
  const meta = b.stringMap('meta');
  if (meta) spec.meta = meta;
  const p = b.block('periodic');
  if (p) spec.periodic = periodic(p);
  const pz = b.block('parameterized');
  if (pz) spec.parameterized = parameterized(pz);
  const groups = b.labeled('group').map(({ label, body }) => group(label, body));
  // Old syntax: a task directly under the job is a group of one task, named after it.
  for (const { label, body } of b.labeled('task')) groups.push(groupOf(label, [{ label, body }], body));
  spec.groups = groups;
  refuseAll(b, ['all_at_once'], `${NOT_HONOURED}: the scheduler places allocations one by one`);
  refuseAll(b, ['vault'], 'Drover has no secret store (no Variables or Vault integration)');
  b.finish();
  return { apiVersion: 'drover.dev/v1', kind: 'Job', metadata, spec };
}

function group(name: string, b: Body): Json {
  const out = groupOf(name, b.labeled('task'), b);
  b.finish();
  return out;
}

function groupOf(name: string, tasks: { label: string; body: Body }[], b: Body): Json {
  const out: Json = { name };
  const isGroup = tasks.length === 0 || tasks[0]!.body !== b;
  const ports: Json[] = [];
  const network: Json = {};
  let hasNetwork = false;
  if (isGroup) {
    copy(b, out, { count: 'count' });
    refuseAll(b, ['stop_after_client_disconnect', 'max_client_disconnect'], `${NOT_HONOURED}: agents keep running while disconnected and allocations on a down node are replaced`);
    placement(b, out, { spreads: true });
    const net = b.block('network');
    if (net) {
      hasNetwork = true;
      const mode = net.attr('mode');
      if (mode === undefined || mode === 'host') copy(net, network, { mode: 'mode' });
      else net.refuse('mode', `${NOT_HONOURED}: tasks share the node's network (mode "host"); docker tasks get their ports mapped by docker`);
      for (const { label, body } of net.labeled('port')) ports.push(port(label, body));
      refuseAll(net, ['mbits'], 'a group network has no bandwidth in Drover (give it per task under resources)');
      net.finish();
    }
    const services = b.blocks('service').map(service);
    if (services.length) out.services = services;
    for (const [k, f] of [['update', update], ['migrate', migrate], ['reschedule', reschedule], ['restart', restart], ['ephemeral_disk', ephemeralDisk]] as const) {
      const blk = b.block(k);
      const v = blk && f(blk);
      if (v) out[k === 'ephemeral_disk' ? 'ephemeralDisk' : k] = v;
    }
    const volumes: Json = {};
    for (const { label, body } of b.labeled('volume')) {
      if (body.has('type') && body.attr('type') !== 'host') body.refuse('type', `${NOT_HONOURED}: only host volumes are mounted (csi volumes are not attached by any plugin)`);
      volumes[label] = { type: 'host', ...copy(body, {}, { source: 'source', read_only: 'readOnly' }) };
      body.finish();
    }
    if (Object.keys(volumes).length) out.volumes = volumes;
    const meta = b.stringMap('meta');
    if (meta) out.meta = meta;
    refuseAll(b, ['vault'], 'Drover has no secret store (no Variables or Vault integration)');
  }
  out.tasks = tasks.map(({ label, body }) => {
    const r = task(label, body);
    // Old syntax: Nomad's docker driver published every port of the task's own network.
    const config = r.task.config as Json | undefined;
    if (r.ports.length && r.task.driver === 'docker' && config && config.ports === undefined) config.ports = r.ports.map((p) => p.port.label);
    for (const p of r.ports) {
      if (ports.some((q) => q.label === p.port.label)) p.body.refuse(p.name, `port "${String(p.port.label)}" is declared twice in group "${name}"`);
      else ports.push(p.port);
    }
    return r.task;
  });
  if (ports.length) network.ports = ports;
  if (hasNetwork || ports.length) out.network = network;
  return out;
}
