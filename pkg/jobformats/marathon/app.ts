// Marathon app and group definitions onto Drover Jobs: one service Job per app, named from its id path
// ("/ssk2/whereisbot" → ssk2-whereisbot; a relative id resolved against its group), with one group and one task.
// `dependencies` (of apps and of groups, which pass theirs to every app under them) become spec.dependsOn. Marathon's cpus are cores: 1 cpu = 1000 MHz.
import type { Refusal } from '../refusal.ts';
import { Fields } from './fields.ts';

type Json = Record<string, unknown>;

/** MHz per Marathon cpu. */
export const MHZ_PER_CPU = 1000;

const NOT_HONOURED = 'Drover accepts no equivalent that it honours';

/** Convert a Marathon app or group file. */
export function marathonToDrover(text: string, source: string): { jobs: Json[]; refusals: Refusal[] } {
  const refusals: Refusal[] = [];
  const { root, doc } = Fields.parse(text, refusals);
  if (doc.errors.length > 0) throw new Error(`error parsing ${source}: ${doc.errors[0]!.message}`);
  if (!root) throw new Error(`error parsing ${source}: a Marathon definition must be an object`);
  const apps: CollectedApp[] = [];
  const groups = new Map<string, string[]>();
  collect(root, apps, groups, '/', []);
  const jobs = apps.map(({ job, id, dependencies }) => withDependencies(job, id, dependencies, groups));
  return { jobs, refusals };
}

/** An app's Job with its id and the absolute ids it depends on (its own and its enclosing groups'). */
interface CollectedApp {
  job: Json;
  id: string;
  dependencies: string[];
}

/** Apps of the file in order; `groups`: each group id → the absolute ids of the apps under it. */
function collect(f: Fields, apps: CollectedApp[], groups: Map<string, string[]>, parent: string, inherited: string[]): void {
  if ('apps' in f.value || 'groups' in f.value) {
    const id = absoluteId(String(f.get('id') ?? ''), parent);
    const deps = [...inherited, ...dependenciesOf(f, parentOf(id))];
    const first = apps.length;
    for (const app of f.list('apps')) apps.push(collectApp(app, id, deps));
    for (const g of f.list('groups')) collect(g, apps, groups, id, deps);
    groups.set(id, apps.slice(first).map((a) => a.id));
    f.finish();
    return;
  }
  apps.push(collectApp(f, parent, inherited));
}

function collectApp(f: Fields, parent: string, inherited: string[]): CollectedApp {
  const id = absoluteId(String(f.value.id ?? ''), parent);
  return { id, dependencies: [...inherited, ...dependenciesOf(f, parentOf(id))], job: appJob(f, id) };
}

/** Marathon's `dependencies`: app or group ids, absolute or relative to the app's (group's) parent. */
function dependenciesOf(f: Fields, base: string): string[] {
  return ((f.get('dependencies') as unknown[] | undefined) ?? []).map((d) => absoluteId(String(d), base));
}

/** `ref` as an absolute id: `/a/b` as is; `b`, `./b`, `../b` against `base` (a path ending in `/`). */
export function absoluteId(ref: string, base: string): string {
  const parts = ref.startsWith('/') ? [] : base.split('/').filter(Boolean);
  for (const p of ref.split('/').filter(Boolean)) {
    if (p === '..') parts.pop();
    else if (p !== '.') parts.push(p);
  }
  return `/${parts.join('/')}`;
}

const parentOf = (id: string) => `${id.split('/').filter(Boolean).slice(0, -1).map((p) => `/${p}`).join('')}/`;

/**
 * Marathon's dependencies as spec.dependsOn: an app of the file → its Job's name; a group of the file → the Jobs
 * of every app under it; any other id → the Job its name would have (waited for until it exists).
 */
