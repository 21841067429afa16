// `drover plan` in-process against a real API server serving the job plan subresource: the text exactly as a
// user sees it for a new job, a failing one and an update of a running job, JSON output, verbose output, and
// Nomad's exit codes (0 nothing created or destroyed, 1 something would be, 255 error).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ApiError } from '../../pkg/apierrors/status.ts';
import { jobPlanPlugin } from '../../pkg/apiserver/jobplan/index.ts';
import type { JobPlanResult } from '../../pkg/apiserver/jobplan/types.ts';
import { addNode, createJob, runAllocs, webJob, type JobOptions, type Send } from '../../pkg/apiserver/jobplan/test-support.ts';
import type { Client } from '../../pkg/client/client.ts';
import { ManualClock } from '../../pkg/clock/clock.ts';
import { startCliHarness, type CliHarness } from './testing.ts';

let h: CliHarness;
let client: Client;
let send: Send;

before(async () => {
  h = await startCliHarness({ plugins: [jobPlanPlugin()], clock: new ManualClock() });
  client = h.client;
  send = async (method, path, body) => {
    try {
      return { code: 200, body: await client.request({ method, path, body }) };
    } catch (err) {
      if (err instanceof ApiError) return { code: err.code, body: err.status };
      throw err;
    }
  };
  // Two linux nodes with 4000 MHz and 4096 MB each.
  await addNode(send, 'n1');
  await addNode(send, 'n2');
});
after(() => h.close());

/** Run the CLI with the job (as YAML on stdin, or any text given) and DROVER_ADDR at the test server. */
const drover = (args: string[], stdin = '') => h.drover(args, stdin);

const yamlOf = (name: string, o: JobOptions = {}) => stringify(webJob(name, o));
const planOf = (name: string, o: JobOptions = {}, extra: string[] = []) => drover(['plan', '-f', '-', ...extra], yamlOf(name, o));

test('a new job that fits: the added job, its placements, exit 1 (allocations would be created)', async () => {
  const json = await planOf('fresh', { count: 1 }, ['-o', 'json']);
  assert.equal(json.code, 1, json.err);
  const result = JSON.parse(json.out) as JobPlanResult;
  assert.equal(result.kind, 'JobPlanResult');
  const node = Object.keys(result.nodes)[0]!;

  const r = await planOf('fresh', { count: 1 });
  assert.equal(r.err, '');
  assert.equal(r.code, 1);
  assert.equal(r.out, [
    '+ Job: "fresh"',
    '+ Task Group: "web" (1 create)',
    '  + Task: "server" (forces create)',
    '',
    'Scheduler dry-run:',
    '- All tasks successfully allocated.',
    '',
    'Placements:',
    `  Node "${node}":`,
    '    + fresh.web[0] (create)',
    '',
    'Job Modify Index: 0',
    '',
  ].join('\n'));
});

test('placements that fail: which constraint filtered the nodes, which dimension they ran out of', async () => {
  const win = await planOf('win', { count: 3, constraints: [{ attribute: '${attr.kernel.name}', value: 'windows' }] });
  assert.equal(win.code, 1);
  assert.ok(win.out.includes([
    'Scheduler dry-run:',
    '- WARNING: Failed to place all allocations.',
    '  Task Group "web" (failed to place 3 allocations):',
    '    * Constraint "${attr.kernel.name} = windows": 2 nodes excluded by filter',
    '',
  ].join('\n')), win.out);
  assert.ok(!win.out.includes('Placements:'), 'nothing is placed');

  const big = await planOf('big', { count: 1, memoryMB: 8000 });
  assert.equal(big.code, 1);
  assert.ok(big.out.includes([
    '  Task Group "web" (failed to place 1 allocation):',
    '    * Resources exhausted on 2 nodes',
    '    * Dimension "memory" exhausted on 2 nodes',
  ].join('\n')), big.out);
});

