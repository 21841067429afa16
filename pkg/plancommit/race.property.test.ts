// Property: however plans race for the same nodes (concurrently, with stops and REST status changes in between),
// no node ever holds more than its capacity or two allocations on one port, and every placement is either
// committed or reported refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { commitTestServer, nodeTotals, placement } from './test-support.ts';

const V1 = '/apis/drover.dev/v1';
const NODES = ['n0', 'n1', 'n2'];
const CAPACITY = 1000;

const planArb = fc.array(
  fc.record({ node: fc.constantFrom(...NODES), cpu: fc.integer({ min: 50, max: 600 }), port: fc.option(fc.integer({ min: 20000, max: 20005 }), { nil: undefined }) }),
  { minLength: 1, maxLength: 6 },
);

test('racing plans never overcommit a node or collide on a port', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(planArb, { minLength: 2, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 4 }), async (plans, failPicks) => {
      const t = await commitTestServer();
      try {
        for (const n of NODES) await t.node(n, CAPACITY);
        for (let i = 0; i < plans.length; i++) await t.evaluation(`e${i}`, 'web');
        let seq = 0;
        const submit = (i: number) =>
          t.plan(`e${i}`, { placements: plans[i]!.map((p) => placement(`a${i}-${seq++}`, p.node, p.cpu, { ports: p.port === undefined ? [] : [p.port] })) });
        const first = await Promise.all(plans.map((_, i) => submit(i)));
        // Agents fail some allocations (releasing room) while a second wave of the same plans races again.
        const live = (await t.allocations()).filter((a) => a.spec.desiredStatus === 'run');
        const failing = failPicks.map((k) => live[k % Math.max(1, live.length)]).filter((a) => a !== undefined);
        const second = await Promise.all([
          ...plans.map((_, i) => submit(i)),
          ...[...new Set(failing)].map(async (a) => {
            const cur = (await t.req('GET', `${V1}/namespaces/default/allocations/${a.metadata.name}`)).body;
            cur.status = { clientStatus: 'failed' };
            return t.req('PUT', `${V1}/namespaces/default/allocations/${a.metadata.name}/status`, cur);
          }),
        ]);
        for (const r of [...first, ...second]) assert.equal(r.code, 200, r.text);
        for (const [node, tot] of nodeTotals(await t.allocations())) {
          assert.ok(tot.cpu <= CAPACITY, `${node} holds ${tot.cpu} MHz`);
          assert.equal(new Set(tot.ports).size, tot.ports.length, `${node} ports ${tot.ports}`);
        }
        // Every submitted placement is accounted for: placed, or on a refused node.
        const stored = new Set((await t.allocations()).map((a) => a.metadata.name));
        for (const r of [...first, ...second.slice(0, plans.length)]) {
          const body = r.body as { placed: string[] };
          for (const name of body.placed) assert.ok(stored.has(name));
        }
      } finally {
        await t.close();
      }
    }),
    { numRuns: 12 },
  );
});
