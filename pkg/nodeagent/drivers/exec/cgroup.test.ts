import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CgroupManager, oomKills, procsFiles, sharesToWeight } from './cgroup.ts';

const root = mkdtempSync(join(tmpdir(), 'drover-cgroupfs-'));
after(() => rmSync(root, { recursive: true, force: true }));

describe('cgroups', () => {
  it('maps cpu shares to v2 weights like runc (1..10000)', () => {
    assert.equal(sharesToWeight(2), 1);
    assert.equal(sharesToWeight(1024), 39);
    assert.equal(sharesToWeight(262_144), 10_000);
    assert.equal(sharesToWeight(0), 1);
    assert.equal(sharesToWeight(10 ** 9), 10_000);
  });

  it('uses v2 when the unified hierarchy has the memory controller: controllers enabled, limits written', () => {
    // A stand-in for a v2 cgroupfs (files the kernel would create are made by hand).
    const fs = join(root, 'v2');
    mkdirSync(join(fs, 'drover'), { recursive: true });
    writeFileSync(join(fs, 'cgroup.controllers'), 'cpuset cpu io memory pids\n');
    writeFileSync(join(fs, 'cgroup.subtree_control'), '');
    writeFileSync(join(fs, 'drover', 'cgroup.subtree_control'), 'memory');
    const m = new CgroupManager({ root: fs });
    const support = m.detect();
    assert.deepEqual(support, { version: 2, usable: true, description: `cgroup v2 limits under ${join(fs, 'drover')}` });
    assert.equal(readFileSync(join(fs, 'cgroup.subtree_control'), 'utf8'), '+memory +cpu');
    assert.equal(readFileSync(join(fs, 'drover', 'cgroup.subtree_control'), 'utf8'), '+cpu');
    mkdirSync(join(fs, 'drover', 'task1'));
    for (const f of ['memory.max', 'memory.swap.max', 'memory.low', 'memory.oom.group', 'cpu.weight']) writeFileSync(join(fs, 'drover', 'task1', f), '');
    const paths = m.create('task1', { memoryBytes: 128 << 20, memoryLowBytes: 64 << 20, cpuShares: 1024 });
    assert.deepEqual(paths, { version: 2, dirs: [join(fs, 'drover', 'task1')] });
    const read = (f: string) => readFileSync(join(fs, 'drover', 'task1', f), 'utf8');
    assert.deepEqual(['memory.max', 'memory.swap.max', 'memory.low', 'memory.oom.group', 'cpu.weight'].map(read), [String(128 << 20), '0', String(64 << 20), '1', '39']);
    assert.deepEqual(procsFiles(paths), [join(fs, 'drover', 'task1', 'cgroup.procs')]);
    writeFileSync(join(fs, 'drover', 'task1', 'memory.events'), 'low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n');
    assert.equal(oomKills(paths), 1);
  });

  it('uses the v1 memory and cpu hierarchies otherwise', () => {
    const fs = join(root, 'v1');
    mkdirSync(join(fs, 'memory'), { recursive: true });
    mkdirSync(join(fs, 'cpu'), { recursive: true });
    writeFileSync(join(fs, 'memory', 'memory.limit_in_bytes'), '');
    writeFileSync(join(fs, 'cpu', 'cpu.shares'), '');
    const m = new CgroupManager({ root: fs, parent: 'p' });
    assert.equal(m.detect().version, 1);
    mkdirSync(join(fs, 'memory', 'p', 't'), { recursive: true });
    writeFileSync(join(fs, 'memory', 'p', 't', 'memory.memsw.limit_in_bytes'), '');
    const paths = m.create('t', { memoryBytes: 32 << 20, cpuShares: 1 });
    assert.deepEqual(paths.dirs, [join(fs, 'memory', 'p', 't'), join(fs, 'cpu', 'p', 't')]);
    assert.equal(readFileSync(join(fs, 'memory', 'p', 't', 'memory.limit_in_bytes'), 'utf8'), String(32 << 20));
    assert.equal(readFileSync(join(fs, 'memory', 'p', 't', 'memory.memsw.limit_in_bytes'), 'utf8'), String(32 << 20));
    assert.equal(readFileSync(join(fs, 'cpu', 'p', 't', 'cpu.shares'), 'utf8'), '2');
    writeFileSync(join(fs, 'memory', 'p', 't', 'memory.oom_control'), 'oom_kill_disable 0\nunder_oom 0\noom_kill 2\n');
    assert.equal(oomKills(paths), 2);
  });
});
