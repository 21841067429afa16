// Health checks against real local listeners, check_restart, and deployment health (unit, then on an agent).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import type { Allocation } from '../../../api/schemas/index.ts';
import { ManualClock } from '../../clock/clock.ts';
import { createCa } from '../../tls/index.ts';
import { silentLogger } from '../../log/logger.ts';
import { CheckRestarter, CheckRunner, probe } from './checks.ts';
import { HealthWatcher, healthRules } from './health.ts';
import { withAgentHarness, eventTypes } from './testing.ts';

async function httpServer(handler: (path: string) => number): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createHttpServer((req, res) => {
    res.writeHead(handler(req.url ?? '/'));
    res.end('body');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, close: () => new Promise((r) => server.close(() => r())) };
}

async function freePort(): Promise<number> {
  const s = createTcpServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

test('http checks: 2xx passing, 429 warning, anything else critical', async () => {
  const srv = await httpServer((p) => (p === '/ok' ? 204 : p === '/busy' ? 429 : 500));
  try {
    const check = (path: string) => probe({ type: 'http', path, interval: '1s' }, { address: '127.0.0.1', port: srv.port });
    assert.equal((await check('/ok')).status, 'passing');
    assert.equal((await check('/busy')).status, 'warning');
    const bad = await check('/boom');
    assert.equal(bad.status, 'critical');
    assert.match(bad.output, /500/);
  } finally {
    await srv.close();
  }
});

test('http checks send their method and headers; protocol https speaks TLS', async () => {
  const seen: { method?: string; probe?: string }[] = [];
  const plain = createHttpServer((req, res) => {
    seen.push({ method: req.method, probe: req.headers['x-probe'] as string | undefined });
    res.writeHead(200);
    res.end();
  });
  await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
  try {
    const port = (plain.address() as AddressInfo).port;
    const r = await probe({ type: 'http', path: '/', method: 'POST', header: { 'X-Probe': ['a', 'b'] }, interval: '1s' }, { address: '127.0.0.1', port });
    assert.equal(r.status, 'passing', r.output);
    assert.deepEqual(seen, [{ method: 'POST', probe: 'a, b' }]);
  } finally {
    await new Promise<void>((r) => plain.close(() => r()));
  }
  // A TLS listener with a certificate of an unknown CA: the probe speaks TLS (its error is the certificate's, not
  // a parse error of a TLS reply), and the check is critical because the certificate is not trusted.
  const { certPem, keyPem } = createCa({ commonName: 'check-test', now: new Date() });
  const tls = createHttpsServer({ cert: certPem, key: keyPem }, (_req, res) => res.end());
  await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
  try {
    const port = (tls.address() as AddressInfo).port;
    const r = await probe({ type: 'http', protocol: 'https', path: '/', interval: '1s' }, { address: '127.0.0.1', port });
    assert.equal(r.status, 'critical');
    assert.match(r.output, /certificate|self.signed|issuer/i);
  } finally {
    await new Promise<void>((r) => tls.close(() => r()));
  }
});

test('a check reports its initialStatus (default critical) until its first probe completes', () => {
  const runner = (initialStatus?: 'passing' | 'warning' | 'critical') =>
    new CheckRunner({ check: { type: 'tcp', interval: '1s', initialStatus }, name: 'c', target: { address: '127.0.0.1' }, clock: new ManualClock(0), logger: silentLogger, onResult: () => {} });
  assert.equal(runner('passing').status, 'passing');
  assert.equal(runner('warning').status, 'warning');
  assert.equal(runner().status, 'critical');
});

test('tcp checks pass when something listens and fail when nothing does', async () => {
  const srv = await httpServer(() => 200);
  try {
    assert.equal((await probe({ type: 'tcp', interval: '1s' }, { address: '127.0.0.1', port: srv.port })).status, 'passing');
  } finally {
    await srv.close();
  }
  const closed = await probe({ type: 'tcp', interval: '1s' }, { address: '127.0.0.1', port: await freePort() });
  assert.equal(closed.status, 'critical');
  assert.match(closed.output, /ECONNREFUSED/);
});

test('script checks map exit codes; unsupported types are critical', async () => {
  const exec = (code: number) => async () => ({ exitCode: code, output: 'out' });
  for (const [code, want] of [[0, 'passing'], [1, 'warning'], [2, 'critical']] as const) {
    assert.equal((await probe({ type: 'script', command: '/bin/check', interval: '1s' }, { address: 'x', exec: exec(code) })).status, want);
  }
  assert.equal((await probe({ type: 'grpc', interval: '1s' }, { address: 'x', port: 1 })).status, 'critical');
});

test('check_restart: restart after `limit` consecutive failures, not within grace, warnings optional', () => {
  const r = CheckRestarter.of({ type: 'tcp', interval: '1s', checkRestart: { limit: 2, grace: '10s' } })!;
  assert.equal(r.observe('critical', 5000, 0), false, 'within grace');
  assert.equal(r.observe('critical', 11_000, 0), false);
  assert.equal(r.observe('passing', 12_000, 0), false, 'a pass resets the count');
  assert.equal(r.observe('critical', 13_000, 0), false);
  assert.equal(r.observe('warning', 14_000, 0), true, 'warnings count unless ignored');
  const lenient = CheckRestarter.of({ type: 'tcp', interval: '1s', checkRestart: { limit: 1, grace: '0s', ignoreWarnings: true } })!;
  assert.equal(lenient.observe('warning', 1, 0), false);
  assert.equal(CheckRestarter.of({ type: 'tcp', interval: '1s' }), undefined);
});

test('deployment health: healthy after minHealthyTime of good state; a dip resets it; the deadline or a failure make it unhealthy', () => {
  const clock = new ManualClock(0);
  const verdicts: boolean[] = [];
  const good = { tasksRunning: true, taskFailed: false, checksPassing: true };
  const w = new HealthWatcher(healthRules({ minHealthyTime: '10s', healthyDeadline: '1m' }), clock, (h) => verdicts.push(h));
  w.start(0);
  w.observe(good);
  clock.advance(5000);
  w.observe({ ...good, checksPassing: false });
  clock.advance(6000);
  assert.equal(verdicts.length, 0);
  w.observe(good);
  clock.advance(9999);
  assert.equal(verdicts.length, 0);
  clock.advance(1);
  assert.deepEqual(verdicts, [true]);

  const late = new HealthWatcher(healthRules({ minHealthyTime: '10s', healthyDeadline: '30s' }), clock, (h) => verdicts.push(h));
  late.start(clock.now());
  late.observe({ ...good, checksPassing: false });
  clock.advance(30_000);
  assert.deepEqual(verdicts, [true, false]);

  const crashed = new HealthWatcher(healthRules({ healthCheck: 'task_states' }), clock, (h) => verdicts.push(h));
  crashed.start(clock.now());
  crashed.observe({ tasksRunning: false, taskFailed: true, checksPassing: false });
  assert.deepEqual(verdicts, [true, false, false]);
});

test('an allocation of a deployment turns healthy once its http check passes for minHealthyTime', async () => {
  const srv = await httpServer((p) => (p === '/health' ? 200 : 404));
  try {
    await withAgentHarness(async (h) => {
      await h.startAgent();
      const job = await h.createJob('web', {
        network: { ports: [{ label: 'http' }] },
        update: { minHealthyTime: '30ms', healthyDeadline: '1m' },
        tasks: [{ name: 'srv', driver: 'mock', services: [{ name: 'web', portLabel: 'http', checks: [{ type: 'http', path: '/health', interval: '10ms' }] }] }],
      }, { type: 'service' });
      await h.place(job, { ports: [{ label: 'http', value: srv.port }], deploymentName: 'web-1' });
      const a = await h.untilAlloc('web-a0', (x) => x.status?.deploymentStatus?.healthy !== undefined, 'health decided');
      assert.equal(a.status!.deploymentStatus!.healthy, true);
      assert.ok(a.status!.deploymentStatus!.timestamp);
      assert.equal(a.status!.clientStatus, 'running');
    });
  } finally {
    await srv.close();
  }
});

test('migration health: a service allocation outside any deployment is judged by its migrate block', async () => {
  const closed = await freePort();
  await withAgentHarness(async (h) => {
    await h.startAgent();
    // task_states: healthy once the task has run for minHealthyTime; no deployment involved.
    const ok = await h.createJob('moved', {
      migrate: { healthCheck: 'task_states', minHealthyTime: '30ms', healthyDeadline: '1m' },
      tasks: [{ name: 'srv', driver: 'mock' }],
    }, { type: 'service' });
    await h.place(ok);
    const healthy = await h.untilAlloc('moved-a0', (x) => x.status?.deploymentStatus?.healthy !== undefined, 'migration health decided');
    assert.equal(healthy.status!.deploymentStatus!.healthy, true);
    assert.equal(healthy.spec.deploymentName, undefined);
    // checks (the default mode): a check that never passes makes it unhealthy at the migrate block's deadline.
    const sick = await h.createJob('stuck', {
      network: { ports: [{ label: 'db' }] },
      migrate: { minHealthyTime: '10ms', healthyDeadline: '150ms' },
      tasks: [{ name: 'db', driver: 'mock', services: [{ portLabel: 'db', checks: [{ type: 'tcp', interval: '10ms', timeout: '50ms' }] }] }],
    }, { type: 'service' });
    await h.place(sick, { ports: [{ label: 'db', value: closed }] });
    const unhealthy = await h.untilAlloc('stuck-a0', (x) => x.status?.deploymentStatus?.healthy !== undefined && x.status.clientStatus === 'running', 'migration health decided');
    assert.equal(unhealthy.status!.deploymentStatus!.healthy, false);
  });
});

test('a failing check: unhealthy past healthyDeadline, and check_restart restarts the task', async () => {
  const port = await freePort();
  await withAgentHarness(async (h) => {
    await h.startAgent();
    const job = await h.createJob('sick', {
      network: { ports: [{ label: 'db' }] },
      update: { minHealthyTime: '10ms', healthyDeadline: '150ms' },
      restart: { attempts: 5, interval: '1h', delay: '1ms', mode: 'fail' },
      tasks: [{
        name: 'db', driver: 'mock',
        services: [{ portLabel: 'db', checks: [{ type: 'tcp', interval: '10ms', timeout: '50ms', checkRestart: { limit: 2, grace: '0s' } }] }],
      }],
    }, { type: 'service' });
    await h.place(job, { ports: [{ label: 'db', value: port }], deploymentName: 'sick-1' });
    // The Restart Signaled event is reported before the restart it announces: wait for both, not the event alone.
    const a = await h.untilAlloc('sick-a0', (x) => x.status?.deploymentStatus?.healthy === false && eventTypes(x, 'db').includes('Restart Signaled') && (x.status?.taskStates?.db?.restarts ?? 0) >= 1, 'unhealthy and restarted');
    const signaled = a.status!.taskStates!.db!.events!.find((e) => e.type === 'Restart Signaled')!;
    assert.match(signaled.message!, /check "service: ".*" check" unhealthy/);
    assert.ok((a.status!.taskStates!.db!.restarts ?? 0) >= 1);
  });
});

test('script checks run inside the task through the driver', async () => {
  await withAgentHarness(async (h) => {
    await h.startAgent();
    const job = await h.createJob('scripted', {
      update: { minHealthyTime: '10ms' },
      tasks: [
        { name: 'ok', driver: 'mock', config: { execExitCode: 0 }, services: [{ name: 'ok', checks: [{ type: 'script', command: '/bin/true', interval: '10ms' }] }] },
      ],
    }, { type: 'service' });
    await h.place(job, { deploymentName: 'scripted-1' });
    const a = await h.untilAlloc('scripted-a0', (x) => x.status?.deploymentStatus?.healthy !== undefined, 'health decided');
    assert.equal(a.status!.deploymentStatus!.healthy, true);
    const failing = await h.createJob('scriptbad', {
      update: { minHealthyTime: '10ms', healthyDeadline: '100ms' },
      tasks: [{ name: 'bad', driver: 'mock', config: { execExitCode: 2 }, services: [{ checks: [{ type: 'script', command: '/bin/false', interval: '10ms' }] }] }],
    }, { type: 'service' });
    await h.place(failing, { deploymentName: 'scriptbad-1' });
    const b = await h.untilAlloc('scriptbad-a0', (x) => x.status?.deploymentStatus?.healthy !== undefined, 'health decided');
    assert.equal(b.status!.deploymentStatus!.healthy, false);
  });
});

test("an allocation's checks are reported as its ChecksPassing condition, with or without a deployment", async () => {
  let code = 200;
  const srv = await httpServer(() => code);
  const condition = (a: Allocation) => a.status?.conditions?.find((c) => c.type === 'ChecksPassing');
  try {
    await withAgentHarness(async (h) => {
      await h.startAgent();
      const job = await h.createJob('probed', {
        network: { ports: [{ label: 'http' }] },
        tasks: [{ name: 'srv', driver: 'mock', services: [{ name: 'web', portLabel: 'http', checks: [{ name: 'alive', type: 'http', path: '/', interval: '10ms' }] }] }],
      }, { type: 'service' });
      await h.place(job, { ports: [{ label: 'http', value: srv.port }] });
      const up = await h.untilAlloc('probed-a0', (a) => condition(a)?.status === 'True', 'checks passing');
      assert.deepEqual({ ...condition(up), lastTransitionTime: undefined }, { type: 'ChecksPassing', status: 'True', reason: 'ChecksPassing', message: 'alive: passing', lastTransitionTime: undefined });
      assert.equal(up.status!.deploymentStatus, undefined, 'no deployment, no deployment health');
      code = 500;
      const down = await h.untilAlloc('probed-a0', (a) => condition(a)?.status === 'False', 'checks failing');
      assert.equal(condition(down)!.reason, 'ChecksFailing');
      assert.match(condition(down)!.message!, /^alive: critical: HTTP GET http:\/\/127\.0\.0\.1:[0-9]+\/: 500/);
      assert.ok(Date.parse(condition(down)!.lastTransitionTime!) >= Date.parse(condition(up)!.lastTransitionTime!));
    });
  } finally {
    await srv.close();
  }
});
