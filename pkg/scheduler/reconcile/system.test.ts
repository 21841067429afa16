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
  };
}
const empty = { place: [], stop: [], lost: [], destructive: [], inplace: [], ignore: [] };
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
