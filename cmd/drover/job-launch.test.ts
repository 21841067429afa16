// `drover job dispatch` and `drover job periodic force` in-process against a real API server with the dispatch
// subresource: the child each creates, and a refused dispatch's message on stderr with exit 1.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Job } from '../../api/schemas/index.ts';
import { dispatchPlugin } from '../../pkg/apiserver/dispatch/route.ts';
import type { Client } from '../../pkg/client/client.ts';
import { startCliHarness, type CliHarness } from './testing.ts';

let h: CliHarness;
let client: Client;
let home: string;
const NOW = Date.parse('2030-01-01T00:00:00Z');

before(async () => {
  h = await startCliHarness({ plugins: [dispatchPlugin()], clock: { now: () => NOW, setTimeout: () => ({ cancel() {} }), sleep: async () => {} } });
  client = h.client;
  home = h.home;
});
after(() => h.close());

const drover = (args: string[], stdin = '') => h.drover(args, stdin);

const job = (name: string, spec: Partial<Job['spec']>): Job => ({
  apiVersion: 'drover.dev/v1', kind: 'Job', metadata: { name, namespace: 'default' },
  spec: { type: 'batch', groups: [{ name: 'g', tasks: [{ name: 't', driver: 'mock', dispatchPayload: { file: 'in.txt' } }] }], ...spec },
} as Job);

test('job dispatch: meta flags and a payload file make a child; a missing required key is refused naming it', async () => {
  await client.resource<Job>('jobs').create(job('thumb', { parameterized: { metaRequired: ['size'], metaOptional: ['fmt'] } }));
  const file = join(home, 'payload.txt');
  await writeFile(file, 'hello payload');
  const ok = await drover(['job', 'dispatch', 'thumb', '--meta', 'size=64', '--meta', 'fmt=a=b', file]);
  assert.equal(ok.code, 0, ok.err);
  const name = /^job\.drover\.dev\/(thumb-dispatch-\d+-\w{5}) dispatched from thumb\n$/.exec(ok.out)?.[1];
  assert.ok(name, ok.out);
  const child = await client.resource<Job>('jobs').get(name, { namespace: 'default' });
  assert.deepEqual(child.spec.meta, { size: '64', fmt: 'a=b' });
  assert.equal(Buffer.from(child.spec.payload!, 'base64').toString(), 'hello payload');

  const quiet = await drover(['job', 'dispatch', '-q', 'thumb', '--meta', 'size=1', '-'], 'from stdin');
  assert.match(quiet.out, /^thumb-dispatch-\d+-\w{5}\n$/);
  const fromStdin = await client.resource<Job>('jobs').get(quiet.out.trim(), { namespace: 'default' });
  assert.equal(Buffer.from(fromStdin.spec.payload!, 'base64').toString(), 'from stdin');

  const missing = await drover(['job', 'dispatch', 'thumb', '--meta', 'fmt=png']);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /meta\.size: Required value: meta key "size" is required/);
  const bad = await drover(['job', 'dispatch', 'thumb', '--meta', 'nokey']);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /invalid --meta "nokey": use key=value/);
});

test('job periodic force: launches the child of now, owned by the parent', async () => {
  const parent = await client.resource<Job>('jobs').create(job('cleanup', { periodic: { cron: '0 3 * * *' } }));
  const r = await drover(['job', 'periodic', 'force', 'cleanup']);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, `job.drover.dev/cleanup-periodic-${NOW / 1000} launched from cleanup\n`);
  const child = await client.resource<Job>('jobs').get(`cleanup-periodic-${NOW / 1000}`, { namespace: 'default' });
  assert.equal(child.metadata.ownerReferences?.[0]?.uid, parent.metadata.uid);
  assert.equal(child.spec.periodic, undefined);
  const notPeriodic = await drover(['job', 'periodic', 'force', 'thumb']);
  assert.equal(notPeriodic.code, 1);
  assert.match(notPeriodic.err, /not a periodic job/);
});
