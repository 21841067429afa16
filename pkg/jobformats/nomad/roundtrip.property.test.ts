// Property: a Drover Job made of fields that have a Nomad spelling, written as HCL by jobToHcl and read back by
// nomadToDrover, is the same Job. The oracle is the generated Job itself (written here, not by the converters).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { jobToHcl } from './to-hcl.ts';
import { nomadToDrover } from './job.ts';

const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}[a-z0-9]$/);
// Plain text (quotes, backslashes, newlines, unicode) and the runtime interpolations Nomad files carry.
const text = fc.oneof(
  fc.string({ maxLength: 12 }).filter((s) => !/[$%]\{/.test(s) && !/[$%]$/.test(s)),
  fc.constantFrom('${NOMAD_ALLOC_ID}', '${attr.kernel.name}', 'x-${node.unique.name}', '${meta.rack}'),
);
const key = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,6}$/);
const strMap = fc.dictionary(key, text, { maxKeys: 3 });
const duration = fc.constantFrom('1s', '10s', '5m', '1h30m', '250ms');
const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const strip = <T extends object>(o: T): T => JSON.parse(JSON.stringify(o)) as T;
const uniqueBy = <T>(a: fc.Arbitrary<T>, k: (t: T) => string, min: number, max: number) => fc.uniqueArray(a, { selector: k, minLength: min, maxLength: max });

