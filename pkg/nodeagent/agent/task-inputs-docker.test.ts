// Task inputs under the docker driver, on a real agent and the shared test dockerd: Nomad's environment with
// in-container paths, a template rendered into /local that a ConfigMap change re-renders and restarts (restart)
// or signals (signal) the container for, and an artifact fetched with its checksum. Skipped without dockerd
// (failing under CI=true, as the other docker tests).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { BUSYBOX_IMAGE, dockerTestOptions, startDockerd, type Dockerd } from '../../../test/support/docker.ts';
import type { ConfigMap } from '../../../api/schemas/index.ts';
import { realClock } from '../../clock/clock.ts';
import { silentLogger } from '../../log/logger.ts';
import { DockerDriver } from '../drivers/docker/driver.ts';
import { TEMPLATE_RESTART_REASON } from './template-watch.ts';
import { eventTypes, withAgentHarness, type AgentHarness } from './testing.ts';

const sh = (script: string) => ({ image: BUSYBOX_IMAGE, command: 'sh', args: ['-c', script] });
const log = async (h: AgentHarness, alloc: string) => (await fetch(`${h.api.url}/apis/drover.dev/v1/namespaces/default/allocations/${alloc}/log`)).text();
const configMap = (name: string, data: Record<string, string>): ConfigMap => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data });

describe('docker: task inputs', dockerTestOptions(), () => {
  let dockerd: Dockerd;
  const drivers: DockerDriver[] = [];
  const docker = () => {
    const d = new DockerDriver({ clock: realClock, logger: silentLogger, socket: dockerd.socket });
    drivers.push(d);
    return d;
  };
  before(async () => {
    dockerd = await startDockerd();
  });
  after(async () => {
    await Promise.all(drivers.map((d) => d.close()));
    await dockerd?.stop();
  });

  it("the container sees Nomad's environment with its own paths", async () => {
    await withAgentHarness(async (h) => {
      await h.startAgent({ drivers: { docker: docker() } });
      const job = await h.createJob('denv', {
        restart: { attempts: 0, mode: 'fail' }, network: { ports: [{ label: 'http', to: 8080 }] },
        tasks: [{ name: 'show', driver: 'docker', config: sh('echo $NOMAD_ALLOC_ID $NOMAD_PORT_http $NOMAD_HOST_PORT_http $NOMAD_TASK_DIR $NOMAD_ALLOC_DIR $NOMAD_SECRETS_DIR; test -d $NOMAD_TASK_DIR && echo mounted') }],
      });
      await h.place(job, { ports: [{ label: 'http', value: 23458, to: 8080 }] });
      await h.untilAlloc('denv-a0', (a) => a.status?.clientStatus === 'complete', 'complete');
      assert.equal(await log(h, 'denv-a0'), 'denv-a0 8080 23458 /local /alloc /secrets\nmounted\n');
    });
  });

  it('a template in /local is re-rendered on a ConfigMap change: restart, then signal', async () => {
    await withAgentHarness(async (h) => {
      await h.startAgent({ drivers: { docker: docker() } });
      await h.client.resource<ConfigMap>('configmaps').create(configMap('dcfg', { a: '1', b: 'x' }));
      const job = await h.createJob('dtpl', {
        tasks: [{
          name: 'app', driver: 'docker',
          templates: [
            { data: 'a={{ key "dcfg/a" }} host={{ env "attr.unique.hostname" }}\n', destination: 'local/a.conf' },
            { data: 'b={{ key "dcfg/b" }}\n', destination: 'local/b.conf', changeMode: 'signal', changeSignal: 'SIGUSR1' },
          ],
          config: sh('trap "cat /local/b.conf" USR1; cat /local/a.conf; while :; do sleep 0.05; done'),
        }],
      }, { type: 'service' });
      await h.place(job);
      await h.until(async () => (await log(h, 'dtpl-a0')) === 'a=1 host=test-host\n', 'the first render');
      await h.client.resource<ConfigMap>('configmaps').patch('dcfg', { data: { b: 'y' } }, 'merge', { namespace: 'default' });
      await h.until(async () => (await log(h, 'dtpl-a0')) === 'a=1 host=test-host\nb=y\n', 'the signalled trap prints b');
      let a = await h.untilAlloc('dtpl-a0', (x) => eventTypes(x, 'app').includes('Signaling'), 'signalled');
      assert.equal(a.status!.taskStates!.app!.restarts, 0);
      await h.client.resource<ConfigMap>('configmaps').patch('dcfg', { data: { a: '2' } }, 'merge', { namespace: 'default' });
      a = await h.untilAlloc('dtpl-a0', (x) => x.status?.taskStates?.app?.restarts === 1 && x.status.taskStates.app.state === 'running', 'restarted');
      assert.equal(a.status!.taskStates!.app!.events!.find((e) => e.type === 'Restart Signaled')!.message, TEMPLATE_RESTART_REASON);
      await h.until(async () => (await log(h, 'dtpl-a0')).endsWith('a=2 host=test-host\n'), 'the new container prints the new render');
    });
  });

  it('an artifact is fetched into /local with its checksum verified', async () => {
    const body = 'from the loopback server\n';
    const server = createServer((_req, res) => res.end(body));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/f.txt`;
    try {
      await withAgentHarness(async (h) => {
        await h.startAgent({ drivers: { docker: docker() } });
        const job = await h.createJob('dart', {
          restart: { attempts: 0, mode: 'fail' },
          tasks: [{ name: 'app', driver: 'docker', artifacts: [{ source: url, options: { checksum: `sha1:${createHash('sha1').update(body).digest('hex')}` } }], config: sh('cat /local/f.txt') }],
        });
        await h.place(job);
        await h.untilAlloc('dart-a0', (a) => a.status?.clientStatus === 'complete', 'complete');
        assert.equal(await log(h, 'dart-a0'), body);
      });
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
