// The task environment against its catalogue (api/task-env.ts, which docs/jobspec.md lists): the agent sets every
// documented variable under both prefixes and nothing undocumented; and `${...}` interpolation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Allocation } from '../../../api/schemas/index.ts';
import { TASK_ENV_PREFIXES, TASK_ENV_VARIABLES } from '../../../api/task-env.ts';
import { taskEnv } from './env.ts';
import { interpolate, interpolateDeep } from './interpolate.ts';

const alloc: Allocation = {
  apiVersion: 'drover.dev/v1', kind: 'Allocation', metadata: { name: 'web-a0-1234567890', namespace: 'prod', uid: 'u-1' },
  spec: { nodeName: 'n1', jobName: 'web', jobVersion: 1, groupName: 'front', index: 3, resources: { tasks: {}, ports: [{ label: 'http', value: 25000, to: 8080 }, { label: 'my-admin', value: 25001 }] } },
};
const node = { id: 'n-uid', name: 'n1', datacenter: 'eu-1', nodeClass: 'big', attributes: { 'kernel.name': 'linux' }, meta: { rack: 'r9' } };
const input = {
  alloc, taskName: 'app', datacenter: 'eu-1', region: 'eu', address: '10.0.0.5', allocDir: '/a/alloc', taskDir: '/a/app/local', secretsDir: '/a/app/secrets',
  meta: { Team: 'core' }, resources: { cpuMHz: 500, memoryMB: 256, memoryMaxMB: 512 }, node,
  taskEnv: { OWN: '${NOMAD_ALLOC_INDEX}-${attr.kernel.name}-${meta.rack}-${node.class}-${node.unique.id}', NOMAD_DC: 'mine' },
};

test('every variable the agent sets is in the catalogue, under both prefixes, and every catalogue entry is set', () => {
  const env = taskEnv(input);
  const patterns = TASK_ENV_VARIABLES.map((v) => new RegExp(`^${v.name.replace(/<label>|<key>/, '[A-Za-z0-9_]+')}$`));
  const names = Object.keys(env).filter((k) => TASK_ENV_PREFIXES.some((p) => k.startsWith(p)));
  for (const k of names) {
    const bare = k.replace(/^(NOMAD_|DROVER_)/, '');
    assert.ok(patterns.some((p) => p.test(bare)), `${k} is documented`);
    for (const p of TASK_ENV_PREFIXES) assert.ok(`${p}${bare}` in env, `${p}${bare} is set too`);
  }
  for (const [i, p] of patterns.entries()) assert.ok(names.some((k) => p.test(k.replace(/^(NOMAD_|DROVER_)/, ''))), `${TASK_ENV_VARIABLES[i]!.name} is set`);
});

test("values: Nomad's meaning of each variable; the task's env wins and is interpolated", () => {
  const env = taskEnv(input);
  const expect: Record<string, string> = {
    NOMAD_ALLOC_ID: 'web-a0-1234567890', NOMAD_SHORT_ALLOC_ID: 'web-a0-1', NOMAD_ALLOC_NAME: 'web.front[3]', NOMAD_ALLOC_INDEX: '3', NOMAD_JOB_ID: 'web', NOMAD_JOB_NAME: 'web',
    NOMAD_GROUP_NAME: 'front', NOMAD_TASK_NAME: 'app', NOMAD_NAMESPACE: 'prod', NOMAD_REGION: 'eu', NOMAD_DC: 'mine', DROVER_DC: 'eu-1',
    NOMAD_PORT_http: '8080', NOMAD_ALLOC_PORT_http: '8080', NOMAD_HOST_PORT_http: '25000', NOMAD_IP_http: '10.0.0.5', NOMAD_ADDR_http: '10.0.0.5:25000', NOMAD_HOST_ADDR_http: '10.0.0.5:25000',
    NOMAD_PORT_my_admin: '25001', NOMAD_META_Team: 'core', NOMAD_META_TEAM: 'core', NOMAD_CPU_LIMIT: '500', NOMAD_MEMORY_LIMIT: '256', NOMAD_MEMORY_MAX_LIMIT: '512',
    NOMAD_TASK_DIR: '/a/app/local', NOMAD_ALLOC_DIR: '/a/alloc', NOMAD_SECRETS_DIR: '/a/app/secrets', OWN: '3-linux-r9-big-n-uid',
  };
  for (const [k, v] of Object.entries(expect)) assert.equal(env[k], v, k);
});

test('interpolation: unknown references stay as written; nested config strings are interpolated', () => {
  const env = { NOMAD_TASK_NAME: 'app' };
  assert.equal(interpolate('${NOMAD_TASK_NAME} ${HOME} ${attr.nope} ${meta.rack} $NOMAD_TASK_NAME', env, node), 'app ${HOME} ${attr.nope} r9 $NOMAD_TASK_NAME');
  assert.deepEqual(interpolateDeep({ command: '/bin/${NOMAD_TASK_NAME}', args: ['-n', '${node.unique.name}', 3], nested: { x: ['${node.datacenter}'] } }, env, node), {
    command: '/bin/app', args: ['-n', 'n1', 3], nested: { x: ['eu-1'] },
  });
});

test('property: text without ${ is unchanged, and each known reference becomes its value', () => {
  const name = fc.stringMatching(/^[A-Z][A-Z0-9_]{0,8}$/);
  const plain = fc.string().filter((s) => !s.includes('${'));
  fc.assert(fc.property(plain, (s) => interpolate(s, { A: 'x' }, node) === s));
  fc.assert(fc.property(fc.array(fc.tuple(plain, name), { maxLength: 4 }), fc.dictionary(name, plain), (parts, env) => {
    // Oracle: build the text and its expected expansion side by side.
    let text = '';
    let want = '';
    for (const [before, n] of parts) {
      text += `${before}\${${n}}`;
      want += `${before}${Object.prototype.hasOwnProperty.call(env, n) ? env[n] : `\${${n}}`}`;
    }
    return interpolate(text, env) === want;
  }));
});
