import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseProcStat, processAlive, readProcStat } from './procfs.ts';

describe('procfs', () => {
  it('parses /proc/<pid>/stat even when the command name holds spaces and parentheses', () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3)); // fields 3.. as their own numbers
    fields[0] = 'S';
    const line = `4242 (evil ) name (x)) ${fields.join(' ')}`;
    assert.deepEqual(parseProcStat(line), { pid: 4242, state: 'S', ppid: 4, pgrp: 5, startTime: 22 });
    assert.equal(parseProcStat('garbage'), undefined);
  });

  it('identifies a live process by pid and start time', () => {
    const me = readProcStat(process.pid)!;
    assert.equal(me.pid, process.pid);
    assert.equal(processAlive(process.pid, me.startTime), true);
    assert.equal(processAlive(process.pid, me.startTime + 1), false, 'same pid, another start time: a reused pid');
    assert.equal(readProcStat(2 ** 30), undefined);
  });
});
