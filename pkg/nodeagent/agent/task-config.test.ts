// What a driver is handed: the task directory layout, the DROVER_* environment (and the task's own env over
// it), allocated resources and ports, host volume mounts; and the config errors a job author can fix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Allocation, TaskGroup } from '../../../api/schemas/index.ts';
import type { Driver, ExitResult, TaskConfig, TaskHandle } from '../drivers/driver.ts';
import { allocDirOf, buildAllocDir } from './alloc-dir.ts';
import { staticInputs } from './input-source.ts';
import { buildTaskConfig } from './task-config.ts';
import { withAgentHarness } from './testing.ts';

const alloc: Allocation = {
  apiVersion: 'drover.dev/v1', kind: 'Allocation',
  metadata: { name: 'web-web-0-abc', namespace: 'prod', uid: 'u-1' },
  spec: {
    nodeName: 'n1', jobName: 'web', jobVersion: 3, groupName: 'front', index: 2,
    resources: { tasks: { app: { cpu: 250, memoryMB: 128, memoryMaxMB: 256 } }, ports: [{ label: 'http', value: 25000, to: 8080 }, { label: 'admin', value: 25001 }] },
  },
};
const group: TaskGroup = {
  name: 'front',
  meta: { stage: 'blue' },
  volumes: { certs: { type: 'host', source: 'tls', readOnly: true }, scratch: { type: 'host', source: 'tmp' } },
  tasks: [{ name: 'app', driver: 'fake', env: { DROVER_DC: 'overridden', GREETING: 'hi' }, meta: { owner: 'team-a' }, volumeMounts: [{ volume: 'certs', destination: '/etc/tls' }, { volume: 'scratch', destination: '/scratch' }] }],
};

const node = { id: 'n1-uid', name: 'n1', datacenter: 'eu-1', nodeClass: '', attributes: { 'kernel.name': 'linux' }, meta: { rack: 'r1' } };
const inputs = () => ({ node, inputs: staticInputs(), artifacts: { fetched: false } });