test('a running job: nothing to do (exit 0), an update with its field diff (exit 1), an in-place update (exit 0)', async () => {
  const job = await createJob(send, webJob('svc', { count: 2 }));
  await runAllocs(send, job, ['n1', 'n2']);
  const index = job.metadata.resourceVersion;

  const same = await planOf('svc', { count: 2 });
  assert.equal(same.code, 0, same.err);
  assert.equal(same.out, [
    'Job: "svc"',
    'Task Group: "web" (2 ignore)',
    '  Task: "server"',
    '',
    'Scheduler dry-run:',
    '- All tasks successfully allocated.',
    '',
    `Job Modify Index: ${index}`,
    '',
  ].join('\n'));

  const changed = await planOf('svc', { count: 3, env: { MODE: 'fast' } });
  assert.equal(changed.code, 1);
  assert.ok(changed.out.startsWith([
    '+/- Job: "svc"',
    '+/- Task Group: "web" (1 create, 2 create/destroy update)',
    '  ~ count: "2" => "3" (forces create)',
    '  +/- Task: "server" (forces create/destroy update)',
    '    + env {',
    '      + MODE: "fast"',
    '      }',
    '',
    'Scheduler dry-run:',
    '- All tasks successfully allocated.',
    '',
    'Placements:',
  ].join('\n')), changed.out);
  // Each old allocation is stopped and replaced; the third is new.
  assert.match(changed.out, /    - svc\.web\[0\]: alloc is being updated due to job update\n/);
  assert.match(changed.out, /    \+ svc\.web\[1\] \(create\/destroy update, replaces svc-web-1\)\n/);
  assert.match(changed.out, /    \+ svc\.web\[2\] \(create\)\n/);

  const inplace = await planOf('svc', { count: 2, killTimeout: '30s' });
  assert.equal(inplace.code, 0, 'in-place updates create and destroy nothing');
  assert.ok(inplace.out.includes([
    '+/- Task Group: "web" (2 in-place update)',
    '  +/- Task: "server" (forces in-place update)',
    '    ~ killTimeout: "5s" => "30s"',
  ].join('\n')), inplace.out);
  assert.match(inplace.out, /    ~ svc\.web\[0\] \(in-place update, version 1 => 2\)\n/);
});

test('--verbose: unchanged fields, node usage and scores', async () => {
  const r = await planOf('verb', { count: 1 }, ['--verbose']);
  assert.equal(r.code, 1, r.err);
  assert.match(r.out, /^\+ Job: "verb"\n/);
  assert.match(r.out, /\n  \+ type: +"service"\n/, 'fields of the added job are shown');
  assert.match(r.out, /\n  \+ count: "1" \(forces create\)\n/, 'an added count forces a create');
  assert.match(r.out, /\n    \+ driver: +"mock"\n/, 'fields of the added task are shown');
  assert.match(r.out, /Node "n[12]" \(after: cpu \d+\/4000 MHz, memory \d+\/4096 MB\):/);
  assert.match(r.out, /Placement scores \(best nodes of the last placement per group\):\n  Task Group "web":\n    n[12]: -?\d\.\d{3} \(binpack /);
});

test('errors exit 255: an invalid job, a manifest that is not a job, a missing file flag', async () => {
  const invalid = await drover(['plan', '-f', '-'], yamlOf('bad').replace('datacenters:', 'colour: blue\n  datacenters:'));
  assert.equal(invalid.code, 255);
  assert.equal(invalid.out, '');
  assert.match(invalid.err, /^Error from server \(Invalid\): Job\.drover\.dev "bad" is invalid: .*spec\.colour/);

  const dir = await mkdtemp(join(tmpdir(), 'drover-plan-ns-'));
  try {
    const file = join(dir, 'ns.yaml');
    await writeFile(file, 'apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n');
    const notJob = await drover(['plan', '-f', file]);
    assert.equal(notJob.code, 255);
    assert.equal(notJob.err, `error: ${file}: Namespace "x": only drover.dev/v1 Jobs can be planned\n`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  assert.equal((await drover(['plan'])).code, 255);
  const nowhere = await drover(['plan', '-f', '-', '-n', 'nowhere'], yamlOf('lost'));
  assert.equal(nowhere.code, 255);
  assert.match(nowhere.err, /^Error from server \(NotFound\): namespaces "nowhere" not found\n$/);
});
