// Rendering a task's templates into its directory: functions (env with node attributes, ConfigMap and Secret
// keys, meta), destinations and perms, envFile, change detection against the file on disk, change modes, and
// failures that name the template, line and column.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConfigMap, Secret, Task } from '../../../api/schemas/index.ts';
import { allocDirOf, buildTaskDir, taskDirOf, type TaskDir } from './alloc-dir.ts';
import { TaskInputError } from './input-error.ts';
import { staticInputs, type InputReader } from './input-source.ts';
import { changeAction, parseEnvFile, renderTemplates, splayOf, templateData, type TemplateContext } from './templates.ts';

const node = { id: 'n-uid', name: 'n1', datacenter: 'dc1', nodeClass: 'gpu', attributes: { 'kernel.name': 'linux', 'unique.hostname': 'h1' }, meta: { rack: 'r7' } };
const cm = (name: string, data: Record<string, string>): ConfigMap => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns' }, data });
const secret = (name: string, data: Record<string, string>): Secret => ({
  apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'ns' }, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
});

async function withTaskDir(fn: (dir: TaskDir) => Promise<void>): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'drover-tpl-'));
  try {
    const dir = taskDirOf(allocDirOf(root, 'u'), 'app');
    await buildTaskDir(dir);
    await fn(dir);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

function ctx(dir: TaskDir, inputs: InputReader = staticInputs()): TemplateContext {
  const env = { NOMAD_ALLOC_ID: 'a-1', NOMAD_TASK_NAME: 'app', PORT: '8080' };
  const meta = { owner: 'team' };
  return { namespace: 'ns', dir, env, meta, node, inputs, data: templateData({ allocId: 'a-1', allocName: 'j.g[0]', index: 0, job: 'j', group: 'g', task: 'app', namespace: 'ns', env, meta, node }) };
}

const task = (templates: Task['templates']): Task => ({ name: 'app', driver: 'raw_exec', templates });

test('templates render env, node attributes, meta, ConfigMap and Secret keys and dot into their destination', async () => {
  await withTaskDir(async (dir) => {
    const inputs = staticInputs({ 'configmaps/ns/app': cm('app', { greeting: 'hello' }), 'secrets/ns/db': secret('db', { password: 's3cr3t' }) });
    const data = [
      'alloc={{ env "NOMAD_ALLOC_ID" }} kernel={{ env "attr.kernel.name" }} rack={{ env "meta.rack" }} node={{ env "node.unique.name" }}',
      'greeting={{ key "app/greeting" }} missing={{ keyOrDefault "app/nope" "dflt" }} pw={{ secret "db/password" }}',
      'owner={{ meta "owner" }} host={{ attr "unique.hostname" }} job={{ .Job }} dc={{ .Node.Datacenter }} {{ range $k, $v := configMap "app" }}{{ $k }}:{{ $v }}{{ end }}',
    ].join('\n');
    const r = await renderTemplates(task([{ data, destination: 'local/${NOMAD_TASK_NAME}.conf', perms: '0600' }]), ctx(dir, inputs));
    const path = join(dir.root, 'local', 'app.conf');
    assert.equal(await readFile(path, 'utf8'), [
      'alloc=a-1 kernel=linux rack=r7 node=n1',
      'greeting=hello missing=dflt pw=s3cr3t',
      'owner=team host=h1 job=j dc=dc1 greeting:hello',
    ].join('\n'));
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.deepEqual(r.refs.map((x) => `${x.kind}/${x.name}`).sort(), ['configmaps/app', 'secrets/db']);
    assert.equal(r.rendered[0]!.changed, true);
  });
});

test('a re-render that changes nothing is not a change; a changed input is', async () => {
  await withTaskDir(async (dir) => {
    const inputs = staticInputs({ 'configmaps/ns/app': cm('app', { v: '1' }) });
    const t = task([{ data: 'v={{ key "app/v" }}', destination: 'local/a' }, { data: 'static', destination: 'local/b', changeMode: 'signal', changeSignal: 'SIGUSR1' }]);
    await renderTemplates(t, ctx(dir, inputs));
    const again = await renderTemplates(t, ctx(dir, inputs));
    assert.deepEqual(again.rendered.map((x) => x.changed), [false, false]);
    assert.deepEqual(changeAction(again.rendered), { action: 'none' });
    inputs.set({ kind: 'configmaps', namespace: 'ns', name: 'app' }, cm('app', { v: '2' }));
    const changed = await renderTemplates(t, ctx(dir, inputs));
    assert.deepEqual(changed.rendered.map((x) => x.changed), [true, false]);
    assert.equal(await readFile(join(dir.root, 'local/a'), 'utf8'), 'v=2');
    assert.deepEqual(changeAction(changed.rendered), { action: 'restart' });
  });
});

test('change modes: restart wins over signal, signals are collected once, noop does nothing; splay is the largest changed', () => {
  const r = (changeMode: 'restart' | 'signal' | 'noop' | undefined, changed: boolean, changeSignal?: string, splay?: string) =>
    ({ spec: { destination: 'x', changeMode, changeSignal, splay }, label: 'l', path: 'p', content: '', changed });
  assert.deepEqual(changeAction([r('signal', true, 'SIGHUP'), r(undefined, true)]), { action: 'restart' });
  assert.deepEqual(changeAction([r('signal', true, 'SIGHUP'), r('signal', true), r('signal', true, 'SIGUSR1'), r('restart', false)]), { action: 'signal', signals: ['SIGHUP', 'SIGUSR1'] });
  assert.deepEqual(changeAction([r('noop', true)]), { action: 'none' });
  assert.equal(splayOf([r('signal', true, undefined, '2s'), r('signal', false, undefined, '1m'), r('signal', true, undefined, '500ms')]), 2000);
});

test('custom delimiters, source files and envFile templates', async () => {
  await withTaskDir(async (dir) => {
    await mkdir(join(dir.root, 'local'), { recursive: true });
    await writeFile(join(dir.root, 'local', 'in.tpl'), 'port=<< env "PORT" >> {{ literal }}');
    const r = await renderTemplates(task([
      { source: 'local/in.tpl', destination: 'local/out.conf', leftDelimiter: '<<', rightDelimiter: '>>' },
      { data: '# comment\nDB_HOST=db.local\nexport MODE="fast"\n', destination: 'secrets/app.env', envFile: true },
    ]), ctx(dir));
    assert.equal(await readFile(join(dir.root, 'local', 'out.conf'), 'utf8'), 'port=8080 {{ literal }}');
    assert.deepEqual(r.env, { DB_HOST: 'db.local', MODE: 'fast' });
  });
  assert.deepEqual(parseEnvFile("A=1\n\n#x\nB='two words'\nnot a line\n"), { A: '1', B: 'two words' });
});

test('failures name the template, line and column; a parse error is final, a missing key is retried', async () => {
  await withTaskDir(async (dir) => {
    const fail = async (templates: Task['templates']) => {
      try {
        await renderTemplates(task(templates), ctx(dir));
      } catch (e) {
        assert.ok(e instanceof TaskInputError);
        assert.equal(e.event, 'Template Failure');
        return e;
      }
      throw new Error('expected a failure');
    };
    const parse = await fail([{ data: 'ok\nline {{ if .Job }}', destination: 'local/a.conf' }]);
    assert.equal(parse.message, 'templates[0] (local/a.conf): template: local/a.conf:2:9: unexpected EOF: {{if}} has no {{end}}');
    assert.equal(parse.retryable, false);
    const missing = await fail([{ data: 'x', destination: 'local/ok' }, { data: '\n  {{ key "app/v" }}', destination: 'local/b.conf' }]);
    assert.equal(missing.message, 'templates[1] (local/b.conf): template: local/b.conf:2:6: error calling key: ConfigMap key "app/v" does not exist');
    assert.equal(missing.retryable, true);
    const unknown = await fail([{ data: '{{ vault "x" }}', destination: 'local/c' }]);
    assert.match(unknown.message, /local\/c:1:4: function "vault" not defined/);
    const escape = await fail([{ data: 'x', destination: '../../etc/passwd' }]);
    assert.match(escape.message, /destination "\.\.\/\.\.\/etc\/passwd" is not inside the allocation directory/);
    const noSource = await fail([{ source: 'local/none.tpl', destination: 'local/d' }]);
    assert.equal(noSource.retryable, true);
  });
});
