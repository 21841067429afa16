// A failed lease renewal is retried within the lease: with the API server away from just before a renewal slot
// until shortly before the lease would expire, the lease is renewed in time; while the server stays away, the
// last try before the expiry comes right before it. The leases here are a small in-test lease store (the
// NodeLease's dependency, passed in) that refuses every call while "the server is down".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Lease } from '../../api/schemas/index.ts';
import { NetworkError } from '../client/errors.ts';
import type { ResourceClient } from '../client/client.ts';
import { ManualClock } from '../clock/clock.ts';
import { silentLogger } from '../log/logger.ts';
import { HeartbeatScheduler, NodeLease, renewalBackoff, renewalRetryDelay } from './heartbeat.ts';

const T0 = Date.parse('2025-06-01T00:00:00Z');
const INTERVAL = 10_000;
const LEASE_S = 20;

// Leases by name, CAS on resourceVersion; `down()` decides whether the "server" answers at the current time.
function leaseStore(clock: ManualClock, down: (t: number) => boolean) {
  const byName = new Map<string, Lease>();
  const attempts: number[] = [];
  const written: number[] = [];
  let rv = 1;
  const gate = async () => {
    attempts.push(clock.now() - T0);
    await Promise.resolve();
    if (down(clock.now() - T0)) throw new NetworkError('connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED');
  };
  const put = (l: Lease): Lease => {
    const stored = { ...l, metadata: { ...l.metadata, resourceVersion: String(++rv) } };
    byName.set(l.metadata.name, stored);
    written.push(Date.parse(l.spec!.renewTime!) - T0);
    return stored;
  };
  const leases = {
    async create(l: Lease) {
      await gate();
      return put(l);
    },
    async update(l: Lease) {
      await gate();
      if (byName.get(l.metadata.name)?.metadata.resourceVersion !== l.metadata.resourceVersion) throw new Error('conflict (not expected here)');
      return put(l);
    },
    async get(name: string) {
      await gate();
      return byName.get(name)!;
    },
  } as unknown as ResourceClient<Lease>;
  return { leases, attempts, written };
}

// Move the manual clock in small steps, letting the renewals' promises settle at each step.
async function runUntil(clock: ManualClock, endMs: number): Promise<void> {
  while (clock.now() - T0 < endMs) {
    clock.advance(50);
    for (let i = 0; i < 10; i++) await Promise.resolve();
  }
}

test('a renewal that fails is retried before the lease expires, not at the next slot', async () => {
  const clock = new ManualClock(T0);
  // Down from 9.9 s (just before the second renewal at 10 s) until 17 s: the next slot (20 s) is the expiry.
  const s = leaseStore(clock, (t) => t >= 9_900 && t < 17_000);
  const lease = new NodeLease({ leases: s.leases, nodeName: 'n1', clock, durationSeconds: LEASE_S });
  const hb = new HeartbeatScheduler({ clock, logger: silentLogger, intervalMs: INTERVAL });
  hb.start([lease]);
  await runUntil(clock, 19_950);
  hb.stop();
  const renewedAfterOutage = s.written.filter((t) => t >= 9_900);
  assert.ok(renewedAfterOutage.length >= 1, `no renewal between the outage and the expiry; attempts at ${s.attempts.join(', ')}`);
  assert.ok(renewedAfterOutage[0]! < LEASE_S * 1000, `renewed at ${renewedAfterOutage[0]}, after the lease expired`);
  assert.ok(renewedAfterOutage[0]! >= 17_000);
  assert.ok(hb.stats().retries >= 1);
});

test('while the server stays away, there is always a try shortly before the lease expires', async () => {
  const clock = new ManualClock(T0);
  const s = leaseStore(clock, (t) => t >= 9_900);
  const lease = new NodeLease({ leases: s.leases, nodeName: 'n1', clock, durationSeconds: LEASE_S });
  const hb = new HeartbeatScheduler({ clock, logger: silentLogger, intervalMs: INTERVAL });
  hb.start([lease]);
  await runUntil(clock, 19_999);
  hb.stop();
  const expiry = LEASE_S * 1000;
  const lastBefore = Math.max(...s.attempts.filter((t) => t < expiry));
  assert.ok(expiry - lastBefore <= 250, `the last try before the expiry was at ${lastBefore} ms (attempts ${s.attempts.join(', ')})`);
  // And they are not a busy loop: backoff spaces them.
  assert.ok(s.attempts.length < 40, `${s.attempts.length} attempts in 10 s`);
});

test('renewalRetryDelay: backoff, capped at half the time left, at least the floor; past the expiry the backoff alone', () => {
  const b = renewalBackoff(INTERVAL);
  const cases: Array<[attempt: number, now: number, expiresAt: number | undefined, want: number]> = [
    [1, 0, 20_000, 250],
    [3, 0, 20_000, 1000],
    [9, 0, 20_000, 5000], // capped at half an interval
    [9, 18_000, 20_000, 1000], // half of what is left
    [9, 19_950, 20_000, 100], // the floor
    [9, 21_000, 20_000, 5000], // expired: keep trying at the backoff
    [2, 0, undefined, 500],
  ];
  for (const [attempt, now, exp, want] of cases) assert.equal(renewalRetryDelay(attempt, now, exp, b), want, `${attempt} ${now} ${exp}`);
});
