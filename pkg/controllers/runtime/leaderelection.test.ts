import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ManualClock } from '../../clock/clock.ts';
import { silentLogger } from '../../log/logger.ts';
import { isConflict, notFound } from '../../apierrors/status.ts';
import { LeaderElector, type LeaderElectorOptions } from './leaderelection.ts';
import { MemoryLeaseClient, clientLeaseClient, type Lease, type LeaseClient } from './leaseclient.ts';

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
const LEASE = 'scheduler';

/**
 * A LeaseClient in front of the shared store that can be cut off (calls fail), hung (calls never answer) or slow
 * (each call reaches the store only after `delayMs` of clock time, so a write may land long after it was sent).
 */
class Link implements LeaseClient {
  mode: 'ok' | 'fail' | 'hang' | 'slow' = 'ok';
  delayMs = 0;
  /** Clock times of this candidate's successful writes. */
  readonly writes: number[] = [];
  constructor(private readonly store: LeaseClient, private readonly clock: ManualClock) {}
  get(name: string) {
    return this.through(() => this.store.get(name));
  }
  create(lease: Lease) {
    return this.through(() => this.store.create(lease), true);
  }
  update(lease: Lease) {
    return this.through(() => this.store.update(lease), true);
  }
  private async through<T>(op: () => Promise<T>, write = false): Promise<T> {
    if (this.mode === 'fail') throw new Error('connection refused');
    if (this.mode === 'hang') return new Promise<T>(() => {});
    if (this.mode === 'slow') await this.clock.sleep(this.delayMs);
    const at = this.clock.now();
    const out = await op();
    if (write) this.writes.push(at);
    return out;
  }
}

/** Candidates sharing one in-memory lease store and one manual clock. */
class Election {
  readonly clock = new ManualClock(1_700_000_000_000);
  readonly store = new MemoryLeaseClient();
  readonly events: string[] = [];
  readonly candidates = new Map<string, { elector: LeaderElector; link: Link; stop: AbortController; done: Promise<void> }>();

  /** Start candidate `id`; `repeat` campaigns again after each lost term (runUntilStopped). */
  start(id: string, opts: Partial<LeaderElectorOptions> = {}, repeat = false) {
    const link = new Link(this.store, this.clock);
    const elector = new LeaderElector({
      leaseName: LEASE,
      leaseClient: link,
      identity: id,
      clock: this.clock,
      logger: silentLogger,
      random: () => 0.5,
      onStartedLeading: () => void this.events.push(`${id} started @${this.t()}`),
      onStoppedLeading: () => void this.events.push(`${id} stopped @${this.t()}`),
      ...opts,
    });
    const stop = new AbortController();
    const c = { elector, link, stop, done: repeat ? elector.runUntilStopped(stop.signal) : elector.run(stop.signal) };
    this.candidates.set(id, c);
    return c;
  }

  /** Seconds since the start of the test. */
  t(): number {
    return (this.clock.now() - 1_700_000_000_000) / 1000;
  }

  leaders(): string[] {
    return [...this.candidates].filter(([, c]) => c.elector.isLeader()).map(([id]) => id);
  }

  async holder(): Promise<string | undefined> {
    return (await this.store.get(LEASE))?.spec?.holderIdentity;
  }

  /** Move time in 100 ms steps, checking after each that at most one candidate leads and that it holds the lease. */
  async run(ms: number, until?: () => boolean): Promise<void> {
    for (let t = 0; t < ms; t += 100) {
      this.clock.advance(100);
      await settle();
      const leaders = this.leaders();
      assert.ok(leaders.length <= 1, `two leaders at ${this.t()} s: ${leaders}`);
      if (leaders.length === 1) assert.equal(await this.holder(), leaders[0], 'the leader holds the lease');
      if (until?.()) return;
    }
  }
}

