// `drover node drain` and `drover node eligibility` run in-process against a real API server: what they print,
// what they write on the Node, and how they refuse bad input.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from '../../api/schemas/index.ts';
import type { Client } from '../../pkg/client/client.ts';
import { ManualClock } from '../../pkg/clock/clock.ts';
import { startCliHarness, type CliHarness } from './testing.ts';

let h: CliHarness;
let client: Client;
const clock = new ManualClock(Date.parse('2030-01-01T12:00:00Z'));

before(async () => {
  h = await startCliHarness({ clock });
  client = h.client;
  for (const name of ['n1', 'n2']) {
    await client.resource<Node>('nodes').create({ apiVersion: 'drover.dev/v1', kind: 'Node', metadata: { name }, spec: { datacenter: 'dc1' } });
  }
});
after(() => h.close());

const drover = (args: string[]) => h.drover(args);

async function node(name: string): Promise<Node> {
  return client.resource<Node>('nodes').get(name);
}

test('node drain: sets the drain and ineligibility; options change the deadline and system jobs', async () => {
  const cases: Array<{ args: string[]; out: string; drain: NonNullable<Node['spec']>['drain'] }> = [
    {
      args: [],
      out: 'node.drover.dev "n1" draining (deadline 1h; system jobs last); the node is ineligible\n',
      drain: { deadline: '1h', ignoreSystemJobs: false, startedAt: '2030-01-01T12:00:00Z' },
    },
    {
      args: ['--deadline', '30m', '--ignore-system'],
      out: 'node.drover.dev "n1" draining (deadline 30m; system jobs ignored); the node is ineligible\n',
      drain: { deadline: '30m', ignoreSystemJobs: true, startedAt: '2030-01-01T12:00:00Z' },
    },
    {
      args: ['--no-deadline'],
      out: 'node.drover.dev "n1" draining (no deadline; system jobs last); the node is ineligible\n',
      drain: { ignoreSystemJobs: false, startedAt: '2030-01-01T12:00:00Z' },
    },
    {
      args: ['--force'],
      out: 'node.drover.dev "n1" draining (forced; system jobs last); the node is ineligible\n',
      drain: { deadline: '0', ignoreSystemJobs: false, startedAt: '2030-01-01T12:00:00Z' },
    },
  ];
  for (const c of cases) {
    assert.deepEqual(await drover(['node', 'drain', 'n1', ...c.args]), { code: 0, out: c.out, err: '' }, c.args.join(' '));
    const n = await node('n1');
    assert.deepEqual(n.spec?.drain, c.drain, c.args.join(' '));
    assert.equal(n.spec?.eligibility, 'ineligible');
    assert.equal(n.spec?.datacenter, 'dc1', 'the rest of the spec is left alone');
  }
});

test('node drain --disable cancels the drain: eligible again, or kept ineligible', async () => {
  await drover(['node', 'drain', 'n2']);
  assert.deepEqual(await drover(['node', 'drain', 'n2', '--disable', '--keep-ineligible']), { code: 0, out: 'node.drover.dev "n2" drain disabled (still ineligible)\n', err: '' });
  assert.equal((await node('n2')).spec?.drain, undefined);
  assert.equal((await node('n2')).spec?.eligibility, 'ineligible');
  await drover(['node', 'drain', 'n2']);
  assert.deepEqual(await drover(['node', 'drain', 'n2', '--disable']), { code: 0, out: 'node.drover.dev "n2" drain disabled (eligible)\n', err: '' });
  assert.equal((await node('n2')).spec?.drain, undefined);
  assert.equal((await node('n2')).spec?.eligibility, 'eligible');
});

test('node eligibility --enable / --disable', async () => {
  assert.deepEqual(await drover(['node', 'eligibility', 'n2', '--disable']), { code: 0, out: 'node.drover.dev "n2" eligibility set to ineligible\n', err: '' });
  assert.equal((await node('n2')).spec?.eligibility, 'ineligible');
  assert.deepEqual(await drover(['node', 'eligibility', 'n2', '--enable']), { code: 0, out: 'node.drover.dev "n2" eligibility set to eligible\n', err: '' });
  assert.equal((await node('n2')).spec?.eligibility, 'eligible');
});

test('bad input: unknown node, conflicting or missing flags, a bad deadline', async () => {
  const cases: Array<{ args: string[]; err: string }> = [
    { args: ['node', 'drain', 'ghost'], err: 'Error from server (NotFound): nodes.drover.dev "ghost" not found\n' },
    { args: ['node', 'eligibility', 'n1'], err: 'error: exactly one of --enable or --disable is required\n' },
    { args: ['node', 'eligibility', 'n1', '--enable', '--disable'], err: 'error: exactly one of --enable or --disable is required\n' },
    { args: ['node', 'drain', 'n1', '--deadline', 'soon'], err: 'error: invalid deadline "soon": use a duration such as 30m, 1h or 2h30m\n' },
    { args: ['node', 'drain', 'n1', '--deadline', '1h', '--force'], err: 'error: --deadline, --no-deadline and --force exclude each other\n' },
    { args: ['node', 'drain', 'n1', '--disable', '--ignore-system'], err: 'error: --disable cancels a drain; it takes no drain options besides --keep-ineligible\n' },
    { args: ['node', 'drain', 'n1', '--keep-ineligible'], err: 'error: --keep-ineligible only goes with --disable\n' },
  ];
  for (const c of cases) assert.deepEqual(await drover(c.args), { code: 1, out: '', err: c.err }, c.args.join(' '));
});
