// Running the real kubectl against a test API server: a temporary kubeconfig (plain HTTP, a bearer token) and cache
// directory, commands run asynchronously (the server lives in the test's own event loop, so a synchronous
// spawn would deadlock), and long-running `get -w` followed line by line.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTlsFront, type TlsFront } from './tls-front.ts';

const b64 = (pem: string) => Buffer.from(pem).toString('base64');

/** What a finished kubectl command printed and how it exited. */
export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Whether `bin` runs (false when it is not installed). */
export async function kubectlAvailable(bin = 'kubectl'): Promise<boolean> {
  return new Promise((resolve) => execFile(bin, ['version', '--client'], (err) => resolve(!err)));
}

/** A kubectl pointed at one API server through its own kubeconfig and cache directory. */
export class Kubectl {
  private readonly watches = new Set<KubectlWatch>();

  private constructor(
    readonly dir: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly bin: string,
    private readonly front?: TlsFront,
  ) {}

  /**
   * Write a kubeconfig for `serverUrl` (namespace `default`) into a fresh temp directory. `auth` is a bearer
   * token (kubectl then talks to the server through a TLS front, tls-front.ts: it sends credentials only over TLS),
   * or TLS material: the server verified by `caPem` (certificate-authority-data), the user a client certificate
   * when one is given, or `token` over that TLS.
   */
  static async create(serverUrl: string, bin = 'kubectl', auth?: string | { caPem: string; certPem?: string; keyPem?: string; token?: string }): Promise<Kubectl> {
    const tls = typeof auth === 'object' ? auth : undefined;
    const token = typeof auth === 'string' ? auth : tls?.token;
    const dir = await mkdtemp(join(tmpdir(), 'drover-kubectl-'));
    const front = token && !tls ? await startTlsFront(serverUrl) : undefined;
    if (front) serverUrl = front.url;
    const kubeconfig = join(dir, 'kubeconfig');
    await writeFile(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        `- name: drover`,
        tls ? `  cluster: {server: "${serverUrl}", certificate-authority-data: ${b64(tls.caPem)}}` : `  cluster: {server: "${serverUrl}", insecure-skip-tls-verify: true}`,
        'users:',
        '- name: anonymous',
        token ? `  user: {token: "${token}"}` : tls?.certPem && tls.keyPem ? `  user: {client-certificate-data: ${b64(tls.certPem)}, client-key-data: ${b64(tls.keyPem)}}` : '  user: {}',
        'contexts:',
        '- name: drover',
        '  context: {cluster: drover, user: anonymous, namespace: default}',
        'current-context: drover',
        '',
      ].join('\n'),
    );
    // HOME too, so nothing kubectl writes (plugins, caches) lands in the real home directory.
    return new Kubectl(dir, { ...process.env, KUBECONFIG: kubeconfig, HOME: dir }, bin, front);
  }

  private args(args: string[]): string[] {
    return [...args, '--cache-dir', join(this.dir, 'cache')];
  }

  /** Run `kubectl ...args` to completion, with `stdin` when given. */
  run(args: string[], stdin?: string): Promise<KubectlResult> {
    return new Promise((resolve, reject) => {
      const child = execFile(this.bin, this.args(args), { env: this.env, timeout: 30_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
        if (code === null) reject(err);
        else resolve({ code, stdout, stderr });
      });
      child.stdin?.end(stdin ?? '');
    });
  }

  /** Start a long-running command (such as `get -w`) whose output is followed line by line. */
  watch(args: string[]): KubectlWatch {
    const w = new KubectlWatch(spawn(this.bin, this.args(args), { env: this.env, stdio: ['ignore', 'pipe', 'pipe'] }));
    this.watches.add(w);
    return w;
  }

  /** Stop running watches and remove the temp directory. */
  async close(): Promise<void> {
    await Promise.all([...this.watches].map((w) => w.stop()));
    await this.front?.close();
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** A running kubectl whose stdout lines are collected. */
export class KubectlWatch {
  /** Every complete stdout line so far. */
  readonly lines: string[] = [];
  private stderr = '';
  private partial = '';
  private waiters: Array<() => void> = [];
  private readonly exited: Promise<number | null>;

  constructor(private readonly child: ChildProcess) {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      const parts = (this.partial + chunk).split('\n');
      this.partial = parts.pop()!;
      this.lines.push(...parts);
      this.wake();
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve) =>
      child.on('exit', (code) => {
        this.wake();
        resolve(code);
      }),
    );
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Resolve with the first line matching `pred`; reject if kubectl exits first or after `timeoutMs` (a hang guard). */
  async waitForLine(pred: (line: string) => boolean, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.find(pred);
      if (found !== undefined) return found;
      if (this.child.exitCode !== null) throw new Error(`kubectl exited (${this.child.exitCode}): ${this.stderr}\n${this.lines.join('\n')}`);
      if (Date.now() > deadline) throw new Error(`no matching line from kubectl; got:\n${this.lines.join('\n')}\nstderr: ${this.stderr}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(0, deadline - Date.now()) + 1);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Terminate kubectl (this process only) and wait for it to exit. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    await this.exited;
  }
}
