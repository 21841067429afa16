// The seed's job files through the CLI: redis.nomad and the Marathon app apply as written, my-app.nomad is refused
// with the position of each field Drover cannot honour, and convert prints YAML and HCL that read back the same.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { Job } from '../../api/schemas/index.ts';
import { jobPlanPlugin } from '../../pkg/apiserver/jobplan/index.ts';
import { startCliHarness, type CliHarness } from './testing.ts';

const EXAMPLES = fileURLToPath(new URL('../../../shared/examples/', import.meta.url));
const example = (f: string) => join(EXAMPLES, f);

describe('Nomad and Marathon job files', () => {
  let h: CliHarness;
  let dir: string;
  const jobs = () => h.client.resource<Job>('jobs');
  before(async () => {
    h = await startCliHarness({ plugins: [jobPlanPlugin()] });
    dir = await mkdtemp(join(tmpdir(), 'drover-convert-'));
  });
  after(async () => {
    await h?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('apply -f redis.nomad stores the job redis.yaml describes (plus the docker ports old Nomad published)', async () => {
    const r = await h.drover(['apply', '-f', example('redis.nomad')]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /job\.drover\.dev\/redis created/);
    const fromHcl = await jobs().get('redis', { namespace: 'default' });
    assert.equal((await h.drover(['delete', 'job', 'redis'])).code, 0);
    const y = await h.drover(['apply', '-f', example('redis.yaml')]);
    assert.equal(y.code, 0, y.err);
    const fromYaml = await jobs().get('redis', { namespace: 'default' });
    const task = fromHcl.spec.groups[0]!.tasks[0]!;
    assert.deepEqual(task.config, { image: 'redis:latest', ports: ['redis'] });
    task.config = fromYaml.spec.groups[0]!.tasks[0]!.config;
    assert.deepEqual(fromHcl.spec, fromYaml.spec);
  });

  test('apply -f my-app.nomad refuses sticky and vault with file:line:column, and applies without them', async () => {
    const r = await h.drover(['apply', '-f', example('my-app.nomad')]);
    assert.equal(r.code, 1);
    assert.match(r.err, /my-app\.nomad:9:7 job\.my-app\.group\.my-app\.ephemeral_disk\.sticky: /);
    assert.match(r.err, /my-app\.nomad:33:7 job\.my-app\.group\.my-app\.task\.my-app\.vault: .*no secret store/);
    assert.match(r.err, /2 fields refused/);
    await assert.rejects(jobs().get('my-app', { namespace: 'default' }), /not found/);
    const text = (await readFile(example('my-app.nomad'), 'utf8')).replace(/\n\s*ephemeral_disk \{\n\s*sticky = true\n\s*\}\n/, '\n').replace(/\n\s*vault \{\n[^}]*\}\n/, '\n');
    const file = join(dir, 'my-app.nomad');
    await writeFile(file, text);
    const ok = await h.drover(['apply', '-f', file]);
    assert.equal(ok.code, 0, ok.err);
    const job = await jobs().get('my-app', { namespace: 'default' });
    assert.equal(job.spec.groups[0]!.count, 3);
    assert.deepEqual(job.spec.groups[0]!.tasks[0]!.services![0]!.checks![0]!.path, '/health');
  });

  test('apply -f whereisbot.marathon.json stores a service job with its port, check and env', async () => {
    const r = await h.drover(['apply', '-f', example('whereisbot.marathon.json')]);
    assert.equal(r.code, 0, r.err);
    const job = await jobs().get('ssk2-whereisbot', { namespace: 'default' });
    const g = job.spec.groups[0]!;
    assert.deepEqual(g.network!.ports, [{ label: 'port0', to: 8080 }]);
    assert.equal(g.tasks[0]!.resources!.cpu, 500);
    assert.equal(g.tasks[0]!.services![0]!.checks![0]!.interval, '20s');
    assert.equal(g.tasks[0]!.env!.VIRTUAL_HOST, 'whereis.mesosphere.com');
  });

  test('plan -f redis.nomad dry-runs the converted job, and plan refuses my-app.nomad with exit 255', async () => {
    const text = (await readFile(example('redis.nomad'), 'utf8')).replace('job "redis"', 'job "redis-plan"');
    const file = join(dir, 'redis-plan.nomad');
    await writeFile(file, text);
    const r = await h.drover(['plan', '-f', file, '-o', 'json']);
    assert.equal(r.code, 1, r.err);
    const res = JSON.parse(r.out) as { jobName: string; currentVersion?: number; diff: { type: string } } | { jobName: string; currentVersion?: number; diff: { type: string } }[];
    const one = Array.isArray(res) ? res[0]! : res;
    assert.equal(one.jobName, 'redis-plan');
    assert.equal(one.currentVersion, undefined);
    assert.equal(one.diff.type, 'Added');
    await assert.rejects(jobs().get('redis-plan', { namespace: 'default' }), /not found/);
    const refused = await h.drover(['plan', '-f', example('my-app.nomad')]);
    assert.equal(refused.code, 255);
    assert.match(refused.err, /my-app\.nomad:33:7 .*vault/);
  });

  test('apply from stdin with --format hcl', async () => {
    const text = await readFile(example('redis.nomad'), 'utf8');
    const r = await h.drover(['apply', '--format', 'hcl', '-f', '-'], text.replace('"redis"', '"redis-stdin"'));
    assert.equal(r.code, 0, r.err);
    await jobs().get('redis-stdin', { namespace: 'default' });
  });

  test('convert prints Drover YAML for HCL and HCL for Drover YAML; each reads back to the same Job', async () => {
    const y = await h.drover(['convert', '-f', example('redis.nomad')]);
    assert.equal(y.code, 0, y.err);
    const job = parse(y.out) as Job;
    assert.equal(job.metadata.name, 'redis');
    const file = join(dir, 'redis-roundtrip.yaml');
    await writeFile(file, y.out);
    const hcl = await h.drover(['convert', '-f', file]);
    assert.equal(hcl.code, 0, hcl.err);
    assert.match(hcl.out, /^job "redis" \{/);
    const again = await h.drover(['convert', '--format', 'hcl', '-f', '-'], hcl.out);
    assert.equal(again.code, 0, again.err);
    assert.deepEqual(parse(again.out), job);
  });

  test('convert --to hcl refuses Drover fields with no Nomad spelling', async () => {
    const file = join(dir, 'odd.yaml');
    await writeFile(file, 'apiVersion: drover.dev/v1\nkind: Job\nmetadata: {name: odd}\nspec:\n  allAtOnce: true\n  groups: [{name: g, tasks: [{name: t, driver: mock, resources: {devices: [{name: nvidia/gpu}]}}]}]\n');
    const r = await h.drover(['convert', '-f', file]);
    assert.equal(r.code, 1);
    assert.match(r.err, /spec\.allAtOnce/);
    assert.match(r.err, /resources\.devices/);
  });

  test('-var and -var-file (Nomad spelling; also --var, --var-file) set HCL2 variables', async () => {
    const file = join(dir, 'vars.nomad');
    await writeFile(file, 'variable "n" {\n  type = number\n}\nvariable "img" {\n  default = "a"\n}\njob "vars" {\n  group "g" {\n    count = var.n\n    task "t" {\n      driver = "docker"\n      config {\n        image = var.img\n      }\n    }\n  }\n}\n');
    const varFile = join(dir, 'vars.hcl');
    await writeFile(varFile, 'img = "busybox:9"\n');
    const r = await h.drover(['convert', '-f', file, '-var', 'n=2', `-var-file=${varFile}`]);
    assert.equal(r.code, 0, r.err);
    const job = parse(r.out) as Job;
    assert.equal(job.spec.groups[0]!.count, 2);
    assert.equal(job.spec.groups[0]!.tasks[0]!.config!.image, 'busybox:9');
    const missing = await h.drover(['convert', '-f', file]);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /vars\.nomad:1:1 variable\.n: variable "n" has no default/);
  });

  test('an HCL syntax error names the file, line and column', async () => {
    const r = await h.drover(['convert', '--format', 'hcl', '-f', '-'], 'job "x" {\n  count = \n}\n');
    assert.equal(r.code, 1);
    assert.match(r.err, /STDIN:2,\d+/);
  });
});
