import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reconcile, type ReconcileInput, type ReconcileResult } from './reconcile.ts';
import { mkJob, mkGroup, mkAlloc, mkNode } from '../testing/fixtures.ts';
import { defaultReschedule, deletedJob } from '../adapters.ts';
import type { AllocView, JobView, NodeView } from '../structs.ts';

/** The buckets by allocation name (and reason for placements), sorted: easy to compare in a table. */
function summary(r: ReconcileResult) {
  const names = (xs: Array<{ name: string }>) => xs.map((x) => x.name).sort();
  return {
    place: r.place.map((p) => `${p.name}:${p.reason}${p.previous ? '<' + p.previous.id : ''}`).sort(),
    stop: names(r.stop.map((s) => s.alloc)),
    lost: names(r.lost),
    migrate: names(r.migrate),
    destructive: names(r.destructiveUpdate),
    inplace: names(r.inplaceUpdate),
    ignore: names(r.ignore),
    history: names(r.history),
    later: r.rescheduleLater.map((l) => `${l.alloc.name}@${l.at}`),
  };
}

const empty = { place: [], stop: [], lost: [], migrate: [], destructive: [], inplace: [], ignore: [], history: [], later: [] };
const web = (count: number, over = {}) => mkJob({ groups: [mkGroup({ count, ...over })] });
const allocs = (job: JobView, n: number, over: (i: number) => Partial<AllocView> = () => ({})) =>
  Array.from({ length: n }, (_, i) => mkAlloc(job, `node-${i}`, i, over(i)));
const tainted = (entries: Array<[string, NodeView | null]>) => new Map(entries);
const run = (input: Partial<ReconcileInput> & { job: JobView }) => summary(reconcile({ existing: [], taintedNodes: new Map(), now: 100_000, ...input }));

interface Case {
  name: string;
  input: () => Partial<ReconcileInput> & { job: JobView };
  want: Partial<ReturnType<typeof summary>>;
}

const v1 = web(3);
const v2 = { ...web(3), version: 2, groups: [mkGroup({ count: 3, fingerprint: 'fp-2' })] };
const v2rolling = { ...v2, groups: [mkGroup({ count: 4, fingerprint: 'fp-2', update: { maxParallel: 2 } })] };
const batch = (count: number) => mkJob({ type: 'batch', groups: [mkGroup({ count, reschedule: defaultReschedule('batch') })] });

