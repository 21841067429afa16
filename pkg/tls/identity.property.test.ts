// Property: for any user name and groups (commas, '=', '+', quotes, spaces, non-ASCII included), a client
// certificate issued with them, presented over a real TLS connection, maps back to exactly that name and those
// groups in order. The oracle is the input itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { createCa, createCertificate } from './certificates.ts';
import { peerIdentity } from './identity.ts';
import { refuseUnverifiedClientCerts, serverTlsOptions } from './server-tls.ts';

const now = new Date();
const ca = createCa({ commonName: 'drover-ca', now });
const serving = createCertificate({ ca, role: 'server', commonName: 'drover-apiserver', hosts: ['127.0.0.1'], now });

const name = fc.string({ unit: fc.constantFrom(...'abcXYZ019:-_.@ ,=+"\\/#<>;é中'.split('')), minLength: 1, maxLength: 24 }).filter((s) => s.trim() === s && s !== '');

test('a certificate’s CN and O round-trip through TLS as the user and groups', async () => {
  const server = createServer(serverTlsOptions({ certPem: serving.certPem, keyPem: serving.keyPem, clientCaPem: ca.certPem }), (req, res) => {
    res.end(JSON.stringify(peerIdentity(req.socket) ?? null));
  });
  refuseUnverifiedClientCerts(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  try {
    await fc.assert(
      fc.asyncProperty(name, fc.array(name, { maxLength: 4 }), async (user, groups) => {
        const client = createCertificate({ ca, role: 'client', commonName: user, organizations: groups, now });
        const got = await new Promise<unknown>((resolve, reject) => {
          const req = request({ host: '127.0.0.1', port, path: '/', ca: ca.certPem, cert: client.certPem, key: client.keyPem, agent: false }, (res) => {
            let body = '';
            res.on('data', (c: Buffer) => (body += c.toString()));
            res.on('end', () => resolve(JSON.parse(body)));
          });
          req.on('error', reject);
          req.end();
        });
        assert.deepEqual(got, { name: user, groups });
      }),
      { numRuns: 25 },
    );
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
