// Property: several scheduler processes (separate clients, informers and workers) against one API server, random
// jobs whose total demand exceeds the cluster: no node is overcommitted, no port is held twice on a node, no job
// runs more allocations than it asks for, and every evaluation is handled by one worker at a time and finishes
// (complete, blocked or failed) with exactly one outcome.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { nodeTotals } from '../../plancommit/test-support.ts';
import { liveAllocs, startHarness } from '../testing/harness.ts';

const jobArb = fc.record({
  count: fc.integer({ min: 1, max: 4 }),
  cpu: fc.integer({ min: 100, max: 900 }),
  port: fc.option(fc.constantFrom(8080, 8081), { nil: undefined }),
  priority: fc.integer({ min: 20, max: 80 }),
});

const clusterArb = fc.record({
  nodes: fc.array(fc.integer({ min: 1000, max: 2500 }), { minLength: 2, maxLength: 4 }),
  jobs: fc.array(jobArb, { minLength: 3, maxLength: 8 }),
});

test('racing workers in several processes: no overcommit, no port collision, each evaluation once', async () => {
  await fc.assert(
    fc.asyncProperty(clusterArb, async ({ nodes, jobs }) => {
      const h = await startHarness({ processes: 3, workersPerProcess: 2 });
      try {
        const capacity = new Map(nodes.map((cpu, i) => [`n${i}`, cpu]));
        for (const [name, cpu] of capacity) await h.addNode(name, { cpu });
        // A job that alone asks for more than the whole cluster: total demand always exceeds capacity.
        const all = [...jobs, { count: 4, cpu: 900, port: undefined, priority: 50 }];
        for (const [i, j] of all.entries()) await h.putJob(`j${i}`, [{ count: j.count, cpu: j.cpu, ports: j.port ? { http: j.port } : undefined }], { priority: j.priority });
        await Promise.all(all.map((j, i) => h.createEval(`j${i}`, { name: `e${i}`, priority: j.priority })));
        const settled = await Promise.all(all.map((_, i) => h.settled(`e${i}`)));

        const allocs = await h.allocs();
        for (const [node, tot] of nodeTotals(allocs)) {
          assert.ok(tot.cpu <= capacity.get(node)!, `${node} holds ${tot.cpu} of ${capacity.get(node)} MHz`);
          assert.equal(new Set(tot.ports).size, tot.ports.length, `${node} ports ${tot.ports}`);
        }
        for (const [i, j] of all.entries()) {
          assert.ok(liveAllocs(allocs, `j${i}`).length <= j.count, `j${i} runs more than ${j.count}`);
        }
        for (const ev of settled) assert.ok(['complete', 'blocked', 'failed'].includes(ev.status!.phase!), `${ev.metadata.name}: ${ev.status?.phase}`);
        // Each evaluation's outcome was written once, by one handling; handlings of one evaluation never overlap.
        for (let i = 0; i < all.length; i++) {
          const outcomes = h.plans.filter((p) => p.eval.metadata.name === `e${i}` && p.response.outcomeApplied);
          assert.equal(outcomes.length, 1, `e${i} outcomes`);
          const runs = h.handlings.filter((x) => x.eval === `e${i}`).sort((a, b) => a.seq - b.seq);
          for (let k = 1; k < runs.length; k++) assert.ok(runs[k - 1]!.endSeq! < runs[k]!.seq, `e${i} handled twice at once`);
        }
        // The hog cannot fit everywhere: its placements that found no node are recorded on a blocked evaluation.
        const hog = settled[all.length - 1]!;
        if (Object.keys(hog.status?.queuedAllocations ?? {}).length > 0) {
          assert.equal((await h.getEval(hog.status!.blockedEval!)).status?.phase, 'blocked');
        }
      } finally {
        await h.close();
      }
    }),
    { numRuns: 5 },
  );
});
