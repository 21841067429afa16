// Marathon app and group definitions: each main field's Drover form, and refusals at the line and column of
// their key (found in the test by text search).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { absoluteId, marathonToDrover, MHZ_PER_CPU, upgradeStrategy } from './app.ts';

const locate = (text: string, snippet: string) => {
  const before = text.slice(0, text.indexOf(snippet)).split('\n');
  return { line: before.length, column: before.at(-1)!.length + 1 };
};

test('an app: cmd, docker image and port mappings, resources, env, labels, health checks, upgrade, backoff, constraints', () => {
  const app = {
    id: '/prod/api',
    cmd: 'serve --port 8080',
    container: { type: 'DOCKER', docker: { image: 'acme/api:2', network: 'BRIDGE', portMappings: [{ containerPort: 8080, hostPort: 0, name: 'http', protocol: 'tcp' }, { containerPort: 9000, hostPort: 31000 }] } },
    instances: 4, cpus: 0.25, mem: 128, disk: 50,
    env: { MODE: 'prod' }, labels: { team: 'core' },
    healthChecks: [
      { protocol: 'MESOS_HTTP', path: '/ping', portIndex: 0, intervalSeconds: 10, timeoutSeconds: 3, gracePeriodSeconds: 30, maxConsecutiveFailures: 2 },
      { protocol: 'TCP', portIndex: 1, intervalSeconds: 15 },
      { protocol: 'COMMAND', command: { value: 'test -f /tmp/ok' }, intervalSeconds: 20 },
    ],
    upgradeStrategy: { minimumHealthCapacity: 0.5, maximumOverCapacity: 0 },
    backoffSeconds: 2, backoffFactor: 2, maxLaunchDelaySeconds: 300,
    constraints: [['hostname', 'UNIQUE'], ['rack', 'CLUSTER', 'r1'], ['zone', 'GROUP_BY'], ['type', 'LIKE', 'ssd|nvme'], ['rack', 'MAX_PER', '2']],
  };
  const { jobs, refusals } = marathonToDrover(JSON.stringify(app, null, 2), 'api.json');
  assert.deepEqual(refusals, []);
  assert.equal(jobs.length, 1);
  const job = jobs[0] as { metadata: { name: string }; spec: { meta: unknown; groups: Record<string, any>[] } };
  assert.equal(job.metadata.name, 'prod-api');
  assert.deepEqual(job.spec.meta, { team: 'core' });
  const g = job.spec.groups[0]!;
  assert.equal(g.count, 4);
  assert.deepEqual(g.network.ports, [{ label: 'http', to: 8080 }, { label: 'port1', static: 31000, to: 9000 }]);
  assert.deepEqual(g.update, { maxParallel: 2 });
  assert.deepEqual(g.reschedule, { unlimited: true, delay: '2s', maxDelay: '300s', delayFunction: 'exponential' });
  assert.deepEqual(g.constraints, [
    { operator: 'distinct_hosts', value: 'true' },
    { attribute: '${meta.rack}', operator: '=', value: 'r1' },
    { attribute: '${meta.type}', operator: 'regexp', value: '^(ssd|nvme)$' },
    { attribute: '${meta.rack}', operator: 'distinct_property', value: '2' },
  ]);
  assert.deepEqual(g.spreads, [{ attribute: '${meta.zone}' }]);
  const t = g.tasks[0]!;
  assert.deepEqual(t.config, { image: 'acme/api:2', ports: ['http', 'port1'], command: 'sh', args: ['-c', 'serve --port 8080'] });
  assert.deepEqual(t.resources, { cpu: 0.25 * MHZ_PER_CPU, memoryMB: 128, diskMB: 50 });
  assert.deepEqual(t.env, { MODE: 'prod' });
  assert.deepEqual(t.services[0].checks, [
    { type: 'http', path: '/ping', portLabel: 'http', interval: '10s', timeout: '3s', checkRestart: { limit: 2, grace: '30s' } },
    { type: 'tcp', portLabel: 'port1', interval: '15s', timeout: '20s' },
    { type: 'script', command: 'sh', args: ['-c', 'test -f /tmp/ok'], interval: '20s', timeout: '20s' },
  ]);
});