test('a lone candidate creates the absent lease and leads at once', async () => {
  const e = new Election();
  const seen: string[] = [];
  const a = e.start('a', { onNewLeader: (id) => seen.push(id) });
  await settle();
  assert.equal(a.elector.isLeader(), true);
  assert.equal(a.elector.getLeader(), 'a');
  assert.deepEqual(seen, ['a']);
  const lease = await e.store.get(LEASE);
  assert.equal(lease?.kind, 'Lease');
  assert.equal(lease?.apiVersion, 'coordination.k8s.io/v1');
  assert.deepEqual({ ...lease?.spec, acquireTime: undefined, renewTime: undefined }, {
    holderIdentity: 'a',
    leaseDurationSeconds: 15,
    leaseTransitions: 0,
    acquireTime: undefined,
    renewTime: undefined,
  });
  assert.match(lease!.spec!.renewTime!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  a.stop.abort();
  await a.done;
});

test('the leader renews every retry period, keeping acquireTime and transitions', async () => {
  const e = new Election();
  const a = e.start('a');
  await settle();
  const first = await e.store.get(LEASE);
  await e.run(10_000);
  const later = await e.store.get(LEASE);
  assert.equal(a.link.writes.length, 1 + 5, 'one create, then a renewal every 2 s');
  assert.notEqual(later!.spec!.renewTime, first!.spec!.renewTime);
  assert.equal(later!.spec!.acquireTime, first!.spec!.acquireTime);
  assert.equal(later!.spec!.leaseTransitions, 0);
  a.stop.abort();
  await a.done;
});

test('two candidates racing for an absent lease: exactly one leads, the other keeps waiting', async () => {
  const e = new Election();
  const a = e.start('a');
  const b = e.start('b');
  await settle();
  assert.equal(e.leaders().length, 1, 'create is CAS: one AlreadyExists');
  const leader = e.leaders()[0];
  await e.run(60_000);
  assert.deepEqual(e.leaders(), [leader], 'a renewing leader is never displaced');
  a.stop.abort();
  b.stop.abort();
  await Promise.all([a.done, b.done]);
});

test('two candidates racing for a released lease: the CAS update lets exactly one win', async () => {
  const e = new Election();
  await e.store.create({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: LEASE }, spec: { holderIdentity: '', leaseTransitions: 4 } });
  const a = e.start('a');
  const b = e.start('b');
  await settle();
  assert.equal(e.leaders().length, 1);
  const lease = await e.store.get(LEASE);
  assert.equal(lease!.spec!.holderIdentity, e.leaders()[0]);
  assert.equal(lease!.spec!.leaseTransitions, 5);
  await e.run(10_000);
  a.stop.abort();
  b.stop.abort();
  await Promise.all([a.done, b.done]);
});

for (const mode of ['fail', 'hang'] as const) {
  test(`a leader whose renewals ${mode === 'fail' ? 'fail' : 'hang'} steps down before the other takes over after the lease duration`, async () => {
    const e = new Election();
    const a = e.start('a');
    await settle();
    const b = e.start('b');
    await e.run(5_000);
    assert.deepEqual(e.leaders(), ['a']);
    a.link.mode = mode;
    const lastRenewal = a.link.writes.at(-1)!;
    await e.run(60_000, () => b.elector.isLeader());
    assert.deepEqual(e.leaders(), ['b']);
    const stepDown = e.events.find((x) => x.startsWith('a stopped'));
    assert.ok(stepDown, 'a called onStoppedLeading');
    const aStopped = Number(stepDown.split('@')[1]) * 1000 + 1_700_000_000_000;
    assert.ok(aStopped <= lastRenewal + 10_000, 'a stepped down within the renew deadline of its last renewal');
    const bTookOver = b.link.writes.at(-1)!;
    assert.ok(bTookOver >= lastRenewal + 15_000, 'b waited a full lease duration after the last renewal');
    assert.ok(bTookOver <= lastRenewal + 15_000 + 2 * 2_000 * 2.2, 'and took over at its next retries after that');
    assert.equal((await e.store.get(LEASE))!.spec!.leaseTransitions, 1);
    await a.done;
    b.stop.abort();
    await b.done;
  });
}

test('property: under random failures, hangs and slow links there is never more than one leader', async () => {
  const ids = ['a', 'b', 'c'];
  const change = fc.record({
    afterMs: fc.integer({ min: 0, max: 20_000 }),
    who: fc.constantFrom(...ids),
    mode: fc.constantFrom('ok', 'fail', 'hang', 'slow') as fc.Arbitrary<Link['mode']>,
    delayMs: fc.integer({ min: 1, max: 30_000 }),
  });
  await fc.assert(
    fc.asyncProperty(fc.array(change, { maxLength: 8 }), async (changes) => {
      const e = new Election();
      for (const id of ids) e.start(id, {}, true);
      for (const c of changes) {
        await e.run(c.afterMs);
        const link = e.candidates.get(c.who)!.link;
        link.mode = c.mode;
        link.delayMs = c.delayMs;
      }
      // Heal every link: someone must lead again once the old holder's lease has run out.
      for (const c of e.candidates.values()) c.link.mode = 'ok';
      await e.run(40_000);
      assert.equal(e.leaders().length, 1, 'a leader emerges after healing');
      for (const c of e.candidates.values()) c.stop.abort();
      e.clock.advance(60_000);
    }),
    { numRuns: 40 },
  );
});

