// @kubernetes/client-node, unmodified, on coordination.k8s.io/v1 Leases. client-node 1.4 ships no leader-election
// helper, so leader election on it is the CoordinationV1Api create / read / replace-by-resourceVersion cycle
// client-go's LeaseLock runs: here two client-node candidates race for one Lease (exactly one wins, the loser's
// stale replace is a 409), the winner renews, and a Lease held by Drover's own elector
// (pkg/controllers/runtime over pkg/client) reads the same through client-node.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiException, CoordinationV1Api, KubeConfig, type V1Lease } from '@kubernetes/client-node';
import { createClient, type Client } from '../../pkg/client/client.ts';
import { ensureNamespace } from '../../pkg/client/namespaces.ts';
import { realClock } from '../../pkg/clock/clock.ts';
import { silentLogger } from '../../pkg/log/logger.ts';
import { clientLeaseClient, LeaderElector } from '../../pkg/controllers/runtime/index.ts';
import { startApiServer, type TestApiServer } from '../support/server.ts';

function coordination(url: string): CoordinationV1Api {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'drover', server: url, skipTLSVerify: true }],
    users: [{ name: 'anonymous' }],
    contexts: [{ name: 'drover', cluster: 'drover', user: 'anonymous', namespace: 'default' }],
    currentContext: 'drover',
  });
  return kc.makeApiClient(CoordinationV1Api);
}

const code = (err: unknown) => (err instanceof ApiException ? err.code : undefined);

/** One try of client-go's LeaseLock acquire: create when absent, take over when released or expired, else lose. */
async function tryAcquire(api: CoordinationV1Api, name: string, identity: string, namespace = 'default'): Promise<boolean> {
  let current: V1Lease;
  try {
    current = await api.readNamespacedLease({ name, namespace });
  } catch (err) {
    if (code(err) !== 404) throw err;
    try {
      const now = new Date();
      await api.createNamespacedLease({ namespace, body: { metadata: { name }, spec: { holderIdentity: identity, leaseDurationSeconds: 15, acquireTime: now, renewTime: now, leaseTransitions: 0 } } });
      return true;
    } catch (e) {
      if (code(e) === 409) return false; // another candidate created it first
      throw e;
    }
  }
  const spec = current.spec ?? {};
  const expired = !spec.renewTime || Date.parse(String(spec.renewTime)) + (spec.leaseDurationSeconds ?? 15) * 1000 < Date.now();
  if (spec.holderIdentity && spec.holderIdentity !== identity && !expired) return false;
  try {
    const now = new Date();
    await api.replaceNamespacedLease({ name, namespace, body: { ...current, spec: { ...spec, holderIdentity: identity, acquireTime: now, renewTime: now, leaseTransitions: (spec.leaseTransitions ?? 0) + 1 } } });
    return true;
  } catch (e) {
    if (code(e) === 409) return false; // lost the compare-and-swap
    throw e;
  }
}

describe('client-node leader election on coordination.k8s.io/v1 Leases', () => {
  let srv: TestApiServer;
  let client: Client;
  before(async () => {
    srv = await startApiServer();
    client = createClient({ server: srv.url });
  });
  after(async () => {
    await client?.close();
    await srv?.close();
  });

  it('two candidates race for an absent lease: exactly one wins, and a stale replace is a 409', async () => {
    const a = coordination(srv.url);
    const b = coordination(srv.url);
    const won = await Promise.all([tryAcquire(a, 'race', 'a'), tryAcquire(b, 'race', 'b')]);
    assert.equal(won.filter(Boolean).length, 1, `exactly one leader: ${JSON.stringify(won)}`);
    const lease = await a.readNamespacedLease({ name: 'race', namespace: 'default' });
    assert.equal(lease.apiVersion, 'coordination.k8s.io/v1');
    assert.equal(lease.spec?.holderIdentity, won[0] ? 'a' : 'b');
    // client-node 1.4 leaves a V1MicroTime as the string it received (it sends a Date as its ISO string).
    assert.ok(Number.isFinite(Date.parse(String(lease.spec?.renewTime))), `renewTime is an RFC 3339 time: ${String(lease.spec?.renewTime)}`);
    // The holder renews; a replace from the copy read before that renewal is refused.
    const stale = lease;
    const renewed = await a.replaceNamespacedLease({ name: 'race', namespace: 'default', body: { ...lease, spec: { ...lease.spec, renewTime: new Date() } } });
    assert.notEqual(renewed.metadata?.resourceVersion, stale.metadata?.resourceVersion);
    await assert.rejects(b.replaceNamespacedLease({ name: 'race', namespace: 'default', body: { ...stale, spec: { ...stale.spec, holderIdentity: 'b' } } }), (err) => code(err) === 409);
    // The loser cannot take a lease held and fresh; after the holder releases it (empty holder), it can.
    const loser = won[0] ? 'b' : 'a';
    const loserApi = won[0] ? b : a;
    assert.equal(await tryAcquire(loserApi, 'race', loser), false);
    const cur = await a.readNamespacedLease({ name: 'race', namespace: 'default' });
    await a.replaceNamespacedLease({ name: 'race', namespace: 'default', body: { ...cur, spec: { ...cur.spec, holderIdentity: '' } } });
    assert.equal(await tryAcquire(loserApi, 'race', loser), true);
    assert.equal((await a.readNamespacedLease({ name: 'race', namespace: 'default' })).spec?.leaseTransitions, 1);
  });

  it("Drover's own elector holds a coordination.k8s.io Lease that client-node reads", async () => {
    await ensureNamespace(client, 'drover-system');
    const leases = clientLeaseClient(client, 'drover-system');
    let leading!: () => void;
    const led = new Promise<void>((r) => (leading = r));
    const elector = new LeaderElector({ leaseName: 'drover-test', leaseClient: leases, identity: 'drover-1', clock: realClock, logger: silentLogger, onStartedLeading: async (signal) => { leading(); await new Promise((r) => signal.addEventListener('abort', r)); } });
    const stop = new AbortController();
    const run = elector.run(stop.signal);
    try {
      await led;
      const lease = await coordination(srv.url).readNamespacedLease({ name: 'drover-test', namespace: 'drover-system' });
      assert.equal(lease.spec?.holderIdentity, 'drover-1');
      assert.match(String(lease.spec?.acquireTime), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/, 'MicroTime, as client-go writes it');
      assert.equal(await tryAcquire(coordination(srv.url), 'drover-test', 'other', 'drover-system'), false, 'a client-node candidate does not take it');
    } finally {
      stop.abort();
      await run;
    }
  });
});
