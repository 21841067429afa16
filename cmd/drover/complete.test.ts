// Shell completion: the candidates `drover __complete` gives (commands, flags, flag values, kinds, object names),
// and bash's script loaded in a real bash, completing through the real binary against a real API server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { realClock } from '../../pkg/clock/clock.ts';
import { createClient } from '../../pkg/client/client.ts';
import { startApiServer, type TestApiServer } from '../../test/support/server.ts';
import { completionScript } from './commands/completion.ts';
import { complete, FILES_DIRECTIVE, type NameLister } from './complete.ts';
import { buildProgram, run } from './program.ts';
import type { CliIo } from './io.ts';

const BIN = fileURLToPath(new URL('./bin.js', import.meta.url));
const io: CliIo = { out() {}, err() {}, env: {}, homedir: tmpdir(), readStdin: async () => '', clock: realClock, signal: new AbortController().signal, startedAt: 0 };

/** Names a fake server holds, by kind plural and namespace ('' for cluster-scoped). */
const held: Record<string, string[]> = { 'namespaces/': ['default', 'prod'], 'jobs/default': ['web', 'cache'], 'jobs/prod': ['billing'], 'nodes/': ['n1', 'n2'], 'allocations/default': ['web-g-0'] };
const asked: string[] = [];
const fakeNames: NameLister = async (kind, namespace) => {
  const key = `${kind.plural}/${kind.namespaced ? (namespace ?? 'default') : ''}`;
  asked.push(key);
  return held[key] ?? [];
};
const candidates = (line: string) => {
  const words = line.split(' ');
  return complete(buildProgram(io), words, fakeNames);
};

test('completes commands, subcommands, flags, flag values, kinds and object names', async () => {
  const cases: Array<[string, string[]]> = [
    ['', ['dev', 'server', 'apply', 'plan', 'get', 'describe', 'delete', 'node', 'job', 'deployment', 'rollout', 'logs', 'token', 'agent', 'convert', 'completion', 'tls', 'version']],
    ['tls ', ['ca', 'cert']],
    ['tls cert ', ['create']],
    ['de', ['dev', 'describe', 'delete', 'deployment']],
    ['job ', ['status', 'history', 'revert', 'scale', 'stop', 'dispatch', 'periodic']],
    ['job periodic ', ['force']],
    ['get ', ['allocations', 'clusterrolebindings', 'clusterroles', 'configmaps', 'customresourcedefinitions', 'deployments', 'evaluations', 'events', 'jobs', 'jobversions', 'leases', 'namespaces', 'nodes', 'rolebindings', 'roles', 'secrets', 'serviceaccounts', 'tokens', 'volumes']],
    ['get no', ['nodes']],
    ['get jobs ', ['web', 'cache']],
    ['get jobs web ', ['cache']],
    ['get job -n prod ', ['billing']],
    ['get --namespace=prod jobs ', ['billing']],
    ['get nodes n', ['n1', 'n2']],
    ['get bogus ', []],
    ['describe ns ', ['default', 'prod']],
    ['delete jobs ', ['web', 'cache']],
    ['delete ', ['allocations', 'clusterrolebindings', 'clusterroles', 'configmaps', 'customresourcedefinitions', 'deployments', 'evaluations', 'events', 'jobs', 'jobversions', 'leases', 'namespaces', 'nodes', 'rolebindings', 'roles', 'secrets', 'serviceaccounts', 'tokens', 'volumes']],
    ['node drain ', ['n1', 'n2']],
    ['job status ', ['web', 'cache']],
    ['job scale web ', []],
    ['logs ', ['web-g-0']],
    ['get jobs -o ', ['table', 'wide', 'yaml', 'json', 'name', 'jsonpath=']],
    ['get jobs -o j', ['json', 'jsonpath=']],
    ['get jobs --output=y', ['--output=yaml']],
    ['get jobs -o=n', ['-o=name']],
    ['get jobs -n ', ['default', 'prod']],
    ['get jobs --w', ['--watch', '--watch-only']],
    ['get jobs --s', ['--selector', '--server']],
    ['dev --log-level ', ['debug', 'info', 'warn', 'error']],
    ['dev --log-format ', ['text', 'json']],
    ['apply --dry-run ', ['server', 'none']],
    ['apply -f ', [FILES_DIRECTIVE]],
    ['apply --filename ', [FILES_DIRECTIVE]],
    ['convert --format ', ['yaml', 'hcl', 'marathon']],
    ['convert --var-file ', [FILES_DIRECTIVE]],
    ['completion ', ['bash', 'zsh', 'fish']],
    ['version --c', ['--client', '--context', '--config', '--certificate-authority', '--client-certificate', '--client-key']],
  ];
  for (const [line, want] of cases) assert.deepEqual(await candidates(line), want, JSON.stringify(line));
});

