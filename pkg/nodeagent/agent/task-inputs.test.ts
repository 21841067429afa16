// Task inputs on a real agent with real processes (raw_exec, and exec where this machine can run it): Nomad's
// environment and interpolation, a template rendering a node attribute and a ConfigMap key that is re-rendered
// when the ConfigMap changes (changeMode restart, and signal), an artifact fetched from a loopback HTTP server
// with its checksum verified, and the failures of both as task events with the task never started.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmod } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ConfigMap, Task } from '../../../api/schemas/index.ts';
import { realClock } from '../../clock/clock.ts';
import { silentLogger } from '../../log/logger.ts';
import type { Driver } from '../drivers/driver.ts';
import { ExecDriver } from '../drivers/exec/driver.ts';
import { RawExecDriver } from '../drivers/rawexec/driver.ts';
import { TEMPLATE_RESTART_REASON } from './template-watch.ts';
import { eventTypes, withAgentHarness, type AgentHarness } from './testing.ts';

const sh = (script: string) => ({ command: '/bin/sh', args: ['-c', script] });

/** The drivers to run each scenario with: raw_exec always, exec where the node can run it (root, cgroups). */
async function drivers(): Promise<Array<{ name: string; driver: Driver; skip?: string }>> {
  const exec = new ExecDriver({ clock: realClock, logger: silentLogger, pollMs: 20, cgroupParent: 'drover-test' });
  const fp = await exec.fingerprint();
  return [
    { name: 'raw_exec', driver: new RawExecDriver({ clock: realClock, logger: silentLogger, pollMs: 20 }) },
    // With CI=true an unhealthy exec driver fails these tests (as the exec driver's own test does), never skips them.
    { name: 'exec', driver: exec, ...(fp.healthy || process.env.CI === 'true' ? {} : { skip: `exec driver unhealthy here: ${fp.description}` }) },
  ];
}

const log = async (h: AgentHarness, alloc: string) => (await fetch(`${h.api.url}/apis/drover.dev/v1/namespaces/default/allocations/${alloc}/log`)).text();

async function start(h: AgentHarness, name: string, driver: Driver) {
  // The exec driver runs tasks as an unprivileged user, who must be able to reach the task directory.
  await chmod(h.dataDir, 0o755);
  await h.startAgent({ drivers: { [name]: driver } });
}

function configMap(name: string, data: Record<string, string>): ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data };
}

