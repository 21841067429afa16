// `drover dev` killed with SIGKILL in the middle of a stream of concurrent creates, restarted on the same data
// directory, keeps every object it acknowledged with a 201 — three kills in a row, then a graceful stop.
// The kill point is a count of acknowledgements, never a time.
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Pool } from 'undici';
import { kill9, startDev, stopDev, type DevProcess } from './dev-process.ts';
import { E2E_ADMIN_TOKEN } from './processes.ts';

const ADMIN = { authorization: `Bearer ${E2E_ADMIN_TOKEN}` };
import { TEST_HANG_GUARD_MS } from '../support/hang-guard.ts';

const NS = 'kill9';
const WRITERS = 24;
const KILLS = 3;

/** What a 201 told us: the object's uid and resourceVersion. */
interface Ack {
  path: string;
  uid: string;
  resourceVersion: string;
}

/** A small Job (stopped, so no scheduler places it) or a Lease: two kinds, two sizes of log record. */
function objectFor(writer: number, name: string): { collection: string; body: unknown } {
  if (writer % 2 === 0) {
    return { collection: 'leases', body: { metadata: { name }, spec: { holderIdentity: `writer-${writer}`, leaseDurationSeconds: 15 } } };
  }
  const task = { name: 'main', driver: 'mock', config: { runFor: '1s' }, resources: { cpu: 100, memoryMB: 64 } };
  return { collection: 'jobs', body: { metadata: { name, labels: { writer: String(writer) } }, spec: { stop: true, groups: [{ name: 'g', tasks: [task] }] } } };
}

/** The group-version path of a collection: Leases are coordination.k8s.io, jobs drover.dev. */
const groupPath = (collection: string) => (collection === 'leases' ? '/apis/coordination.k8s.io/v1' : '/apis/drover.dev/v1');

async function create(pool: Pool, collection: string, body: unknown): Promise<{ status: number; json: any }> {
  const res = await pool.request({
    method: 'POST',
    path: `${groupPath(collection)}/namespaces/${NS}/${collection}`,
    headers: { 'content-type': 'application/json', ...ADMIN },
    body: JSON.stringify(body),
  });
  const text = await res.body.text();
  return { status: res.statusCode, json: text ? JSON.parse(text) : undefined };
}

/**
 * Run WRITERS concurrent create loops against `dev`; once `killAfter` creates were acknowledged, SIGKILL it.
 * Every 201 is recorded in `acked`. Returns how many creates were in flight at the moment of the kill.
 */
