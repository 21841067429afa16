import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SERVER, resolveConnection } from './config.ts';

const CONFIG = `currentContext: staging
contexts:
  - name: staging
    server: http://staging:7070
    token: st-token
    namespace: team-a
  - name: prod
    server: http://prod:7070
  - name: secure
    server: https://secure:7070
    certificateAuthorityData: Q0E=
    clientCertificate: /certs/alice.pem
    clientKey: /certs/alice-key.pem
`;

test('connection: flags > env > config context > default', async () => {
  const home = await mkdtemp(join(tmpdir(), 'drover-home-'));
  try {
    assert.deepEqual(await resolveConnection({}, {}, home), { server: DEFAULT_SERVER, token: undefined, namespace: 'default', context: undefined });
    await mkdir(join(home, '.drover'));
    await writeFile(join(home, '.drover', 'config.yaml'), CONFIG);
    assert.deepEqual(await resolveConnection({}, {}, home), { server: 'http://staging:7070', token: 'st-token', namespace: 'team-a', context: 'staging' });
    assert.deepEqual(await resolveConnection({ context: 'prod' }, {}, home), { server: 'http://prod:7070', token: undefined, namespace: 'default', context: 'prod' });
    const env = { DROVER_ADDR: 'http://env:1', DROVER_TOKEN: 'env-token' };
    assert.deepEqual(await resolveConnection({}, env, home), { server: 'http://env:1', token: 'env-token', namespace: 'team-a', context: 'staging' });
    assert.deepEqual(await resolveConnection({ server: 'http://flag:2', token: 'flag-token', namespace: 'ns' }, env, home), {
      server: 'http://flag:2',
      token: 'flag-token',
      namespace: 'ns',
      context: 'staging',
    });
    assert.equal((await resolveConnection({}, { DROVER_CONTEXT: 'prod' }, home)).server, 'http://prod:7070');
    await assert.rejects(resolveConnection({ context: 'nope' }, {}, home), /context "nope" not found/);
    // TLS: the context's CA data and client certificate; a flag replaces them as a whole.
    assert.deepEqual((await resolveConnection({ context: 'secure' }, {}, home)).tls, { certificateAuthorityData: 'Q0E=', clientCertificate: '/certs/alice.pem', clientKey: '/certs/alice-key.pem' });
    assert.deepEqual((await resolveConnection({ context: 'secure', certificateAuthority: '/ca.pem' }, {}, home)).tls, { certificateAuthority: '/ca.pem' });
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});

test('--config points at another file; a malformed one is an error', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'drover-config-'));
  try {
    const other = join(dir, 'other.yaml');
    await writeFile(other, 'contexts:\n  - name: x\n    server: http://x:1\ncurrentContext: x\n');
    assert.equal((await resolveConnection({ config: other }, {}, dir)).server, 'http://x:1');
    await writeFile(other, 'contexts:\n  - name: x\n');
    await assert.rejects(resolveConnection({ config: other }, {}, dir), /contexts\[0\] needs a name and a server/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
