// `drover describe eval`: the evaluation-specific text (status, placement failures, blocked reason), and
// `drover get evals` / `describe` end to end against a real API server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Evaluation } from '../../api/schemas/index.ts';
import type { Clock } from '../../pkg/clock/clock.ts';
import { startApiServer } from '../../test/support/server.ts';
import { createClient } from '../../pkg/client/client.ts';
import { describeEvaluation } from './commands/describe-eval.ts';
import { run } from './program.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// A home of this file's own: `drover dev` writes its CLI context there, `drover server` its admin token.
const HOME = mkdtempSync(join(tmpdir(), 'drover-home-'));

const NOW = Date.parse('2025-06-01T12:00:30Z');

const blocked: Evaluation = {
  apiVersion: 'drover.dev/v1', kind: 'Evaluation',
  metadata: { name: 'web-abc-blocked', namespace: 'default', creationTimestamp: '2025-06-01T12:00:00Z' },
  spec: { jobName: 'web', jobVersion: 3, priority: 50, type: 'service', triggeredBy: 'queued-allocs', previousEval: 'web-abc' },
  status: {
    phase: 'blocked', statusDescription: 'created to place what web-abc could not', deliveries: 0, snapshotRevision: '812',
    queuedAllocations: { cache: 2 },
    failedTGAllocs: {
      cache: {
        nodesEvaluated: 10, nodesFiltered: 4, nodesExhausted: 6, nodesAvailable: { dc1: 10 },
        constraintFiltered: { '${attr.kernel.name} = windows': 4 }, classExhausted: { small: 6 }, dimensionExhausted: { memory: 5, cpu: 1 },
        coalescedFailures: 1,
      },
    },
    classEligibility: { 'v1:aaa': true, 'v1:bbb': false },
    annotations: { 'desiredChanges.cache': JSON.stringify({ place: 3, stop: 0, ignore: 1 }) },
  },
};

test('a blocked evaluation: head, desired changes, queued, failed placements by reason, and what unblocks it', () => {
  assert.equal(describeEvaluation(blocked, NOW), [
    'Name:                web-abc-blocked',
    'Namespace:           default',
    'Job:                 web (version 3)',
    'Type:                service',
    'Priority:            50',
    'Triggered By:        queued-allocs',
    'Node:                <none>',
    'Status:              blocked',
    'Status Description:  created to place what web-abc could not',
    'Deliveries:          0',
    'Previous Eval:       web-abc',
    'Next Eval:           <none>',
    'Blocked Eval:        <none>',
    'Snapshot Revision:   812',
    'Created:             2025-06-01T12:00:00Z (30s ago)',
    '',
    'Desired Changes:',
    '  cache: 3 place, 1 ignore',
    '',
    'Queued Allocations:',
    '  cache: 2 unplaced',
    '',
    'Failed Placements:',
    '  Task Group "cache" (failed to place 2 allocations):',
    '    * Constraint "${attr.kernel.name} = windows": 4 nodes excluded by filter',
    '    * Resources exhausted on 6 nodes',
    '    * Class "small" exhausted on 6 nodes',
    '    * Dimension "memory" exhausted on 5 nodes',
    '    * Dimension "cpu" exhausted on 1 node',
    '    Nodes evaluated: 10, filtered: 4, exhausted: 6 (available: dc1=10)',
    '',
    'Blocked:',
    '  Waiting for capacity: a node joining, an allocation freeing resources, or a node becoming eligible',
    '  unblocks it when that node could fit a failed group (node classes seen: 1 eligible, 1 ineligible; a node of an ineligible class does not unblock it).',
    '',
  ].join('\n'));
});

test('a claimed pending evaluation shows its claim and trigger node; no failure sections', () => {
  const e: Evaluation = {
    apiVersion: 'drover.dev/v1', kind: 'Evaluation', metadata: { name: 'api-x', namespace: 'prod', creationTimestamp: '2025-06-01T12:00:00Z' },
    spec: { jobName: 'api', triggeredBy: 'node-update', nodeName: 'n7' },
    status: { phase: 'pending', claimedBy: 'host-1/0', claimExpiresAt: '2025-06-01T12:01:00Z', deliveries: 1 },
  };
  const text = describeEvaluation(e, NOW);
  assert.match(text, /^Node: +n7$/m);
  assert.match(text, /^Claimed By: +host-1\/0 \(until 2025-06-01T12:01:00Z\)$/m);
  assert.match(text, /^Job: +api$/m);
  assert.doesNotMatch(text, /Failed Placements|Blocked:|Queued/);
});

test('drover describe eval and get evals against a server', async () => {
  const api = await startApiServer();
  const client = createClient({ server: api.url });
  try {
    const evals = client.resource<Evaluation>('evaluations');
    const { status, ...rest } = blocked;
    const created = await evals.create({ ...rest, metadata: { name: blocked.metadata.name, namespace: 'default' } });
    await evals.updateStatus({ ...created, status });
    const out: string[] = [];
    const clock: Clock = { now: () => Date.now(), setTimeout: () => ({ cancel() {} }), sleep: async () => {} };
    const io = { out: (s: string) => out.push(s), err: (s: string) => out.push(s), env: { DROVER_ADDR: api.url }, homedir: HOME, readStdin: async () => '', clock, signal: new AbortController().signal, startedAt: 0 };
    assert.equal(await run(['describe', 'eval', 'web-abc-blocked'], io), 0);
    const text = out.join('');
    assert.match(text, /Task Group "cache" \(failed to place 2 allocations\):/);
    assert.match(text, /^ {4}\* Dimension "memory" exhausted on 5 nodes$/m);
    out.length = 0;
    assert.equal(await run(['get', 'evals'], io), 0);
    assert.match(out.join(''), /^web-abc-blocked +web +queued-allocs +blocked +/m);
  } finally {
    await client.close();
    await api.close();
  }
});
