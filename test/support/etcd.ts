// Starts throwaway etcd members (Debian's /usr/bin/etcd, 3.4) on free loopback ports for tests.
// Rule for tests that need it: when etcd is missing they skip, unless CI=true, where they must fail.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { createCa, createCertificate } from '../../pkg/tls/index.ts';

/** A running etcd cluster started by `startEtcd`. */
export interface EtcdCluster {
  /** Client URLs, one per member. */
  endpoints: string[];
  /** Kills every member and removes the data directory. */
  stop(): Promise<void>;
  /** SIGKILLs member `i` (the others keep running). */
  killMember(i: number): Promise<void>;
  /** Parent of the members' data directories. */
  dataDir: string;
  /** With `tls`: the CA of the members' certificates and a client certificate (CN drover-apiserver) etcd accepts; PEM, and as files. */
  tls?: EtcdClusterTls;
}

/** TLS material of a cluster started with `tls: true`. */
export interface EtcdClusterTls {
  caPem: string;
  certPem: string;
  keyPem: string;
  caFile: string;
  certFile: string;
  keyFile: string;
}

/** Path of etcdctl (Debian's etcd-client), or undefined. */
export function etcdctlBinary(): string | undefined {
  const bin = etcdBinary();
  if (!bin) return undefined;
  const p = join(dirname(bin), 'etcdctl');
  try {
    accessSync(p, constants.X_OK);
    return p;
  } catch {
    return undefined;
  }
}

/** Run `etcdctl --endpoints E <args>` (API v3) to its end; rejects with its stderr on failure. */
export function etcdctl(endpoints: string[], args: string[]): Promise<string> {
  const bin = etcdctlBinary();
  if (!bin) return Promise.reject(new Error('etcdctl not found (apt-get install etcd-client)'));
  return new Promise((resolve, reject) => {
    const p = spawn(bin, ['--endpoints', endpoints.join(','), ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ETCDCTL_API: '3' } });
    let out = '';
    let err = '';
    p.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    p.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    p.once('error', reject);
    p.once('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`etcdctl ${args.join(' ')} exited ${code}: ${err}`))));
  });
}

