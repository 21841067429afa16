// kubectl, unmodified, against a real listening API server with the full kind registry: discovery, client-side
// and server-side apply, Table output, selectors, patches, chunked lists, deletes. Skips when kubectl is absent
// (fails instead under CI=true).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { silentLogger } from '../log/logger.ts';
import { openMemoryStore } from '../storage/memory/index.ts';
import { createApiServer } from './server.ts';

const ADMIN = 'drover_interop-admin-token';
import { TEST_HANG_GUARD_MS } from '../../test/support/hang-guard.ts';
import { startTlsFront, type TlsFront } from '../../test/support/tls-front.ts';

const run = promisify(execFile);
const KUBECTL = ['/usr/bin/kubectl', '/usr/lib/google-cloud-sdk/bin/kubectl'].find((p) => existsSync(p));
const skip = !KUBECTL && process.env.CI !== 'true' ? 'kubectl not installed' : false;
const REDIS = new URL('../../api/examples/redis.yaml', import.meta.url).pathname;

test('kubectl works against the API server unmodified', { skip, timeout: TEST_HANG_GUARD_MS }, async () => {
  assert.ok(KUBECTL, 'kubectl is required under CI=true');
  const store = await openMemoryStore();
  // Authentication on, as `drover dev` runs: the client sends the bootstrap admin token.
  const server = await createApiServer({ store, logger: silentLogger, compactionIntervalMs: 0, authentication: { bootstrapTokens: [{ token: ADMIN, user: 'drover:admin', groups: ['system:masters'], description: 'test' }] } });
  const dir = mkdtempSync(join(tmpdir(), 'drover-kubectl-'));
  let front: TlsFront | undefined;
  try {
    // kubectl sends a token only over TLS: through a TLS front to the plain-HTTP server.
    front = await startTlsFront(await server.listen({ port: 0 }));
    const url = front.url;
    const kubeconfig = join(dir, 'config');
    writeFileSync(
      kubeconfig,
      `apiVersion: v1\nkind: Config\nclusters:\n- name: d\n  cluster: {server: "${url}", insecure-skip-tls-verify: true}\ncontexts:\n- name: d\n  context: {cluster: d, user: u, namespace: default}\ncurrent-context: d\nusers:\n- name: u\n  user: {token: ${ADMIN}}\n`,
    );
    const kubectl = async (...args: string[]) => {
      const { stdout } = await run(KUBECTL!, args, { env: { PATH: process.env.PATH ?? '', HOME: dir, KUBECONFIG: kubeconfig } });
      return stdout;
    };
    const resources = await kubectl('api-resources', '--api-group=drover.dev', '-o', 'name');
    assert.match(resources, /^jobs\.drover\.dev$/m);
    assert.match(resources, /^nodes\.drover\.dev$/m);
    assert.match(await kubectl('apply', '-f', REDIS), /job\.drover\.dev\/redis created/);
    // Keyed lists merge by key (strategic merge patch), so the server's defaults inside them are no difference.
    assert.match(await kubectl('apply', '-f', REDIS), /job\.drover\.dev\/redis unchanged/);
    const table = await kubectl('get', 'jobs.drover.dev');
    assert.match(table, /^NAME\s+TYPE\s+PRIORITY\s+STATUS\s+VERSION\s+AGE$/m);
    assert.match(table, /^redis\s+service\s+50\s/m);
    assert.match(await kubectl('label', 'job', 'redis', 'tier=cache'), /labeled/);
    assert.match(await kubectl('get', 'jb', '-l', 'tier=cache', '-o', 'name'), /job\.drover\.dev\/redis/);
    assert.equal((await kubectl('get', 'jobs', '-l', 'tier=db', '-o', 'name')).trim(), '');
    assert.match(await kubectl('get', 'jobs', '--field-selector', 'spec.type=service', '-o', 'name'), /redis/);
    await kubectl('patch', 'job', 'redis', '--type=merge', '-p', '{"spec":{"priority":70}}');
    await kubectl('patch', 'job', 'redis', '--type=json', '-p', '[{"op":"replace","path":"/spec/priority","value":60}]');
    const obj = JSON.parse(await kubectl('get', 'job', 'redis', '-o', 'json'));
    assert.equal(obj.spec.priority, 60);
    assert.equal(obj.metadata.generation, 3);
    assert.match(await kubectl('apply', '--server-side', '--force-conflicts', '-f', REDIS), /serverside-applied/);
    assert.equal(JSON.parse(await kubectl('get', 'job', 'redis', '-o', 'json')).spec.priority, 60, 'SSA leaves fields it does not state');
    const ns = join(dir, 'ns.yaml');
    writeFileSync(ns, 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n');
    assert.match(await kubectl('create', '-f', ns, '--dry-run=server'), /namespace\/team created \(server dry run\)/);
    await assert.rejects(kubectl('get', 'ns', 'team'), /NotFound|not found/);
    await kubectl('create', '-f', ns);
    const chunked = await kubectl('get', 'namespaces', '--chunk-size=1', '-o', 'name');
    assert.deepEqual(chunked.trim().split('\n'), ['namespace/default', 'namespace/team']);
    assert.match(await kubectl('delete', 'job', 'redis'), /job\.drover\.dev "redis" deleted/);
    assert.equal((await kubectl('get', 'jobs', '-o', 'name')).trim(), '');
  } finally {
    await front?.close();
    await server.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
