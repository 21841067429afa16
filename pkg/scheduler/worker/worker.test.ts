// Scheduler workers end to end through the harness (real API server, memory store, informers, plan commits):
// placing, scaling, stopping, blocked evaluations, superseding, racing workers, claim expiry and delivery limits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../clock/clock.ts';
import { liveAllocs, startHarness, type Harness } from '../testing/harness.ts';
import { iso } from './claims.ts';

async function withHarness(opts: Parameters<typeof startHarness>[0], fn: (h: Harness) => Promise<void>): Promise<void> {
  const h = await startHarness(opts);
  try {
    await fn(h);
  } finally {
    await h.close();
  }
}

test('a service job is placed, scaled up, scaled down and stopped', async () => {
  await withHarness({}, async (h) => {
    await h.addNode('n1');
    await h.addNode('n2');
    await h.putJob('web', [{ count: 3, cpu: 500 }]);
    await h.createEval('web', { name: 'e1' });
    const e1 = await h.settled('e1');
    assert.equal(e1.status?.phase, 'complete');
    assert.equal(e1.status?.claimedBy, undefined, 'the claim is released by the ack');
    let live = liveAllocs(await h.allocs(), 'web');
    assert.deepEqual(live.map((a) => a.spec.index).sort(), [0, 1, 2]);
    assert.ok(live.every((a) => a.spec.evalName === 'e1' && a.metadata.managedFields?.[0]?.manager === 'drover-scheduler'));
    const placed = h.plans.filter((p) => p.eval.metadata.name === 'e1').flatMap((p) => p.response.placed);
    assert.equal(placed.length, 3, 'the harness recorded the plan');

    await h.putJob('web', [{ count: 5, cpu: 500 }]);
    await h.createEval('web', { name: 'e2' });
    assert.equal((await h.settled('e2')).status?.phase, 'complete');
    live = liveAllocs(await h.allocs(), 'web');
    assert.deepEqual(live.map((a) => a.spec.index).sort(), [0, 1, 2, 3, 4]);

    await h.putJob('web', [{ count: 2, cpu: 500 }]);
    await h.createEval('web', { name: 'e3' });
    await h.settled('e3');
    live = liveAllocs(await h.allocs(), 'web');
    assert.deepEqual(live.map((a) => a.spec.index).sort(), [0, 1]);
    const stopped = (await h.allocs()).filter((a) => a.spec.desiredStatus === 'stop');
    assert.equal(stopped.length, 3);
    assert.ok(stopped.every((a) => a.spec.evalName === 'e3' && a.spec.desiredDescription));

    await h.putJob('web', [{ count: 2, cpu: 500 }], { stop: true });
    await h.createEval('web', { name: 'e4', triggeredBy: 'job-deregister' });
    await h.settled('e4');
    assert.equal(liveAllocs(await h.allocs(), 'web').length, 0);
  });
});

test('placements that do not fit leave a blocked evaluation, which places them once capacity appears', async () => {
  await withHarness({}, async (h) => {
    await h.addNode('n1', { cpu: 1000 });
    await h.putJob('web', [{ count: 3, cpu: 400 }]);
    await h.createEval('web', { name: 'e1' });
    const e1 = await h.settled('e1');
    assert.equal(e1.status?.phase, 'complete');
    assert.deepEqual(e1.status?.queuedAllocations, { web: 1 });
    assert.equal(e1.status?.blockedEval, 'e1-blocked');
    const blocked = await h.getEval('e1-blocked');
    assert.equal(blocked.status?.phase, 'blocked');
    assert.equal(blocked.spec.triggeredBy, 'queued-allocs');
    assert.equal(blocked.spec.previousEval, 'e1');
    assert.equal(blocked.status?.failedTGAllocs?.web?.dimensionExhausted?.cpu, 1);
    assert.deepEqual(blocked.status?.queuedAllocations, { web: 1 });
    assert.ok(blocked.status?.classEligibility !== undefined);
    assert.equal(liveAllocs(await h.allocs(), 'web').length, 2);

    // The evaluator's part: a node joins, the blocked evaluation is set pending again.
    await h.addNode('n2', { cpu: 1000 });
    await h.client.resource('evaluations').updateStatus({ ...blocked, status: { ...blocked.status, phase: 'pending' } });
    const again = await h.until('the unblocked evaluation to complete', async () => {
      const ev = await h.getEval('e1-blocked');
      return ev.status?.phase === 'complete' ? ev : undefined;
    });
    assert.deepEqual(again.status?.queuedAllocations, {});
    assert.equal(liveAllocs(await h.allocs(), 'web').length, 3);
  });
});

