import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isClientTerminal, isLive, isRunningHealthy, isTerminal, type ClientStatus, type DesiredStatus } from './allocation-state.ts';

// Every desired × client combination ('-' = the field is absent), with the answer written out by hand: exactly
// these six hold their node's resources; the other eighteen are terminal.
const DESIRED: Array<DesiredStatus | undefined> = [undefined, 'run', 'stop', 'evict'];
const CLIENT: Array<ClientStatus | undefined> = [undefined, 'pending', 'running', 'complete', 'failed', 'lost'];
const LIVE = new Set(['-/-', '-/pending', '-/running', 'run/-', 'run/pending', 'run/running']);

test('an allocation is live exactly while desired to run and not finished', () => {
  for (const desiredStatus of DESIRED) {
    for (const clientStatus of CLIENT) {
      const name = `${desiredStatus ?? '-'}/${clientStatus ?? '-'}`;
      const live = LIVE.has(name);
      assert.equal(isTerminal({ desiredStatus, clientStatus }), !live, `isTerminal ${name}`);
      const spec = desiredStatus === undefined ? {} : { desiredStatus };
      assert.equal(isLive({ spec, status: clientStatus === undefined ? undefined : { clientStatus } }), live, `isLive ${name}`);
      assert.equal(isLive({ spec, status: {} }), isLive({ spec }), `an empty status is an absent one (${name})`);
    }
  }
});

test('client-terminal statuses are complete, failed and lost', () => {
  const cases: Array<[ClientStatus | undefined, boolean]> = [[undefined, false], ['pending', false], ['running', false], ['complete', true], ['failed', true], ['lost', true]];
  for (const [cs, terminal] of cases) assert.equal(isClientTerminal(cs), terminal, String(cs));
});

test('running healthy: live, reported running, and not reported unhealthy (no verdict yet counts as healthy)', () => {
  const cases: Array<[DesiredStatus | undefined, ClientStatus | undefined, boolean | undefined, boolean]> = [
    ['run', 'running', undefined, true], ['run', 'running', true, true], ['run', 'running', false, false], [undefined, 'running', undefined, true],
    ['run', 'pending', true, false], ['run', undefined, undefined, false], ['stop', 'running', true, false], ['evict', 'running', undefined, false],
    ['run', 'complete', true, false], ['run', 'failed', undefined, false], ['run', 'lost', undefined, false],
  ];
  for (const [desiredStatus, clientStatus, healthy, want] of cases) {
    const a = { spec: desiredStatus ? { desiredStatus } : {}, status: { clientStatus, ...(healthy === undefined ? {} : { deploymentStatus: { healthy } }) } };
    assert.equal(isRunningHealthy(a), want, `${desiredStatus}/${clientStatus}/${healthy}`);
  }
});
