// A cluster with every link on TLS: etcd with client certificates, `drover server` on HTTPS verifying client
// certificates, a `drover agent` that authenticates with its node certificate and serves its log listener over
// mTLS to the API server only; `drover logs` reads a task's output through all of it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { realClock } from '../../pkg/clock/clock.ts';
import { createCa, createCertificate } from '../../pkg/tls/index.ts';
import { run } from '../../cmd/drover/program.ts';
import { etcdTestOptions, startEtcd } from '../support/etcd.ts';
import { WAIT_HANG_GUARD_MS } from '../support/hang-guard.ts';
import { mkdtempSync } from 'node:fs';

// A home of this file's own: `drover dev` writes its CLI context there, `drover server` its admin token.
const HOME = mkdtempSync(join(tmpdir(), 'drover-home-'));

const JOB = (dc: string) => `apiVersion: drover.dev/v1
kind: Job
metadata: {name: hello, namespace: default}
spec:
  type: batch
  datacenters: [${dc}]
  reschedule: {attempts: 0, unlimited: false}
  groups:
    - name: hello
      restart: {attempts: 0, mode: fail}
      tasks:
        - name: main
          driver: raw_exec
          config: {command: /bin/sh, args: ['-c', 'echo hello over mtls']}
          resources: {cpu: 100, memoryMB: 32}
`;

interface Proc {
  out(): string;
  stop(): Promise<number>;
}

function start(args: string[], ready: RegExp): Promise<{ proc: Proc; match: RegExpExecArray }> {
  const stop = new AbortController();
  const r = { out: '', err: '' };
  let found!: (m: RegExpExecArray) => void;
  const seen = new Promise<RegExpExecArray>((res) => (found = res));
  const running = run(args, {
    out: (s) => {
      r.out += s;
      const m = ready.exec(r.out);
      if (m) found(m);
    },
    err: (s) => void (r.err += s), env: {}, homedir: HOME, readStdin: async () => '', clock: realClock, signal: stop.signal, startedAt: 0,
  });
  const proc: Proc = { out: () => r.out + r.err, stop: () => (stop.abort(), running) };
  return Promise.race([seen.then((match) => ({ proc, match })), running.then((code) => Promise.reject(new Error(`${args[0]} exited ${code}: ${r.err}`)))]);
}

async function drover(args: string[], stdin = '') {
  const r = { out: '', err: '' };
  const code = await run(args, {
    out: (s) => void (r.out += s), err: (s) => void (r.err += s), env: {}, homedir: HOME,
    readStdin: async () => stdin, clock: realClock, signal: new AbortController().signal, startedAt: 0,
  });
  return { code, ...r };
}

test('etcd, API server, agent and log listener all on TLS: a job runs and drover logs reads it', { ...etcdTestOptions(), timeout: WAIT_HANG_GUARD_MS }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'drover-mtls-'));
  const etcd = await startEtcd({ tls: true });
  const procs: Proc[] = [];
  try {
    const now = new Date();
    const ca = createCa({ commonName: 'drover-ca', now });
    const node = `mtls-${process.pid}`;
    const files: Record<string, string> = {};
    const put = async (name: string, pair: { certPem: string; keyPem: string }) => {
      files[name] = join(dir, `${name}.pem`);
      files[`${name}-key`] = join(dir, `${name}-key.pem`);
      await writeFile(files[name]!, pair.certPem);
      await writeFile(files[`${name}-key`]!, pair.keyPem, { mode: 0o600 });
    };
    await writeFile(join(dir, 'ca.pem'), ca.certPem);
    await put('server', createCertificate({ ca, role: 'server', commonName: 'drover-apiserver', hosts: ['127.0.0.1'], now }));
    await put('apiserver-client', createCertificate({ ca, role: 'client', commonName: 'drover-apiserver', now }));
    await put('agent', createCertificate({ ca, role: 'agent', commonName: `drover:node:${node}`, organizations: ['drover:nodes'], hosts: ['127.0.0.1'], now }));
    await put('admin', createCertificate({ ca, role: 'client', commonName: 'admin', organizations: ['system:masters'], now }));
    const caFile = join(dir, 'ca.pem');
    const server = await start([
      'server', '--etcd-endpoints', etcd.endpoints.join(','), '--etcd-cafile', etcd.tls!.caFile, '--etcd-certfile', etcd.tls!.certFile, '--etcd-keyfile', etcd.tls!.keyFile,
      '--tls-cert-file', files.server!, '--tls-key-file', files['server-key']!, '--client-ca-file', caFile,
      '--agent-certificate-authority', caFile, '--agent-client-certificate', files['apiserver-client']!, '--agent-client-key', files['apiserver-client-key']!,
      '--port', '0', '--log-level', 'warn',
    ], / listening on (https:\S+) /);
    procs.push(server.proc);
    const url = server.match[1]!;
    const agentDir = join(dir, 'agent');
    await mkdir(agentDir);
    const agent = await start([
      'agent', '--server', url, '--certificate-authority', caFile, '--client-certificate', files.agent!, '--client-key', files['agent-key']!,
      '--name', node, '--datacenter', node, '--data-dir', agentDir,
      '--tls-cert-file', files.agent!, '--tls-key-file', files['agent-key']!, '--client-ca-file', caFile, '--log-client-name', 'drover-apiserver',
      '--log-level', 'warn',
    ], /logs (https:\S+)\)/);
    procs.push(agent.proc);
    assert.match(agent.match[1]!, /^https:\/\/127\.0\.0\.1:\d+$/);
    const as = ['--server', url, '--certificate-authority', caFile, '--client-certificate', files.admin!, '--client-key', files['admin-key']!];
    const applied = await drover([...as, 'apply', '-f', '-'], JOB(node));
    assert.equal(applied.code, 0, applied.err);
    let alloc = '';
    for (let i = 0; i < 600 && alloc === ''; i++) {
      const got = await drover([...as, 'get', 'allocations', '-o', 'jsonpath={range .items[?(@.status.clientStatus=="complete")]}{.metadata.name}{end}']);
      alloc = got.out.trim();
      if (alloc === '') await new Promise((res) => setTimeout(res, 100));
    }
    assert.notEqual(alloc, '', `the job completed:\n${server.proc.out()}\n${agent.proc.out()}`);
    const logs = await drover([...as, 'logs', alloc]);
    assert.equal(logs.code, 0, logs.err);
    assert.equal(logs.out, 'hello over mtls\n');
  } finally {
    for (const p of procs.reverse()) await p.stop();
    await etcd.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
