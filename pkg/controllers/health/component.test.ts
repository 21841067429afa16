// The health and drain components as `drover dev` runs them: leader-elected on Leases in drover-system, one
// leader at a time, handing over on stop, and the leader's controller doing its work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Lease, Node } from '../../../api/schemas/index.ts';
import { silentLogger } from '../../log/logger.ts';
import { startDrainComponent } from '../drain/component.ts';
import { startHealthComponent } from './component.ts';
import { T0, createNode, renewLease, until, withCluster } from './testkit.ts';

const holder = async (c: Parameters<Parameters<typeof withCluster>[0]>[0], name: string) => {
  try {
    return (await c.client.resource<Lease>('leases').get(name, { namespace: 'drover-system' })).spec?.holderIdentity ?? '';
  } catch {
    return '';
  }
};

test('two health components: one leads and marks nodes down; when it stops the other takes over', async () => {
  await withCluster(async (c) => {
    await createNode(c.client, 'n1');
    await renewLease(c.client, 'n1', T0);
    const deps = { client: c.client, clock: c.clock, logger: silentLogger };
    const a = await startHealthComponent(deps, { identity: 'a', ttlMs: 10_000, graceMs: 10_000, overrideTtl: true });
    await until(async () => (await holder(c, 'health-controller')) === 'a');
    const b = await startHealthComponent(deps, { identity: 'b', ttlMs: 10_000, graceMs: 10_000, overrideTtl: true });
    try {
      // b campaigns every retry period (2 s on the manual clock) and keeps finding a's lease renewed.
      const leases = c.client.resource<Lease>('leases');
      for (let i = 0; i < 5; i++) {
        const before = (await leases.get('health-controller', { namespace: 'drover-system' })).spec?.renewTime;
        c.clock.advance(2_000);
        await until(async () => (await leases.get('health-controller', { namespace: 'drover-system' })).spec?.renewTime !== before);
      }
      assert.equal(await holder(c, 'health-controller'), 'a');

      await a.stop();
      await until(async () => (await holder(c, 'health-controller')) === 'b', () => c.clock.advance(100));
      // b's controller judges n1 on its own observations: down once its lease has been still for ttl + grace.
      await until(async () => (await c.client.resource<Node>('nodes').get('n1')).status?.phase === 'down', () => c.clock.advance(1_000));
    } finally {
      await b.stop();
    }
  });
});

test('the drain component campaigns on its own lease', async () => {
  await withCluster(async (c) => {
    const d = await startDrainComponent({ client: c.client, clock: c.clock, logger: silentLogger }, { identity: 'd' });
    try {
      await until(async () => (await holder(c, 'drain-controller')) === 'd');
    } finally {
      await d.stop();
    }
    assert.equal(await holder(c, 'drain-controller'), '', 'released on stop');
  });
});