test('stopping the leader releases the lease and the other candidate takes over at its next retry', async () => {
  const e = new Election();
  const a = e.start('a');
  await settle();
  const b = e.start('b');
  await e.run(3_000);
  a.stop.abort();
  await a.done;
  assert.equal(await e.holder(), '', 'released: empty holder');
  assert.equal(a.elector.isLeader(), false);
  const released = e.clock.now();
  await e.run(15_000, () => b.elector.isLeader());
  assert.ok(b.elector.isLeader());
  assert.ok(e.clock.now() - released <= 2_000 * 2.2, 'within one jittered retry, not a lease duration');
  assert.deepEqual(e.events.slice(0, 3).map((x) => x.split(' @')[0]), ['a started', 'a stopped', 'b started']);
  b.stop.abort();
  await b.done;
});

test('a lease won by an attempt still in flight when campaigning stopped is handed straight back', async () => {
  const e = new Election();
  const a = e.start('a');
  a.link.mode = 'slow';
  a.link.delayMs = 1_000;
  await e.run(500);
  a.stop.abort();
  await a.done;
  assert.equal(a.elector.isLeader(), false);
  await e.run(5_000);
  const lease = await e.store.get(LEASE);
  assert.equal(lease?.spec?.holderIdentity, '', 'created by the late attempt, then released');
  assert.deepEqual(e.events, [], 'never led');
});

test('with releaseOnCancel false the lease is kept until it expires', async () => {
  const e = new Election();
  const a = e.start('a', { releaseOnCancel: false });
  await settle();
  a.stop.abort();
  await a.done;
  assert.equal(await e.holder(), 'a');
});

test('the lease is released only after the leader work has finished', async () => {
  const e = new Election();
  let finishWork!: () => void;
  const a = e.start('a', {
    onStartedLeading: (signal) =>
      new Promise<void>((resolve) => signal.addEventListener('abort', () => (finishWork = resolve))),
  });
  await settle();
  a.stop.abort();
  await settle();
  assert.equal(await e.holder(), 'a', 'still held while the work winds down');
  finishWork();
  await a.done;
  assert.equal(await e.holder(), '');
});

test('expiry is judged by the local observation time, not the remote renewTime (clock skew)', async () => {
  for (const skewMs of [-3_600_000, 0, 3_600_000]) {
    const e = new Election();
    const renewTime = new Date(e.clock.now() + skewMs).toISOString();
    await e.store.create({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: LEASE },
      spec: { holderIdentity: 'ghost', leaseDurationSeconds: 15, acquireTime: renewTime, renewTime, leaseTransitions: 2 },
    });
    const b = e.start('b');
    await settle();
    assert.equal(b.elector.isLeader(), false, `skew ${skewMs}: a lease first seen now is not expired`);
    assert.equal(b.elector.getLeader(), 'ghost');
    await e.run(14_000);
    assert.equal(b.elector.isLeader(), false, `skew ${skewMs}: still within the duration`);
    await e.run(10_000, () => b.elector.isLeader());
    assert.equal(b.elector.isLeader(), true, `skew ${skewMs}: taken over after 15 s of an unchanged record`);
    assert.equal((await e.store.get(LEASE))!.spec!.leaseTransitions, 3);
    b.stop.abort();
    await b.done;
  }
});

test('a candidate restarting with the identity that holds the lease takes it back at once', async () => {
  const e = new Election();
  const now = new Date(e.clock.now()).toISOString();
  await e.store.create({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: LEASE },
    spec: { holderIdentity: 'a', leaseDurationSeconds: 15, acquireTime: now, renewTime: now, leaseTransitions: 7 },
  });
  const a = e.start('a');
  await settle();
  assert.equal(a.elector.isLeader(), true);
  const spec = (await e.store.get(LEASE))!.spec!;
  assert.equal(spec.leaseTransitions, 7);
  assert.equal(spec.acquireTime, now);
  a.stop.abort();
  await a.done;
});

test('runUntilStopped campaigns again after losing the lease', async () => {
  const e = new Election();
  const link = new Link(e.store, e.clock);
  const elector = new LeaderElector({ leaseName: LEASE, leaseClient: link, identity: 'a', clock: e.clock, logger: silentLogger, random: () => 0 });
  const stop = new AbortController();
  const done = elector.runUntilStopped(stop.signal);
  await settle();
  assert.equal(elector.isLeader(), true);
  link.mode = 'fail';
  for (let i = 0; i < 150 && elector.isLeader(); i++) {
    e.clock.advance(100);
    await settle();
  }
  assert.equal(elector.isLeader(), false);
  link.mode = 'ok';
  for (let i = 0; i < 50 && !elector.isLeader(); i++) {
    e.clock.advance(100);
    await settle();
  }
  assert.equal(elector.isLeader(), true, 'held by itself: re-acquired without waiting for expiry');
  stop.abort();
  await done;
});