/** Path of the etcd binary, or undefined when none is installed. */
export function etcdBinary(): string | undefined {
  const dirs = ['/usr/bin', ...(process.env.PATH ?? '').split(delimiter)];
  for (const dir of dirs) {
    const p = join(dir, 'etcd');
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** True when an etcd binary is installed. */
export function etcdAvailable(): boolean {
  return etcdBinary() !== undefined;
}

/**
 * Test options for etcd-dependent tests: `{ skip: reason }` when etcd is missing and CI is not 'true';
 * under CI=true nothing is skipped, so a missing etcd fails the test instead of hiding it.
 */
export function etcdTestOptions(): { skip?: string } {
  if (etcdAvailable() || process.env.CI === 'true') return {};
  return { skip: 'etcd binary not installed (apt-get install etcd-server); set CI=true to make this a failure' };
}

/**
 * Starts a 1- or 3-member cluster with a temporary data directory, on free loopback ports or, with `basePort`,
 * on basePort, basePort+1, … (client and peer port of each member in turn). `quotaBackendBytes` (default 8 GiB)
 * is etcd's space quota; a small one (1 MiB works) lets a test fill it and raise the NOSPACE alarm.
 */
export async function startEtcd(opts: { members?: 1 | 3; basePort?: number; quotaBackendBytes?: number; tls?: boolean } = {}): Promise<EtcdCluster> {
  const bin = etcdBinary();
  if (!bin) throw new Error('etcd binary not found (apt-get install etcd-server)');
  const n = opts.members ?? 1;
  const dataDir = mkdtempSync(join(tmpdir(), 'drover-etcd-'));
  const ports = opts.basePort ? Array.from({ length: 2 * n }, (_, i) => opts.basePort! + i) : await freePorts(2 * n);
  const names = Array.from({ length: n }, (_, i) => `m${i}`);
  const peer = (i: number) => `http://127.0.0.1:${ports[2 * i + 1]}`;
  // With tls: clients speak https and must present a certificate of the cluster's CA (--client-cert-auth).
  const tls = opts.tls ? writeEtcdTls(dataDir) : undefined;
  const endpoints = names.map((_, i) => `${tls ? 'https' : 'http'}://127.0.0.1:${ports[2 * i]}`);
  const initialCluster = names.map((name, i) => `${name}=${peer(i)}`).join(',');
  const procs: Array<ChildProcess | undefined> = [];
  const logs: string[][] = names.map(() => []);
  const killAll = () => procs.forEach((p) => p?.exitCode === null && p.kill('SIGKILL'));
  process.once('exit', killAll); // never leave members behind when a test run dies
  for (const [i, name] of names.entries()) {
    const args = [
      `--name=${name}`,
      `--data-dir=${join(dataDir, name)}`,
      `--listen-client-urls=${endpoints[i]}`,
      `--advertise-client-urls=${endpoints[i]}`,
      `--listen-peer-urls=${peer(i)}`,
      `--initial-advertise-peer-urls=${peer(i)}`,
      `--initial-cluster=${initialCluster}`,
      '--initial-cluster-state=new',
      `--initial-cluster-token=drover-test-${process.pid}-${ports[0]}`,
      `--quota-backend-bytes=${opts.quotaBackendBytes ?? 8589934592}`,
      '--logger=zap',
      '--log-level=error',
      ...(tls ? [`--cert-file=${tls.serverCertFile}`, `--key-file=${tls.serverKeyFile}`, '--client-cert-auth', `--trusted-ca-file=${tls.caFile}`] : []),
    ];
    const p = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    p.stderr!.on('data', (b: Buffer) => logs[i]!.push(b.toString()));
    procs.push(p);
  }
  const exited = (i: number) => new Promise<void>((resolve) => (procs[i]?.exitCode !== null ? resolve() : procs[i]!.once('exit', () => resolve())));
  const killMember = async (i: number) => {
    const p = procs[i];
    if (!p) return;
    if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    await exited(i);
    procs[i] = undefined;
  };
  const stop = async () => {
    for (let i = 0; i < n; i++) await killMember(i);
    process.removeListener('exit', killAll);
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await Promise.all(endpoints.map((e, i) => waitHealthy(e, () => procs[i]?.exitCode ?? null, () => logs[i]!.join(''), tls)));
  } catch (err) {
    await stop();
    throw err;
  }
  const clientTls = tls ? { caPem: tls.caPem, certPem: tls.certPem, keyPem: tls.keyPem, caFile: tls.caFile, certFile: tls.certFile, keyFile: tls.keyFile } : undefined;
  return { endpoints, stop, killMember, dataDir, tls: clientTls };
}

// A CA, a serving certificate for the members (localhost, 127.0.0.1) and a client certificate, under <dataDir>/tls.
function writeEtcdTls(dataDir: string) {
  const now = new Date();
  const ca = createCa({ commonName: 'etcd-test-ca', now });
  const server = createCertificate({ ca, role: 'server', commonName: 'etcd', hosts: ['localhost', '127.0.0.1'], now });
  const client = createCertificate({ ca, role: 'client', commonName: 'drover-apiserver', now });
  const dir = join(dataDir, 'tls');
  mkdirSync(dir);
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text, { mode: 0o600 });
    return join(dir, name);
  };
  return {
    caPem: ca.certPem, certPem: client.certPem, keyPem: client.keyPem,
    caFile: file('ca.pem', ca.certPem), serverCertFile: file('server.pem', server.certPem), serverKeyFile: file('server-key.pem', server.keyPem),
    certFile: file('client.pem', client.certPem), keyFile: file('client-key.pem', client.keyPem),
  };
}

async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const s = createServer();
          s.once('error', reject);
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

// etcd's /health answers {"health":"true"} once the member has a leader and can serve.
async function waitHealthy(endpoint: string, exitCode: () => number | null, log: () => string, tls?: { caPem: string; certPem: string; keyPem: string }): Promise<void> {
  const attempts = 300; // x 100 ms: a hang guard for a member that never elects a leader
  for (let i = 0; i < attempts; i++) {
    if (exitCode() !== null) throw new Error(`etcd at ${endpoint} exited (${exitCode()}): ${log().slice(-2000)}`);
    if (await healthy(endpoint, tls)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`etcd at ${endpoint} did not become healthy: ${log().slice(-2000)}`);
}

function healthy(endpoint: string, tls?: { caPem: string; certPem: string; keyPem: string }): Promise<boolean> {
  return new Promise((resolve) => {
    const get = tls ? httpsRequest : request;
    const req = get(`${endpoint}/health`, { timeout: 1000, ...(tls ? { ca: tls.caPem, cert: tls.certPem, key: tls.keyPem } : {}) }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(res.statusCode === 200 && body.includes('"true"')));
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}
