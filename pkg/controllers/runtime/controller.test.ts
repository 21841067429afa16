import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../clock/clock.ts';
import { silentLogger, jsonLogger } from '../../log/logger.ts';
import { conflict } from '../../apierrors/status.ts';
import { runController, enqueueFromInformer, objectKey, splitKey, type EventSource, type InformerEvent } from './controller.ts';
import { WorkQueue } from './workqueue.ts';
import type { ApiObject } from '../../../api/schemas/kind.ts';
import type { Informer, InformerHandlers } from '../../client/informer.ts';

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A promise with its resolve handle, to hold a reconcile open. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

test('a failing reconcile is retried with growing backoff, and success forgets the failures', async () => {
  const clock = new ManualClock();
  const attempts: number[] = [];
  const c = runController({
    name: 't',
    workers: 1,
    clock,
    logger: silentLogger,
    reconcile: async () => {
      attempts.push(clock.now());
      if (attempts.length <= 3) throw new Error('boom');
    },
  });
  c.queue.add('k');
  await settle();
  for (let i = 0; i < 40; i++) {
    clock.advance(1);
    await settle();
  }
  assert.deepEqual(attempts, [0, 5, 15, 35], 'retries after 5, 10 and 20 ms');
  assert.equal(c.queue.numRequeues('k'), 0, 'success forgets the backoff');
  clock.advance(10_000);
  await settle();
  assert.equal(attempts.length, 4, 'no retry after success');
  await c.stop();
});

test('failures are logged with the key; conflicts only at debug level', async () => {
  const clock = new ManualClock();
  const lines: Array<{ level: string; key?: string; controller?: string }> = [];
  const logger = jsonLogger({ level: 'debug', out: (l) => lines.push(JSON.parse(l)) });
  let n = 0;
  const c = runController({
    name: 'logs',
    workers: 1,
    clock,
    logger,
    reconcile: async () => {
      n++;
      if (n === 1) throw new Error('boom');
      if (n === 2) throw conflict({ kind: 'jobs', name: 'x' }, 'stale');
    },
  });
  c.queue.add('ns/x');
  await settle();
  clock.advance(5);
  await settle();
  const failures = lines.filter((l) => l.key === 'ns/x');
  assert.deepEqual(failures.map((l) => l.level), ['warn', 'debug']);
  assert.ok(failures.every((l) => l.controller === 'logs'));
  await c.stop();
});

test('requeueAfter runs the key again after that delay on the injected clock', async () => {
  const clock = new ManualClock();
  const runs: number[] = [];
  const c = runController({
    name: 't',
    workers: 1,
    clock,
    logger: silentLogger,
    reconcile: async () => {
      runs.push(clock.now());
      return runs.length < 3 ? { requeueAfter: 1000 } : undefined;
    },
  });
  c.queue.add('k');
  await settle();
  clock.advance(999);
  await settle();
  assert.deepEqual(runs, [0]);
  clock.advance(1);
  await settle();
  assert.deepEqual(runs, [0, 1000]);
  clock.advance(1000);
  await settle();
  assert.deepEqual(runs, [0, 1000, 2000]);
  clock.advance(5000);
  await settle();
  assert.deepEqual(runs, [0, 1000, 2000], 'no requeue when the result asks for none');
  await c.stop();
});

test('workers reconcile different keys concurrently but never one key twice at once', async () => {
  const clock = new ManualClock();
  const running = new Set<string>();
  let overlap = false;
  let maxConcurrent = 0;
  const gates = new Map<string, ReturnType<typeof gate>>();
  const calls: string[] = [];
  const c = runController({
    name: 't',
    workers: 3,
    clock,
    logger: silentLogger,
    reconcile: async (key) => {
      if (running.has(key)) overlap = true;
      running.add(key);
      calls.push(key);
      maxConcurrent = Math.max(maxConcurrent, running.size);
      const g = gate();
      gates.set(key, g);
      await g.promise;
      running.delete(key);
    },
  });
  c.queue.add('a');
  c.queue.add('b');
  await settle();
  c.queue.add('a'); // re-added while running
  c.queue.add('a');
  await settle();
  assert.deepEqual(calls, ['a', 'b']);
  gates.get('a')!.open();
  await settle();
  assert.deepEqual(calls, ['a', 'b', 'a'], 'the re-added key runs exactly once more');
  gates.get('a')!.open();
  gates.get('b')!.open();
  await settle();
  assert.equal(calls.length, 3);
  assert.equal(overlap, false);
  assert.equal(maxConcurrent, 2);
  await c.stop();
});

test('a burst of adds collapses into one reconcile (level-based)', async () => {
  const clock = new ManualClock();
  let runs = 0;
  const queue = new WorkQueue({ clock });
  for (let i = 0; i < 10; i++) queue.add('k');
  const c = runController({ name: 't', queue, workers: 2, clock, logger: silentLogger, reconcile: async () => void runs++ });
  await settle();
  assert.equal(runs, 1);
  assert.equal(c.queue, queue);
  await c.stop();
});