for (const d of await drivers()) {
  test(`${d.name}: the task sees Nomad's environment, and \${...} is interpolated in its env and args`, { skip: d.skip }, async () => {
    await withAgentHarness(async (h) => {
      await start(h, d.name, d.driver);
      const task: Task = {
        name: 'show', driver: d.name,
        env: { WHERE: '${attr.unique.hostname}/${node.datacenter}/${NOMAD_ALLOC_INDEX}', KEEP: '${not.a.thing}' },
        config: sh('echo $NOMAD_ALLOC_ID $NOMAD_PORT_http; echo "$NOMAD_JOB_NAME $NOMAD_GROUP_NAME $NOMAD_TASK_NAME $NOMAD_ALLOC_NAME $NOMAD_NAMESPACE $NOMAD_REGION $NOMAD_DC $NOMAD_ADDR_http $NOMAD_META_team $NOMAD_META_TEAM $NOMAD_CPU_LIMIT $NOMAD_MEMORY_LIMIT"; echo "$WHERE $KEEP $1"; test -d "$NOMAD_TASK_DIR" && test -d "$NOMAD_ALLOC_DIR" && test -d "$NOMAD_SECRETS_DIR" && echo dirs'),
        meta: { team: 'core' },
      };
      task.config!.args = [...(task.config!.args as string[]), 'x', '${NOMAD_TASK_NAME}@${attr.kernel.name}'];
      const job = await h.createJob('nenv', { restart: { attempts: 0, mode: 'fail' }, network: { ports: [{ label: 'http' }] }, tasks: [task] });
      await h.place(job, { ports: [{ label: 'http', value: 23457 }] });
      await h.untilAlloc('nenv-a0', (a) => a.status?.clientStatus === 'complete', 'complete');
      assert.equal(await log(h, 'nenv-a0'), [
        'nenv-a0 23457',
        'nenv g show nenv.g[0] default global dc1 127.0.0.1:23457 core core 100 64',
        'test-host/dc1/0 ${not.a.thing} show@linux',
        'dirs',
        '',
      ].join('\n'));
    });
  });

  test(`${d.name}: a template renders a node attribute and a ConfigMap key, and a ConfigMap change restarts the task`, { skip: d.skip }, async () => {
    await withAgentHarness(async (h) => {
      await start(h, d.name, d.driver);
      await h.client.resource<ConfigMap>('configmaps').create(configMap('app', { greeting: 'hello' }));
      const job = await h.createJob('tpl', {
        tasks: [{
          name: 'app', driver: d.name,
          templates: [{ data: 'host={{ env "attr.unique.hostname" }} greeting={{ key "app/greeting" }}\n', destination: 'local/app.conf' }],
          config: sh('cat local/app.conf; while :; do sleep 0.05; done'),
        }],
      }, { type: 'service' });
      await h.place(job);
      await h.until(async () => (await log(h, 'tpl-a0')) === 'host=test-host greeting=hello\n', 'the first render is printed');
      const before = await h.alloc('tpl-a0');
      assert.deepEqual(eventTypes(before, 'app'), ['Received', 'Setup', 'Started']);
      await h.client.resource<ConfigMap>('configmaps').patch('app', { data: { greeting: 'bye' } }, 'merge', { namespace: 'default' });
      await h.until(async () => (await log(h, 'tpl-a0')) === 'host=test-host greeting=hello\nhost=test-host greeting=bye\n', 'the restarted task prints the new render');
      const after = await h.untilAlloc('tpl-a0', (a) => a.status?.taskStates?.app?.state === 'running' && a.status.taskStates.app.restarts === 1, 'running again after one restart');
      const events = after.status!.taskStates!.app!.events!;
      assert.deepEqual(eventTypes(after, 'app'), ['Received', 'Setup', 'Started', 'Restart Signaled', 'Terminated', 'Restarting', 'Started']);
      assert.equal(events[3]!.message, TEMPLATE_RESTART_REASON);
      assert.equal(events[5]!.message, `${TEMPLATE_RESTART_REASON}; Task restarting in 0s`);
    });
  });

  test(`${d.name}: changeMode signal re-renders and signals the running task without restarting it`, { skip: d.skip }, async () => {
    await withAgentHarness(async (h) => {
      await start(h, d.name, d.driver);
      await h.client.resource<ConfigMap>('configmaps').create(configMap('sig', { level: 'info' }));
      const job = await h.createJob('sig', {
        tasks: [{
          name: 'app', driver: d.name,
          // In secrets/ with 0600: the re-rendered file must still be the task user's to read (exec).
          templates: [{ data: 'level={{ key "sig/level" }}\n', destination: 'secrets/log.conf', perms: '0600', changeMode: 'signal', changeSignal: 'SIGHUP' }],
          config: sh('trap "cat secrets/log.conf" HUP; cat secrets/log.conf; while :; do sleep 0.05; done'),
        }],
      }, { type: 'service' });
      await h.place(job);
      await h.until(async () => (await log(h, 'sig-a0')) === 'level=info\n', 'the first render is printed');
      await h.client.resource<ConfigMap>('configmaps').patch('sig', { data: { level: 'debug' } }, 'merge', { namespace: 'default' });
      await h.until(async () => (await log(h, 'sig-a0')) === 'level=info\nlevel=debug\n', 'the trap prints the new render');
      const a = await h.untilAlloc('sig-a0', (x) => eventTypes(x, 'app').includes('Signaling'), 'signal event');
      assert.deepEqual(eventTypes(a, 'app'), ['Received', 'Setup', 'Started', 'Signaling']);
      assert.equal(a.status!.taskStates!.app!.events![3]!.message, 'Template re-rendered: sent SIGHUP');
      assert.equal(a.status!.taskStates!.app!.restarts, 0);
      assert.equal(a.status!.taskStates!.app!.state, 'running');
    });
  });

  test(`${d.name}: a template into secrets/ with perms 0600 and an envFile template reach the task`, { skip: d.skip }, async () => {
    await withAgentHarness(async (h) => {
      await start(h, d.name, d.driver);
      const job = await h.createJob('secret', {
        restart: { attempts: 0, mode: 'fail' },
        tasks: [{
          name: 'app', driver: d.name,
          templates: [
            { data: 'pw-of-{{ env "NOMAD_TASK_NAME" }}\n', destination: 'secrets/pw', perms: '0600' },
            { data: 'FROM_TEMPLATE=yes\nNOMAD_DC=not-this\n', destination: 'local/app.env', envFile: true },
          ],
          env: { NOMAD_DC: 'the-job-wins' },
          config: sh('cat secrets/pw; echo "$FROM_TEMPLATE $NOMAD_DC"; stat -c %a secrets/pw'),
        }],
      });
      await h.place(job);
      await h.untilAlloc('secret-a0', (a) => a.status?.clientStatus === 'complete', 'complete');
      assert.equal(await log(h, 'secret-a0'), 'pw-of-app\nyes the-job-wins\n600\n');
    });
  });

  test(`${d.name}: an artifact is fetched from a loopback server with its checksum verified; a wrong checksum fails with an event`, { skip: d.skip }, async () => {
    const body = 'artifact body\n';
    const server = createServer((req, res) => (req.url === '/app.txt' ? res.end(body) : ((res.statusCode = 404), res.end())));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/app.txt`;
    const sum = createHash('sha256').update(body).digest('hex');
    try {
      await withAgentHarness(async (h) => {
        await start(h, d.name, d.driver);
        const ok = await h.createJob('art', {
          restart: { attempts: 0, mode: 'fail' },
          tasks: [{ name: 'app', driver: d.name, artifacts: [{ source: url, options: { checksum: `sha256:${sum}` } }], config: sh('cat local/app.txt') }],
        });
        await h.place(ok);
        await h.untilAlloc('art-a0', (a) => a.status?.clientStatus === 'complete', 'complete');
        assert.equal(await log(h, 'art-a0'), body);

        const bad = await h.createJob('badsum', {
          restart: { attempts: 0, mode: 'fail' },
          tasks: [{ name: 'app', driver: d.name, artifacts: [{ source: url, options: { checksum: `sha256:${'f'.repeat(64)}` } }], config: sh('cat local/app.txt') }],
        });
        await h.place(bad);
        const failed = await h.untilAlloc('badsum-a0', (a) => a.status?.clientStatus === 'failed', 'failed');
        assert.deepEqual(eventTypes(failed, 'app'), ['Received', 'Failed Artifact Download', 'Failed']);
        assert.equal(failed.status!.taskStates!.app!.events![1]!.message, `artifacts[0] (${url}): checksum mismatch: expected sha256:${'f'.repeat(64)}, got sha256:${sum}`);
      });
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
}

test('raw_exec: a template that does not parse is an event naming it, its line and column, and the task never starts', async () => {
  await withAgentHarness(async (h) => {
    await h.startAgent({ drivers: { raw_exec: new RawExecDriver({ clock: realClock, logger: silentLogger, pollMs: 20 }) } });
    const job = await h.createJob('badtpl', {
      tasks: [{ name: 'app', driver: 'raw_exec', templates: [{ data: 'a\nb {{ if .Job }}x', destination: 'local/app.conf' }], config: sh('cat local/app.conf') }],
    });
    await h.place(job);
    const a = await h.untilAlloc('badtpl-a0', (x) => x.status?.clientStatus === 'failed', 'failed');
    assert.deepEqual(eventTypes(a, 'app'), ['Received', 'Template Failure', 'Failed']);
    assert.equal(a.status!.taskStates!.app!.events![1]!.message, 'templates[0] (local/app.conf): template: local/app.conf:2:6: unexpected EOF: {{if}} has no {{end}}');
  });
});

test('raw_exec: a template reading a ConfigMap that does not exist yet is retried by the restart policy and starts once it exists', async () => {
  await withAgentHarness(async (h) => {
    await h.startAgent({ drivers: { raw_exec: new RawExecDriver({ clock: realClock, logger: silentLogger, pollMs: 20 }) } });
    const job = await h.createJob('later', {
      restart: { attempts: 100, interval: '1h', delay: '50ms', mode: 'fail' },
      tasks: [{ name: 'app', driver: 'raw_exec', templates: [{ data: '{{ key "late/v" }}', destination: 'local/v' }], config: sh('cat local/v') }],
    });
    await h.place(job);
    const waiting = await h.untilAlloc('later-a0', (x) => eventTypes(x, 'app').includes('Template Failure'), 'a template failure');
    assert.match(waiting.status!.taskStates!.app!.events!.find((e) => e.type === 'Template Failure')!.message!, /local\/v:1:4: error calling key: ConfigMap key "late\/v" does not exist/);
    await h.client.resource<ConfigMap>('configmaps').create(configMap('late', { v: 'now' }));
    await h.untilAlloc('later-a0', (x) => x.status?.clientStatus === 'complete', 'complete');
    assert.equal(await log(h, 'later-a0'), 'now');
  });
});

test('raw_exec: a ConfigMap changed while the agent was down is acted on by the next agent (re-attached, re-rendered, restarted)', async () => {
  await withAgentHarness(async (h) => {
    const raw = () => ({ raw_exec: new RawExecDriver({ clock: realClock, logger: silentLogger, pollMs: 20 }) as Driver });
    const agent1 = await h.startAgent({ drivers: raw() });
    await h.client.resource<ConfigMap>('configmaps').create(configMap('away', { v: 'before' }));
    const job = await h.createJob('away', {
      tasks: [{ name: 'app', driver: 'raw_exec', templates: [{ data: 'v={{ key "away/v" }}\n', destination: 'local/v.conf' }], config: sh('cat local/v.conf; while :; do sleep 0.05; done') }],
    }, { type: 'service' });
    await h.place(job);
    await h.until(async () => (await log(h, 'away-a0')) === 'v=before\n', 'the first render');
    await agent1.stop();
    await h.client.resource<ConfigMap>('configmaps').patch('away', { data: { v: 'after' } }, 'merge', { namespace: 'default' });
    await h.startAgent({ drivers: raw() });
    await h.until(async () => (await log(h, 'away-a0')) === 'v=before\nv=after\n', 'the restarted task prints the render made by the new agent');
    const a = await h.untilAlloc('away-a0', (x) => x.status?.taskStates?.app?.restarts === 1 && x.status.taskStates.app.state === 'running', 'one restart');
    assert.equal(a.status!.taskStates!.app!.events!.filter((e) => e.type === 'Started').length, 2);
  });
});

test('raw_exec: a failed download is retried by the restart policy, and the task starts once the artifact is there', async () => {
  let available = false;
  const server = createServer((_req, res) => (available ? res.end('finally\n') : ((res.statusCode = 503), res.end())));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/late.txt`;
  try {
    await withAgentHarness(async (h) => {
      await h.startAgent({ drivers: { raw_exec: new RawExecDriver({ clock: realClock, logger: silentLogger, pollMs: 20 }) } });
      const job = await h.createJob('retry', {
        restart: { attempts: 100, interval: '1h', delay: '50ms', mode: 'fail' },
        tasks: [{ name: 'app', driver: 'raw_exec', artifacts: [{ source: url }], config: sh('cat local/late.txt') }],
      });
      await h.place(job);
      const waiting = await h.untilAlloc('retry-a0', (x) => eventTypes(x, 'app').includes('Restarting'), 'a retry after the failed download');
      assert.match(waiting.status!.taskStates!.app!.events!.find((e) => e.type === 'Failed Artifact Download')!.message!, /: 503 Service Unavailable$/);
      available = true;
      await h.untilAlloc('retry-a0', (x) => x.status?.clientStatus === 'complete', 'complete');
      assert.equal(await log(h, 'retry-a0'), 'finally\n');
    });
  } finally {
    await new Promise((r) => server.close(r));
  }
});

test('the API server refuses at admission what no agent would honour: a csi volume, a git:: artifact, a destination outside the allocation', async () => {
  await withAgentHarness(async (h) => {
    const err = await h.createJob('refused', {
      volumes: { data: { type: 'csi', source: 'data' } },
      tasks: [{
        name: 'app', driver: 'raw_exec', config: sh('true'), volumeMounts: [{ volume: 'data', destination: '/data' }],
        artifacts: [{ source: 'git::https://example.com/repo.git' }], templates: [{ data: 'x', destination: '../../../etc/x' }],
      }],
    }).then(() => undefined, (e: unknown) => e as { status?: { code?: number; details?: { causes?: Array<{ field?: string }> } } });
    assert.equal(err?.status?.code, 422);
    assert.deepEqual(err.status.details!.causes!.map((c) => c.field).sort(), [
      'spec.groups[0].tasks[0].artifacts[0].source', 'spec.groups[0].tasks[0].templates[0].destination', 'spec.groups[0].volumes[data].type',
    ]);
  });
});
