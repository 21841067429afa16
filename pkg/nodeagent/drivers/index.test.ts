import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../clock/clock.ts';
import { silentLogger } from '../../log/logger.ts';
import { createDrivers } from './index.ts';

describe('createDrivers', () => {
  it('builds one driver per name, each fingerprinting without throwing', async () => {
    const drivers = createDrivers({ logger: silentLogger, clock: new ManualClock(), dockerSocket: '/nonexistent/docker.sock' });
    assert.deepEqual([...drivers.keys()], ['mock', 'raw_exec', 'exec', 'docker']);
    for (const [name, d] of drivers) assert.equal(d.name, name);
    const docker = await drivers.get('docker')!.fingerprint();
    assert.deepEqual(docker, { detected: false, healthy: false, description: 'no Docker daemon at /nonexistent/docker.sock (ENOENT)' });
    assert.equal((await drivers.get('mock')!.fingerprint()).healthy, true);
  });

  it('keeps only the enabled drivers', () => {
    const drivers = createDrivers({ logger: silentLogger, clock: new ManualClock(), enabled: ['mock', 'raw_exec'] });
    assert.deepEqual([...drivers.keys()], ['mock', 'raw_exec']);
  });
});
