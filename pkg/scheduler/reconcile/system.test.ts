import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reconcile, type ReconcileInput, type ReconcileResult } from './reconcile.ts';
import { mkJob, mkGroup, mkAlloc, mkNodes, mkNode } from '../testing/fixtures.ts';
import type { JobView } from '../structs.ts';

const sys = (type: 'system' | 'sysbatch' = 'system', over: Partial<JobView> = {}) => mkJob({ type, groups: [mkGroup({ name: 'agent' })], ...over });
const ready = mkNodes(3);

function summary(r: ReconcileResult) {
  const at = (xs: Array<{ name: string; nodeName?: string }>) => xs.map((x) => `${x.name}@${x.nodeName}`).sort();
  return {
    place: r.place.map((p) => `${p.name}@${p.nodeName}:${p.reason}`).sort(),
    stop: at(r.stop.map((s) => s.alloc)),
    lost: at(r.lost),
    destructive: r.destructiveUpdate.map((p) => `${p.name}@${p.nodeName}`).sort(),
    inplace: at(r.inplaceUpdate),
    ignore: at(r.ignore),
    history: at(r.history),
  };
}
const empty = { place: [], stop: [], lost: [], destructive: [], inplace: [], ignore: [], history: [] };
const run = (input: Partial<ReconcileInput> & { job: JobView }) =>
  summary(reconcile({ existing: [], taintedNodes: new Map(), now: 0, readyNodes: ready, ...input }));

interface Case {
  name: string;
  input: () => Partial<ReconcileInput> & { job: JobView };
  want: Partial<ReturnType<typeof summary>>;
}

