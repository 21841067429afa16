// kubectl, unmodified, on the core group (/api/v1): `create configmap|secret generic|serviceaccount`, get,
// describe (with the Events section read from core/v1 Events), `kubectl events`, delete, `apply --prune -l`
// with an allowlist, and --validate=true|warn|false mapped to fieldValidation Strict|Warn|Ignore.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Kubectl, kubectlAvailable, type KubectlResult } from '../support/kubectl.ts';
import { startApiServer, TEST_ADMIN_TOKEN, type TestApiServer } from '../support/server.ts';

const required = process.env.CI === 'true';
const available = await kubectlAvailable();

const ok = (r: KubectlResult, what: string) => {
  assert.equal(r.code, 0, `${what}: ${r.stderr}`);
  return r.stdout;
};

describe('kubectl on the core group', { skip: !available && !required ? 'kubectl is not installed (required when CI=true)' : false }, () => {
  let srv: TestApiServer;
  let kubectl: Kubectl;
  before(async () => {
    assert.ok(available, 'kubectl must be installed when CI=true');
    srv = await startApiServer({ adminToken: TEST_ADMIN_TOKEN });
    kubectl = await Kubectl.create(srv.url, undefined, TEST_ADMIN_TOKEN);
  });
  after(async () => {
    await kubectl?.close();
    await srv?.close();
  });
  const k = async (...args: string[]) => ok(await kubectl.run(args), args.join(' '));
  const kIn = async (stdin: string, ...args: string[]) => ok(await kubectl.run(args, stdin), args.join(' '));

  it('creates, lists, describes and deletes ConfigMaps, Secrets and ServiceAccounts', async () => {
    assert.match(await k('api-resources', '--api-group=', '-o', 'name'), /^configmaps\nevents\nnamespaces\nsecrets\nserviceaccounts$/m);
    assert.match(await k('create', 'configmap', 'c1', '--from-literal=a=1', '--from-literal=b=2'), /configmap\/c1 created/);
    assert.match(await k('create', 'secret', 'generic', 's1', '--from-literal=pass=hunter2'), /secret\/s1 created/);
    assert.match(await k('create', 'serviceaccount', 'sa1'), /serviceaccount\/sa1 created/);
    const table = await k('get', 'cm,secret,sa');
    assert.match(table, /^configmap\/c1\s+2\s/m);
    assert.match(table, /^secret\/s1\s+Opaque\s+1\s/m);
    assert.match(table, /^serviceaccount\/sa1\s+0\s/m);
    const secret = JSON.parse(await k('get', 'secret', 's1', '-o', 'json'));
    assert.equal(Buffer.from(secret.data.pass, 'base64').toString(), 'hunter2');
    const described = await k('describe', 'configmap', 'c1');
    assert.match(described, /\na:\n----\n1\n/);
    assert.match(described, /\nb:\n----\n2\n/);
    assert.match(await k('describe', 'secret', 's1'), /pass:\s+7 bytes/);
    assert.match(await k('delete', 'cm/c1', 'secret/s1', 'sa/sa1'), /configmap "c1" deleted\nsecret "s1" deleted\nserviceaccount "sa1" deleted/);
    assert.equal((await k('get', 'cm,secret,sa', '-o', 'name')).trim(), '');
  });

  it('shows core/v1 Events in describe and kubectl events', async () => {
    // (kubectl's Namespace describer shows no events, so the event is about a cluster-scoped Drover kind.)
    await kIn('apiVersion: drover.dev/v1\nkind: Node\nmetadata: {name: n-ev}\nspec: {}\n', 'create', '-f', '-');
    const uid = await k('get', 'node.drover.dev', 'n-ev', '-o', 'jsonpath={.metadata.uid}');
    const event = [
      'apiVersion: v1', 'kind: Event', 'metadata: {name: ev1}',
      `involvedObject: {apiVersion: drover.dev/v1, kind: Node, name: n-ev, uid: "${uid}"}`,
      'reason: Tested', 'message: hello from an event', 'type: Warning', 'count: 1',
      'firstTimestamp: "2026-01-01T00:00:00Z"', 'lastTimestamp: "2026-01-01T00:00:00Z"', '',
    ].join('\n');
    assert.match(await kIn(event, 'create', '-f', '-'), /event\/ev1 created/);
    assert.match(await k('describe', 'node.drover.dev', 'n-ev'), /Events:\n\s+Type\s+Reason.*\n.*\n\s+Warning\s+Tested\s.*hello from an event/);
    assert.match(await k('events'), /Warning\s+Tested\s+Node\/n-ev\s+hello from an event/);
    assert.match(await k('events', '--for', 'node.drover.dev/n-ev'), /hello from an event/);
  });

  it('prunes by label with an allowlist', async () => {
    const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, labels: {app: x}}\ndata: {a: "1"}\n`;
    const prune = ['apply', '-f', '-', '--prune', '-l', 'app=x', '--prune-allowlist=core/v1/ConfigMap', '--prune-allowlist=drover.dev/v1/Job'];
    assert.match(await kIn(`${cm('p1')}---\n${cm('p2')}`, ...prune), /configmap\/p1 created\nconfigmap\/p2 created/);
    assert.match(await kIn(cm('p1'), ...prune), /configmap\/p1 unchanged\nconfigmap\/p2 pruned/);
    assert.equal((await k('get', 'cm', '-l', 'app=x', '-o', 'name')).trim(), 'configmap/p1');
  });

  it('--validate=true refuses an unknown field, warn drops it with a warning, false drops it silently', async () => {
    const withBogus = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}}\ndata: {a: "1"}\nbogus: 1\n`;
    const strict = await kubectl.run(['apply', '-f', '-'], withBogus('v-strict'));
    assert.notEqual(strict.code, 0);
    assert.match(strict.stderr, /unknown field "bogus"/);
    const warn = await kubectl.run(['apply', '--validate=warn', '-f', '-'], withBogus('v-warn'));
    assert.equal(warn.code, 0, warn.stderr);
    assert.match(warn.stderr, /Warning: unknown field "bogus"/);
    const off = await kubectl.run(['apply', '--validate=false', '-f', '-'], withBogus('v-off'));
    assert.equal(off.code, 0, off.stderr);
    assert.doesNotMatch(off.stderr, /unknown field/);
    assert.equal(JSON.parse(await k('get', 'cm', 'v-off', '-o', 'json')).bogus, undefined);
  });
});