test('a group of apps (nested groups too) becomes one job per app; an app without a container runs with raw_exec', () => {
  const group = { id: '/shop', apps: [{ id: '/shop/web', cmd: 'web', instances: 2 }], groups: [{ id: '/shop/back', apps: [{ id: '/shop/back/db', args: ['db', '--fast'] }] }] };
  const { jobs, refusals } = marathonToDrover(JSON.stringify(group), 'shop.json');
  assert.deepEqual(refusals, []);
  assert.deepEqual(jobs.map((j) => (j.metadata as { name: string }).name), ['shop-web', 'shop-back-db']);
  const db = (jobs[1]!.spec as { groups: { tasks: Record<string, unknown>[] }[] }).groups[0]!.tasks[0]!;
  assert.deepEqual([db.driver, db.config], ['raw_exec', { command: 'db', args: ['--fast'] }]);
});

test('upgradeStrategy: minimumHealthCapacity bounds maxParallel, maximumOverCapacity becomes auto-promoted canaries', () => {
  assert.deepEqual(upgradeStrategy(10, 0.8, 0), { maxParallel: 2 });
  assert.deepEqual(upgradeStrategy(10, 0.85, 0), { maxParallel: 1 }, 'ceil(8.5) = 9 must stay healthy');
  assert.deepEqual(upgradeStrategy(4, 1, 0), { maxParallel: 1 });
  assert.deepEqual(upgradeStrategy(10, 1, 1), { maxParallel: 1, canary: 10, autoPromote: true }, "Marathon's default");
  assert.deepEqual(upgradeStrategy(10, 1, 0.2), { maxParallel: 1, canary: 2, autoPromote: true });
  assert.deepEqual(upgradeStrategy(3, 0.5, 0.2), { maxParallel: 1 }, 'floor(0.6) = 0 canaries');
});

test('fetch becomes task artifacts: extract, outputFile, executable (a chmod before the cmd), cache; docker tasks fetch into local/', () => {
  const app = {
    id: '/tools/run', cmd: './tool --serve',
    fetch: [
      { uri: 'https://example.com/bundle.tgz' },
      { uri: 'https://example.com/raw.tgz', extract: false, cache: true },
      { uri: 'http://10.0.0.1/bin/tool', executable: true },
      { uri: 'file:///srv/conf.json', outputFile: 'app.json' },
    ],
  };
  const { jobs, refusals } = marathonToDrover(JSON.stringify(app), 'run.json');
  assert.deepEqual(refusals, []);
  const task = (jobs[0] as any).spec.groups[0].tasks[0];
  assert.deepEqual(task.artifacts, [
    { source: 'https://example.com/bundle.tgz', destination: './' },
    { source: 'https://example.com/raw.tgz', destination: './', options: { archive: 'false' } },
    { source: 'http://10.0.0.1/bin/tool', destination: './' },
    { source: 'file:///srv/conf.json', destination: './app.json', mode: 'file' },
  ]);
  assert.deepEqual(task.config, { command: 'sh', args: ['-c', 'chmod +x ./tool && ./tool --serve'] });
  const docker = marathonToDrover(JSON.stringify({ id: '/d', cmd: 'run', container: { type: 'DOCKER', docker: { image: 'busybox' } }, fetch: [{ uri: 'https://e.com/x.sh', executable: true }] }), 'd.json');
  assert.deepEqual(docker.refusals, []);
  const dt = (docker.jobs[0] as any).spec.groups[0].tasks[0];
  assert.deepEqual(dt.artifacts, [{ source: 'https://e.com/x.sh', destination: 'local/' }]);
  assert.equal(dt.config.args[1], 'chmod +x /local/x.sh && run');
  const noShell = marathonToDrover(JSON.stringify({ id: '/a', args: ['./x'], fetch: [{ uri: 'https://e.com/x', executable: true }] }), 'a.json');
  assert.deepEqual(noShell.refusals.map((r) => r.path), ['fetch']);
  const unknown = marathonToDrover(JSON.stringify({ id: '/a', cmd: 'x', fetch: [{ uri: 'https://e.com/x', destPath: 'y' }] }), 'a.json');
  assert.deepEqual(unknown.refusals.map((r) => r.path), ['fetch[0].destPath']);
});