const cases: Case[] = [
  { name: 'a new job places count allocations with indexes 0..n-1', input: () => ({ job: v1 }), want: { place: ['app.web[0]:new', 'app.web[1]:new', 'app.web[2]:new'] } },
  {
    name: 'count up places only the missing indexes',
    input: () => ({ job: web(4), existing: allocs(web(4), 2) }),
    want: { place: ['app.web[2]:new', 'app.web[3]:new'], ignore: ['app.web[0]', 'app.web[1]'] },
  },
  {
    name: 'count down stops the highest indexes first',
    input: () => ({ job: web(2), existing: allocs(web(2), 4) }),
    want: { stop: ['app.web[2]', 'app.web[3]'], ignore: ['app.web[0]', 'app.web[1]'] },
  },
  {
    name: 'a stopped job stops every live allocation; finished ones are history',
    input: () => ({ job: { ...v1, stopped: true }, existing: allocs(v1, 3, (i) => (i === 2 ? { clientStatus: 'complete' } : {})) }),
    want: { stop: ['app.web[0]', 'app.web[1]'], history: ['app.web[2]'] },
  },
  {
    name: 'allocations on a down or gone node are lost and replaced under their names',
    input: () => ({ job: v1, existing: allocs(v1, 3), taintedNodes: tainted([['node-1', mkNode('node-1', { ready: false })], ['node-2', null]]) }),
    want: { lost: ['app.web[1]', 'app.web[2]'], place: ['app.web[1]:lost<app-web-1-node-1', 'app.web[2]:lost<app-web-2-node-2'], ignore: ['app.web[0]'] },
  },
  {
    name: 'an allocation already marked lost while still desired to run is replaced with a link, not ignored',
    input: () => ({ job: v1, existing: allocs(v1, 3, (i) => (i === 1 ? { clientStatus: 'lost' } : {})) }),
    want: { lost: ['app.web[1]'], place: ['app.web[1]:lost<app-web-1-node-1'], ignore: ['app.web[0]', 'app.web[2]'] },
  },
  {
    name: 'a draining node migrates migrate.maxParallel allocations at a time',
    input: () => ({
      job: web(3),
      existing: [0, 1, 2].map((i) => mkAlloc(web(3), 'drained', i)),
      taintedNodes: tainted([['drained', mkNode('drained', { draining: true })]]),
    }),
    want: { migrate: ['app.web[0]'], ignore: ['app.web[1]', 'app.web[2]'] },
  },
  {
    name: 'no migration starts while a replacement is still pending',
    input: () => ({
      job: web(3),
      existing: [
        mkAlloc(web(3), 'drained', 0), mkAlloc(web(3), 'drained', 1),
        mkAlloc(web(3), 'fresh', 2, { clientStatus: 'pending', previousAllocation: 'old-2' }),
      ],
      taintedNodes: tainted([['drained', mkNode('drained', { draining: true })]]),
    }),
    want: { ignore: ['app.web[0]', 'app.web[1]', 'app.web[2]'] },
  },
  {
    name: 'allocations marked for migration by a drainer all move',
    input: () => ({ job: v1, existing: allocs(v1, 3, (i) => ({ migrate: i > 0 })) }),
    want: { migrate: ['app.web[1]', 'app.web[2]'], ignore: ['app.web[0]'] },
  },
  {
    name: "on a draining node a drainer's marks use the migrate budget: unmarked allocations wait",
    input: () => ({
      job: web(3),
      existing: [0, 1, 2].map((i) => mkAlloc(web(3), 'drained', i, { migrate: i === 1 })),
      taintedNodes: tainted([['drained', mkNode('drained', { draining: true })]]),
    }),
    want: { migrate: ['app.web[1]'], ignore: ['app.web[0]', 'app.web[2]'] },
  },
  {
    name: 'without an update block a destructive change replaces everything at once',
    input: () => ({ job: v2, existing: allocs(v1, 3) }),
    want: { destructive: ['app.web[0]', 'app.web[1]', 'app.web[2]'] },
  },
  {
    name: 'update.maxParallel bounds destructive updates',
    input: () => ({ job: v2rolling, existing: allocs(v1, 4) }),
    want: { destructive: ['app.web[0]', 'app.web[1]'], ignore: ['app.web[2]', 'app.web[3]'] },
  },
  {
    name: 'allocations of the new version not yet healthy use up the parallelism',
    input: () => ({
      job: v2rolling,
      existing: [...allocs(v1, 3), mkAlloc(v2rolling, 'node-3', 3, { jobVersion: 2, clientStatus: 'pending' })],
    }),
    want: { destructive: ['app.web[0]'], ignore: ['app.web[1]', 'app.web[2]', 'app.web[3]'] },
  },
  {
    name: 'a paused deployment makes no destructive updates',
    input: () => ({ job: v2rolling, existing: allocs(v1, 4), deployment: { jobVersion: 2, paused: true, failed: false } }),
    want: { ignore: ['app.web[0]', 'app.web[1]', 'app.web[2]', 'app.web[3]'] },
  },
  {
    name: 'an unchanged fingerprint updates in place',
    input: () => ({ job: { ...v1, version: 2 }, existing: allocs(v1, 3), jobVersions: new Map([[1, v1]]) }),
    want: { inplace: ['app.web[0]', 'app.web[1]', 'app.web[2]'] },
  },
  {
    name: 'an unknown old version is updated destructively',
    input: () => ({ job: { ...v1, version: 2 }, existing: allocs(v1, 1), jobVersions: new Map() }),
    want: { destructive: ['app.web[0]'], place: ['app.web[1]:new', 'app.web[2]:new'] },
  },
  {
    name: 'batch: complete allocations are not replaced',
    input: () => ({ job: batch(3), existing: allocs(batch(3), 3, (i) => ({ clientStatus: i === 1 ? 'running' : 'complete' })) }),
    want: { ignore: ['app.web[0]', 'app.web[1]', 'app.web[2]'] },
  },
  {
    name: 'batch: a new version runs again even where the old one completed',
    input: () => ({ job: { ...batch(2), version: 2 }, existing: allocs(batch(2), 2, () => ({ clientStatus: 'complete' })) }),
    want: { history: ['app.web[0]', 'app.web[1]'], place: ['app.web[0]:new', 'app.web[1]:new'] },
  },
  {
    name: 'batch: a failed allocation past its delay is rescheduled under its name',
    input: () => ({ job: batch(1), existing: allocs(batch(1), 1, () => ({ clientStatus: 'failed', finishTime: 90_000 })) }),
    want: { place: ['app.web[0]:reschedule<app-web-0-node-0'] },
  },
  {
    name: 'batch: out of attempts within the interval, a failed allocation is left failed',
    input: () => ({
      job: batch(1),
      existing: allocs(batch(1), 1, () => ({ clientStatus: 'failed', finishTime: 90_000, rescheduleEvents: [{ time: 50_000, prevAllocId: 'x', delayMs: 5000 }] })),
    }),
    want: { ignore: ['app.web[0]'] },
  },
  {
    name: 'service: a failed allocation within its delay waits for a follow-up evaluation',
    input: () => ({ job: v1, existing: allocs(v1, 3, (i) => (i === 0 ? { clientStatus: 'failed', finishTime: 95_000 } : {})) }),
    want: { ignore: ['app.web[0]', 'app.web[1]', 'app.web[2]'], later: ['app.web[0]@125000'] },
  },
  {
    name: 'service: the follow-up evaluation reschedules its allocation now',
    input: () => ({ job: v1, evalId: 'f1', existing: allocs(v1, 1, () => ({ clientStatus: 'failed', finishTime: 95_000, followupEval: 'f1' })) }),
    want: { place: ['app.web[0]:reschedule<app-web-0-node-0', 'app.web[1]:new', 'app.web[2]:new'] },
  },
  {
    name: 'service: an allocation with a pending follow-up is not scheduled twice',
    input: () => ({ job: web(1), evalId: 'other', existing: allocs(web(1), 1, () => ({ clientStatus: 'failed', finishTime: 95_000, followupEval: 'f1' })) }),
    want: { ignore: ['app.web[0]'] },
  },
  {
    name: 'service: complete or replaced allocations free their slot',
    input: () => ({ job: web(2), existing: allocs(web(2), 2, (i) => (i === 0 ? { clientStatus: 'complete' } : { clientStatus: 'failed', nextAllocation: 'n' })) }),
    want: { history: ['app.web[0]', 'app.web[1]'], place: ['app.web[0]:new', 'app.web[1]:new'] },
  },
  {
    name: 'a deleted job stops everything it left',
    input: () => ({ job: deletedJob('default', 'app'), existing: allocs(v1, 2, (i) => (i ? { clientStatus: 'failed' } : {})) }),
    want: { stop: ['app.web[0]'], history: ['app.web[1]'] },
  },
  {
    name: 'a stopped job stops as lost an allocation marked lost and still desired to run',
    input: () => ({ job: { ...v1, stopped: true }, existing: allocs(v1, 2, (i) => (i === 1 ? { clientStatus: 'lost' } : {})) }),
    want: { stop: ['app.web[0]'], lost: ['app.web[1]'] },
  },
  {
    name: 'a group removed from the job is stopped',
    input: () => ({ job: mkJob({ groups: [mkGroup({ name: 'api', count: 0 })] }), existing: allocs(v1, 2) }),
    want: { stop: ['app.web[0]', 'app.web[1]'] },
  },
  {
    name: 'a duplicate name is stopped first',
    input: () => ({ job: web(2), existing: [mkAlloc(web(2), 'a', 0), mkAlloc(web(2), 'b', 0), mkAlloc(web(2), 'c', 1)] }),
    want: { stop: ['app.web[0]'], ignore: ['app.web[0]', 'app.web[1]'] },
  },
  {
    name: 'allocations of other jobs are not touched',
    input: () => ({ job: web(1), existing: allocs(mkJob({ name: 'other' }), 2) }),
    want: { place: ['app.web[0]:new'] },
  },
];

