// The status writer against a scripted allocations client: bursts coalesce into one write, conflicts re-read
// and retry, an unreachable server is retried with backoff, other writers' fields are kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Allocation } from '../../../api/schemas/index.ts';
import { apiError } from '../../apierrors/status.ts';
import type { ResourceClient } from '../../client/client.ts';
import { NetworkError } from '../../client/errors.ts';
import { ManualClock } from '../../clock/clock.ts';
import { silentLogger } from '../../log/logger.ts';
import { StatusWriter, mergeOwned } from './status-writer.ts';

function fakeAllocs(script: Array<'ok' | 'conflict' | 'down'>) {
  let stored: Allocation = {
    apiVersion: 'drover.dev/v1', kind: 'Allocation', metadata: { name: 'a', namespace: 'default', uid: 'u1', resourceVersion: '1' },
    spec: { nodeName: 'n', jobName: 'j', jobVersion: 1, groupName: 'g' },
    status: { deploymentStatus: { canary: true }, conditions: [] },
  };
  const writes: Allocation[] = [];
  let gets = 0;
  const client = {
    async get() {
      gets++;
      return structuredClone(stored);
    },
    async updateStatus(obj: Allocation) {
      const step = script.shift() ?? 'ok';
      if (step === 'down') throw new NetworkError('connect ECONNREFUSED', 'ECONNREFUSED');
      if (step === 'conflict' || obj.metadata.resourceVersion !== stored.metadata.resourceVersion) {
        stored = { ...stored, metadata: { ...stored.metadata, resourceVersion: String(Number(stored.metadata.resourceVersion) + 1) } };
        throw apiError('Conflict', 'the object has been modified');
      }
      stored = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(Number(stored.metadata.resourceVersion) + 1) } };
      writes.push(stored);
      return structuredClone(stored);
    },
  } as unknown as ResourceClient<Allocation>;
  return { client, writes, gets: () => gets, stored: () => stored };
}

async function settle(clock: ManualClock, ms: number) {
  for (let i = 0; i < 20; i++) {
    clock.advance(ms);
    await new Promise((r) => setImmediate(r));
  }
}

test('a burst of reports becomes one write, keeping fields the agent does not own', async () => {
  const clock = new ManualClock(0);
  const f = fakeAllocs([]);
  const w = new StatusWriter({ allocs: f.client, cached: () => undefined, clock, logger: silentLogger, coalesceMs: 10 }, 'default', 'a', 'u1');
  w.report({ clientStatus: 'pending' });
  w.report({ clientStatus: 'running', clientDescription: 'Tasks are running' });
  await settle(clock, 10);
  assert.equal(f.writes.length, 1);
  assert.equal(f.stored().status?.clientStatus, 'running');
  assert.deepEqual(f.stored().status?.deploymentStatus, { canary: true });
  const ready = f.stored().status?.conditions?.find((c) => c.type === 'Ready');
  assert.deepEqual([ready?.status, ready?.reason], ['True', 'Running'], 'Ready follows from what is written');
  assert.equal(f.stored().status?.conditions?.find((c) => c.type === 'Reconciling')?.status, 'False');
  w.report({ clientStatus: 'running', clientDescription: 'Tasks are running' });
  await settle(clock, 10);
  assert.equal(f.writes.length, 1, 'an unchanged status is not written again');
});

test('a conflict re-reads and retries; an unreachable server is retried until it answers', async () => {
  const clock = new ManualClock(0);
  const f = fakeAllocs(['conflict', 'down', 'down', 'ok']);
  const w = new StatusWriter({ allocs: f.client, cached: () => undefined, clock, logger: silentLogger, coalesceMs: 1, backoff: { initialMs: 100, maxMs: 100 } }, 'default', 'a', 'u1');
  w.report({ clientStatus: 'complete' });
  const idle = w.idle();
  await settle(clock, 100);
  await idle;
  assert.equal(f.stored().status?.clientStatus, 'complete');
  assert.equal(f.writes.length, 1);
  assert.ok(f.gets() >= 2);
});

test('an allocation re-created under the same name is not written', async () => {
  const clock = new ManualClock(0);
  const f = fakeAllocs([]);
  const w = new StatusWriter({ allocs: f.client, cached: () => undefined, clock, logger: silentLogger, coalesceMs: 1 }, 'default', 'a', 'other-uid');
  w.report({ clientStatus: 'failed' });
  await settle(clock, 1);
  assert.equal(f.writes.length, 0);
});

test('the agent never writes over a lost verdict, and replaces only its own condition types', () => {
  const other = { type: 'Evicted', status: 'False' as const };
  const mine = { type: 'ChecksPassing', status: 'True' as const, reason: 'ChecksPassing', message: 'alive: passing' };
  const lost = { clientStatus: 'lost' as const, clientDescription: 'alloc is lost since its node is down', conditions: [other, { ...mine, status: 'Unknown' as const }] };
  const merged = mergeOwned(lost, { clientStatus: 'running', clientDescription: 'Tasks are running', taskStates: { t: { state: 'running' } }, conditions: [mine] });
  assert.equal(merged.clientStatus, 'lost');
  assert.equal(merged.clientDescription, 'alloc is lost since its node is down');
  assert.deepEqual(merged.taskStates, { t: { state: 'running' } }, 'the tasks are still reported');
  assert.deepEqual(merged.conditions, [other, mine]);
  assert.equal(mergeOwned({ clientStatus: 'pending' }, { clientStatus: 'running' }).clientStatus, 'running');
});
