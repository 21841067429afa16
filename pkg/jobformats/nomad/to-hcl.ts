// A Drover Job written as a Nomad job file (current syntax), for the fields that map back: the inverse of
// job.ts/task.ts/blocks.ts. Fields with no Nomad spelling here are named in `unmapped` rather than dropped.
type Json = Record<string, unknown>;

/** The HCL text and the Drover fields that had no Nomad spelling. */
export interface HclOutput {
  text: string;
  unmapped: string[];
}

const q = (s: unknown) => JSON.stringify(String(s));
const value = (v: unknown): string =>
  typeof v === 'string' ? q(v) : Array.isArray(v) ? `[${v.map(value).join(', ')}]` : v && typeof v === 'object' ? `{ ${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)} = ${value(x)}`).join(', ')} }` : String(v);

// Drover field → Nomad attribute, per block kind.
const ATTRS: Record<string, Record<string, string>> = {
  job: { type: 'type', priority: 'priority', datacenters: 'datacenters', region: 'region' },
  group: { count: 'count', stopAfterClientDisconnect: 'stop_after_client_disconnect', maxClientDisconnect: 'max_client_disconnect' },
  task: { driver: 'driver', user: 'user', killTimeout: 'kill_timeout', killSignal: 'kill_signal', leader: 'leader' },
  resources: { cpu: 'cpu', cores: 'cores', memoryMB: 'memory', memoryMaxMB: 'memory_max', diskMB: 'disk' },
  update: {
    maxParallel: 'max_parallel', healthCheck: 'health_check', minHealthyTime: 'min_healthy_time', healthyDeadline: 'healthy_deadline',
    progressDeadline: 'progress_deadline', canary: 'canary', autoRevert: 'auto_revert', autoPromote: 'auto_promote',
  },
  migrate: { maxParallel: 'max_parallel', healthCheck: 'health_check', minHealthyTime: 'min_healthy_time', healthyDeadline: 'healthy_deadline' },
  reschedule: { attempts: 'attempts', interval: 'interval', delay: 'delay', delayFunction: 'delay_function', maxDelay: 'max_delay', unlimited: 'unlimited' },
  restart: { attempts: 'attempts', interval: 'interval', delay: 'delay', mode: 'mode' },
  ephemeralDisk: { sizeMB: 'size' },
  constraint: { attribute: 'attribute', operator: 'operator', value: 'value' },
  affinity: { attribute: 'attribute', operator: 'operator', value: 'value', weight: 'weight' },
  spread: { attribute: 'attribute', weight: 'weight' },
  periodic: { cron: 'cron', crons: 'crons', prohibitOverlap: 'prohibit_overlap', timeZone: 'time_zone', enabled: 'enabled' },
  parameterized: { payload: 'payload', metaRequired: 'meta_required', metaOptional: 'meta_optional' },
  port: { static: 'static', to: 'to' },
  service: { name: 'name', portLabel: 'port' },
  check: { name: 'name', type: 'type', portLabel: 'port', path: 'path', protocol: 'protocol', method: 'method', command: 'command', args: 'args', interval: 'interval', timeout: 'timeout', initialStatus: 'initial_status', grpcService: 'grpc_service' },
  checkRestart: { limit: 'limit', grace: 'grace', ignoreWarnings: 'ignore_warnings' },
  lifecycle: { hook: 'hook', sidecar: 'sidecar' },
  logs: { maxFiles: 'max_files', maxFileSizeMB: 'max_file_size' },
  volumeMount: { volume: 'volume', destination: 'destination', readOnly: 'read_only' },
  volume: { type: 'type', source: 'source', readOnly: 'read_only' },
  dispatchPayload: { file: 'file' },
  template: {
    data: 'data', source: 'source', destination: 'destination', changeMode: 'change_mode', changeSignal: 'change_signal', perms: 'perms',
    envFile: 'env', splay: 'splay', leftDelimiter: 'left_delimiter', rightDelimiter: 'right_delimiter',
  },
  artifact: { source: 'source', destination: 'destination', mode: 'mode' },
};

class Writer {
  lines: string[] = [];
  unmapped: string[] = [];
  private depth = 0;

  open(head: string, body: () => void): void {
    this.lines.push(`${'  '.repeat(this.depth)}${head} {`);
    this.depth++;
    body();
    this.depth--;
    this.lines.push(`${'  '.repeat(this.depth)}}`);
  }

  line(s: string): void {
    this.lines.push(`${'  '.repeat(this.depth)}${s}`);
  }

  /** Attributes of `obj` per ATTRS[kind]; `handled` fields are written by the caller; the rest are unmapped. */
  attrs(kind: string, obj: Json, path: string, handled: string[] = []): void {
    const table = ATTRS[kind] ?? {};
    for (const [k, v] of Object.entries(obj)) {
      if (v === undefined || handled.includes(k)) continue;
      if (table[k]) this.line(`${table[k]} = ${value(v)}`);
      else this.unmapped.push(`${path}.${k}`);
    }
  }

  map(name: string, m: unknown): void {
    if (!m || typeof m !== 'object') return;
    this.open(name, () => {
      for (const [k, v] of Object.entries(m)) this.line(`${/^[A-Za-z_][A-Za-z0-9_-]*$/.test(k) ? k : JSON.stringify(k)} = ${value(v)}`);
    });
  }

  placement(o: Json, path: string): void {
    for (const c of (o.constraints as Json[] | undefined) ?? []) this.open('constraint', () => this.attrs('constraint', c, `${path}.constraints`));
    for (const a of (o.affinities as Json[] | undefined) ?? []) this.open('affinity', () => this.attrs('affinity', a, `${path}.affinities`));
    for (const s of (o.spreads as Json[] | undefined) ?? []) {
      this.open('spread', () => {
        this.attrs('spread', s, `${path}.spreads`, ['targets']);
        for (const t of (s.targets as Json[] | undefined) ?? []) this.open(`target ${q(t.value)}`, () => this.line(`percent = ${value(t.percent)}`));
      });
    }
  }

  simple(kind: string, name: string, o: unknown, path: string): void {
    if (o && typeof o === 'object') this.open(name, () => this.attrs(kind, o as Json, path));
  }
}

/** Write `job` as a Nomad job file. */
export function jobToHcl(job: Json): HclOutput {
  const w = new Writer();
  const meta = (job.metadata ?? {}) as Json;
  const spec = (job.spec ?? {}) as Json;
  w.open(`job ${q(meta.name)}`, () => {
    if (meta.namespace) w.line(`namespace = ${q(meta.namespace)}`);
    w.attrs('job', spec, 'spec', ['constraints', 'affinities', 'spreads', 'update', 'migrate', 'reschedule', 'groups', 'meta', 'periodic', 'parameterized']);
    w.placement(spec, 'spec');
    w.simple('update', 'update', spec.update, 'spec.update');
    w.simple('migrate', 'migrate', spec.migrate, 'spec.migrate');
    w.simple('reschedule', 'reschedule', spec.reschedule, 'spec.reschedule');
    w.map('meta', spec.meta);
    w.simple('periodic', 'periodic', spec.periodic, 'spec.periodic');
    w.simple('parameterized', 'parameterized', spec.parameterized, 'spec.parameterized');
    for (const g of (spec.groups as Json[] | undefined) ?? []) group(w, g, `spec.groups[${String(g.name)}]`);
  });
  return { text: `${w.lines.join('\n')}\n`, unmapped: w.unmapped };
}

function group(w: Writer, g: Json, path: string): void {
  w.open(`group ${q(g.name)}`, () => {
    w.attrs('group', g, path, ['name', 'tasks', 'constraints', 'affinities', 'spreads', 'services', 'update', 'migrate', 'reschedule', 'restart', 'ephemeralDisk', 'volumes', 'network', 'meta']);
    w.placement(g, path);
    const net = g.network as Json | undefined;
    if (net) {
      w.open('network', () => {
        if (net.mode) w.line(`mode = ${q(net.mode)}`);
        for (const p of (net.ports as Json[] | undefined) ?? []) w.open(`port ${q(p.label)}`, () => w.attrs('port', p, `${path}.network.ports`, ['label']));
      });
    }
    for (const s of (g.services as Json[] | undefined) ?? []) service(w, s, `${path}.services`);
    w.simple('update', 'update', g.update, `${path}.update`);
    w.simple('migrate', 'migrate', g.migrate, `${path}.migrate`);
    w.simple('reschedule', 'reschedule', g.reschedule, `${path}.reschedule`);
    w.simple('restart', 'restart', g.restart, `${path}.restart`);
    w.simple('ephemeralDisk', 'ephemeral_disk', g.ephemeralDisk, `${path}.ephemeralDisk`);
    for (const [name, v] of Object.entries((g.volumes as Record<string, Json> | undefined) ?? {})) w.simple('volume', `volume ${q(name)}`, v, `${path}.volumes`);
    w.map('meta', g.meta);
    for (const t of (g.tasks as Json[] | undefined) ?? []) task(w, t, `${path}.tasks[${String(t.name)}]`);
  });
}

function service(w: Writer, s: Json, path: string): void {
  w.open('service', () => {
    w.attrs('service', s, path, ['checks']);
    for (const c of (s.checks as Json[] | undefined) ?? []) {
      w.open('check', () => {
        w.attrs('check', c, `${path}.checks`, ['header', 'checkRestart']);
        w.map('header', c.header);
        w.simple('checkRestart', 'check_restart', c.checkRestart, `${path}.checks.checkRestart`);
      });
    }
  });
}

function task(w: Writer, t: Json, path: string): void {
  w.open(`task ${q(t.name)}`, () => {
    w.attrs('task', t, path, ['name', 'config', 'env', 'meta', 'resources', 'services', 'lifecycle', 'logs', 'volumeMounts', 'dispatchPayload', 'restart', 'constraints', 'affinities', 'templates', 'artifacts']);
    w.map('config', t.config);
    w.map('env', t.env);
    w.map('meta', t.meta);
    const r = t.resources as Json | undefined;
    if (r) {
      w.open('resources', () => {
        w.attrs('resources', r, `${path}.resources`, ['networkMbits']);
        if (r.networkMbits !== undefined) w.open('network', () => w.line(`mbits = ${value(r.networkMbits)}`));
      });
    }
    for (const s of (t.services as Json[] | undefined) ?? []) service(w, s, `${path}.services`);
    w.simple('lifecycle', 'lifecycle', t.lifecycle, `${path}.lifecycle`);
    w.simple('logs', 'logs', t.logs, `${path}.logs`);
    for (const m of (t.volumeMounts as Json[] | undefined) ?? []) w.simple('volumeMount', 'volume_mount', m, `${path}.volumeMounts`);
    w.simple('dispatchPayload', 'dispatch_payload', t.dispatchPayload, `${path}.dispatchPayload`);
    for (const tp of (t.templates as Json[] | undefined) ?? []) w.simple('template', 'template', tp, `${path}.templates`);
    for (const a of (t.artifacts as Json[] | undefined) ?? []) {
      w.open('artifact', () => {
        w.attrs('artifact', a, `${path}.artifacts`, ['options']);
        w.map('options', a.options);
      });
    }
    w.simple('restart', 'restart', t.restart, `${path}.restart`);
    w.placement(t, path);
  });
}