const cases: Case[] = [
  {
    name: 'one allocation per ready node',
    input: () => ({ job: sys() }),
    want: { place: ['app.agent[0]@node-0:new', 'app.agent[0]@node-1:new', 'app.agent[0]@node-2:new'] },
  },
  {
    name: 'a new node gets the missing allocation; the others are left alone',
    input: () => ({ job: sys(), existing: [mkAlloc(sys(), 'node-0', 0), mkAlloc(sys(), 'node-1', 0)] }),
    want: { place: ['app.agent[0]@node-2:new'], ignore: ['app.agent[0]@node-0', 'app.agent[0]@node-1'] },
  },
  {
    name: 'a down node loses its allocation and gets no new one',
    input: () => ({
      job: sys(), readyNodes: ready.slice(0, 2),
      existing: [mkAlloc(sys(), 'node-0', 0), mkAlloc(sys(), 'node-1', 0), mkAlloc(sys(), 'node-2', 0)],
      taintedNodes: new Map([['node-2', mkNode('node-2', { ready: false })]]),
    }),
    want: { lost: ['app.agent[0]@node-2'], ignore: ['app.agent[0]@node-0', 'app.agent[0]@node-1'] },
  },
  {
    name: 'an ineligible node keeps its allocation; a node out of the job datacenters loses it',
    input: () => ({
      job: sys(), readyNodes: ready.slice(0, 1), notReadyNodes: new Set(['node-1']),
      existing: [mkAlloc(sys(), 'node-0', 0), mkAlloc(sys(), 'node-1', 0), mkAlloc(sys(), 'node-2', 0)],
    }),
    want: { ignore: ['app.agent[0]@node-0', 'app.agent[0]@node-1'], stop: ['app.agent[0]@node-2'] },
  },
  {
    name: 'a new version is rolled out node by node within maxParallel',
    input: () => {
      const v2 = sys('system', { version: 2, groups: [mkGroup({ name: 'agent', fingerprint: 'fp-2', update: { maxParallel: 1 } })] });
      return { job: v2, existing: ready.map((n) => mkAlloc(sys(), n.name, 0)) };
    },
    want: { destructive: ['app.agent[0]@node-0'], ignore: ['app.agent[0]@node-1', 'app.agent[0]@node-2'] },
  },
  {
    name: 'a failed system allocation is replaced on its node',
    input: () => ({ job: sys(), readyNodes: ready.slice(0, 1), existing: [mkAlloc(sys(), 'node-0', 0, { clientStatus: 'failed' })] }),
    want: { place: ['app.agent[0]@node-0:reschedule'] },
  },
  {
    name: 'sysbatch: a finished run is not repeated',
    input: () => ({ job: sys('sysbatch'), readyNodes: ready.slice(0, 2), existing: [mkAlloc(sys('sysbatch'), 'node-0', 0, { clientStatus: 'complete' })] }),
    want: { place: ['app.agent[0]@node-1:new'], ignore: ['app.agent[0]@node-0'] },
  },
  {
    name: 'sysbatch: a new version runs again where the old one finished',
    input: () => ({
      job: sys('sysbatch', { version: 2 }), readyNodes: ready.slice(0, 1),
      existing: [mkAlloc(sys('sysbatch'), 'node-0', 0, { clientStatus: 'complete' })],
    }),
    want: { destructive: ['app.agent[0]@node-0'] },
  },
  {
    name: 'a lost allocation still desired to run is stopped as lost once its node is back, its replacement linked to it',
    input: () => ({ job: sys(), readyNodes: ready.slice(0, 1), existing: [mkAlloc(sys(), 'node-0', 0, { clientStatus: 'lost' })] }),
    want: { lost: ['app.agent[0]@node-0'], place: ['app.agent[0]@node-0:lost'] },
  },
  {
    name: 'a lost allocation still desired to run beside its replacement is stopped as lost',
    input: () => ({
      job: sys(), readyNodes: ready.slice(0, 1),
      existing: [mkAlloc(sys(), 'node-0', 0, { id: 'old', clientStatus: 'lost', createTime: 1 }), mkAlloc(sys(), 'node-0', 0, { id: 'new', createTime: 2 })],
    }),
    want: { lost: ['app.agent[0]@node-0'], ignore: ['app.agent[0]@node-0'] },
  },
  {
    name: 'a lost allocation still desired to run on a node still down is stopped as lost, nothing placed there',
    input: () => ({
      job: sys(), readyNodes: ready.slice(0, 1), notReadyNodes: new Set(['node-1']),
      existing: [mkAlloc(sys(), 'node-0', 0), mkAlloc(sys(), 'node-1', 0, { clientStatus: 'lost' })],
      taintedNodes: new Map([['node-1', mkNode('node-1', { ready: false })]]),
    }),
    want: { lost: ['app.agent[0]@node-1'], ignore: ['app.agent[0]@node-0'] },
  },
  {
    name: 'replaced and stopped allocations are history, not ignored',
    input: () => ({
      job: sys(), readyNodes: ready.slice(0, 1),
      existing: [
        mkAlloc(sys(), 'node-0', 0, { id: 'failed', clientStatus: 'failed', nextAllocation: 'cur', createTime: 1 }),
        mkAlloc(sys(), 'node-0', 0, { id: 'lost', desiredStatus: 'stop', clientStatus: 'lost', createTime: 2 }),
        mkAlloc(sys(), 'node-0', 0, { id: 'cur', createTime: 3 }),
      ],
    }),
    want: { ignore: ['app.agent[0]@node-0'], history: ['app.agent[0]@node-0', 'app.agent[0]@node-0'] },
  },
  {
    name: 'an allocation a drainer marked is stopped, also once the drain has ended and the node is only ineligible',
    input: () => ({
      job: sys(), readyNodes: ready.slice(0, 1), notReadyNodes: new Set(['node-1', 'node-2']),
      existing: [mkAlloc(sys(), 'node-0', 0), mkAlloc(sys(), 'node-1', 0, { migrate: true }), mkAlloc(sys(), 'node-2', 0, { migrate: true })],
      taintedNodes: new Map([['node-2', mkNode('node-2', { draining: true, eligible: false })]]),
    }),
    want: { stop: ['app.agent[0]@node-1', 'app.agent[0]@node-2'], ignore: ['app.agent[0]@node-0'] },
  },
  {
    name: 'a drain cancelled on an eligible node leaves its marked system allocation running',
    input: () => ({ job: sys(), readyNodes: ready.slice(0, 1), existing: [mkAlloc(sys(), 'node-0', 0, { migrate: true })] }),
    want: { ignore: ['app.agent[0]@node-0'] },
  },
  {
    name: 'a stopped system job stops everything',
    input: () => ({ job: sys('system', { stopped: true }), existing: ready.map((n) => mkAlloc(sys(), n.name, 0)) }),
    want: { stop: ['app.agent[0]@node-0', 'app.agent[0]@node-1', 'app.agent[0]@node-2'] },
  },
];

for (const c of cases) {
  test(`system reconcile: ${c.name}`, () => {
    assert.deepEqual(run(c.input()), { ...empty, ...c.want });
  });
}

test('system reconcile: desired changes count what each node has, not its history', () => {
  const r = reconcile({
    job: sys(), readyNodes: ready.slice(0, 1), taintedNodes: new Map(), now: 0,
    existing: [
      mkAlloc(sys(), 'node-0', 0, { id: 'gone', desiredStatus: 'stop', clientStatus: 'complete', createTime: 1 }),
      mkAlloc(sys(), 'node-0', 0, { id: 'lost', clientStatus: 'lost', createTime: 2 }),
    ],
  });
  assert.deepEqual(r.desiredChanges.agent, { place: 1, stop: 0, inplaceUpdate: 0, destructiveUpdate: 0, migrate: 0, lost: 1, ignore: 0, reschedule: 0 });
  assert.equal(r.place[0]!.previous?.id, 'lost', 'the replacement names the lost allocation it replaces');
});
