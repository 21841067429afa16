// `drover dev` (API server, controllers, a real node agent) as a child process: deleting a Namespace stops and
// removes everything in it — its job's allocations go and the agent kills their tasks (real processes, found by
// their command line) — and then the namespace itself.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'node:test';
import type { Allocation, Job, Namespace } from '../../api/schemas/index.ts';
import { isNotFound } from '../../pkg/apierrors/status.ts';
import { createClient } from '../../pkg/client/client.ts';
import { TEST_HANG_GUARD_MS } from '../support/hang-guard.ts';
import { startDev, stopDev, type DevProcess } from './dev-process.ts';
import { E2E_ADMIN_TOKEN } from './processes.ts';

const run = promisify(execFile);
/** A sleep whose argument marks this test's processes. */
const MARK = '3017';

async function taskProcesses(): Promise<number> {
  try {
    const { stdout } = await run('pgrep', ['-f', `^/bin/sleep ${MARK}$`]);
    return stdout.trim().split('\n').filter(Boolean).length;
  } catch {
    return 0; // pgrep exits 1 when nothing matches
  }
}

async function until(what: string, cond: () => Promise<boolean>, dev: DevProcess): Promise<void> {
  const deadline = Date.now() + TEST_HANG_GUARD_MS / 3;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}:\n${dev.log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('deleting a namespace stops its tasks on the agent and removes its objects, then itself', { timeout: TEST_HANG_GUARD_MS }, async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'drover-nsdel-'));
  const dev = await startDev(dataDir);
  const client = createClient({ server: dev.url, token: E2E_ADMIN_TOKEN });
  try {
    const namespaces = client.resource<Namespace>('namespaces');
    await namespaces.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'probe' } } as Namespace);
    await client.resource<Job>('jobs').create({
      apiVersion: 'drover.dev/v1', kind: 'Job', metadata: { name: 'sleeper', namespace: 'probe' },
      spec: { groups: [{ name: 'g', count: 2, tasks: [{ name: 't', driver: 'raw_exec', config: { command: '/bin/sleep', args: [MARK] }, resources: { cpu: 100, memoryMB: 32 } }] }] },
    });
    const allocs = client.resource<Allocation>('allocations');
    await until('two running allocations', async () => (await allocs.list({ namespace: 'probe' })).items.filter((a) => a.status?.clientStatus === 'running').length === 2, dev);
    assert.equal(await taskProcesses(), 2, 'the agent runs both tasks');

    const marked = (await namespaces.delete('probe')) as Namespace;
    assert.equal(marked.status?.phase, 'Terminating');
    await until('the namespace to go', async () => namespaces.get('probe').then(() => false, (err) => (isNotFound(err) ? true : Promise.reject(err))), dev);
    for (const plural of ['jobs', 'allocations', 'evaluations', 'jobversions']) {
      assert.deepEqual((await client.resource(plural).list({ namespace: 'probe' })).items, [], `${plural} left behind`);
    }
    await until('the tasks to be killed', async () => (await taskProcesses()) === 0, dev);
  } finally {
    await client.close();
    await stopDev(dev);
    await rm(dataDir, { recursive: true, force: true });
  }
});