test('an observer callback that throws does not break the election', async () => {
  const e = new Election();
  const a = e.start('a', {
    onNewLeader: () => {
      throw new Error('observer bug');
    },
    onStoppedLeading: () => {
      throw new Error('observer bug');
    },
  });
  await settle();
  assert.equal(a.elector.isLeader(), true);
  await e.run(5_000);
  assert.equal(a.elector.isLeader(), true);
  a.stop.abort();
  await a.done;
});

test('leader work that throws gives the lease up: the other candidate takes over at once, not after expiry', async () => {
  const e = new Election();
  let aTerms = 0;
  let bTerms = 0;
  const a = e.start('a', {
    onStartedLeading: () => {
      aTerms++;
      throw new Error('work bug');
    },
  });
  await settle();
  const b = e.start('b', {
    onStartedLeading: () => {
      bTerms++;
    },
  });
  // a leads, its work throws, it releases the lease; b acquires it within a retry period or two (well before
  // the 15 s lease duration an unreleased lease would need to expire).
  await e.run(5_000);
  assert.equal(aTerms >= 1, true);
  assert.equal(b.elector.isLeader(), true);
  assert.equal(a.elector.isLeader(), false);
  assert.equal(bTerms, 1);
  a.stop.abort();
  b.stop.abort();
  await Promise.all([a.done, b.done]);
});

test('run() refuses to run twice at once', async () => {
  const e = new Election();
  const a = e.start('a');
  await assert.rejects(a.elector.run(), /already running/);
  a.stop.abort();
  await a.done;
});

test('timings are validated like client-go', () => {
  const base = { leaseName: LEASE, leaseClient: new MemoryLeaseClient(), identity: 'a', clock: new ManualClock(), logger: silentLogger };
  const cases = [
    { leaseDurationMs: 10_000, renewDeadlineMs: 10_000 },
    { renewDeadlineMs: 2_000, retryPeriodMs: 2_000 },
    { retryPeriodMs: 0 },
  ];
  for (const c of cases) assert.throws(() => new LeaderElector({ ...base, ...c }), RangeError, JSON.stringify(c));
  assert.throws(() => new LeaderElector({ ...base, identity: '' }), TypeError);
  assert.doesNotThrow(() => new LeaderElector(base));
});

test('MemoryLeaseClient does compare-and-swap on resourceVersion', async () => {
  const store = new MemoryLeaseClient();
  const created = await store.create({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'x' }, spec: {} });
  const updated = await store.update({ ...created, spec: { holderIdentity: 'a' } });
  await assert.rejects(store.update({ ...created, spec: { holderIdentity: 'b' } }), (err) => isConflict(err));
  assert.notEqual(updated.metadata.resourceVersion, created.metadata.resourceVersion);
  assert.equal((await store.get('x'))!.spec!.holderIdentity, 'a');
  assert.equal(await store.get('missing'), undefined);
});

test('clientLeaseClient maps NotFound to undefined and writes into its namespace', async () => {
  const calls: Array<[string, unknown]> = [];
  const leases = {
    get: async (name: string, opts?: { namespace?: string }) => {
      calls.push(['get', { name, ...opts }]);
      if (name === 'missing') throw notFound({ group: 'drover.dev', kind: 'leases', name });
      return { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: opts?.namespace } };
    },
    create: async (obj: Lease) => (calls.push(['create', obj.metadata]), obj),
    update: async (obj: Lease) => (calls.push(['update', obj.metadata]), obj),
  };
  const kinds: string[] = [];
  const client = { resource: (kind: string) => (kinds.push(kind), leases) } as unknown as Parameters<typeof clientLeaseClient>[0];
  const lc = clientLeaseClient(client, 'drover-system');
  assert.equal(await lc.get('missing'), undefined);
  assert.equal((await lc.get('x'))?.metadata.namespace, 'drover-system');
  await lc.create({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'x' } });
  await lc.update({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'x', resourceVersion: '5' } });
  assert.deepEqual(calls.slice(2), [
    ['create', { name: 'x', namespace: 'drover-system' }],
    ['update', { name: 'x', resourceVersion: '5', namespace: 'drover-system' }],
  ]);
  assert.ok(kinds.every((k) => k === 'leases'));
  leases.get = async () => {
    throw new Error('network down');
  };
  await assert.rejects(lc.get('x'), /network down/);
});