test('a blocked evaluation that still cannot place is blocked again', async () => {
  await withHarness({}, async (h) => {
    await h.addNode('n1', { cpu: 1000 });
    await h.putJob('web', [{ count: 3, cpu: 400 }]);
    await h.createEval('web', { name: 'e1' });
    await h.settled('e1');
    const blocked = await h.getEval('e1-blocked');
    await h.client.resource('evaluations').updateStatus({ ...blocked, status: { ...blocked.status, phase: 'pending' } });
    const re = await h.until('the evaluation to be blocked again', async () => {
      const ev = await h.getEval('e1-blocked');
      return ev.status?.phase === 'blocked' && ev.metadata.resourceVersion !== blocked.metadata.resourceVersion ? ev : undefined;
    });
    const all = await h.evals();
    const story = () => JSON.stringify({ evals: all.map((e) => [e.metadata.name, e.status?.phase, e.status?.statusDescription]), plans: h.plans.map((p) => [p.eval.metadata.name, p.attempt, p.response.stale, p.response.nodes]) });
    assert.equal(re.status?.deliveries, 0, story());
    assert.equal(all.length, 2, `no new blocked evaluation: ${story()}`);
  });
});

test('the newest pending evaluation of a job is processed, older ones canceled, follow-ups kept for later', async () => {
  await withHarness({ deferStart: true }, async (h) => {
    await h.addNode('n1');
    await h.putJob('web', [{ count: 1 }]);
    await h.createEval('web', { name: 'old' });
    await h.createEval('web', { name: 'due-followup', triggeredBy: 'alloc-failure', waitUntil: '2000-01-01T00:00:00Z' });
    await h.createEval('web', { name: 'new' });
    await h.startSchedulers();
    assert.equal((await h.settled('new')).status?.phase, 'complete');
    const old = await h.settled('old');
    assert.equal(old.status?.phase, 'canceled');
    assert.match(old.status?.statusDescription ?? '', /superseded by new/);
    // The follow-up's allocations wait for it by name: it runs after, never concurrently.
    assert.equal((await h.settled('due-followup')).status?.phase, 'complete');
    assert.deepEqual(h.handlings.map((x) => x.eval), ['new', 'due-followup']);
    assert.ok(h.handlings[0]!.endSeq! < h.handlings[1]!.seq);
  });
});

test('two workers racing for one node: one commits, the other is refused and re-plans', async () => {
  // ea's plan is computed before eb commits, and submitted after: both chose n1, only one fits.
  let eaPlanned!: () => void;
  let ebCommitted!: () => void;
  const eaArrived = new Promise<void>((r) => (eaPlanned = r));
  const ebDone = new Promise<void>((r) => (ebCommitted = r));
  const hooks = {
    async beforeSubmit(ev: { metadata: { name: string } }) {
      if (ev.metadata.name === 'eb') await eaArrived;
      if (ev.metadata.name !== 'ea') return;
      eaPlanned();
      await ebDone;
    },
    onPlan(e: { eval: { metadata: { name: string } }; response: { outcomeApplied: boolean } }) {
      if (e.eval.metadata.name === 'eb' && e.response.outcomeApplied) ebCommitted();
    },
  };
  await withHarness({ processes: 2, workersPerProcess: 1, hooks }, async (h) => {
    await h.addNode('n1', { cpu: 1000 });
    await h.putJob('base', [{ cpu: 300 }]);
    await h.createEval('base', { name: 'e0' });
    await h.settled('e0');
    const n2 = await h.addNode('n2', { cpu: 1000 });
    // Both jobs fit best on n1 (bin-packing), but only one of them does.
    await h.putJob('a', [{ cpu: 600 }]);
    const b = await h.putJob('b', [{ cpu: 600 }]);
    await h.seen({ nodes: Number(n2.metadata.resourceVersion), jobs: Number(b.metadata.resourceVersion) });
    await h.createEval('a', { name: 'ea' });
    await h.createEval('b', { name: 'eb' });
    await h.settled('ea');
    await h.settled('eb');
    const ea = h.plans.filter((p) => p.eval.metadata.name === 'ea');
    assert.match(ea[0]!.response.nodes.n1?.refused ?? '', /cpu exhausted/);
    assert.equal(ea[0]!.response.outcomeApplied, false);
    assert.equal(ea[0]!.response.waitFor.allocations, h.plans.find((p) => p.eval.metadata.name === 'eb')!.response.waitFor.allocations, 'wait for the commit that took the room');
    assert.equal(ea.length, 2, 'the loser planned again');
    assert.deepEqual(Object.keys(ea[1]!.response.nodes), ['n2']);
    assert.equal(ea[1]!.response.outcomeApplied, true);
    const live = liveAllocs(await h.allocs());
    assert.deepEqual(live.filter((a) => a.spec.nodeName === 'n1').map((a) => a.spec.jobName).sort(), ['b', 'base']);
    assert.deepEqual(live.filter((a) => a.spec.nodeName === 'n2').map((a) => a.spec.jobName), ['a']);
  });
});

