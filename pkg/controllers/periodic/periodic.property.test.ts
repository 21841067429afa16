// The periodic reconciler itself (children.ts, the decided memory, idempotent creates) over fake caches on a
// fake clock, against a world the test runs: each child gets an allocation after a while that completes later.
// The oracle is the world's own ground truth — a child runs from its creation until its allocation completes —
// and the cron `*/k * * * *` checked arithmetically. Properties: with prohibitOverlap no two children's run
// intervals overlap, even across controller restarts (memory lost) and duplicate reconciles; every child is
// named for a minute the cron names; no name is launched twice; the first look after the first due time launches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Allocation, Evaluation, Job } from '../../../api/schemas/index.ts';
import { alreadyExists } from '../../apierrors/status.ts';
import { ManualClock } from '../../clock/clock.ts';
import { silentLogger } from '../../log/logger.ts';
import type { Client } from '../../client/client.ts';
import type { IndexDefinition } from '../runtime/index.ts';
import { MAX_WAIT_MS, PeriodicReconciler } from './periodic.ts';

const T0 = Date.parse('2030-01-01T00:00:00Z');
const MIN = 60_000;

/** One child in the world: when it was created, when its allocation appears and when that completes. */
interface WorldChild {
  job: Job;
  createdAt: number;
  allocAt: number;
  doneAt: number;
}

/** The world: the parent, the children the reconciler created, and their allocations as time makes them. */
class World {
  readonly children: WorldChild[] = [];
  creates = 0;
  constructor(readonly parent: Job, readonly clock: ManualClock, private readonly nextRun: () => { allocAfter: number; runFor: number }) {}

  /** The fake client: creates children (AlreadyExists for a taken name), ignores Events. */
  readonly client = {
    resource: (plural: string) => ({
      create: async (obj: Job) => {
        if (plural !== 'jobs') return obj;
        this.creates++;
        if (obj.metadata.name === this.parent.metadata.name || this.children.some((c) => c.job.metadata.name === obj.metadata.name)) {
          throw alreadyExists({ kind: 'jobs', name: obj.metadata.name });
        }
        const now = this.clock.now();
        const { allocAfter, runFor } = this.nextRun();
        const job = { ...obj, metadata: { ...obj.metadata, uid: `u-${obj.metadata.name}`, creationTimestamp: new Date(now).toISOString() } } as Job;
        this.children.push({ job, createdAt: now, allocAt: now + allocAfter, doneAt: now + allocAfter + runFor });
        return job;
      },
    }),
  } as unknown as Pick<Client, 'resource'>;

  /** The allocation of a child as an agent would report it now (none before allocAt). */
  private allocOf(c: WorldChild): Allocation[] {
    const now = this.clock.now();
    if (now < c.allocAt) return [];
    return [{
      apiVersion: 'drover.dev/v1', kind: 'Allocation', metadata: { name: `${c.job.metadata.name}-a0`, namespace: 'default' },
      spec: { nodeName: 'n1', jobName: c.job.metadata.name, jobVersion: 0, groupName: 'g', index: 0, desiredStatus: 'run' },
      status: { clientStatus: now < c.doneAt ? 'running' : 'complete' },
    } as Allocation];
  }

  /** Fake caches with the reconciler's reads: get and byIndex. */
  caches() {
    const jobs = {
      get: (_ns: string | undefined, name: string) => (name === this.parent.metadata.name ? this.parent : this.children.find((c) => c.job.metadata.name === name)?.job),
      byIndex: (def: IndexDefinition<Job>, value: string) => this.children.map((c) => c.job).filter((j) => def.values(j).includes(value)),
    };
    const allocs = { byIndex: (def: IndexDefinition<Allocation>, value: string) => this.children.flatMap((c) => this.allocOf(c)).filter((a) => def.values(a).includes(value) ) };
    const evals = { byIndex: (_def: IndexDefinition<Evaluation>, _value: string) => [] as Evaluation[] };
    return { jobs, allocs, evals };
  }
}

