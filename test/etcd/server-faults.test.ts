// The API server when its link to etcd misbehaves, through a fault-injecting TCP proxy between the two: every
// connection cut again and again while objects are written, compactions that make the server's watch resume
// below the compact revision (its watch caches relist), and a blackholed link that only the gRPC keepalive can
// notice. Throughout, the process must not crash (an uncaught exception fails this file), the server answers,
// /readyz says when the store does not, and when the link is back the server's caches — and a client's informer
// watching through the server — end up with exactly what etcd holds.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Lease } from '../../api/schemas/index.ts';
import { createApiServer, type ApiServer } from '../../pkg/apiserver/server.ts';
import { createClient, createInformer, type Client, type Informer } from '../../pkg/client/index.ts';
import { realClock } from '../../pkg/clock/clock.ts';
import { silentLogger, type Logger } from '../../pkg/log/logger.ts';
import { openEtcdStore } from '../../pkg/storage/etcd/store.ts';
import type { Store } from '../../pkg/storage/store.ts';
import { until } from '../e2e/cluster.ts';
import { etcdTestOptions, startEtcd, type EtcdCluster } from '../support/etcd.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcpproxy.ts';

const LEASES = 20;

/** A logger that keeps the messages (to see that a relist really happened), printing nothing. */
function recordingLogger(lines: string[]): Logger {
  const self: Logger = { debug: (m) => lines.push(m), info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m), child: () => self };
  return self;
}

describe('API server over a faulty link to etcd', etcdTestOptions(), () => {
  let etcd: EtcdCluster;
  let proxy: TcpProxy;
  let store: Store;
  let direct: Store;
  let api: ApiServer;
  let url: string;
  let client: Client;
  let informer: Informer<Lease>;
  const serverLog: string[] = [];
  before(async () => {
    etcd = await startEtcd();
    proxy = await startTcpProxy(etcd.endpoints[0]!);
    store = await openEtcdStore({ endpoints: [proxy.address], requestTimeoutMs: 3000 });
    direct = await openEtcdStore({ endpoints: etcd.endpoints });
    api = await createApiServer({ store, logger: recordingLogger(serverLog), compactionIntervalMs: 0 });
    url = await api.listen({ port: 0 });
    client = createClient({ server: url });
    informer = createInformer<Lease>({ client, kind: 'leases', namespace: 'default', logger: silentLogger, clock: realClock, backoff: { initialMs: 50, maxMs: 500 } });
    await informer.start();
  });
  after(async () => {
    informer?.stop();
    await client?.close();
    await api?.close();
    await store?.close();
    await direct?.close();
    await proxy?.close();
    await etcd?.stop();
  });

  const leases = () => client.resource<Lease>('leases');
  /** Write lease i's holder through the API server, retrying what the faults refuse (a write that landed and is retried is a conflict: re-read). */
  const writeLease = async (i: number, holder: string) => {
    for (let attempt = 0; ; attempt++) {
      try {
        const name = `lease-${i}`;
        const current = await leases().get(name, { namespace: 'default' }).catch((err) => (err.code === 404 ? undefined : Promise.reject(err)));
        if (current?.spec?.holderIdentity === holder) return;
        if (current) await leases().update({ ...current, spec: { ...current.spec, holderIdentity: holder } });
        else await leases().create({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'default' }, spec: { holderIdentity: holder } } as Lease);
        return;
      } catch (err) {
        if (attempt > 500) throw err;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  };
  /** What etcd holds: lease name → holder, read past the proxy. */
  const inEtcd = async () => {
    const { kvs } = await direct.list('/registry/coordination.k8s.io/leases/default/');
    return new Map(kvs.map((kv) => { const l = JSON.parse(kv.value) as Lease; return [l.metadata.name, l.spec?.holderIdentity]; }));
  };
  const holders = (items: Lease[]) => new Map(items.filter((l) => l.metadata.name.startsWith('lease-')).map((l) => [l.metadata.name, l.spec?.holderIdentity]));
  const sameAsEtcd = async (view: () => Promise<Map<string, string | undefined>>, what: string) =>
    until(`${what} matches etcd`, async () => {
      const [want, got] = await Promise.all([inEtcd(), view().catch(() => new Map())]);
      return want.size === LEASES && JSON.stringify([...want].sort()) === JSON.stringify([...got].sort());
    }, async () => `etcd ${JSON.stringify([...(await inEtcd())])}\n${what} ${JSON.stringify([...(await view().catch(() => new Map()))])}`);

  test('cuts and compaction-driven relists while writing: the server keeps serving and its watches catch up', async () => {
    await Promise.all(Array.from({ length: LEASES }, (_, i) => writeLease(i, 'round-0')));
    for (let round = 1; round <= 4; round++) {
      const writes = Promise.all(Array.from({ length: LEASES }, (_, i) => writeLease(i, `round-${round}`)));
      proxy.cutAll();
      // Compact to now, behind the server's back: a watch that resumes after the cut starts below it, gets
      // Compacted, and the watch cache relists (the path the overloaded server crashed on).
      const { revision } = await direct.status();
      await direct.compact(revision).catch(() => {});
      proxy.cutAll();
      await writes;
      proxy.cutAll();
    }
    assert.ok(proxy.cuts > 0, 'the proxy cut connections');
    assert.ok(serverLog.includes('watch cache fell behind a compaction, relisting'), 'a watch cache relisted after a compaction');
    await sameAsEtcd(async () => holders((await leases().list({ namespace: 'default' })).items), 'the server\'s list');
    await sameAsEtcd(async () => holders(informer.list()), 'an informer watching through the server');
    assert.equal((await fetch(`${url}/readyz`)).status, 200);
  });

  test('a blackholed link: /readyz says the store does not answer, and everything recovers once the link is back', async () => {
    proxy.setBlackhole(true);
    try {
      const writes = Promise.all(Array.from({ length: LEASES }, (_, i) => writeLease(i, 'after-blackhole')));
      // The server stays up and says what is wrong (readyz answers from the cache check and a bounded store probe).
      await until('/readyz reports the store', async () => {
        const res = await fetch(`${url}/readyz`);
        const text = await res.text();
        return res.status === 503 && /storage failed: (no answer from the store|unreachable)/.test(text);
      });
      assert.equal((await fetch(`${url}/livez`)).status, 200);
      proxy.setBlackhole(false);
      await writes;
    } finally {
      proxy.setBlackhole(false);
    }
    await until('/readyz ok again', async () => (await fetch(`${url}/readyz`)).status === 200);
    await sameAsEtcd(async () => holders((await leases().list({ namespace: 'default' })).items), 'the server\'s list');
    await sameAsEtcd(async () => holders(informer.list()), 'an informer watching through the server');
    // And writes made now flow through the recovered watch.
    await Promise.all(Array.from({ length: LEASES }, (_, i) => writeLease(i, 'final')));
    await sameAsEtcd(async () => holders(informer.list()), 'the informer after new writes');
    assert.ok([...holders(informer.list()).values()].every((h) => h === 'final'));
  });
});
