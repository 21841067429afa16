// kubectl, unmodified, deleting with a cascade policy while the garbage collector runs: `delete
// --cascade=foreground` waits for the job's children (its running allocation must finish first) and returns once
// job and allocation are gone; `--cascade=orphan` deletes the job and leaves its allocation without the reference;
// `create namespace` and `delete namespace`, which returns once everything in it and then the namespace are gone.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Allocation, Job } from '../../api/schemas/index.ts';
import { isNotFound } from '../../pkg/apierrors/status.ts';
import { createClient, type Client } from '../../pkg/client/client.ts';
import { realClock } from '../../pkg/clock/clock.ts';
import { silentLogger } from '../../pkg/log/logger.ts';
import { allocDraft, createNode, place, testJob, until } from '../../pkg/controllers/evaluator/testkit.ts';
import { startGarbageCollector, startNamespaceController, type GarbageCollector, type NamespaceController } from '../../pkg/controllers/gc/index.ts';
import { Kubectl, kubectlAvailable } from '../support/kubectl.ts';
import { startApiServer, type TestApiServer } from '../support/server.ts';

const required = process.env.CI === 'true';
const available = await kubectlAvailable();
const NS = { namespace: 'default' };

describe('kubectl delete --cascade with the garbage collector', { skip: !available && !required ? 'kubectl is not installed (required when CI=true)' : false }, () => {
  let srv: TestApiServer;
  let client: Client;
  let gc: GarbageCollector;
  let nsc: NamespaceController;
  let kubectl: Kubectl;
  before(async () => {
    assert.ok(available, 'kubectl must be installed when CI=true');
    srv = await startApiServer();
    client = createClient({ server: srv.url });
    gc = await startGarbageCollector({ client, clock: realClock, logger: silentLogger });
    nsc = await startNamespaceController({ client, clock: realClock, logger: silentLogger, pollMs: 50 });
    kubectl = await Kubectl.create(srv.url);
    await createNode(client, 'n1', { cpu: 4000, memoryMB: 4096 });
  });
  after(async () => {
    await kubectl?.close();
    await nsc?.stop();
    await gc?.stop();
    await client?.close();
    await srv?.close();
  });

  const allocs = () => client.resource<Allocation>('allocations');
  const exists = async (plural: string, name: string) => {
    try {
      return await client.resource(plural).get(name, NS);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  };
  async function runningJob(name: string, namespace = 'default'): Promise<void> {
    await client.resource<Job>('jobs').create(testJob(name, {}, namespace));
    await place(client, [allocDraft(`${name}-a0`, name, 'n1', { cpu: 100, memoryMB: 64 })], namespace);
    const a = await allocs().get(`${name}-a0`, { namespace });
    await allocs().updateStatus({ ...a, status: { clientStatus: 'running' } });
  }

  it('--cascade=foreground waits until the job\'s allocation has finished and is gone', async () => {
    await runningJob('fg');
    let finished = false;
    const deleting = kubectl.run(['delete', 'job.drover.dev', 'fg', '--cascade=foreground']).then((r) => {
      finished = true;
      return r;
    });
    await until(async () => !!(await exists('jobs', 'fg'))?.metadata.deletionTimestamp);
    const held = (await exists('jobs', 'fg')) as Job;
    assert.deepEqual(held.metadata.finalizers, ['foregroundDeletion']);
    assert.ok(await exists('allocations', 'fg-a0'), 'the running allocation is not deleted under its agent');
    assert.equal(finished, false, 'kubectl is still waiting for the children');
    const a = await allocs().get('fg-a0', NS);
    await allocs().updateStatus({ ...a, status: { clientStatus: 'complete' } });
    const r = await deleting;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /job\.drover\.dev "fg" deleted/);
    assert.equal(await exists('jobs', 'fg'), undefined);
    assert.equal(await exists('allocations', 'fg-a0'), undefined);
  });

  it('--cascade=orphan deletes the job and leaves its allocation, unowned', async () => {
    await runningJob('orph');
    const r = await kubectl.run(['delete', 'job.drover.dev', 'orph', '--cascade=orphan']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await exists('jobs', 'orph'), undefined);
    const a = (await exists('allocations', 'orph-a0')) as Allocation;
    assert.ok(a, 'the allocation stays');
    assert.equal(a.metadata.ownerReferences, undefined);
    assert.equal(a.status?.clientStatus, 'running');
  });

  it('the default (background) deletes the job at once; its finished allocation follows', async () => {
    await runningJob('bg');
    const r = await kubectl.run(['delete', 'job.drover.dev', 'bg']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await exists('jobs', 'bg'), undefined);
    const a = await allocs().get('bg-a0', NS);
    await allocs().updateStatus({ ...a, status: { clientStatus: 'complete' } });
    await until(async () => (await exists('allocations', 'bg-a0')) === undefined);
  });

  it('create namespace, then delete namespace removes its job and allocation and then itself', async () => {
    const created = await kubectl.run(['create', 'namespace', 'probe']);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /namespace\/probe created/);
    assert.match((await kubectl.run(['get', 'namespace', 'probe', '-o', 'jsonpath={.status.phase}'])).stdout, /^Active$/);
    await runningJob('web', 'probe');
    const cm = await kubectl.run(['create', 'configmap', 'settings', '-n', 'probe', '--from-literal=a=1']);
    assert.equal(cm.code, 0, cm.stderr);
    const r = await kubectl.run(['delete', 'namespace', 'probe']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /namespace "probe" deleted/);
    assert.equal(await exists('namespaces', 'probe'), undefined);
    for (const plural of ['jobs', 'allocations', 'configmaps', 'evaluations']) {
      assert.deepEqual((await client.resource(plural).list({ namespace: 'probe' })).items, [], `${plural} left in the deleted namespace`);
    }
  });
});