test('fields Drover does not honour are refused at their key', () => {
  const text = `{
  "id": "/x",
  "cmd": "run",
  "residency": { "taskLostBehavior": "WAIT_FOREVER" },
  "readinessChecks": [{ "name": "ready" }],
  "backoffFactor": 1.15,
  "constraints": [["rack", "UNLIKE", "r9"]],
  "unreachableStrategy": "disabled",
  "portDefinitions": [{ "port": 0, "protocol": "udp" }],
  "healthChecks": [{ "protocol": "TCP", "delaySeconds": 15 }]
}`;
  const { refusals } = marathonToDrover(text, 'x.json');
  const got = refusals.map((r) => `${r.path}@${r.position?.line}:${r.position?.column}`).sort();
  const want = [
    ['residency', '"residency"'], ['readinessChecks', '"readinessChecks"'],
    ['backoffFactor', '"backoffFactor"'], ['unreachableStrategy', '"unreachableStrategy"'],
    ['portDefinitions[0].protocol', '"protocol": "udp"'], ['healthChecks[0].delaySeconds', '"delaySeconds"'],
  ].map(([p, s]) => { const l = locate(text, s!); return `${p}@${l.line}:${l.column}`; });
  assert.deepEqual(got.filter((g) => !g.startsWith('constraints')), want.sort());
  assert.ok(refusals.some((r) => r.path === 'constraints[0]' && /UNLIKE/.test(r.message)));
});

test('dependencies become spec.dependsOn: apps by job name, relative ids against the group, a group as its apps, group dependencies inherited', () => {
  const file = {
    id: '/shop',
    dependencies: ['/infra/dns'],
    apps: [
      { id: 'web', cmd: 'web', dependencies: ['api', '../shop/back'] },
      { id: '/shop/api', cmd: 'api', dependencies: ['./back/db'] },
    ],
    groups: [{ id: 'back', apps: [{ id: 'db', cmd: 'db' }, { id: 'cache', cmd: 'cache', dependencies: ['db'] }] }],
  };
  const { jobs, refusals } = marathonToDrover(JSON.stringify(file), 'shop.json');
  assert.deepEqual(refusals, []);
  const deps = Object.fromEntries(jobs.map((j) => [(j.metadata as { name: string }).name, (j.spec as { dependsOn?: string[] }).dependsOn]));
  assert.deepEqual(deps, {
    'shop-web': ['infra-dns', 'shop-api', 'shop-back-db', 'shop-back-cache'],
    'shop-api': ['infra-dns', 'shop-back-db'],
    'shop-back-db': ['infra-dns'],
    'shop-back-cache': ['infra-dns', 'shop-back-db'],
  });
  assert.equal((jobs[0]!.metadata as { annotations: Record<string, string> }).annotations['marathon.drover.dev/id'], '/shop/web');
});

test('absoluteId resolves Marathon ids as paths', () => {
  assert.equal(absoluteId('/a/b', '/x/'), '/a/b');
  assert.equal(absoluteId('b', '/a/'), '/a/b');
  assert.equal(absoluteId('./b', '/a/'), '/a/b');
  assert.equal(absoluteId('../c', '/a/b/'), '/a/c');
  assert.equal(absoluteId('db', '/'), '/db');
});
