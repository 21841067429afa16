import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Job } from '../../../api/schemas/index.ts';
import { planLaunch, type ChildView } from './plan.ts';

const T0 = Date.parse('2030-01-01T00:00:00Z');
const MIN = 60_000;

const parent = (periodic: NonNullable<Job['spec']['periodic']>, extra: Partial<Job['spec']> = {}): Job => ({
  apiVersion: 'drover.dev/v1', kind: 'Job',
  metadata: { name: 'p', namespace: 'default', uid: 'u1', creationTimestamp: new Date(T0).toISOString().replace('.000Z', 'Z') },
  spec: { type: 'batch', periodic, groups: [{ name: 'g', tasks: [{ name: 't', driver: 'mock' }] }], ...extra },
} as Job);

test('the next launch after creation, then after the newest child', () => {
  const p = parent({ cron: '*/5 * * * *' });
  assert.deepEqual(planLaunch({ parent: p, children: [], now: T0 + MIN }), { wakeAt: T0 + 5 * MIN });
  assert.deepEqual(planLaunch({ parent: p, children: [], now: T0 + 5 * MIN }), { launch: T0 + 5 * MIN, wakeAt: T0 + 10 * MIN });
  assert.deepEqual(planLaunch({ parent: p, children: [{ launchMs: T0 + 5 * MIN, active: true }], now: T0 + 6 * MIN }), { wakeAt: T0 + 10 * MIN });
});

test('after an outage only the newest due time is launched', () => {
  const p = parent({ cron: '*/5 * * * *' });
  assert.deepEqual(planLaunch({ parent: p, children: [], now: T0 + 23 * MIN }), { launch: T0 + 20 * MIN, wakeAt: T0 + 25 * MIN });
});

test('several crons: the earliest due wins', () => {
  const p = parent({ crons: ['0 * * * *', '30 0 * * *'] });
  assert.deepEqual(planLaunch({ parent: p, children: [], now: T0 }), { wakeAt: T0 + 30 * MIN });
  assert.deepEqual(planLaunch({ parent: p, children: [{ launchMs: T0 + 30 * MIN, active: false }], now: T0 + 31 * MIN }), { wakeAt: T0 + 60 * MIN });
});

test('time zone: 09:00 in Tokyo is 00:00 UTC', () => {
  const p = parent({ cron: '0 9 * * *', timeZone: 'Asia/Tokyo' });
  assert.deepEqual(planLaunch({ parent: p, children: [], now: T0 + MIN }), { wakeAt: T0 + 24 * 60 * MIN });
});

test('prohibitOverlap skips a due time while a child runs; what was decided is not launched later', () => {
  const p = parent({ cron: '*/5 * * * *', prohibitOverlap: true });
  const running: ChildView[] = [{ launchMs: T0 + 5 * MIN, active: true }];
  assert.deepEqual(planLaunch({ parent: p, children: running, now: T0 + 10 * MIN }), { skip: T0 + 10 * MIN, wakeAt: T0 + 15 * MIN });
  const done: ChildView[] = [{ launchMs: T0 + 5 * MIN, active: false }];
  assert.deepEqual(planLaunch({ parent: p, children: done, now: T0 + 11 * MIN, decided: T0 + 10 * MIN }), { wakeAt: T0 + 15 * MIN });
  // Without the overlap rule a running child does not hold the next launch back.
  assert.deepEqual(planLaunch({ parent: parent({ cron: '*/5 * * * *' }), children: running, now: T0 + 10 * MIN }), { launch: T0 + 10 * MIN, wakeAt: T0 + 15 * MIN });
});

test('disabled, stopped or deleting parents launch nothing', () => {
  const now = T0 + 60 * MIN;
  assert.deepEqual(planLaunch({ parent: parent({ cron: '* * * * *', enabled: false }), children: [], now }), {});
  assert.deepEqual(planLaunch({ parent: parent({ cron: '* * * * *' }, { stop: true }), children: [], now }), {});
  const deleting = parent({ cron: '* * * * *' });
  deleting.metadata.deletionTimestamp = '2030-01-01T00:30:00Z';
  assert.deepEqual(planLaunch({ parent: deleting, children: [], now }), {});
});

// A simulated world driven by planLaunch as the controller drives it: at random clock steps the controller looks,
// launches or skips; each child runs for a random time. The oracle is written here: children's run intervals
// (from their creation, when the controller launched them, to their end) never overlap; each launch names a
// minute the cron `*/k` allows (checked arithmetically); and a look that finds a due time passed and no child
// running launches one.
test('property: with prohibitOverlap two children never run at once (fake clock, independent oracle)', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 15 }),
      fc.array(fc.record({ step: fc.integer({ min: 1, max: 40 * MIN }), runFor: fc.integer({ min: 1, max: 60 * MIN }) }), { minLength: 1, maxLength: 60 }),
      (k, steps) => {
        const p = parent({ cron: `*/${k} * * * *`, prohibitOverlap: true });
        const children: Array<{ launchMs: number; start: number; end: number }> = [];
        let now = T0;
        let decided: number | undefined;
        let lastLook = T0;
        for (const { step, runFor } of steps) {
          now += step;
          const views = children.map((c) => ({ launchMs: c.launchMs, active: now < c.end }));
          const plan = planLaunch({ parent: p, children: views, now, decided });
          const anyRunning = views.some((v) => v.active);
          // A due time passed since the last look: a minute boundary m with m % k == 0 in (lastLook, now].
          let duePassed = false;
          for (let t = Math.floor(lastLook / MIN) * MIN + MIN; t <= now && !duePassed; t += MIN) duePassed = new Date(t).getUTCMinutes() % k === 0;
          const newest = Math.max(T0, decided ?? T0, ...children.map((c) => c.launchMs));
          if (duePassed && newest < now && !anyRunning && plan.launch === undefined) {
            // Every due time up to now may already have been decided (launched or skipped) at an earlier look.
            let undecided = false;
            for (let t = Math.floor(newest / MIN) * MIN + MIN; t <= now && !undecided; t += MIN) undecided = new Date(t).getUTCMinutes() % k === 0;
            assert.ok(!undecided, `a due time passed at ${now} with nothing running and nothing was launched`);
          }
          if (plan.launch !== undefined) {
            assert.equal(plan.launch % MIN, 0);
            assert.equal(new Date(plan.launch).getUTCMinutes() % k, 0, 'a launch at a time the cron does not name');
            assert.ok(plan.launch <= now && plan.launch > newest, 'launch time out of order');
            children.push({ launchMs: plan.launch, start: now, end: now + runFor });
            decided = plan.launch;
          }
          if (plan.skip !== undefined) decided = plan.skip;
          lastLook = now;
        }
        const byStart = [...children].sort((a, b) => a.start - b.start);
        for (let i = 1; i < byStart.length; i++) assert.ok(byStart[i]!.start >= byStart[i - 1]!.end, `children overlap: ${JSON.stringify(byStart.slice(i - 1, i + 1))}`);
      },
    ),
    { numRuns: 300 },
  );
});
