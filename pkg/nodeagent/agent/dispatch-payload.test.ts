// A dispatched job's payload reaches its task: the agent writes spec.payload to local/<dispatchPayload.file>
// before a real process (raw_exec) starts, and the process reads it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { realClock } from '../../clock/clock.ts';
import { silentLogger } from '../../log/logger.ts';
import type { Driver } from '../drivers/driver.ts';
import { RawExecDriver } from '../drivers/rawexec/driver.ts';
import { withAgentHarness } from './testing.ts';

test('raw_exec: the task reads the dispatch payload from its local/ directory, with the dispatch meta in its env', async () => {
  await withAgentHarness(async (h) => {
    await h.startAgent({ drivers: { raw_exec: new RawExecDriver({ clock: realClock, logger: silentLogger, pollMs: 20 }) as Driver } });
    const job = await h.createJob('resize-dispatch-1893456000-bcdfg', {
      restart: { attempts: 0, mode: 'fail' },
      tasks: [{ name: 'convert', driver: 'raw_exec', dispatchPayload: { file: 'in/params.json' }, config: { command: '/bin/sh', args: ['-c', 'echo "$DROVER_META_size $(cat "$DROVER_TASK_DIR/in/params.json")"'] } }],
    }, { payload: Buffer.from('{"w":640}').toString('base64'), meta: { size: '640' } });
    await h.place(job);
    await h.untilAlloc('resize-dispatch-1893456000-bcdfg-a0', (a) => a.status?.clientStatus === 'complete', 'complete');
    const log = await (await fetch(`${h.api.url}/apis/drover.dev/v1/namespaces/default/allocations/resize-dispatch-1893456000-bcdfg-a0/log`)).text();
    assert.equal(log, '640 {"w":640}\n');
  });
});
