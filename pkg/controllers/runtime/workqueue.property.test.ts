// Property: over random interleavings of adds (immediate, delayed, rate-limited), gets, dones and clock moves by
// several simulated workers, no key is ever held by two workers, no key is handed out without an add since its
// last hand-out, and every add is followed by a hand-out of that key once the queue is drained.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ManualClock } from '../../clock/clock.ts';
import { WorkQueue } from './workqueue.ts';

const KEYS = ['a', 'b', 'c', 'd'] as const;
const WORKERS = 3;

type Command =
  | { op: 'add'; key: string }
  | { op: 'addAfter'; key: string; ms: number }
  | { op: 'addRateLimited'; key: string }
  | { op: 'get'; worker: number }
  | { op: 'done'; worker: number }
  | { op: 'advance'; ms: number };

const key = fc.constantFrom(...KEYS);
const worker = fc.integer({ min: 0, max: WORKERS - 1 });
const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ op: fc.constant('add' as const), key }),
  fc.record({ op: fc.constant('addAfter' as const), key, ms: fc.integer({ min: 0, max: 50 }) }),
  fc.record({ op: fc.constant('addRateLimited' as const), key }),
  fc.record({ op: fc.constant('get' as const), worker }),
  fc.record({ op: fc.constant('get' as const), worker }),
  fc.record({ op: fc.constant('done' as const), worker }),
  fc.record({ op: fc.constant('done' as const), worker }),
  fc.record({ op: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 40 }) }),
);

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A queue that reports, in one global sequence, every add that reaches it (including delayed ones firing) and
 * every hand-out at the moment it happens (through the queueLatency hook, called inside the hand-out), since
 * the worker's promise callback only runs later, after adds made in the same turn.
 */
class RecordingQueue extends WorkQueue<string> {
  constructor(clock: ManualClock, private readonly onAdd: (key: string) => void, onTake: () => void) {
    super({ clock, metrics: { queueLatency: onTake } });
  }
  override add(k: string): void {
    if (!this.isShuttingDown()) this.onAdd(k);
    super.add(k);
  }
}

/** The simulation: worker states, the sequence of adds and hand-outs, and the invariant checks. */
class Simulation {
  readonly clock = new ManualClock();
  private seq = 0;
  readonly lastAdd = new Map<string, number>();
  readonly lastGet = new Map<string, number>();
  readonly holders = new Map<string, number>();
  readonly workers: Array<'idle' | 'waiting' | { key: string }> = Array(WORKERS).fill('idle');
  /** Sequence numbers of hand-outs not yet seen by a worker; promise callbacks run in hand-out order. */
  private readonly takes: number[] = [];
  readonly violations: string[] = [];
  readonly queue = new RecordingQueue(
    this.clock,
    (k) => this.lastAdd.set(k, ++this.seq),
    () => this.takes.push(++this.seq),
  );

  startGet(w: number): void {
    if (this.workers[w] !== 'idle') return;
    this.workers[w] = 'waiting';
    void this.queue.get().then((k) => {
      if (k === undefined) return;
      const taken = this.takes.shift()!;
      if (this.holders.has(k)) this.violations.push(`key ${k} handed to worker ${w} while worker ${this.holders.get(k)} holds it`);
      if ((this.lastAdd.get(k) ?? 0) < (this.lastGet.get(k) ?? 0)) this.violations.push(`key ${k} handed out without an add since its last hand-out`);
      this.holders.set(k, w);
      this.lastGet.set(k, taken);
      this.workers[w] = { key: k };
    });
  }

  finish(w: number): void {
    const state = this.workers[w];
    if (typeof state !== 'object') return;
    this.holders.delete(state.key);
    this.workers[w] = 'idle';
    this.queue.done(state.key);
  }

  async run(c: Command): Promise<void> {
    if (c.op === 'add') this.queue.add(c.key);
    else if (c.op === 'addAfter') this.queue.addAfter(c.key, c.ms);
    else if (c.op === 'addRateLimited') this.queue.addRateLimited(c.key);
    else if (c.op === 'get') this.startGet(c.worker);
    else if (c.op === 'done') this.finish(c.worker);
    else this.clock.advance(c.ms);
    await settle();
  }

  /** Let every worker work until nothing is queued, delayed or held. */
  async drain(): Promise<void> {
    for (let round = 0; round < 1000; round++) {
      for (let w = 0; w < WORKERS; w++) this.finish(w);
      this.clock.advance(1_000_000);
      for (let w = 0; w < WORKERS; w++) this.startGet(w);
      await settle();
      const busy = this.workers.some((s) => typeof s === 'object');
      if (!busy && this.queue.len() === 0 && this.queue.delayedLen() === 0) return;
    }
    assert.fail('queue did not drain');
  }
}

test('property: no key is held twice at once and every add is eventually processed', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(command, { maxLength: 60 }), async (commands) => {
      const sim = new Simulation();
      for (const c of commands) await sim.run(c);
      await sim.drain();
      assert.deepEqual(sim.violations, []);
      for (const [k, added] of sim.lastAdd) {
        assert.ok((sim.lastGet.get(k) ?? 0) > added, `key ${k} added at ${added} but last handed out at ${sim.lastGet.get(k)}`);
      }
      assert.equal(sim.queue.inProgress(), 0);
      sim.queue.shutDown();
    }),
    { numRuns: 200 },
  );
});
