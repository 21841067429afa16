// Faults inside the etcd watch stream, scripted exactly: etcd3's client runs against a stream the test drives
// (etcd3's own mock hook, client.mock(), in place of its connection pool), so responses can be delivered in the
// orders an overloaded process or a cut link produce.
//
// First, the bug this guards against, in etcd3 itself: once its WatchManager has seen the stream fail it resets
// its watchers' ids, and a response the stream had already received throws "Failed to find watcher for
// IWatchResponse" out of the stream's 'data' callback — in production a grpc-js callback, so an uncaught
// exception that kills the API server. Then the same orders against our EtcdWatch: nothing throws, late
// responses of a dropped stream are ignored, a response for a foreign watch id re-creates the stream, and every
// event arrives once, in order, from the last delivered revision on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { Etcd3, type IWatchResponse } from 'etcd3';
import { ManualClock } from '../../clock/clock.ts';
import { silentLogger } from '../../log/logger.ts';
import type { WatchEvent } from '../store.ts';
import { KeySpace } from './keys.ts';
import { EtcdWatch } from './watch.ts';

/** A gRPC duplex stream the test writes responses into; it records what the client sent. */
class ScriptedStream extends EventEmitter {
  readonly sent: Array<Record<string, any>> = []; // eslint-disable-line @typescript-eslint/no-explicit-any -- wire shapes
  ended = false;
  cancelled = false;
  get writable(): boolean {
    return !this.ended && !this.cancelled;
  }
  write(req: Record<string, unknown>): void {
    this.sent.push(req);
  }
  end(): void {
    this.ended = true;
  }
  cancel(): void {
    this.cancelled = true;
  }
  /** Deliver one response, as grpc-js does from inside its callbacks. */
  respond(res: Partial<IWatchResponse>): void {
    this.emit('data', { header: { revision: '100' }, events: [], created: false, canceled: false, fragment: false, compact_revision: '0', cancel_reason: '', ...res });
  }
}

/** An etcd3 client whose Watch streams are ScriptedStreams (each new stream is pushed to `streams`). */
function scriptedClient(): { client: Etcd3; streams: ScriptedStream[] } {
  const client = new Etcd3({ hosts: 'http://127.0.0.1:1' });
  const streams: ScriptedStream[] = [];
  const fakeHost = { resetAllServices() {}, faultHandling: { execute: async (fn: () => unknown) => fn() } };
  client.mock({
    withConnection: async (_service: string, fn: (args: { resource: unknown; client: unknown; metadata: unknown }) => unknown) =>
      fn({
        resource: fakeHost,
        client: {
          watch: () => {
            const s = new ScriptedStream();
            streams.push(s);
            return s;
          },
        },
        metadata: {},
      }),
  } as never);
  return { client, streams };
}

const put = (key: string, rev: number) => ({
  type: 'Put',
  kv: { key: Buffer.from(key), value: Buffer.from(`v${rev}`), create_revision: String(rev), mod_revision: String(rev), version: '1', lease: '0' },
  prev_kv: undefined,
});

const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

test('etcd3 itself: a response received before a stream error throws out of the stream callback', async () => {
  const { client, streams } = scriptedClient();
  try {
    const watcher = await client.watch().prefix('/a/').watcher();
    watcher.on('error', () => {});
    await settle();
    const s = streams[0]!;
    s.respond({ created: true, watch_id: '0' });
    await settle();
    // The stream fails; a response it had already received is delivered after that (grpc-js delivers what it read).
    s.emit('error', new Error('14 UNAVAILABLE: connection reset'));
    assert.throws(() => s.respond({ watch_id: '0', events: [put('/a/x', 5)] as never }), /Failed to find watcher for IWatchResponse/);
    await watcher.cancel().catch(() => {});
  } finally {
    client.close();
  }
});