const step = fc.record({
  advance: fc.integer({ min: 1, max: 30 * MIN }),
  /** Reconcile this many times at this step (0: no event reached the controller; 2: a duplicate). */
  looks: fc.integer({ min: 0, max: 2 }),
  restart: fc.boolean(),
});

test('property: the reconciler over a running world never has two children running at once with prohibitOverlap', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 10 }),
      fc.array(step, { minLength: 1, maxLength: 50 }),
      fc.infiniteStream(fc.record({ allocAfter: fc.integer({ min: 0, max: 5 * MIN }), runFor: fc.integer({ min: 1, max: 40 * MIN }) })),
      async (k, steps, runs) => {
        const clock = new ManualClock(T0);
        const parent = {
          apiVersion: 'drover.dev/v1', kind: 'Job',
          metadata: { name: 'p', namespace: 'default', uid: 'u-p', creationTimestamp: new Date(T0).toISOString() },
          spec: { type: 'batch', periodic: { crons: [`*/${k} * * * *`], prohibitOverlap: true }, groups: [{ name: 'g', tasks: [{ name: 't', driver: 'mock' }] }] },
        } as Job;
        const it = runs[Symbol.iterator]();
        const world = new World(parent, clock, () => it.next().value);
        const make = () => new PeriodicReconciler({ client: world.client, clock, logger: silentLogger, ...world.caches() });
        let reconciler = make();
        // The first due time: nothing runs before it, so the first look at or after it must launch.
        const firstDue = T0 + k * MIN; // T0 is a full hour and k < 60
        let firstLook: number | undefined;
        for (const s of steps) {
          clock.advance(s.advance);
          if (s.restart) reconciler = make();
          for (let i = 0; i < s.looks; i++) await reconciler.reconcile('default/p');
          if (s.looks > 0 && firstLook === undefined && clock.now() >= firstDue) firstLook = clock.now();
        }
        if (firstLook !== undefined) assert.ok(world.children.length > 0 && world.children[0]!.createdAt === firstLook, 'the first look after the first due time launched nothing');
        const names = world.children.map((c) => c.job.metadata.name);
        assert.equal(new Set(names).size, names.length, 'a name launched twice');
        for (const c of world.children) {
          const launch = Number(c.job.metadata.name.slice('p-periodic-'.length)) * 1000;
          assert.equal(new Date(launch).getUTCMinutes() % k, 0, `${c.job.metadata.name}: not a minute the cron names`);
          assert.ok(launch <= c.createdAt, 'launched before its time');
          assert.equal(c.job.metadata.ownerReferences?.[0]?.uid, 'u-p');
        }
        const byStart = [...world.children].sort((a, b) => a.createdAt - b.createdAt);
        for (let i = 1; i < byStart.length; i++) {
          assert.ok(byStart[i]!.createdAt >= byStart[i - 1]!.doneAt, `children overlap: ${byStart[i - 1]!.job.metadata.name} runs until ${byStart[i - 1]!.doneAt}, ${byStart[i]!.job.metadata.name} created at ${byStart[i]!.createdAt}`);
        }
      },
    ),
    { numRuns: 200 },
  );
});

test('a far next launch is waited for in steps of at most an hour (timers cannot wait longer than 2^31 − 1 ms)', async () => {
  const clock = new ManualClock(T0 + MIN);
  const parent = {
    apiVersion: 'drover.dev/v1', kind: 'Job',
    metadata: { name: 'p', namespace: 'default', uid: 'u-p', creationTimestamp: new Date(T0).toISOString() },
    spec: { type: 'batch', periodic: { cron: '@yearly' }, groups: [{ name: 'g', tasks: [{ name: 't', driver: 'mock' }] }] },
  } as Job;
  const world = new World(parent, clock, () => ({ allocAfter: 0, runFor: MIN }));
  const reconciler = new PeriodicReconciler({ client: world.client, clock, logger: silentLogger, ...world.caches() });
  assert.deepEqual(await reconciler.reconcile('default/p'), { requeueAfter: MAX_WAIT_MS });
  clock.advance(365 * 24 * 60 * MIN - 2 * MIN);
  assert.deepEqual(await reconciler.reconcile('default/p'), { requeueAfter: MIN });
  assert.equal(world.children.length, 0);
});
