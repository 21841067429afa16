// Certificates issued by pkg/tls over real TLS sockets: the server is verified by its CA, a client certificate
// of the CA maps to {name: CN, groups: O}, one from another CA is refused at the TLS layer, none is allowed
// (other authentication) unless the listener requires one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createCa, createCertificate, type KeyPair } from './certificates.ts';
import { identityFromCertificate, peerIdentity } from './identity.ts';
import { refuseUnverifiedClientCerts, serverTlsOptions } from './server-tls.ts';

const now = new Date();
const ca = createCa({ commonName: 'drover-ca', now });
const otherCa = createCa({ commonName: 'drover-ca', now }); // same name, different key: must not pass for ours
const server = createCertificate({ ca, role: 'server', commonName: 'drover-apiserver', hosts: ['localhost', '127.0.0.1'], now });
const alice = createCertificate({ ca, role: 'client', commonName: 'alice', organizations: ['devs', 'system:masters'], now });
const mallory = createCertificate({ ca: otherCa, role: 'client', commonName: 'alice', organizations: ['system:masters'], now });

async function listen(opts: { requireClientCert?: boolean } = {}): Promise<{ port: number; close(): Promise<void> }> {
  const s: Server = createServer(serverTlsOptions({ certPem: server.certPem, keyPem: server.keyPem, clientCaPem: ca.certPem, ...opts }), (req, res) => {
    res.end(JSON.stringify(peerIdentity(req.socket) ?? null));
  });
  refuseUnverifiedClientCerts(s);
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return { port: (s.address() as AddressInfo).port, close: () => new Promise((resolve) => s.close(() => resolve())) };
}

function get(port: number, opts: { ca?: string; client?: KeyPair; host?: string }): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', servername: opts.host, port, path: '/', ca: opts.ca, cert: opts.client?.certPem, key: opts.client?.keyPem, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(JSON.parse(body)));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

test('certificates: CA flags, roles as extended key usages, hosts as SANs, the chain in the cert file', () => {
  const caCert = new X509Certificate(ca.certPem);
  assert.equal(caCert.ca, true);
  assert.equal(caCert.subject, 'CN=drover-ca');
  const leaf = new X509Certificate(server.certPem);
  assert.ok(leaf.verify(caCert.publicKey), 'signed by the CA');
  assert.equal(leaf.ca, false);
  assert.match(leaf.subjectAltName ?? '', /DNS:localhost, IP Address:127.0.0.1/);
  assert.deepEqual(leaf.keyUsage, ['1.3.6.1.5.5.7.3.1']);
  assert.deepEqual(new X509Certificate(alice.certPem).keyUsage, ['1.3.6.1.5.5.7.3.2']);
  assert.deepEqual(new X509Certificate(createCertificate({ ca, role: 'agent', commonName: 'system:node:n1', now }).certPem).keyUsage?.sort(), ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
  assert.equal(new X509Certificate(alice.certPem).subject, 'CN=alice\nO=devs\nO=system:masters');
  assert.equal(server.certPem.match(/BEGIN CERTIFICATE/g)?.length, 2, 'leaf then CA');
  assert.notEqual(new X509Certificate(mallory.certPem).serialNumber, new X509Certificate(alice.certPem).serialNumber);
  assert.ok(!new X509Certificate(mallory.certPem).verify(caCert.publicKey));
});

test('a client certificate of the CA is the user in CN with the groups in O; none is anonymous; another CA’s is refused at the TLS layer', async () => {
  const s = await listen();
  try {
    assert.deepEqual(await get(s.port, { ca: ca.certPem, client: alice }), { name: 'alice', groups: ['devs', 'system:masters'] });
    assert.equal(await get(s.port, { ca: ca.certPem }), null);
    await assert.rejects(get(s.port, { ca: ca.certPem, client: mallory }), (err: NodeJS.ErrnoException) => ['ECONNRESET', 'EPIPE'].includes(err.code ?? '') || /alert|socket hang up/.test(err.message));
    // The client checks the server too: another CA does not vouch for it, and neither does a wrong host name.
    await assert.rejects(get(s.port, { ca: otherCa.certPem }), /self[- ]signed|unable to verify|signature/i);
    await assert.rejects(get(s.port, { ca: ca.certPem, host: 'elsewhere.example' }), /does not match|altnames/i);
  } finally {
    await s.close();
  }
});

test('a listener that requires client certificates refuses a client without one', async () => {
  const s = await listen({ requireClientCert: true });
  try {
    assert.deepEqual(await get(s.port, { ca: ca.certPem, client: alice }), { name: 'alice', groups: ['devs', 'system:masters'] });
    await assert.rejects(get(s.port, { ca: ca.certPem }));
    await assert.rejects(get(s.port, { ca: ca.certPem, client: mallory }));
  } finally {
    await s.close();
  }
});

test('identityFromCertificate: one O is one group, no O no groups, no CN no identity', () => {
  assert.deepEqual(identityFromCertificate({ subject: { CN: 'bob', O: 'ops' } as never }), { name: 'bob', groups: ['ops'] });
  assert.deepEqual(identityFromCertificate({ subject: { CN: 'bob' } as never }), { name: 'bob', groups: [] });
  assert.equal(identityFromCertificate({ subject: { O: 'ops' } as never }), undefined);
  assert.equal(peerIdentity({ authorized: false, getPeerCertificate: () => ({ subject: { CN: 'x' } }) }), undefined, 'an unverified certificate names nobody');
});
