// kubectl, unmodified, with a CustomResourceDefinition: apply the CRD, wait for Established, apply and get its
// objects by plural and short name with the printer columns, explain from the OpenAPI, delete the CRD.
// Skips when kubectl is absent (fails instead under CI=true).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { silentLogger } from '../../log/logger.ts';
import { openMemoryStore } from '../../storage/memory/index.ts';
import { createApiServer } from '../server.ts';
import { TEST_HANG_GUARD_MS } from '../../../test/support/hang-guard.ts';
import { cronTab, cronTabCrd } from './crd.test-support.ts';

const run = promisify(execFile);
const KUBECTL = ['/usr/bin/kubectl', '/usr/lib/google-cloud-sdk/bin/kubectl'].find((p) => existsSync(p));
const skip = !KUBECTL && process.env.CI !== 'true' ? 'kubectl not installed' : false;

test('kubectl applies a CRD and serves its objects with printer columns and short names', { skip, timeout: TEST_HANG_GUARD_MS }, async () => {
  assert.ok(KUBECTL, 'kubectl is required under CI=true');
  const store = await openMemoryStore();
  const server = await createApiServer({ store, logger: silentLogger, compactionIntervalMs: 0 });
  const dir = mkdtempSync(join(tmpdir(), 'drover-kubectl-crd-'));
  try {
    const url = await server.listen({ port: 0 });
    const kubeconfig = join(dir, 'config');
    writeFileSync(
      kubeconfig,
      `apiVersion: v1\nkind: Config\nclusters:\n- name: d\n  cluster: {server: "${url}"}\ncontexts:\n- name: d\n  context: {cluster: d, user: u, namespace: default}\ncurrent-context: d\nusers:\n- name: u\n  user: {}\n`,
    );
    const kubectl = async (...args: string[]) => {
      const { stdout } = await run(KUBECTL!, args, { env: { PATH: process.env.PATH ?? '', HOME: dir, KUBECONFIG: kubeconfig } });
      return stdout;
    };
    const crdFile = join(dir, 'crd.json');
    writeFileSync(crdFile, JSON.stringify(cronTabCrd()));
    assert.match(await kubectl('apply', '-f', crdFile), /customresourcedefinition\.apiextensions\.k8s\.io\/crontabs\.stable\.example\.com created/);
    assert.match(await kubectl('wait', '--for=condition=Established', '--timeout=60s', 'crd/crontabs.stable.example.com'), /condition met/);
    const tabFile = join(dir, 'tab.json');
    writeFileSync(tabFile, JSON.stringify(cronTab('nightly', { cronSpec: '0 3 * * *', replicas: 2 })));
    assert.match(await kubectl('apply', '-f', tabFile), /crontab\.stable\.example\.com\/nightly created/);
    assert.match(await kubectl('apply', '-f', tabFile), /crontab\.stable\.example\.com\/nightly unchanged/);
    const table = await kubectl('get', 'crontabs');
    assert.match(table, /^NAME\s+SPEC\s+REPLICAS\s+AGE$/m);
    assert.match(table, /^nightly\s+0 3 \* \* \*\s+2\s+\d+s$/m);
    assert.match(await kubectl('get', 'crontabs', '-o', 'wide'), /^NAME\s+SPEC\s+REPLICAS\s+READY\s+AGE$/m);
    assert.match(await kubectl('get', 'cr', '-o', 'name'), /^crontab\.stable\.example\.com\/nightly$/m);
    await kubectl('patch', 'crontab', 'nightly', '--type=merge', '-p', '{"spec":{"replicas":4}}');
    assert.equal(JSON.parse(await kubectl('get', 'crontab', 'nightly', '-o', 'json')).spec.replicas, 4);
    // Strict validation reaches kubectl as the server's 422.
    writeFileSync(tabFile, JSON.stringify(cronTab('bad', { cronSpec: '0 3 * * *', colour: 'red' })));
    await assert.rejects(kubectl('apply', '-f', tabFile), /colour/);
    assert.match(await kubectl('explain', 'crontabs.spec.cronSpec'), /Five cron fields/);
    assert.match(await kubectl('apply', '--server-side', '-f', crdFile), /serverside-applied/);
    assert.match(await kubectl('delete', 'crd', 'crontabs.stable.example.com'), /deleted/);
    assert.equal((await store.list('/registry/stable.example.com/crontabs/')).kvs.length, 0);
    await assert.rejects(kubectl('get', 'crontabs'), /the server doesn't have a resource type "crontabs"|NotFound|not found/);
  } finally {
    await server.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
