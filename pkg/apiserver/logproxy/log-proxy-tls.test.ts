// mTLS between the API server and an agent's log listener: the listener serves HTTPS and lets in only a client
// with a certificate of its client CA (and, when configured, of an allowed name); the log proxy presents the
// API server's client certificate and verifies the agent's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kinds } from '../../../api/schemas/index.ts';
import { AGENT_HTTP_ATTRIBUTE } from '../../../api/schemas/well-known.ts';
import { realClock } from '../../clock/clock.ts';
import { silentLogger } from '../../log/logger.ts';
import { startLogServer } from '../../nodeagent/agent/log-server.ts';
import { openMemoryStore } from '../../storage/memory/index.ts';
import type { Store } from '../../storage/store.ts';
import { createCa, createCertificate, type KeyPair } from '../../tls/index.ts';
import { testServer } from '../test-support.ts';
import { logProxyPlugin } from './log-proxy.ts';

const now = new Date();
const ca = createCa({ commonName: 'cluster-ca', now });
const agentCert = createCertificate({ ca, role: 'agent', commonName: 'system:node:n1', organizations: ['system:nodes'], hosts: ['127.0.0.1'], now });
const apiserverClient = createCertificate({ ca, role: 'client', commonName: 'drover-apiserver', now });
const alice = createCertificate({ ca, role: 'client', commonName: 'alice', now });
const foreign = createCertificate({ ca: createCa({ commonName: 'cluster-ca', now }), role: 'client', commonName: 'drover-apiserver', now });

// A Node advertising the listener and an Allocation on it, written to the store before the server starts (the
// allocation guard keeps REST creates of live allocations for plan commits).
async function placeAllocation(store: Store, agentUrl: string): Promise<void> {
  await store.create('/registry/drover.dev/nodes/n1', JSON.stringify({ apiVersion: 'drover.dev/v1', kind: 'Node', metadata: { name: 'n1', uid: 'u-n1' }, spec: {}, status: { attributes: { [AGENT_HTTP_ATTRIBUTE]: agentUrl } } }));
  await store.create('/registry/drover.dev/allocations/default/a1', JSON.stringify({ apiVersion: 'drover.dev/v1', kind: 'Allocation', metadata: { name: 'a1', namespace: 'default', uid: 'u-a1' }, spec: { nodeName: 'n1' } }));
}

function fetchDirect(url: string, client?: KeyPair): Promise<{ code: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca: ca.certPem, cert: client?.certPem, key: client?.keyPem, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('the agent log listener over mTLS: only the API server’s certificate is let in; the proxy streams through it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'drover-logtls-'));
  await writeFile(join(dir, 'web.stdout'), 'hello over mtls\n');
  const logs = await startLogServer({
    host: '127.0.0.1', port: 0, clock: realClock, logger: silentLogger,
    source: { find: () => ({ dir, task: 'web', finished: () => true }) },
    tls: { certPem: agentCert.certPem, keyPem: agentCert.keyPem, clientCaPem: ca.certPem, allowedClientNames: ['drover-apiserver'] },
  });
  const store = await openMemoryStore();
  await placeAllocation(store, logs.url);
  const t = await testServer({ store, kinds, plugins: [logProxyPlugin({ agentTls: { caPem: ca.certPem, certPem: apiserverClient.certPem, keyPem: apiserverClient.keyPem } })] });
  try {
    assert.match(logs.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const path = '/v1/alloc/a1/logs';
    assert.deepEqual(await fetchDirect(logs.url + path, apiserverClient), { code: 200, body: 'hello over mtls\n' });
    await assert.rejects(fetchDirect(logs.url + path), 'no client certificate: refused in the handshake');
    await assert.rejects(fetchDirect(logs.url + path, foreign), 'a certificate of another CA: refused in the handshake');
    const other = await fetchDirect(logs.url + path, alice);
    assert.equal(other.code, 403, 'a certificate of the CA with another name is not the API server');

    // Through the API server's log subresource.
    const res = await t.req('GET', '/apis/drover.dev/v1/namespaces/default/allocations/a1/log');
    assert.equal(res.code, 200, res.text);
    assert.equal(res.text, 'hello over mtls\n');
  } finally {
    await t.server.close();
    await store.close();
    await logs.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('a log proxy without the agent’s CA or client certificate cannot reach an mTLS listener: 503 naming the node', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'drover-logtls-'));
  const logs = await startLogServer({
    host: '127.0.0.1', port: 0, clock: realClock, logger: silentLogger,
    source: { find: () => ({ dir, task: 'web', finished: () => true }) },
    tls: { certPem: agentCert.certPem, keyPem: agentCert.keyPem, clientCaPem: ca.certPem },
  });
  const store = await openMemoryStore();
  await placeAllocation(store, logs.url);
  const t = await testServer({ store, kinds, plugins: [logProxyPlugin({ agentTls: { caPem: ca.certPem, certPem: foreign.certPem, keyPem: foreign.keyPem } })] });
  try {
    const res = await t.req('GET', '/apis/drover.dev/v1/namespaces/default/allocations/a1/log');
    assert.equal(res.code, 503, res.text);
    assert.match((res.body as { message: string }).message, /cannot reach the agent of node "n1"/);
  } finally {
    await t.server.close();
    await store.close();
    await logs.close();
    await rm(dir, { recursive: true, force: true });
  }
});
