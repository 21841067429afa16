// HTTPS end to end: `drover tls` writes a CA and certificates; `drover dev` serves HTTPS with client-certificate
// verification while its own components (controllers, the local agent) connect over it; the CLI and kubectl
// (certificate-authority-data) verify the server; a client certificate from another CA is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { realClock } from '../../pkg/clock/clock.ts';
import { Kubectl } from '../../test/support/kubectl.ts';
import { run } from './program.ts';
import { mkdtempSync } from 'node:fs';

// A home of this file's own: `drover dev` writes its CLI context there, `drover server` its admin token.
const HOME = mkdtempSync(join(tmpdir(), 'drover-home-'));

const KUBECTL = ['/usr/bin/kubectl', '/usr/lib/google-cloud-sdk/bin/kubectl'].find((p) => existsSync(p));

async function drover(args: string[], env: Record<string, string> = {}) {
  const r = { out: '', err: '' };
  const code = await run(args, {
    out: (s) => void (r.out += s), err: (s) => void (r.err += s), env, homedir: HOME,
    readStdin: async () => '', clock: realClock, signal: new AbortController().signal, startedAt: 0,
  });
  return { code, ...r };
}

test('drover tls certificates, drover dev over HTTPS with client certificates, the CLI and kubectl over HTTPS', { skip: !KUBECTL && process.env.CI !== 'true' ? 'kubectl not installed' : false }, async () => {
  assert.ok(KUBECTL, 'kubectl is required under CI=true');
  const dir = await mkdtemp(join(tmpdir(), 'drover-tls-'));
  const other = join(dir, 'other');
  await mkdir(other);
  const ca = ['--ca', join(dir, 'drover-ca.pem'), '--ca-key', join(dir, 'drover-ca-key.pem')];
  for (const args of [
    ['tls', 'ca', 'create', '--out-dir', dir],
    ['tls', 'cert', 'create', 'server', '--out-dir', dir, ...ca],
    ['tls', 'cert', 'create', 'client', '--name', 'alice', '--group', 'devs', '--out-dir', dir, ...ca],
    ['tls', 'cert', 'create', 'agent', '--name', 'n1', '--host', '10.0.0.21', '--out-dir', dir, ...ca],
    ['tls', 'ca', 'create', '--out-dir', other],
    ['tls', 'cert', 'create', 'client', '--name', 'alice', '--out-dir', other, '--ca', join(other, 'drover-ca.pem'), '--ca-key', join(other, 'drover-ca-key.pem')],
  ]) {
    const r = await drover(args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.err}`);
  }
  const agentCert = new X509Certificate(await readFile(join(dir, 'drover-agent-n1.pem')));
  assert.equal(agentCert.subject, 'CN=drover:node:n1\nO=drover:nodes');
  assert.equal(agentCert.subjectAltName, 'IP Address:10.0.0.21');
  assert.equal((await drover(['tls', 'cert', 'create', 'agent', '--out-dir', dir, ...ca])).err, 'error: an agent certificate needs --name NODE (the certificate names the node as drover:node:NODE)\n');
  assert.equal((await drover(['tls', 'ca', 'create', '--out-dir', dir])).err, `error: ${join(dir, 'drover-ca-key.pem')} exists: not overwritten (move it away first)\n`);

  const stop = new AbortController();
  const r = { out: '', err: '' };
  let ready!: (url: string) => void;
  const listening = new Promise<string>((res) => (ready = res));
  const serving = run(
    ['dev', '--data-dir', join(dir, 'data'), '--port', '0', '--log-level', 'warn',
      '--tls-cert-file', join(dir, 'drover-server.pem'), '--tls-key-file', join(dir, 'drover-server-key.pem'), '--client-ca-file', join(dir, 'drover-ca.pem')],
    {
      out: (s) => {
        r.out += s;
        const m = / listening on (\S+) /.exec(r.out);
        if (m) ready(m[1]!);
      },
      // dev's own home: its CLI context (with the admin token) must not reach the CLI calls below.
      err: (s) => void (r.err += s), env: {}, homedir: join(dir, 'dev-home'), readStdin: async () => '', clock: realClock, signal: stop.signal, startedAt: 0,
    },
  );
  let kubectl: Kubectl | undefined;
  try {
    const url = await Promise.race([listening, serving.then((code) => Promise.reject(new Error(`dev exited ${code}: ${r.err}`)))]);
    assert.match(url, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.match(r.out, /Try: +DROVER_ADDR=https:\S+ drover --certificate-authority CA\.pem get nodes/);
    const trusted = ['--server', url, '--certificate-authority', join(dir, 'drover-ca.pem')];
    const admin = ['--token', (await readFile(join(dir, 'data', 'admin.token'), 'utf8')).trim()];
    // The local agent registers its Node through the same HTTPS listener (it verifies it by the chain's CA).
    let nodes = '';
    for (let i = 0; i < 300 && nodes === ''; i++) {
      nodes = (await drover(['get', 'nodes', '-o', 'name', ...trusted, ...admin])).out;
      if (nodes === '') await new Promise((res) => setTimeout(res, 100));
    }
    assert.match(nodes, /^node\.drover\.dev\//);
    const anonymous = await drover(['get', 'namespaces', '-o', 'name', ...trusted]);
    assert.equal(anonymous.code, 1, 'no token and no client certificate: 401');
    assert.match(anonymous.err, /Unauthorized/);
    const aliceCert = ['--client-certificate', join(dir, 'drover-client-alice.pem'), '--client-key', join(dir, 'drover-client-alice-key.pem')];
    // The client certificate names its user (CN alice, O devs) as a token would; RBAC then decides.
    const unbound = await drover(['get', 'namespaces', '-o', 'name', ...trusted, ...aliceCert]);
    assert.equal(unbound.code, 1);
    assert.match(unbound.err, /User "alice" cannot list resource "namespaces"/);
    const caPem = await readFile(join(dir, 'drover-ca.pem'), 'utf8');
    const adminKubectl = await Kubectl.create(url, KUBECTL, { caPem, token: admin[1] });
    try {
      const bound = await adminKubectl.run(['create', 'clusterrolebinding', 'devs-edit', '--clusterrole=edit', '--group=devs']);
      assert.equal(bound.code, 0, bound.stderr);
    } finally {
      await adminKubectl.close();
    }
    let withCert = await drover(['get', 'namespaces', '-o', 'name', ...trusted, ...aliceCert]);
    for (let i = 0; i < 100 && withCert.code !== 0; i++) {
      await new Promise((res) => setTimeout(res, 100)); // the binding reaches the authorizer's cache
      withCert = await drover(['get', 'namespaces', '-o', 'name', ...trusted, ...aliceCert]);
    }
    assert.equal(withCert.code, 0, withCert.err);
    assert.match(withCert.out, /^namespace\/default$/m);
    const untrusted = await drover(['get', 'namespaces', '--server', url]);
    assert.equal(untrusted.code, 1);
    assert.match(untrusted.err, /certificate/i);
    const foreign = await drover(['get', 'namespaces', ...trusted, '--client-certificate', join(other, 'drover-client-alice.pem'), '--client-key', join(other, 'drover-client-alice-key.pem')]);
    assert.equal(foreign.code, 1, 'a certificate of another CA is refused');
    assert.equal(foreign.out, '');
    assert.equal((await drover(['get', 'namespaces', ...trusted, '--client-certificate', join(dir, 'drover-client-alice.pem')])).err, 'error: --client-certificate and --client-key go together\n');

    // A config context carries the CA inline (as a kubeconfig does) and the client certificate files.
    const config = join(dir, 'config.yaml');
    await writeFile(config, `currentContext: tls\ncontexts:\n  - name: tls\n    server: ${url}\n    certificateAuthorityData: ${Buffer.from(caPem).toString('base64')}\n    clientCertificate: ${join(dir, 'drover-client-alice.pem')}\n    clientKey: ${join(dir, 'drover-client-alice-key.pem')}\n`);
    const viaContext = await drover(['--config', config, 'get', 'namespaces', '-o', 'name']);
    assert.equal(viaContext.code, 0, viaContext.err);
    assert.match(viaContext.out, /^namespace\/default$/m);
    kubectl = await Kubectl.create(url, KUBECTL, { caPem, certPem: await readFile(join(dir, 'drover-client-alice.pem'), 'utf8'), keyPem: await readFile(join(dir, 'drover-client-alice-key.pem'), 'utf8') });
    const k = await kubectl.run(['get', 'namespaces', '-o', 'name']);
    assert.equal(k.code, 0, k.stderr);
    assert.match(k.stdout, /default/);
    const whoami = await kubectl.run(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username} {.status.userInfo.groups}']);
    assert.equal(whoami.code, 0, whoami.stderr);
    assert.match(whoami.stdout, /^alice .*devs/);
    const applied = await kubectl.run(['create', 'configmap', 'over-tls', '--from-literal', 'a=b']);
    assert.equal(applied.code, 0, applied.stderr);
    await kubectl.close();
    kubectl = await Kubectl.create(url, KUBECTL, { caPem, certPem: await readFile(join(other, 'drover-client-alice.pem'), 'utf8'), keyPem: await readFile(join(other, 'drover-client-alice-key.pem'), 'utf8') });
    // --raw: one request, no discovery retries.
    const refused = await kubectl.run(['get', '--raw', '/api/v1/namespaces']);
    assert.notEqual(refused.code, 0, 'kubectl with a foreign client certificate is refused');
    // The handshake refusal reaches kubectl as whichever of these its transport saw first (under load: a closed
    // connection).
    assert.match(refused.stderr, /EOF|reset|certificate|tls|closed/i);
  } finally {
    await kubectl?.close();
    stop.abort();
    assert.equal(await serving, 0, r.err);
    await rm(dir, { recursive: true, force: true });
  }
});