test('aborting the signal stops the workers, aborts the running reconcile and shuts the queue down', async () => {
  const clock = new ManualClock();
  const ac = new AbortController();
  let seenSignal: AbortSignal | undefined;
  const c = runController({
    name: 't',
    workers: 2,
    clock,
    logger: silentLogger,
    signal: ac.signal,
    reconcile: (_key, signal) => {
      seenSignal = signal;
      return new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
    },
  });
  c.queue.add('k');
  c.queue.addAfter('later', 10);
  await settle();
  assert.equal(seenSignal?.aborted, false);
  ac.abort();
  await c.done;
  assert.equal(seenSignal?.aborted, true);
  assert.equal(c.queue.isShuttingDown(), true);
  assert.equal(c.queue.delayedLen(), 0);
});

test('runController rejects a non-positive worker count', () => {
  assert.throws(() => runController({ name: 't', workers: 0, clock: new ManualClock(), logger: silentLogger, reconcile: async () => {} }), RangeError);
});

/** An informer stand-in with the real informer's handler registration (update gets old, then new). */
class FakeInformer<T extends ApiObject> implements EventSource<T> {
  private handlers: { [E in InformerEvent]: Array<InformerHandlers<T>[E]> } = { add: [], update: [], delete: [] };
  on<E extends InformerEvent>(event: E, fn: InformerHandlers<T>[E]): () => void {
    (this.handlers[event] as Array<InformerHandlers<T>[E]>).push(fn);
    return () => {};
  }
  add(obj: T): void {
    for (const fn of this.handlers.add) fn(obj);
  }
  update(oldObj: T, newObj: T): void {
    for (const fn of this.handlers.update) fn(oldObj, newObj);
  }
  delete(obj: T): void {
    for (const fn of this.handlers.delete) fn(obj);
  }
}

type Obj = ApiObject<{ nodes?: string[] }>;
const obj = (name: string, namespace?: string, nodes?: string[]): Obj => ({
  apiVersion: 'drover.dev/v1',
  kind: 'Job',
  metadata: namespace ? { name, namespace } : { name },
  ...(nodes ? { spec: { nodes } } : {}),
});

// The real informer must fit the shape the runtime codes against (a compile-time check).
const _informerFits: (i: Informer<Obj>) => EventSource<Obj> = (i) => i;

test('enqueueFromInformer queues namespace/name keys (name for cluster-scoped) for every event type', async () => {
  const informer = new FakeInformer<Obj>();
  const queue = new WorkQueue({ clock: new ManualClock() });
  enqueueFromInformer(informer, queue);
  informer.add(obj('web', 'prod'));
  informer.update(obj('web', 'prod'), obj('web', 'prod'));
  informer.update(obj('node-1'), obj('node-1'));
  informer.delete(obj('api', 'dev'));
  assert.equal(queue.len(), 3);
  const keys = [await queue.get(), await queue.get(), await queue.get()];
  assert.deepEqual(keys, ['prod/web', 'node-1', 'dev/api']);
});

test('enqueueFromInformer with a keyFn can fan out, filter, and sees the new object first and the old one second', () => {
  const informer = new FakeInformer<Obj>();
  const queue = new WorkQueue({ clock: new ManualClock() });
  const seen: Array<[InformerEvent, string[] | undefined, string[] | undefined]> = [];
  enqueueFromInformer(informer, queue, (o, event, old) => {
    seen.push([event, o.spec?.nodes, old?.spec?.nodes]);
    return event === 'delete' ? undefined : o.spec?.nodes;
  });
  informer.add(obj('x', undefined, ['n1', 'n2']));
  informer.update(obj('x', undefined, ['n1', 'n2']), obj('x', undefined, ['n2', 'n3']));
  informer.delete(obj('x', undefined, ['n9']));
  assert.equal(queue.len(), 3, 'n1, n2, n3 deduplicated; delete filtered');
  assert.deepEqual(seen, [
    ['add', ['n1', 'n2'], undefined],
    ['update', ['n2', 'n3'], ['n1', 'n2']],
    ['delete', ['n9'], undefined],
  ]);
});

test('objectKey and splitKey round-trip', () => {
  const cases = [
    { obj: { metadata: { name: 'web', namespace: 'prod' } }, key: 'prod/web', split: { namespace: 'prod', name: 'web' } },
    { obj: { metadata: { name: 'node-1' } }, key: 'node-1', split: { name: 'node-1' } },
  ];
  for (const c of cases) {
    assert.equal(objectKey(c.obj), c.key);
    assert.deepEqual(splitKey(c.key), c.split);
  }
});