test('the names of the namespace given with -n are asked for; cluster-scoped kinds ignore it', async () => {
  asked.length = 0;
  await candidates('get nodes -n prod ');
  await candidates('get jobs -n prod ');
  assert.deepEqual(asked, ['nodes/', 'jobs/prod']);
});

test('drover __complete prints one candidate a line and exits 0, even with no server to ask', async () => {
  const r = { out: '', err: '' };
  const code = await run(['__complete', 'get', 'jobs', ''], { ...io, env: { DROVER_ADDR: 'http://127.0.0.1:1' }, out: (s) => (r.out += s), err: (s) => (r.err += s) });
  assert.deepEqual({ code, ...r }, { code: 0, out: '', err: '' });
  const kinds = { out: '' };
  await run(['__complete', 'get', 'jo'], { ...io, out: (s) => (kinds.out += s) });
  assert.equal(kinds.out, 'jobs\njobversions\n');
});

test('completion prints each shell\'s script; an unknown shell is a usage error', async () => {
  for (const shell of ['bash', 'zsh', 'fish']) {
    const r = { out: '' };
    assert.equal(await run(['completion', shell], { ...io, out: (s) => (r.out += s) }), 0);
    assert.equal(r.out, completionScript(shell));
    assert.ok(r.out.includes('__complete'), `${shell} asks drover __complete`);
  }
  const err = { text: '' };
  assert.equal(await run(['completion', 'tcsh'], { ...io, err: (s) => (err.text += s) }), 1);
  assert.match(err.text, /value 'tcsh' is invalid for argument 'shell'/);
});

let api: TestApiServer;
let dir: string;
before(async () => {
  api = await startApiServer();
  const client = createClient({ server: api.url });
  await client.resource('nodes').create({ apiVersion: 'drover.dev/v1', kind: 'Node', metadata: { name: 'worker-1' }, spec: {} } as never);
  await client.resource('nodes').create({ apiVersion: 'drover.dev/v1', kind: 'Node', metadata: { name: 'worker-2' }, spec: {} } as never);
  await client.close();
  dir = await mkdtemp(join(tmpdir(), 'drover-complete-'));
  // `drover` on PATH, as after `npm install -g`: the package's bin.
  await writeFile(join(dir, 'drover'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  await chmod(join(dir, 'drover'), 0o755);
  await writeFile(join(dir, 'drover.bash'), completionScript('bash'));
  await writeFile(join(dir, 'manifest-a.yaml'), '');
});
after(async () => {
  await api.close();
  await rm(dir, { recursive: true, force: true });
});

/** Source the bash script in a fresh bash, complete `line` (cursor at its end) as bash would, print COMPREPLY. */
function bashComplete(line: string): Promise<string[]> {
  // COMP_WORDS split as bash does by default (COMP_WORDBREAKS holds = and :), the cursor in the last word.
  const words = line.replace(/=/g, ' = ').split(/ +/);
  if (line.endsWith(' ')) words[words.length - 1] = '';
  const script = [
    'source "$DIR/drover.bash"',
    `COMP_LINE=${JSON.stringify(line)}; COMP_POINT=\${#COMP_LINE}`,
    `COMP_WORDS=(${words.map((w) => JSON.stringify(w)).join(' ')}); COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 ))`,
    '_drover_complete',
    'printf "%s\\n" "${COMPREPLY[@]}"',
  ].join('\n');
  return new Promise((resolve, reject) => {
    execFile('bash', ['--norc', '--noprofile', '-c', script], { cwd: dir, env: { PATH: `${dir}:${process.env.PATH}`, DIR: dir, DROVER_ADDR: api.url, HOME: dir }, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${err.message}\n${stderr}`));
      else resolve(stdout.split('\n').filter(Boolean));
    });
  });
}

test('bash: the script loads in bash and completes commands, kinds, names from the server, flag values and files', async () => {
  assert.deepEqual(await bashComplete('drover ver'), ['version']);
  assert.deepEqual(await bashComplete('drover get nod'), ['nodes']);
  assert.deepEqual(await bashComplete('drover get nodes '), ['worker-1', 'worker-2']);
  assert.deepEqual(await bashComplete('drover get nodes -o ya'), ['yaml']);
  // After `--output=` bash replaces only what follows the `=`.
  assert.deepEqual(await bashComplete('drover get nodes --output=js'), ['json', 'jsonpath=']);
  assert.deepEqual(await bashComplete('drover apply -f manifest'), ['manifest-a.yaml']);
});