async function writeUntilKilled(dev: DevProcess, round: number, killAfter: number, acked: Map<string, Ack>): Promise<number> {
  const pool = new Pool(dev.url, { connections: WRITERS, pipelining: 1 });
  let ackedThisRound = 0;
  let inflight = 0;
  let inflightAtKill = -1;
  let killing: Promise<void> | undefined;
  const writer = async (w: number): Promise<void> => {
    for (let i = 0; !killing; i++) {
      const name = `r${round}-w${w}-${i}`;
      const { collection, body } = objectFor(w, name);
      inflight++;
      let res: { status: number; json: any };
      try {
        res = await create(pool, collection, body);
      } catch (err) {
        if (killing) return; // the connection died with the server: this create was never acknowledged
        throw err;
      } finally {
        inflight--;
      }
      // A response that arrived is a real answer, even one racing the kill: only 201s count, and all must be 201.
      assert.equal(res.status, 201, `create ${collection}/${name}: ${JSON.stringify(res.json)}`);
      acked.set(`${collection}/${name}`, { path: `${collection}/${name}`, uid: res.json.metadata.uid, resourceVersion: res.json.metadata.resourceVersion });
      if (++ackedThisRound === killAfter && !killing) {
        inflightAtKill = inflight;
        killing = kill9(dev);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
    await killing;
  } finally {
    await pool.destroy();
  }
  return inflightAtKill;
}

/** Every acknowledged object is there with the same uid; leases (which nothing else writes) at the same resourceVersion. */
async function assertAllPresent(dev: DevProcess, acked: Map<string, Ack>): Promise<void> {
  const seen = new Map<string, { uid: string; resourceVersion: string }>();
  let listRv = 0;
  for (const collection of ['leases', 'jobs']) {
    const res = await fetch(`${dev.url}${groupPath(collection)}/namespaces/${NS}/${collection}`, { headers: dev.auth });
    assert.equal(res.status, 200);
    const list = (await res.json()) as { metadata: { resourceVersion: string }; items: Array<{ metadata: { name: string; uid: string; resourceVersion: string } }> };
    listRv = Math.max(listRv, Number(list.metadata.resourceVersion));
    for (const o of list.items) seen.set(`${collection}/${o.metadata.name}`, o.metadata);
  }
  const missing = [...acked.values()].filter((a) => !seen.has(a.path));
  assert.deepEqual(missing.map((a) => a.path), [], `acknowledged objects lost after kill -9 (${missing.length} of ${acked.size})\n${dev.log()}`);
  for (const a of acked.values()) {
    assert.equal(seen.get(a.path)!.uid, a.uid, `${a.path} is the object that was acknowledged`);
    if (a.path.startsWith('leases/')) assert.equal(seen.get(a.path)!.resourceVersion, a.resourceVersion, `${a.path} kept its resourceVersion`);
  }
  const maxAcked = Math.max(...[...acked.values()].map((a) => Number(a.resourceVersion)));
  assert.ok(listRv >= maxAcked, `the store's revision ${listRv} is not behind the newest acknowledged write ${maxAcked}`);
}

async function assertHealthy(dev: DevProcess): Promise<void> {
  for (const path of ['/healthz', '/readyz']) assert.equal((await fetch(`${dev.url}${path}`)).status, 200, path);
}

test('drover dev killed with SIGKILL mid-write keeps every acknowledged object', { timeout: TEST_HANG_GUARD_MS }, async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'drover-kill9-'));
  const acked = new Map<string, Ack>();
  let dev: DevProcess | undefined;
  try {
    dev = await startDev(dataDir);
    const ns = await fetch(`${dev.url}/api/v1/namespaces`, { method: 'POST', headers: { 'content-type': 'application/json', ...dev.auth }, body: JSON.stringify({ metadata: { name: NS } }) });
    const nsText = await ns.text();
    assert.equal(ns.status, 201, nsText);
    const nsAck = JSON.parse(nsText) as { metadata: { uid: string } };

    for (let round = 0; round < KILLS; round++) {
      const inflight = await writeUntilKilled(dev, round, 300 + 150 * round, acked);
      t.diagnostic(`round ${round}: killed with ${inflight} creates in flight, ${acked.size} acknowledged so far`);
      assert.ok(inflight > 0, 'the kill landed in the middle of the writes');
      assert.equal((await dev.exited).signal, 'SIGKILL');

      dev = await startDev(dataDir);
      await assertHealthy(dev);
      await assertAllPresent(dev, acked);
      const nsNow = (await (await fetch(`${dev.url}/api/v1/namespaces/${NS}`, { headers: dev.auth })).json()) as { metadata: { uid: string } };
      assert.equal(nsNow.metadata.uid, nsAck.metadata.uid, 'the namespace survived too');
    }

    // Still writable after the last restart, then a graceful stop releases the data directory.
    const pool = new Pool(dev.url);
    try {
      assert.equal((await create(pool, 'leases', { metadata: { name: 'after-kills' } })).status, 201);
    } finally {
      await pool.destroy();
    }
    assert.equal(await stopDev(dev), 0, `graceful stop:\n${dev.log()}`);
    await assert.rejects(stat(join(dataDir, 'LOCK')), 'the data directory lock is released on a graceful stop');
  } finally {
    if (dev) await kill9(dev);
    await rm(dataDir, { recursive: true, force: true });
  }
});
