// `drover get -o jsonpath=...` against kubectl's own JSONPath on the same objects of the same server: the
// oracle is kubectl (client-go's jsonpath), so every template here must print byte for byte what kubectl does.
// (Where client-go fails, drover's is a superset: ["key"], [*] over a map, and ['a.b'] keys holding dots, which
// client-go splits at the dots and so never finds.)
// Skipped only when kubectl is not installed and CI is not 'true'; under CI a missing kubectl fails.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { realClock } from '../../pkg/clock/clock.ts';
import { run } from '../../cmd/drover/program.ts';
import { Kubectl, kubectlAvailable } from '../support/kubectl.ts';
import { startApiServer, TEST_ADMIN_TOKEN, type TestApiServer } from '../support/server.ts';

const required = process.env.CI === 'true';
const available = await kubectlAvailable();

const job = (name: string, count: number, tier: string) => `apiVersion: drover.dev/v1
kind: Job
metadata:
  name: ${name}
  labels: {app: ${name}, drover.dev/tier: ${tier}}
  annotations: {note: "a b"}
spec:
  groups:
    - name: g
      count: ${count}
      tasks:
        - {name: main, driver: mock, config: {runFor: 1h}}
        - {name: side, driver: mock, config: {runFor: 1h}}
`;

describe('drover get -o jsonpath matches kubectl', { skip: !available && !required ? 'kubectl is not installed (required when CI=true)' : false }, () => {
  let srv: TestApiServer;
  let kubectl: Kubectl;
  let home: string;

  before(async () => {
    assert.ok(available, 'kubectl must be installed when CI=true');
    srv = await startApiServer({ adminToken: TEST_ADMIN_TOKEN });
    kubectl = await Kubectl.create(srv.url, undefined, TEST_ADMIN_TOKEN);
    home = await mkdtemp(join(tmpdir(), 'drover-jsonpath-'));
    for (const [name, count, tier] of [['web', 3, 'front'], ['cache', 1, 'back'], ['db', 2, 'back']] as const) {
      const r = await drover(['apply', '-f', '-'], job(name, count, tier));
      assert.equal(r.code, 0, r.err);
    }
  });
  after(async () => {
    await kubectl?.close();
    await srv?.close();
    await rm(home, { recursive: true, force: true });
  });

  async function drover(args: string[], stdin = '') {
    const r = { out: '', err: '' };
    const code = await run(args, {
      out: (s) => (r.out += s),
      err: (s) => (r.err += s),
      env: { DROVER_ADDR: srv.url, DROVER_TOKEN: TEST_ADMIN_TOKEN },
      homedir: home,
      readStdin: async () => stdin,
      clock: realClock,
      signal: new AbortController().signal,
      startedAt: 0,
    });
    return { code, ...r };
  }

  const templates: Array<[string[], string]> = [
    [[], '{.items[*].metadata.name}'],
    [[], '{range .items[*]}{.metadata.name}{"\\t"}{.spec.groups[0].count}{"\\n"}{end}'],
    [[], '{.items[?(@.spec.groups[0].count>1)].metadata.name}'],
    [[], '{.items[?(@.metadata.labels.drover\\.dev/tier=="back")].metadata.name}'],
    [[], "{.items[0].metadata.labels['app']}"],
    [[], '{.items[0].metadata.labels.drover\\.dev/tier}'],
    [[], '{.items[0].metadata.managedFields[0].manager}'],
    [[], '{.metadata.name}|{.kind}'],
    [[], '{.items[-1:].metadata.name}'],
    [[], '{.items[0].metadata.labels}'],
    [[], '{.items[0].spec.groups[0].tasks[0].config}'],
    [[], '{..tasks[*].name}'],
    [[], '{.kind} {.metadata.missing}|'],
    [['web'], '{.metadata.name}'],
    [['web'], '{.metadata.annotations.note}'],
    [['web'], 'name={.metadata.name} tasks={.spec.groups[*].tasks[*].name}'],
    [['web', 'db'], '{range .items[*]}{.metadata.name},{end}'],
  ];
  for (const [names, template] of templates) {
    it(`get jobs ${names.join(' ')} -o jsonpath=${template}`, async () => {
      const k = await kubectl.run(['get', 'jobs.drover.dev', ...names, '-o', `jsonpath=${template}`]);
      assert.equal(k.code, 0, k.stderr);
      const d = await drover(['get', 'jobs', ...names, '-o', `jsonpath=${template}`]);
      assert.equal(d.code, 0, d.err);
      assert.equal(d.out, k.stdout);
    });
  }
});
