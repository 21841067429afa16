// The controller work queue's hand-out cost: add N distinct keys, then get() + done() each, through the real
// WorkQueue (dedupe map, processing map, FIFO), against the raw limit measured in the same run — the same keys
// through a bare Map and an array read by index (what any queue must at least do) — and against the Array.shift
// hand-out the queue used before (the O(n)-per-get cause of "draining 400,000 keys takes 13.5 s").
// `node --import tsx hack/bench/workqueue.ts [--set keys=400000]`
import { performance } from 'node:perf_hooks';
import { ManualClock } from '../../pkg/clock/clock.ts';
import { WorkQueue } from '../../pkg/controllers/runtime/workqueue.ts';
import { parseBenchArgs } from './lib/args.ts';
import { report } from './lib/result.ts';

const args = parseBenchArgs();
const n = Number(args.set.keys ?? 400_000);
const rounds = 3;

async function drainQueue(): Promise<number> {
  const q = new WorkQueue<string>({ clock: new ManualClock() });
  const t0 = performance.now();
  for (let i = 0; i < n; i++) q.add(`ns/key-${i}`);
  for (let i = 0; i < n; i++) {
    const k = (await q.get())!;
    q.done(k);
  }
  return performance.now() - t0;
}

async function rawLimit(): Promise<number> {
  const t0 = performance.now();
  const dirty = new Map<string, number>();
  const order: string[] = [];
  for (let i = 0; i < n; i++) {
    const k = `ns/key-${i}`;
    if (!dirty.has(k)) {
      dirty.set(k, i);
      order.push(k);
    }
  }
  for (let i = 0; i < n; i++) {
    const k = await Promise.resolve(order[i]!);
    dirty.delete(k);
  }
  return performance.now() - t0;
}

async function shiftQueue(): Promise<number> {
  const t0 = performance.now();
  const dirty = new Map<string, number>();
  const order: string[] = [];
  for (let i = 0; i < n; i++) {
    const k = `ns/key-${i}`;
    dirty.set(k, i);
    order.push(k);
  }
  while (order.length > 0) {
    const k = await Promise.resolve(order.shift()!);
    dirty.delete(k);
  }
  return performance.now() - t0;
}

const best = async (fn: () => Promise<number>) => {
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) times.push(await fn());
  return Math.min(...times);
};

const queueMs = await best(drainQueue);
const rawMs = await best(rawLimit);
const shiftMs = await shiftQueue(); // one round: it is the slow one
await report({
  name: 'workqueue',
  title: `Work queue: hand out ${n.toLocaleString('en-US')} keys`,
  setup: `add ${n} distinct keys, then get()+done() each; best of ${rounds} rounds (Array.shift: one), one process`,
  figures: [
    { label: 'WorkQueue (FIFO hand-out)', value: queueMs, unit: 'ms' },
    { label: 'raw limit: bare Map + array by index', value: rawMs, unit: 'ms' },
    { label: 'before: Array.shift hand-out (same keys)', value: shiftMs, unit: 'ms' },
    { label: 'WorkQueue keys per second', value: (n / queueMs) * 1000, unit: '/s' },
  ],
  ratio: { value: rawMs / queueMs, meaning: 'raw limit time / WorkQueue time (1 = as fast as the bare loop)' },
  target: { text: 'linear: within 5× of the raw limit', met: queueMs <= 5 * rawMs },
  notes: [`Array.shift took ${(shiftMs / queueMs).toFixed(1)}× the WorkQueue's time in this run`],
});