function withDependencies(job: Json, id: string, deps: string[], groups: Map<string, string[]>): Json {
  const names = new Set<string>();
  for (const d of deps) for (const target of groups.get(d) ?? [d]) if (target !== id) names.add(nameOf(target));
  if (names.size === 0) return job;
  return { ...job, spec: { ...(job.spec as Json), dependsOn: [...names] } };
}

const nameOf = (id: string) => id.split('/').filter(Boolean).join('-').toLowerCase().replace(/[^a-z0-9-]/g, '-');
const seconds = (n: unknown) => `${Number(n)}s`;

/**
 * One `fetch` entry as a task artifact. The Mesos fetcher puts what it fetches in the sandbox, the task's working
 * directory: for a process task that is the task directory (destination `./`); a docker task sees the task
 * directory's `local/` at /local, so the files go there. `extract` (default true) is the artifact's archive
 * unpacking, `outputFile` a file-mode destination, `executable` a `chmod +x` before the cmd; `cache` is a
 * fetcher cache hint only (what the task sees is the same).
 */
function fetchArtifact(x: Fields, docker: boolean): { artifact: Json; executable: boolean; path: string } {
  const uri = String(x.get('uri'));
  const base = docker ? 'local/' : './';
  const out = x.get('outputFile');
  const file = typeof out === 'string' && out !== '' ? out : decodeURIComponent(new URL(uri, 'file:///').pathname.split('/').pop() ?? '');
  const artifact: Json = { source: uri, destination: base };
  if (typeof out === 'string' && out !== '') Object.assign(artifact, { destination: `${base}${out}`, mode: 'file' });
  else if (x.get('extract') === false) artifact.options = { archive: 'false' };
  if (typeof out === 'string') x.get('extract');
  x.get('cache');
  const executable = x.get('executable') === true;
  x.finish();
  return { artifact, executable, path: docker ? `/local/${file}` : `./${file}` };
}

