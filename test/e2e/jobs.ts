// The jobs the end-to-end tests run: real work (busybox httpd containers, exec'd shells, a memory hog).
import type { Job, JobSpec, Task, TaskGroup } from '../../api/schemas/index.ts';
import { BUSYBOX_IMAGE } from '../support/docker.ts';

/** A Job in namespace default. */
export function job(name: string, spec: JobSpec): Job {
  return { apiVersion: 'drover.dev/v1', kind: 'Job', metadata: { name, namespace: 'default' }, spec };
}

/** Small resources: many of these fit on one node. */
const SMALL = { cpu: 100, memoryMB: 32 };

/** No restarts, and a failed allocation is not rescheduled: a failure stays where the test can read it. */
const FAIL_ONCE = { restart: { attempts: 0, mode: 'fail' as const } };
const NO_RESCHEDULE = { reschedule: { attempts: 0, unlimited: false } };

/** Pin a job to one node by name. */
export function onNode(node: string) {
  return { constraints: [{ attribute: '${node.unique.name}', value: node }] };
}

/**
 * `count` busybox httpd containers serving /var/www on container port 8080, published on the dynamic host
 * port `http`, with an http check every 500 ms; restarts quickly (1 s) up to 3 times.
 */
export function webJob(count: number): Job {
  const task: Task = {
    name: 'httpd',
    driver: 'docker',
    config: { image: BUSYBOX_IMAGE, command: 'httpd', args: ['-f', '-p', '8080', '-h', '/var/www'], ports: ['http'] },
    resources: SMALL,
    services: [{ name: 'web', portLabel: 'http', checks: [{ name: 'index', type: 'http', path: '/', interval: '500ms', timeout: '2s' }] }],
  };
  const group: TaskGroup = {
    name: 'web', count, network: { ports: [{ label: 'http', to: 8080 }] },
    restart: { attempts: 3, interval: '10m', delay: '1s', mode: 'fail' }, tasks: [task],
  };
  return job('web', { type: 'service', groups: [group] });
}

/** `count` exec tasks sleeping for an hour (processes the agent must re-attach to), on `node`. */
export function sleepersJob(count: number, node: string): Job {
  const task: Task = { name: 'sleep', driver: 'exec', config: { command: '/bin/sleep', args: ['3600'] }, resources: SMALL };
  return job('sleepers', { type: 'service', ...onNode(node), groups: [{ name: 'sleepers', count, tasks: [task] }] });
}

/** A mock task that ends at once, on `node`: once it is complete, the agent has processed what came before. */
export function barrierJob(name: string, node: string): Job {
  const task: Task = { name: 'mark', driver: 'mock', config: { runFor: '10ms' }, resources: SMALL };
  return job(name, { type: 'batch', ...onNode(node), ...NO_RESCHEDULE, groups: [{ name: 'mark', ...FAIL_ONCE, tasks: [task] }] });
}

function shell(name: string, script: string, extra: Partial<Task> = {}): Task {
  return { name, driver: 'exec', config: { command: '/bin/sh', args: ['-c', script] }, resources: SMALL, ...extra };
}

/** A batch job of two exec groups: `ok` exits 0, `bad` exits 3 (no restarts, no reschedule). */
export function exitsJob(): Job {
  return job('exits', {
    type: 'batch', ...NO_RESCHEDULE,
    groups: [
      { name: 'ok', ...FAIL_ONCE, tasks: [shell('main', 'echo all good; exit 0')] },
      { name: 'bad', ...FAIL_ONCE, tasks: [shell('main', 'echo going wrong >&2; exit 3')] },
    ],
  });
}

/** An exec task given 16 MB that allocates a 64 MB buffer. */
export function memoryHogJob(): Job {
  const hog = shell('hog', 'dd if=/dev/zero of=/dev/null bs=64M count=4', { resources: { cpu: 100, memoryMB: 16 } });
  return job('hog', { type: 'batch', ...NO_RESCHEDULE, groups: [{ name: 'hog', ...FAIL_ONCE, tasks: [hog] }] });
}

/** Prints `first`, waits until the file `goFile` exists, prints `second`, exits 0 (raw_exec: it can see goFile). */
export function talkerJob(goFile: string): Job {
  const task: Task = {
    name: 'main', driver: 'raw_exec', env: { GO_FILE: goFile }, resources: SMALL,
    config: { command: '/bin/sh', args: ['-c', 'echo first; while [ ! -e "$GO_FILE" ]; do sleep 0.05; done; echo second'] },
  };
  return job('talker', { type: 'batch', ...NO_RESCHEDULE, groups: [{ name: 'talker', ...FAIL_ONCE, tasks: [task] }] });
}

/** Three groups, each with a task config its driver cannot run: an image not on the node, no command, a bad port label. */
export function badConfigJob(): Job {
  return job('bad-config', {
    type: 'batch', ...NO_RESCHEDULE,
    groups: [
      { name: 'no-image', ...FAIL_ONCE, tasks: [{ name: 'main', driver: 'docker', config: { image: 'drover/not-here:1.0', command: 'sh' }, resources: SMALL }] },
      { name: 'no-command', ...FAIL_ONCE, tasks: [{ name: 'main', driver: 'exec', config: { args: ['-c', 'true'] }, resources: SMALL }] },
      {
        name: 'bad-port', ...FAIL_ONCE, network: { ports: [{ label: 'http' }] },
        tasks: [{ name: 'main', driver: 'docker', config: { image: BUSYBOX_IMAGE, command: 'sleep', args: ['600'], ports: ['web'] }, resources: SMALL }],
      },
    ],
  });
}