test('the task config: directories, env, resources, ports and mounts', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'drover-taskcfg-'));
  try {
    const dir = allocDirOf(dataDir, 'u-1');
    await buildAllocDir(dir);
    const { config: cfg } = await buildTaskConfig({
      alloc, group, task: group.tasks[0]!, dir, datacenter: 'eu-1', address: '10.0.0.5',
      hostVolumes: { tls: { path: '/srv/tls' }, tmp: { path: '/srv/tmp' } }, jobMeta: { tier: 'web' }, ...inputs(),
    });
    assert.equal(cfg.id, 'u-1/app');
    assert.equal(cfg.allocId, 'u-1');
    assert.equal(cfg.taskDir, join(dataDir, 'allocs', 'u-1', 'app'));
    assert.equal(cfg.stdoutPath, join(dataDir, 'allocs', 'u-1', 'alloc', 'logs', 'app.stdout'));
    for (const d of ['alloc/data', 'alloc/logs', 'alloc/tmp', 'app/local', 'app/secrets', 'app/tmp']) assert.ok((await stat(join(dir.root, d))).isDirectory(), d);
    assert.equal((await stat(join(dir.root, 'app/secrets'))).mode & 0o777, 0o700);
    assert.deepEqual(cfg.resources, { cpuMHz: 250, memoryMB: 128, memoryMaxMB: 256 });
    assert.deepEqual(cfg.ports, [{ label: 'http', value: 25000, to: 8080 }, { label: 'admin', value: 25001 }]);
    assert.deepEqual(cfg.mounts, [{ source: '/srv/tls', destination: '/etc/tls', readOnly: true }, { source: '/srv/tmp', destination: '/scratch', readOnly: false }]);
    const env = cfg.env;
    assert.equal(env.DROVER_ALLOC_ID, 'web-web-0-abc');
    assert.equal(env.DROVER_ALLOC_NAME, 'web.front[2]');
    assert.equal(env.DROVER_ALLOC_INDEX, '2');
    assert.equal(env.DROVER_JOB_NAME, 'web');
    assert.equal(env.DROVER_GROUP_NAME, 'front');
    assert.equal(env.DROVER_TASK_NAME, 'app');
    assert.equal(env.DROVER_NAMESPACE, 'prod');
    assert.equal(env.DROVER_DC, 'overridden', "the task's env has the last word");
    assert.equal(env.GREETING, 'hi');
    assert.equal(env.DROVER_PORT_http, '8080');
    assert.equal(env.DROVER_HOST_PORT_http, '25000');
    assert.equal(env.DROVER_ADDR_http, '10.0.0.5:25000');
    assert.equal(env.DROVER_PORT_admin, '25001');
    assert.equal(env.DROVER_ADDR_admin, '10.0.0.5:25001');
    assert.equal(env.DROVER_ALLOC_DIR, join(dir.root, 'alloc'));
    assert.equal(env.DROVER_TASK_DIR, join(dir.root, 'app', 'local'));
    assert.equal(env.DROVER_SECRETS_DIR, join(dir.root, 'app', 'secrets'));
    assert.equal(env.DROVER_MEMORY_LIMIT, '128');
    assert.equal(env.DROVER_META_tier, 'web');
    assert.equal(env.DROVER_META_owner, 'team-a');
    assert.equal(env.DROVER_META_stage, 'blue'); // the group's meta, between the job's and the task's
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('config errors a job author can fix are plain messages', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'drover-taskcfg-'));
  try {
    const dir = allocDirOf(dataDir, 'u-1');
    const base = { alloc, group, dir, datacenter: 'dc1', address: '127.0.0.1', hostVolumes: { tls: { path: '/srv/tls' }, tmp: { path: '/t' } }, ...inputs() };
    await assert.rejects(buildTaskConfig({ ...base, task: { name: 'app', driver: 'fake', config: { ports: ['http', 'grpc'] } } }), /port label "grpc" is not in the group network \(allocated: http, admin\)/);
    await assert.rejects(buildTaskConfig({ ...base, task: { name: 'app', driver: 'fake', volumeMounts: [{ volume: 'nope', destination: '/x' }] } }), /volume "nope" is not declared/);
    await assert.rejects(buildTaskConfig({ ...base, hostVolumes: {}, task: group.tasks[0]! }), /host volume "tls" does not exist on this node/);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test("a dispatch payload is written into the task's local/ directory (Nomad's dispatch_payload), and only there", async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'drover-taskcfg-'));
  try {
    const dir = allocDirOf(dataDir, 'u-1');
    await buildAllocDir(dir);
    const base = { alloc, group: { name: 'front', tasks: [] }, dir, datacenter: 'dc1', address: '127.0.0.1', hostVolumes: {}, ...inputs() };
    const payload = Buffer.from('{"w":640}').toString('base64');
    await buildTaskConfig({ ...base, payload, task: { name: 'app', driver: 'fake', dispatchPayload: { file: 'in/params.json' } } });
    assert.equal(await readFile(join(dir.root, 'app', 'local', 'in', 'params.json'), 'utf8'), '{"w":640}');
    // Without a payload, or without dispatchPayload, nothing is written.
    await buildTaskConfig({ ...base, task: { name: 'other', driver: 'fake', dispatchPayload: { file: 'p' } } });
    await assert.rejects(stat(join(dir.root, 'other', 'local', 'p')), /ENOENT/);
    await assert.rejects(buildTaskConfig({ ...base, payload, task: { name: 'bad', driver: 'fake', dispatchPayload: { file: '../../escape' } } }), /not inside the task's local\/ directory/);
    await assert.rejects(stat(join(dir.root, 'escape')), /ENOENT/);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

/** A driver that records what it was asked to start and runs until stopped. */
class RecordingDriver implements Driver {
  readonly name = 'fake';
  readonly started: TaskConfig[] = [];
  private readonly exits = new Map<string, (e: ExitResult) => void>();
  async fingerprint() {
    return { detected: true, healthy: true, description: 'records tasks' };
  }
  validateConfig(config: Record<string, unknown>) {
    return Object.keys(config).filter((k) => k !== 'ports').map((k) => `config.${k}: unknown field`);
  }
  async start(task: TaskConfig): Promise<TaskHandle> {
    this.started.push(task);
    return { driver: this.name, taskId: task.id, state: {}, startedAt: new Date().toISOString() };
  }
  wait(handle: TaskHandle): Promise<ExitResult> {
    return new Promise((resolve) => this.exits.set(handle.taskId, resolve));
  }
  async stop(handle: TaskHandle, _signal: string) {
    this.exits.get(handle.taskId)?.({ exitCode: 143, signal: 15, oomKilled: false });
  }
  async destroy() {}
  async inspect() {
    return { state: 'running' as const };
  }
  async recover() {
    return false;
  }
}

test('the agent hands the driver the env and ports of the allocation; a bad port label fails it', async () => {
  await withAgentHarness(async (h) => {
    const fake = new RecordingDriver();
    await h.startAgent({ drivers: { fake } });
    const job = await h.createJob('envy', {
      network: { ports: [{ label: 'http' }] },
      tasks: [{ name: 'app', driver: 'fake', env: { EXTRA: '1' } }],
    }, { type: 'service' });
    await h.place(job, { ports: [{ label: 'http', value: 24001 }] });
    await h.untilAlloc('envy-a0', (a) => a.status?.clientStatus === 'running', 'running');
    const env = fake.started[0]!.env;
    assert.equal(env.DROVER_ALLOC_ID, 'envy-a0');
    assert.equal(env.DROVER_ALLOC_NAME, 'envy.g[0]');
    assert.equal(env.DROVER_TASK_NAME, 'app');
    assert.equal(env.DROVER_JOB_NAME, 'envy');
    assert.equal(env.DROVER_GROUP_NAME, 'g');
    assert.equal(env.DROVER_DC, 'dc1');
    assert.equal(env.DROVER_PORT_http, '24001');
    assert.equal(env.DROVER_ADDR_http, '127.0.0.1:24001');
    assert.equal(env.EXTRA, '1');
    assert.ok(env.DROVER_ALLOC_DIR!.endsWith('/alloc'));
    assert.ok(env.DROVER_TASK_DIR!.endsWith('/app/local'));
    const bad = await h.createJob('badport', { network: { ports: [{ label: 'http' }] }, tasks: [{ name: 'app', driver: 'fake', config: { ports: ['web'] } }] });
    await h.place(bad, { ports: [{ label: 'http', value: 24002 }] });
    const failed = await h.untilAlloc('badport-a0', (a) => a.status?.clientStatus === 'failed', 'failed');
    assert.match(failed.status!.taskStates!.app!.events!.find((e) => e.type === 'Driver Failure')!.message!, /port label "web" is not in the group network/);
  });
});
