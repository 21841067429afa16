// What the tests check on the machine itself, beside the API: the Drover containers on the docker daemon (by
// their labels) and the task processes (by the DROVER_* variables in their environment).
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';

/** A Drover container as the daemon lists it. */
export interface Container {
  id: string;
  state: string;
  /** The allocation uid (label drover.alloc-id). */
  allocUid: string;
  taskName: string;
}

/** Every container carrying Drover's labels (running or not) on the daemon at `socket`. */
export async function droverContainers(socket: string): Promise<Container[]> {
  const filters = encodeURIComponent(JSON.stringify({ label: ['drover.alloc-id'] }));
  const list = (await engine(socket, 'GET', `/containers/json?all=1&filters=${filters}`)) as Array<{ Id: string; State: string; Labels: Record<string, string> }>;
  return list.map((c) => ({ id: c.Id, state: c.State, allocUid: c.Labels['drover.alloc-id'] ?? '', taskName: c.Labels['drover.task-name'] ?? '' }));
}

/** Kill a container's process from outside the agent (as a crash or the OOM killer would). */
export async function killContainer(socket: string, id: string): Promise<void> {
  await engine(socket, 'POST', `/containers/${id}/kill?signal=SIGKILL`);
}

/** Remove a container whatever its state (cleanup of what a failed test left). */
export async function removeContainer(socket: string, id: string): Promise<void> {
  await engine(socket, 'DELETE', `/containers/${id}?force=1`).catch(() => {});
}

/** A process found by its environment. */
export interface TaskProcess {
  pid: number;
  env: Record<string, string>;
}

/** Processes whose environment has `name=value` (e.g. DROVER_NODE_NAME=<node>): the tasks an agent started. */
export function processesWithEnv(name: string, value: string): TaskProcess[] {
  const out: TaskProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(entry)) continue;
    let raw: string;
    try {
      raw = readFileSync(`/proc/${entry}/environ`, 'latin1');
    } catch {
      continue; // gone, or a kernel thread
    }
    if (!raw.includes(`${name}=${value}\0`) && !raw.endsWith(`${name}=${value}`)) continue;
    const env: Record<string, string> = {};
    for (const kv of raw.split('\0')) {
      const i = kv.indexOf('=');
      if (i > 0) env[kv.slice(0, i)] = kv.slice(i + 1);
    }
    if (env[name] === value && !isZombie(Number(entry))) out.push({ pid: Number(entry), env });
  }
  return out;
}

function isZombie(pid: number): boolean {
  try {
    return / Z /.test(readFileSync(`/proc/${pid}/stat`, 'latin1').replace(/^.*\)/, ''));
  } catch {
    return true;
  }
}

/** One Engine API call over the unix socket; resolves with the parsed JSON body (undefined when empty). */
function engine(socket: string, method: string, path: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socket, method, path }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        if ((res.statusCode ?? 500) >= 300) return reject(new Error(`docker ${method} ${path}: ${res.statusCode} ${body}`));
        resolve(body ? JSON.parse(body) : undefined);
      });
    });
    req.on('error', reject);
    req.end();
  });
}
