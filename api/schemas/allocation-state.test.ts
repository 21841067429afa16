import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isClientTerminal, isLive, isTerminal, type ClientStatus, type DesiredStatus } from './allocation-state.ts';

// Every desired × client combination (undefined = the field is absent), with the answer written out by hand:
// only a run (or absent) desired status with a pending, running (or absent) client status holds resources.
const LIVE = true;
const TERMINAL = false;
const table: Array<[DesiredStatus | undefined, ClientStatus | undefined, boolean]> = [
  [undefined, undefined, LIVE],
  [undefined, 'pending', LIVE],
  [undefined, 'running', LIVE],
  [undefined, 'complete', TERMINAL],
  [undefined, 'failed', TERMINAL],
  [undefined, 'lost', TERMINAL],
  ['run', undefined, LIVE],
  ['run', 'pending', LIVE],
  ['run', 'running', LIVE],
  ['run', 'complete', TERMINAL],
  ['run', 'failed', TERMINAL],
  ['run', 'lost', TERMINAL],
  ['stop', undefined, TERMINAL],
  ['stop', 'pending', TERMINAL],
  ['stop', 'running', TERMINAL],
  ['stop', 'complete', TERMINAL],
  ['stop', 'failed', TERMINAL],
  ['stop', 'lost', TERMINAL],
  ['evict', undefined, TERMINAL],
  ['evict', 'pending', TERMINAL],
  ['evict', 'running', TERMINAL],
  ['evict', 'complete', TERMINAL],
  ['evict', 'failed', TERMINAL],
  ['evict', 'lost', TERMINAL],
];

test('an allocation is live exactly while desired to run and not finished', () => {
  assert.equal(table.length, 4 * 6, 'every combination is listed');
  for (const [desiredStatus, clientStatus, live] of table) {
    const name = `${desiredStatus ?? '(absent)'}/${clientStatus ?? '(absent)'}`;
    assert.equal(isTerminal({ desiredStatus, clientStatus }), !live, `isTerminal ${name}`);
    const spec = desiredStatus === undefined ? {} : { desiredStatus };
    const status = clientStatus === undefined ? undefined : { clientStatus };
    assert.equal(isLive({ spec, status }), live, `isLive ${name}`);
    assert.equal(isLive({ spec, status: {} }), isLive({ spec }), `an empty status is an absent one (${name})`);
  }
});

test('client-terminal statuses are complete, failed and lost', () => {
  const cases: Array<[ClientStatus | undefined, boolean]> = [[undefined, false], ['pending', false], ['running', false], ['complete', true], ['failed', true], ['lost', true]];
  for (const [cs, terminal] of cases) assert.equal(isClientTerminal(cs), terminal, String(cs));
});
