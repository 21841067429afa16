// The periodic component as drover dev/server runs it: it campaigns on its own Lease, and only its leader launches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Job, Lease } from '../../../api/schemas/index.ts';
import { ManualClock } from '../../clock/clock.ts';
import { silentLogger } from '../../log/logger.ts';
import { until, withCluster } from '../health/testkit.ts';
import { PERIODIC_LEASE, startPeriodicComponent } from './component.ts';

test('the periodic component leads on its lease, launches at the cron time, and releases the lease on stop', async () => {
  await withCluster(async (c) => {
    const parent = await c.client.resource<Job>('jobs').create({
      apiVersion: 'drover.dev/v1', kind: 'Job', metadata: { name: 'tick', namespace: 'default' },
      spec: { type: 'batch', periodic: { cron: '@hourly' }, groups: [{ name: 'g', tasks: [{ name: 't', driver: 'mock' }] }] },
    });
    // Start shortly before the first full hour after creation, so a few small steps reach it.
    const created = Date.parse(parent.metadata.creationTimestamp!);
    // Two seconds before it: few small steps, so the lease's renewals keep up with the manual clock.
    const clock = new ManualClock(Math.max(created, Math.ceil((created + 1) / 3_600_000) * 3_600_000 - 2_000));
    const holder = async () => {
      try {
        return (await c.client.resource<Lease>('leases').get(PERIODIC_LEASE, { namespace: 'drover-system' })).spec?.holderIdentity ?? '';
      } catch {
        return '';
      }
    };
    const p = await startPeriodicComponent({ client: c.client, clock, logger: silentLogger }, { identity: 'p1' });
    try {
      await until(async () => (await holder()) === 'p1');
      const idleUntilLaunch = async () => {
        // Step the clock a second at a time, and only once the lease has been renewed at the current time.
        const leases = c.client.resource<Lease>('leases');
        for (;;) {
          if ((await children()).length === 1) return;
          const renewed = Date.parse((await leases.get(PERIODIC_LEASE, { namespace: 'drover-system' })).spec?.renewTime ?? '');
          if (renewed >= clock.now() - 2_000) clock.advance(1_000);
          await new Promise((r) => setTimeout(r, 5));
        }
      };
      const children = async () => (await c.client.resource<Job>('jobs').list({ namespace: 'default' })).items.filter((j) => j.metadata.name.startsWith('tick-periodic-'));
      await idleUntilLaunch();
      const [child] = await children();
      assert.equal(Number(child!.metadata.name.slice('tick-periodic-'.length)) % 3600, 0, 'launched at a full hour');
    } finally {
      await p.stop();
    }
    assert.equal(await holder(), '', 'released on stop');
  });
});
