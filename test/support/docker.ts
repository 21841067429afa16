// A Docker daemon for tests: the one hack/dockerd.sh runs (reused when it answers, started when it does not),
// with the local image drover/busybox:latest imported. Same rule as etcd: when dockerd is missing the tests
// skip, unless CI=true, where they must fail.
import { execFile } from 'node:child_process';
import { accessSync, constants, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The local image the tests run (hack/busybox-image.sh). */
export const BUSYBOX_IMAGE = 'drover/busybox:latest';

/** Where hack/dockerd.sh puts the daemon unless told otherwise. */
const SOCKET = '/run/drover-docker.sock';
const RUN_DIR = '/run/drover-docker';
const USERS_DIR = join(RUN_DIR, 'test-users');
const HACK = fileURLToPath(new URL('../../hack/', import.meta.url));

/** A daemon handed to a test. */
export interface Dockerd {
  socket: string;
  /** Releases it; the daemon is stopped only when tests started it and no other test process still uses it. */
  stop(): Promise<void>;
}

/** Path of dockerd, or undefined when docker.io is not installed. */
export function dockerdBinary(): string | undefined {
  for (const dir of ['/usr/sbin', '/usr/bin', ...(process.env.PATH ?? '').split(delimiter)]) {
    const p = join(dir, 'dockerd');
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** True when a Drover dockerd answers or one can be started (dockerd installed, running as root). */
export function dockerAvailable(): boolean {
  return dockerdBinary() !== undefined && process.getuid?.() === 0;
}

/** `{ skip: reason }` when docker is unavailable and CI is not 'true'; under CI=true never skips. */
export function dockerTestOptions(): { skip?: string } {
  if (dockerAvailable() || process.env.CI === 'true') return {};
  return { skip: 'dockerd not installed or not root (apt-get install docker.io; hack/dockerd.sh); set CI=true to make this a failure' };
}

/** Reuses the running Drover dockerd or starts it (hack/dockerd.sh), and makes sure the busybox image is there. */
export async function startDockerd(): Promise<Dockerd> {
  if (!(await ping(SOCKET))) {
    if (!dockerdBinary()) throw new Error('dockerd not found (apt-get install docker.io, then hack/dockerd.sh)');
    await run(join(HACK, 'dockerd.sh'), { DROVER_DOCKER_STARTED_BY: 'tests' });
  }
  await run(join(HACK, 'busybox-image.sh'), {});
  mkdirSync(USERS_DIR, { recursive: true });
  const me = join(USERS_DIR, String(process.pid));
  writeFileSync(me, '');
  let released = false;
  return {
    socket: SOCKET,
    async stop() {
      if (released) return;
      released = true;
      rmSync(me, { force: true });
      if (startedBy() !== 'tests' || otherUsers().length > 0) return;
      await run(join(HACK, 'dockerd.sh'), {}, ['stop']);
    },
  };
}

function startedBy(): string {
  try {
    return readFileSync(join(RUN_DIR, 'started-by'), 'utf8').trim();
  } catch {
    return '';
  }
}

/** Test processes still holding the daemon (their pid files; dead ones do not count). */
function otherUsers(): number[] {
  let names: string[] = [];
  try {
    names = readdirSync(USERS_DIR);
  } catch {
    return [];
  }
  return names.map(Number).filter((pid) => pid !== process.pid && alive(pid));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function run(script: string, env: Record<string, string>, args: string[] = []): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('bash', [script, ...args], { env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${script} ${args.join(' ')} failed: ${err.message}\n${stdout}${stderr}`));
      else resolve();
    });
  });
}

/** True when a daemon answers GET /_ping on `socket`. */
export function ping(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath: socket, path: '/_ping', timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}
