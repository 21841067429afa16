// The partial-disruption rule and the control plane's own progress, pure, on explicit times: the states at the
// threshold, the rate in large and small clusters, stalls from late ticks, and the observer measuring silence in
// time the control plane made progress. Property: whatever the stalls, a node is never expired before it has
// been silent for ttl + grace of unstalled time (oracle: the stalls summed independently).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DisruptionGate, disruptionState } from './disruption.ts';
import { LeaseObserver } from './observer.ts';
import { ProgressMonitor } from './progress.ts';

test('disruption states: more than two unhealthy and at least the threshold, or all', () => {
  assert.equal(disruptionState(100, 54), 'normal');
  assert.equal(disruptionState(100, 55), 'partial');
  assert.equal(disruptionState(100, 100), 'full');
  assert.equal(disruptionState(3, 2), 'normal', 'two nodes down is never a disruption');
  assert.equal(disruptionState(1, 1), 'normal', 'a one-node cluster whose node dies is just a dead node');
  assert.equal(disruptionState(4, 3, 0.8), 'normal');
});

test('a large cluster in disruption marks one node down per 1/rate seconds; a small one none; normal is unlimited', () => {
  const gate = new DisruptionGate({ largeClusterSize: 50, largeClusterRate: 0.01 });
  assert.equal(gate.decide(0, 100, 10).allowed, true);
  assert.equal(gate.decide(0, 100, 10).allowed, true, 'normal: no limit');
  const first = gate.decide(1000, 100, 60);
  assert.deepEqual([first.allowed, first.state], [true, 'partial'], 'the bucket holds one token');
  const second = gate.decide(2000, 100, 60);
  assert.equal(second.allowed, false);
  assert.match(second.reason!, /60 of 100 nodes missed their lease at once \(partial disruption, threshold 0.55\): marking nodes down at 0.01\/s/);
  assert.equal(gate.nextTokenAt(2000, 100), 101_000);
  assert.equal(gate.decide(100_999, 100, 60).allowed, false);
  assert.equal(gate.decide(101_000, 100, 60).allowed, true, '100 s later, one more');

  const small = new DisruptionGate({ largeClusterSize: 50 });
  const held = small.decide(0, 10, 10);
  assert.deepEqual([held.allowed, held.state], [false, 'full']);
  assert.match(held.reason!, /a cluster of ≤ 50 nodes marks none down until it ends/);
  assert.equal(small.nextTokenAt(0, 10), Infinity);
  assert.equal(small.decide(5000, 10, 2).allowed, true, 'once it is over, nodes go down again');
});

test('a late tick is a stall; an overdue tick counts while it is overdue', () => {
  const p = new ProgressMonitor({ periodMs: 1000, toleranceMs: 500 });
  assert.equal(p.tick(0), 0);
  assert.equal(p.tick(1400), 0, 'within the tolerance');
  assert.equal(p.tick(6400), 4000);
  assert.equal(p.stalledMs(6400), 4000);
  assert.equal(p.stalledMs(7000), 4000, 'the next tick is not late yet');
  assert.equal(p.stalledMs(10_400), 7000, 'overdue by 3 s right now');
  assert.deepEqual(p.lastStallSeen(), { at: 6400, ms: 4000 });
});

test('the observer does not count stalled time as a node\'s silence', () => {
  const o = new LeaseObserver({ ttlMs: 10_000, graceMs: 10_000 });
  assert.equal(o.observe('n1', undefined, 0, '', 0).expired, false);
  const s = o.observe('n1', undefined, 20_000, '', 15_000);
  assert.deepEqual([s.expired, s.silentForMs, s.expiresAt], [false, 5000, 35_000]);
  assert.equal(o.observe('n1', undefined, 35_000, '', 15_000).expired, true);
});

test('property: a node expires exactly when its unstalled silence reaches ttl + grace', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1000, max: 30_000 }), { minLength: 1, maxLength: 60 }), (gaps) => {
      const period = 1000;
      const tolerance = 500;
      const limit = 20_000;
      const p = new ProgressMonitor({ periodMs: period, toleranceMs: tolerance });
      const o = new LeaseObserver({ ttlMs: 10_000, graceMs: 10_000 });
      let now = 0;
      p.tick(now);
      o.observe('n', undefined, now, '', p.stalledMs(now));
      let unstalled = 0; // oracle: time minus the lateness beyond tolerance, summed per gap
      for (const gap of gaps) {
        now += gap;
        const late = gap - period;
        unstalled += late > tolerance ? period : gap;
        p.tick(now);
        const s = o.observe('n', undefined, now, '', p.stalledMs(now));
        assert.equal(s.silentForMs, unstalled);
        assert.equal(s.expired, unstalled >= limit);
      }
    }),
    { numRuns: 300 },
  );
});