for (const c of cases) {
  test(`reconcile: ${c.name}`, () => {
    assert.deepEqual(run(c.input()), { ...empty, ...c.want });
  });
}

test('desired changes count each bucket per group', () => {
  // node-0 is gone: its allocation is lost; the two others already make the count, so the highest is stopped.
  const down = reconcile({ job: web(2), existing: allocs(web(2), 4), taintedNodes: new Map([['node-0', null]]), now: 0 });
  assert.deepEqual(down.desiredChanges.web, { place: 0, stop: 1, inplaceUpdate: 0, destructiveUpdate: 0, migrate: 0, lost: 1, ignore: 2, reschedule: 0 });
  const up = reconcile({ job: web(3), existing: allocs(web(3), 2), taintedNodes: new Map([['node-0', null]]), now: 0 });
  assert.deepEqual(up.desiredChanges.web, { place: 2, stop: 0, inplaceUpdate: 0, destructiveUpdate: 0, migrate: 0, lost: 1, ignore: 1, reschedule: 0 });
});

test('desired changes of a rolling update part-way through add up to the three allocations the group has', () => {
  // Three running allocations (one of the new version) and what earlier evaluations left behind: before, the
  // plan said (1 create/destroy update, 5 ignore); Nomad says (1 create/destroy update, 2 ignore).
  const v2one = { ...v2, groups: [mkGroup({ count: 3, fingerprint: 'fp-2', update: { maxParallel: 1 } })] };
  const existing = [
    mkAlloc(v1, 'node-0', 0, { id: 'old-0', desiredStatus: 'stop', clientStatus: 'complete', nextAllocation: 'new-0' }),
    mkAlloc(v1, 'node-1', 1, { id: 'failed-1', clientStatus: 'failed', nextAllocation: 'old-1' }),
    mkAlloc(v1, 'node-2', 2, { id: 'lost-2', desiredStatus: 'stop', clientStatus: 'lost', nextAllocation: 'old-2' }),
    mkAlloc(v2one, 'node-0', 0, { id: 'new-0', jobVersion: 2 }),
    mkAlloc(v1, 'node-1', 1, { id: 'old-1' }),
    mkAlloc(v1, 'node-2', 2, { id: 'old-2' }),
  ];
  const r = reconcile({ job: v2one, existing, taintedNodes: new Map(), now: 0 });
  assert.deepEqual(r.desiredChanges.web, { place: 0, stop: 0, inplaceUpdate: 0, destructiveUpdate: 1, migrate: 0, lost: 0, ignore: 2, reschedule: 0 });
  assert.deepEqual(r.history.map((a) => a.id).sort(), ['failed-1', 'lost-2', 'old-0']);
});
