// Property: for random ownership forests of Jobs (each job owned by up to two earlier ones, references blocking or
// not) and a random sequence of deletes with random propagation policies, the collector ends, after each delete,
// in exactly the state an independent model of Kubernetes' rules gives — which jobs survive and which owners each
// survivor still names. The model: Orphan strips the references to the deleted job from its dependents;
// Background and Foreground both remove, to a fixpoint, every job whose owners are all gone and drop the
// references to gone owners from jobs that keep another (they differ in order, not in outcome).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Job } from '../../../api/schemas/index.ts';
import { controllerRef } from '../../../api/schemas/owner.ts';
import { realClock } from '../../clock/clock.ts';
import { silentLogger } from '../../log/logger.ts';
import { startTestCluster, testJob } from '../evaluator/testkit.ts';
import { TEST_HANG_GUARD_MS } from '../../../test/support/hang-guard.ts';
import { startGarbageCollector } from './collector.ts';

type Policy = 'Background' | 'Foreground' | 'Orphan';

/** Hang guard for one settle (30 s; a correct collector settles in milliseconds, this only bounds a wrong one). */
const SETTLE_GUARD_MS = TEST_HANG_GUARD_MS / 30;

interface Case {
  /** owners[i]: indexes (< i) of job i's owners, with whether the reference blocks. */
  owners: Array<Array<{ owner: number; block: boolean }>>;
  deletes: Array<{ job: number; policy: Policy }>;
}

const caseArb: fc.Arbitrary<Case> = fc.integer({ min: 2, max: 6 }).chain((n) =>
  fc.record({
    owners: fc.tuple(
      ...Array.from({ length: n }, (_, i) =>
        i === 0 ? fc.constant<Array<{ owner: number; block: boolean }>>([]) : fc.uniqueArray(fc.record({ owner: fc.integer({ min: 0, max: i - 1 }), block: fc.boolean() }), { maxLength: 2, selector: (r) => r.owner }),
      ),
    ),
    deletes: fc.array(fc.record({ job: fc.integer({ min: 0, max: n - 1 }), policy: fc.constantFrom<Policy>('Background', 'Foreground', 'Orphan') }), { minLength: 1, maxLength: 3 }),
  }),
);

/** The model's state: surviving job → the owners it names. */
type Model = Map<number, Set<number>>;

function applyDelete(m: Model, job: number, policy: Policy): void {
  if (!m.has(job)) return; // gone already: a 404, nothing happens
  m.delete(job);
  if (policy === 'Orphan') {
    for (const owners of m.values()) owners.delete(job);
    return;
  }
  for (let changed = true; changed; ) {
    changed = false;
    for (const [j, owners] of m) {
      const gone = [...owners].filter((o) => !m.has(o));
      if (gone.length === 0) continue;
      changed = true;
      if (gone.length === owners.size) m.delete(j);
      else for (const o of gone) owners.delete(o);
    }
  }
}

/** Wait until `actual()` serializes to `want`; the bound only guards against a hang, then the difference shows. */
async function settle(actual: () => Promise<unknown>, want: string): Promise<string> {
  const deadline = Date.now() + SETTLE_GUARD_MS;
  let got = JSON.stringify(await actual());
  while (got !== want && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 10));
    got = JSON.stringify(await actual());
  }
  return got;
}

const view = (m: Model) => Object.fromEntries([...m].sort(([a], [b]) => a - b).map(([j, o]) => [j, [...o].sort()]));

test('the collector reaches the model state after every delete, whatever the forest and the policies', { timeout: TEST_HANG_GUARD_MS }, async () => {
  const c = await startTestCluster();
  const gc = await startGarbageCollector({ client: c.client, clock: realClock, logger: silentLogger, kinds: ['jobs'] });
  const jobs = c.client.resource<Job>('jobs');
  let run = 0;
  try {
    await fc.assert(
      fc.asyncProperty(caseArb, async (k) => {
        const prefix = `r${run++}`;
        const name = (i: number) => `${prefix}-j${i}`;
        const created: Job[] = [];
        const model: Model = new Map();
        for (const [i, owners] of k.owners.entries()) {
          const j = testJob(name(i));
          if (owners.length > 0) j.metadata.ownerReferences = owners.map((o, x) => ({ ...controllerRef(created[o.owner]!, { blockOwnerDeletion: o.block }), controller: x === 0 }));
          created.push(await jobs.create(j));
          model.set(i, new Set(owners.map((o) => o.owner)));
        }
        const actual = async () => {
          const byUid = new Map(created.map((j, i) => [j.metadata.uid!, i]));
          const items = (await jobs.list({ namespace: 'default' })).items.filter((j) => j.metadata.name.startsWith(`${prefix}-`));
          return Object.fromEntries(
            items
              .map((j) => [Number(j.metadata.name.slice(prefix.length + 2)), (j.metadata.ownerReferences ?? []).map((r) => byUid.get(r.uid)!).sort()] as const)
              .sort(([a], [b]) => a - b),
          );
        };
        for (const d of k.deletes) {
          applyDelete(model, d.job, d.policy);
          await jobs.delete(name(d.job), { namespace: 'default', propagationPolicy: d.policy }).catch((err: { code?: number }) => {
            if (err.code !== 404) throw err;
          });
          const want = JSON.stringify(view(model));
          assert.equal(await settle(actual, want), want, `after deleting j${d.job} (${d.policy})`);
        }
        // Clean up this run's survivors (background) so runs do not interfere.
        for (const i of model.keys()) await jobs.delete(name(i), { namespace: 'default' }).catch(() => undefined);
        assert.equal(await settle(actual, '{}'), '{}', 'cleanup');
      }),
      { numRuns: 30 },
    );
  } finally {
    await gc.stop();
    await c.close();
  }
});