test('EtcdWatch: late responses of a failed stream are ignored, and it resumes from the last delivered revision', async () => {
  const { client, streams } = scriptedClient();
  const clock = new ManualClock(0);
  const got: WatchEvent[] = [];
  const errors: Error[] = [];
  const w = new EtcdWatch({ client, keys: new KeySpace(''), clock, logger: silentLogger }, '/a/', 5, { onEvents: (e) => got.push(...e), onError: (e) => errors.push(e) }, () => {});
  try {
    await settle();
    const s1 = streams[0]!;
    assert.equal(s1.sent[0]!.create_request.start_revision, '5');
    s1.respond({ created: true, watch_id: '0' });
    s1.respond({ watch_id: '0', events: [put('/a/x', 5)] as never });
    s1.emit('error', new Error('14 UNAVAILABLE: connection reset'));
    // What etcd3 throws on, we ignore: the stream is no longer ours.
    assert.doesNotThrow(() => s1.respond({ watch_id: '0', events: [put('/a/y', 6)] as never }));
    assert.doesNotThrow(() => s1.respond({ created: true, watch_id: '1' }));
    clock.advance(60_000);
    await settle();
    const s2 = streams[1]!;
    assert.ok(s1.ended && s1.cancelled, 'the failed stream is closed');
    assert.equal(s2.sent[0]!.create_request.start_revision, '6', 'resumes after the last delivered revision');
    s2.respond({ created: true, watch_id: '0' });
    s2.respond({ watch_id: '0', events: [put('/a/y', 6), put('/a/z', 7)] as never });
    assert.deepEqual(got.map((e) => [e.kv.key, e.kv.modRevision]), [['/a/x', 5], ['/a/y', 6], ['/a/z', 7]]);
    assert.deepEqual(errors, []);
  } finally {
    w.cancel();
    client.close();
  }
});

test('EtcdWatch: a response for a watch id that is not ours re-creates the stream instead of throwing', async () => {
  const { client, streams } = scriptedClient();
  const clock = new ManualClock(0);
  const got: WatchEvent[] = [];
  const w = new EtcdWatch({ client, keys: new KeySpace(''), clock, logger: silentLogger }, '/a/', 3, { onEvents: (e) => got.push(...e), onError: () => {} }, () => {});
  try {
    await settle();
    const s1 = streams[0]!;
    s1.respond({ created: true, watch_id: '7' });
    s1.respond({ watch_id: '7', events: [put('/a/x', 3)] as never });
    assert.doesNotThrow(() => s1.respond({ watch_id: '8', events: [put('/b/q', 4)] as never }));
    // A second create on our stream is as untrustworthy.
    clock.advance(60_000);
    await settle();
    const s2 = streams[1]!;
    assert.ok(s1.cancelled);
    assert.equal(s2.sent[0]!.create_request.start_revision, '4');
    s2.respond({ created: true, watch_id: '0' });
    assert.doesNotThrow(() => s2.respond({ created: true, watch_id: '1' }));
    clock.advance(60_000);
    await settle();
    const s3 = streams[2]!;
    assert.equal(s3.sent[0]!.create_request.start_revision, '4');
    s3.respond({ created: true, watch_id: '0' });
    s3.respond({ watch_id: '0', events: [put('/a/y', 9)] as never });
    assert.deepEqual(got.map((e) => [e.kv.key, e.kv.modRevision]), [['/a/x', 3], ['/a/y', 9]]);
  } finally {
    w.cancel();
    client.close();
  }
});

test('EtcdWatch: a cancel with a compact revision is the terminal Compacted error', async () => {
  const { client, streams } = scriptedClient();
  const errors: Error[] = [];
  const w = new EtcdWatch({ client, keys: new KeySpace(''), clock: new ManualClock(0), logger: silentLogger }, '/a/', 2, { onEvents: () => {}, onError: (e) => errors.push(e) }, () => {});
  await settle();
  streams[0]!.respond({ created: true, watch_id: '0' });
  streams[0]!.respond({ watch_id: '0', canceled: true, compact_revision: '10' });
  assert.equal(errors.length, 1);
  assert.match(String((errors[0] as { code?: string }).code), /Compacted/);
  assert.equal(streams.length, 1, 'no reconnect after a terminal error');
  w.cancel();
  client.close();
});