test('an abandoned claim expires and the evaluation is redelivered', async () => {
  const clock = new ManualClock(Date.parse('2030-01-01T00:00:00Z'));
  await withHarness({ clock }, async (h) => {
    await h.addNode('n1');
    await h.putJob('web', [{ count: 1 }]);
    await h.putJob('other', [{ count: 1 }]);
    await h.createEval('web', { name: 'e1', status: { phase: 'pending', claimedBy: 'dead-worker', deliveries: 1, claimExpiresAt: iso(clock.now() + 30_000) } });
    // Another job's evaluation completes: the workers are running and have seen e1, yet leave it alone.
    await h.createEval('other', { name: 'probe' });
    await h.settled('probe');
    const held = await h.getEval('e1');
    assert.equal(held.status?.claimedBy, 'dead-worker');
    assert.equal(h.handlings.some((x) => x.eval === 'e1'), false);
    clock.advance(30_001);
    const e1 = await h.settled('e1');
    assert.equal(e1.status?.phase, 'complete');
    assert.equal(e1.status?.deliveries, 2);
    assert.equal(liveAllocs(await h.allocs(), 'web').length, 1);
  });
});

test('a scheduler process dies mid-evaluation: its claim expires and another process completes it', async () => {
  const clock = new ManualClock(Date.parse('2030-01-01T00:00:00Z'));
  let holder: string | undefined;
  let revive!: () => void;
  const dead = new Promise<void>((r) => (revive = r));
  const hooks = {
    async beforeSubmit(ev: { metadata: { name: string }; status?: { claimedBy?: string } }) {
      if (ev.metadata.name !== 'e1' || holder) return;
      holder = ev.status?.claimedBy;
      await dead;
      throw new Error('the process is gone');
    },
  };
  await withHarness({ clock, hooks, processes: 2, workersPerProcess: 1 }, async (h) => {
    await h.addNode('n1');
    await h.putJob('web', [{ count: 2 }]);
    await h.createEval('web', { name: 'e1' });
    const who = await h.until('a worker to be mid-evaluation', async () => holder);
    const victim = Number(/^proc-(\d+)\//.exec(who)![1]);
    await h.disconnect(victim);
    revive();
    await h.stopProcess(victim);
    const held = await h.getEval('e1');
    assert.equal(held.status?.claimedBy, who, 'the dead process could not hand the evaluation back');
    clock.advance(30_001);
    const e1 = await h.settled('e1');
    assert.equal(e1.status?.phase, 'complete');
    assert.equal(e1.status?.deliveries, 2);
    assert.equal(liveAllocs(await h.allocs(), 'web').length, 2);
    assert.ok(h.handlings.filter((x) => x.eval === 'e1').every((x, i, all) => i === 0 || all[i - 1]!.endSeq! < x.seq));
  });
});

test('an evaluation that keeps failing is nacked, redelivered, then failed with a follow-up', async () => {
  const clock = new ManualClock(Date.parse('2030-01-01T00:00:00Z'));
  const hooks = {
    beforeSubmit(ev: { metadata: { name: string } }, req: { outcome?: { status: { phase?: string } } }) {
      if (ev.metadata.name === 'e1' && req.outcome?.status.phase !== 'failed') throw new Error('boom');
    },
  };
  await withHarness({ clock, hooks, config: { nackDelayMs: 5_000, deliveryLimit: 3, failedFollowupDelayMs: 60_000 } }, async (h) => {
    await h.addNode('n1');
    await h.putJob('web', [{ count: 1 }]);
    await h.createEval('web', { name: 'e1' });
    for (let delivery = 1; delivery <= 2; delivery++) {
      await h.until(`nack ${delivery}`, async () => h.handlings.filter((x) => x.eval === 'e1' && x.result === 'nacked').length === delivery);
      const ev = await h.until('the nack to be stored', async () => {
        const e = await h.getEval('e1');
        return e.status?.statusDescription?.startsWith('nacked') && e.status.deliveries === delivery ? e : undefined;
      });
      assert.equal(ev.status?.phase, 'pending');
      clock.advance(5_001);
    }
    const e1 = await h.settled('e1');
    assert.equal(e1.status?.phase, 'failed');
    assert.equal(e1.status?.deliveries, 3);
    assert.match(e1.status?.statusDescription ?? '', /failed 3 times: boom/);
    const next = await h.getEval(e1.status!.nextEval!);
    assert.equal(next.spec.triggeredBy, 'failed-follow-up');
    assert.equal(next.spec.previousEval, 'e1');
    assert.equal(Date.parse(next.spec.waitUntil!), clock.now() + 60_000);
    assert.deepEqual(h.handlings.filter((x) => x.eval === 'e1').map((x) => x.result), ['nacked', 'nacked', 'failed']);
  });
});