const constraint = fc.record({ attribute: fc.constantFrom('${attr.kernel.name}', '${node.class}', '${meta.rack}'), operator: fc.constantFrom('=', '!=', 'regexp', 'version'), value: text });
const affinity = fc.record({ attribute: fc.constantFrom('${node.datacenter}', '${meta.zone}'), value: text, weight: fc.integer({ min: -100, max: 100 }) });
const spread = fc.record({ attribute: fc.constantFrom('${node.datacenter}', '${meta.rack}'), weight: opt(fc.integer({ min: 0, max: 100 })), targets: opt(uniqueBy(fc.record({ value: name, percent: fc.integer({ min: 0, max: 100 }) }), (t) => t.value, 1, 3)) });
const update = fc.record({
  maxParallel: opt(fc.integer({ min: 0, max: 5 })), healthCheck: opt(fc.constantFrom('checks', 'task_states', 'manual')), minHealthyTime: opt(duration),
  healthyDeadline: opt(duration), progressDeadline: opt(duration), canary: opt(fc.nat(3)), autoRevert: opt(fc.boolean()), autoPromote: opt(fc.boolean()),
});
const reschedule = fc.record({ attempts: opt(fc.nat(10)), delay: opt(duration), delayFunction: opt(fc.constantFrom('constant', 'exponential', 'fibonacci')), unlimited: opt(fc.boolean()) });
const restart = fc.record({ attempts: opt(fc.nat(5)), interval: opt(duration), mode: opt(fc.constantFrom('fail', 'delay')) });
const port = fc.record({ label: name, static: opt(fc.integer({ min: 1, max: 65535 })), to: opt(fc.integer({ min: 1, max: 65535 })) });
const check = fc.record({ type: fc.constantFrom('http', 'tcp'), path: opt(text), interval: duration, timeout: opt(duration), header: opt(fc.dictionary(key, fc.array(text, { maxLength: 2 }), { maxKeys: 2 })), checkRestart: opt(fc.record({ limit: opt(fc.nat(5)), grace: opt(duration) })) });
const service = fc.record({ name: opt(name), portLabel: opt(name), checks: opt(fc.array(check, { minLength: 1, maxLength: 2 })) });
// Each driver with a config its own check accepts (any other option is refused at conversion).
const driverConfig = fc.oneof(
  fc.record({ driver: fc.constant('docker'), config: fc.record({ image: text, command: opt(text), args: opt(fc.array(text, { maxLength: 3 })), ports: opt(fc.array(name, { maxLength: 2 })) }) }),
  fc.record({ driver: fc.constantFrom('exec', 'raw_exec'), config: fc.record({ command: text, args: opt(fc.array(text, { maxLength: 3 })) }) }),
  fc.record({ driver: fc.constant('mock'), config: fc.record({ runFor: opt(duration), exitCode: opt(fc.nat(3)) }) }),
);
const task = fc.record({
  name,
  driverConfig,
  env: opt(strMap),
  meta: opt(strMap),
  resources: opt(fc.record({ cpu: opt(fc.integer({ min: 1, max: 4000 })), memoryMB: opt(fc.integer({ min: 10, max: 4096 })), diskMB: opt(fc.nat(500)), networkMbits: opt(fc.nat(100)) })),
  services: opt(fc.array(service, { minLength: 1, maxLength: 2 })),
  lifecycle: opt(fc.record({ hook: fc.constantFrom('prestart', 'poststart', 'poststop'), sidecar: opt(fc.boolean()) })),
  logs: opt(fc.record({ maxFiles: opt(fc.integer({ min: 1, max: 10 })), maxFileSizeMB: opt(fc.integer({ min: 1, max: 10 })) })),
  killTimeout: opt(duration),
  restart: opt(restart),
  volumeMounts: opt(fc.array(fc.record({ volume: name, destination: fc.constantFrom('/data', '/srv/x'), readOnly: opt(fc.boolean()) }), { minLength: 1, maxLength: 2 })),
  constraints: opt(fc.array(constraint, { minLength: 1, maxLength: 2 })),
  templates: opt(fc.array(fc.record({
    data: fc.constantFrom('port = {{ env "NOMAD_PORT_http" }}\n', '{{ key "app/x" }}', 'a ${NOMAD_ALLOC_ID} b'),
    destination: fc.constantFrom('local/app.conf', 'secrets/x.env'),
    changeMode: opt(fc.constantFrom('noop', 'restart', 'signal')), changeSignal: opt(fc.constantFrom('SIGHUP', 'SIGUSR1')), perms: opt(fc.constantFrom('0644', '600')),
    envFile: opt(fc.boolean()), splay: opt(duration), leftDelimiter: opt(fc.constant('[[')), rightDelimiter: opt(fc.constant(']]')),
  }), { minLength: 1, maxLength: 2 })),
  artifacts: opt(fc.array(fc.record({
    source: fc.constantFrom('https://example.com/a.tar.gz', 'file:///srv/x.zip'), destination: opt(fc.constantFrom('local/', 'local/x')),
    mode: opt(fc.constantFrom('any', 'file', 'dir')), options: opt(fc.record({ checksum: fc.constant(`sha256:${'a'.repeat(64)}`) })),
  }), { minLength: 1, maxLength: 2 })),
});
const group = fc.record({
  name,
  count: opt(fc.nat(10)),
  constraints: opt(fc.array(constraint, { minLength: 1, maxLength: 2 })),
  spreads: opt(fc.array(spread, { minLength: 1, maxLength: 2 })),
  network: opt(fc.record({ mode: opt(fc.constant('host')), ports: opt(uniqueBy(port, (p) => p.label, 1, 3)) })),
  services: opt(fc.array(service, { minLength: 1, maxLength: 2 })),
  restart: opt(restart),
  reschedule: opt(reschedule),
  ephemeralDisk: opt(fc.record({ sizeMB: fc.integer({ min: 1, max: 1000 }) })),
  volumes: opt(fc.dictionary(name, fc.record({ type: fc.constant('host'), source: name, readOnly: opt(fc.boolean()) }), { minKeys: 1, maxKeys: 2 })),
  meta: opt(strMap),
  tasks: uniqueBy(task.map(({ driverConfig: dc, ...t }) => ({ ...t, ...dc })), (t) => t.name, 1, 3),
});
const job = fc.record({
  apiVersion: fc.constant('drover.dev/v1'),
  kind: fc.constant('Job'),
  metadata: fc.record({ name, namespace: opt(name) }),
  spec: fc.record({
    type: opt(fc.constantFrom('service', 'batch', 'system', 'sysbatch')),
    priority: opt(fc.integer({ min: 1, max: 100 })),
    datacenters: opt(fc.array(name, { minLength: 1, maxLength: 3 })),
    region: opt(name),
    constraints: opt(fc.array(constraint, { minLength: 1, maxLength: 2 })),
    affinities: opt(fc.array(affinity, { minLength: 1, maxLength: 2 })),
    update: opt(update),
    migrate: opt(fc.record({ maxParallel: opt(fc.integer({ min: 1, max: 3 })), healthyDeadline: opt(duration) })),
    meta: opt(strMap),
    periodic: opt(fc.record({ cron: fc.constantFrom('*/5 * * * *', '@daily'), prohibitOverlap: opt(fc.boolean()), timeZone: opt(fc.constantFrom('UTC', 'Europe/Paris')) })),
    groups: uniqueBy(group, (g) => g.name, 1, 3),
  }),
});

test('Drover → HCL → Drover is the same Job', async () => {
  await fc.assert(
    fc.asyncProperty(job, async (generated) => {
      const input = strip(generated);
      const { text: hcl, unmapped } = jobToHcl(input);
      assert.deepEqual(unmapped, []);
      const { jobs, refusals } = await nomadToDrover(hcl, 'roundtrip.nomad');
      assert.deepEqual(refusals, [], hcl);
      assert.deepEqual(jobs, [input], hcl);
    }),
    { numRuns: 150 },
  );
});