const shellQuote = (s: string) => (/^[\w./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** The Job of one app; `id` is its absolute id (a relative one resolved against its group). */
function appJob(f: Fields, id: string): Json {
  f.get('id');
  const name = nameOf(id);
  const leaf = id.split('/').filter(Boolean).pop()?.toLowerCase().replace(/[^a-z0-9-]/g, '-') ?? name;
  const task: Json = { name: leaf };
  const group: Json = { name: leaf, count: f.get('instances') ?? 1 };
  const ports: Json[] = [];
  const docker = container(f, ports);
  const cmd = f.get('cmd');
  const args = f.get('args') as string[] | undefined;
  if (docker) {
    task.driver = 'docker';
    task.config = { ...docker, ...(typeof cmd === 'string' ? { command: 'sh', args: ['-c', cmd] } : {}), ...(args ? { args } : {}) };
  } else {
    task.driver = 'raw_exec';
    task.config = typeof cmd === 'string' ? { command: 'sh', args: ['-c', cmd] } : { command: args?.[0], args: args?.slice(1) ?? [] };
  }
  for (const [i, p] of f.list('portDefinitions').entries()) {
    ports.push({ label: String(p.get('name') ?? `port${i}`), ...(Number(p.get('port')) > 0 ? { static: Number(p.get('port')) } : {}) });
    if (p.value.protocol !== undefined && p.get('protocol') !== 'tcp') p.refuse('protocol', 'only tcp ports are supported');
    p.finish();
  }
  const resources: Json = {};
  if (f.value.cpus !== undefined) resources.cpu = Math.max(1, Math.round(Number(f.get('cpus')) * MHZ_PER_CPU));
  if (f.value.mem !== undefined) resources.memoryMB = Math.round(Number(f.get('mem')));
  if (f.value.disk !== undefined && Number(f.value.disk) > 0) resources.diskMB = Math.round(Number(f.get('disk')));
  else f.get('disk');
  task.resources = resources;
  const env = f.get('env') as Json | undefined;
  if (env) {
    const plain = Object.entries(env).filter(([, v]) => typeof v === 'string');
    if (plain.length < Object.keys(env).length) f.refuse('env', 'environment secrets (non-string env values) are not supported: Drover has no secret store');
    task.env = Object.fromEntries(plain);
  }
  const labels = f.get('labels') as Record<string, string> | undefined;
  const spec: Json = { type: 'service', groups: [group] };
  if (labels) spec.meta = labels;
  const checks = f.list('healthChecks').map((h) => healthCheck(h, ports));
  if (checks.length) task.services = [{ name: leaf, ...(checks[0]!.portLabel ? { portLabel: checks[0]!.portLabel } : {}), checks }];
  const us = f.obj('upgradeStrategy');
  if (us) {
    group.update = upgradeStrategy(Number(group.count), Number(us.get('minimumHealthCapacity') ?? 1), Number(us.get('maximumOverCapacity') ?? 0));
    us.finish();
  }
  const constraints = (f.get('constraints') as unknown[][] | undefined) ?? [];
  constraints.forEach((c, i) => placement(c, i, f, group));
  const roles = f.get('acceptedResourceRoles') as string[] | undefined;
  if (roles && !roles.includes('*')) (group.constraints ??= [] as Json[]) && (group.constraints as Json[]).push({ attribute: '${node.class}', operator: 'regexp', value: `^(${roles.join('|')})$` });
  backoff(f, group);
  const fetched = f.list('fetch').map((x) => fetchArtifact(x, docker !== undefined));
  if (fetched.length) {
    task.artifacts = fetched.map((x) => x.artifact);
    const chmods = fetched.flatMap((x) => (x.executable ? [x.path] : []));
    const cfg = task.config as { command?: string; args?: string[] };
    if (chmods.length && cfg.command === 'sh' && cfg.args?.[0] === '-c') cfg.args[1] = `chmod +x ${chmods.map(shellQuote).join(' ')} && ${cfg.args[1]}`;
    else if (chmods.length) f.refuse('fetch', 'executable fetches need a shell cmd (Drover makes the files executable in it)');
  }
  for (const k of ['readinessChecks', 'residency']) if (k in f.value) f.refuse(k, NOT_HONOURED);
  if (ports.length) group.network = { ports };
  group.tasks = [task];
  f.finish();
  return { apiVersion: 'drover.dev/v1', kind: 'Job', metadata: { name, annotations: { 'marathon.drover.dev/id': id } }, spec };
}

function container(f: Fields, ports: Json[]): Json | undefined {
  const c = f.obj('container');
  if (!c) return undefined;
  const type = c.get('type');
  const d = c.obj('docker');
  if (type !== undefined && type !== 'DOCKER' && type !== 'MESOS') c.refuse('type', 'only DOCKER containers are supported');
  const config: Json = {};
  const mappings = [...(d?.list('portMappings') ?? []), ...c.list('portMappings')];
  if (d) {
    config.image = d.get('image');
    const net = d.get('network');
    if (net !== undefined && net !== 'BRIDGE' && net !== 'HOST') d.refuse('network', 'only BRIDGE and HOST networks are supported');
    d.finish();
  }
  mappings.forEach((m, i) => {
    const label = String(m.get('name') ?? `port${i}`);
    const hostPort = Number(m.get('hostPort') ?? 0);
    ports.push({ label, ...(hostPort > 0 ? { static: hostPort } : {}), ...(m.value.containerPort ? { to: Number(m.get('containerPort')) } : {}) });
    if (m.value.protocol !== undefined && m.get('protocol') !== 'tcp') m.refuse('protocol', 'only tcp ports are supported');
    if (Number(m.get('servicePort') ?? 0) !== 0) m.refuse('servicePort', 'Drover has no service ports (no Marathon-LB style load balancer reads them)');
    m.finish();
  });
  if (mappings.length) config.ports = ports.map((p) => p.label);
  c.finish();
  return config;
}

function healthCheck(h: Fields, ports: Json[]): Json {
  const protocol = String(h.get('protocol') ?? 'HTTP');
  const out: Json = {};
  if (/HTTP/.test(protocol)) Object.assign(out, { type: 'http', path: h.get('path') ?? '/', ...(/HTTPS/.test(protocol) ? { protocol: 'https' } : {}) });
  else if (/TCP/.test(protocol)) out.type = 'tcp';
  else if (protocol === 'COMMAND') {
    out.type = 'script';
    const cmd = h.obj('command');
    Object.assign(out, { command: 'sh', args: ['-c', String(cmd?.get('value') ?? '')] });
    cmd?.finish();
  } else h.refuse('protocol', `health check protocol ${protocol} is not supported`);
  const idx = h.get('portIndex');
  if (idx !== undefined && ports[Number(idx)]) out.portLabel = ports[Number(idx)]!.label;
  out.interval = seconds(h.get('intervalSeconds') ?? 60);
  out.timeout = seconds(h.get('timeoutSeconds') ?? 20);
  const grace = h.get('gracePeriodSeconds');
  const limit = h.get('maxConsecutiveFailures');
  if (grace !== undefined || limit !== undefined) out.checkRestart = { ...(limit !== undefined ? { limit } : {}), ...(grace !== undefined ? { grace: seconds(grace) } : {}) };
  if (h.value.delaySeconds !== undefined) h.refuse('delaySeconds', 'Drover checks have no initial delay (use gracePeriodSeconds)');
  h.finish();
  return out;
}

function placement(c: unknown[], i: number, f: Fields, group: Json): void {
  const [field, op, value] = c.map(String);
  const attribute = field === 'hostname' ? '${node.unique.name}' : `\${meta.${field}}`;
  const list = (group.constraints ??= []) as Json[];
  switch (op) {
    case 'UNIQUE': list.push(field === 'hostname' ? { operator: 'distinct_hosts', value: 'true' } : { attribute, operator: 'distinct_property' }); return;
    case 'CLUSTER': case 'IS': list.push({ attribute, operator: '=', value }); return;
    case 'LIKE': list.push({ attribute, operator: 'regexp', value: `^(${value})$` }); return;
    case 'MAX_PER': list.push({ attribute, operator: 'distinct_property', value }); return;
    case 'GROUP_BY': ((group.spreads ??= []) as Json[]).push({ attribute }); return;
    default: f.refuse(`constraints[${i}]`, `constraint operator ${op} is not supported (no negative regexp in Drover)`);
  }
}

function backoff(f: Fields, group: Json): void {
  const b = f.get('backoffSeconds');
  const factor = f.get('backoffFactor');
  const max = f.get('maxLaunchDelaySeconds');
  if (b === undefined && factor === undefined && max === undefined) return;
  const r: Json = { unlimited: true };
  if (b !== undefined) r.delay = seconds(b);
  if (max !== undefined) r.maxDelay = seconds(max);
  if (factor !== undefined) {
    if (Number(factor) === 1) r.delayFunction = 'constant';
    else if (Number(factor) === 2) r.delayFunction = 'exponential';
    else f.refuse('backoffFactor', `backoff factor ${String(factor)}: Drover's delay grows constant (1) or exponential (2)`);
  }
  group.reschedule = r;
}

/**
 * Marathon's upgradeStrategy on Drover's deployment controller (docs/updating-jobs.md): at most
 * n − ceil(m × n) replacements unhealthy at a time (at least 1), so at least ceil(m × n) stay healthy; the
 * over-capacity o × n becomes canaries placed beside the old version and promoted once healthy.
 */
export function upgradeStrategy(instances: number, minimumHealthCapacity: number, maximumOverCapacity: number): Record<string, unknown> {
  const maxParallel = Math.max(1, instances - Math.ceil(minimumHealthCapacity * instances));
  const canary = Math.floor(maximumOverCapacity * instances);
  return canary > 0 ? { maxParallel, canary, autoPromote: true } : { maxParallel };
}
