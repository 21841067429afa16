// 429 handling: reads are sent again after Retry-After (or the backoff, whichever is longer), writes only when
// the 429 came from flow control (it carries retryAfterSeconds: the request never ran), and a client gives up
// after maxRetries. On a ManualClock, against a fake transport.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, apiError } from '../apierrors/status.ts';
import { ManualClock } from '../clock/clock.ts';
import { throttleDelay, withThrottleRetry } from './throttle.ts';
import type { HttpRequest, Transport } from './transport.ts';

/** A transport answering 429 (`rejections` times, each built by `make`) and then `{ ok: true }`. */
function fake(rejections: number, make: () => ApiError): Transport & { calls: number } {
  const t = {
    calls: 0,
    async json<T>(_req: HttpRequest): Promise<T> {
      t.calls++;
      if (t.calls <= rejections) throw make();
      return { ok: true } as T;
    },
    stream: () => Promise.reject(new Error('unused')),
    close: async () => {},
  };
  return t;
}

const flowControl429 = () => apiError('TooManyRequests', 'too many requests', { retryAfterSeconds: 2 });
const other429 = () => apiError('TooManyRequests', 'slow down', {});

/** Drive `p` by advancing the clock whenever a retry is waiting. */
async function drive<T>(clock: ManualClock, p: Promise<T>, delays: number[]): Promise<T> {
  let done = false;
  void p.finally(() => (done = true)).catch(() => {});
  while (!done) {
    await new Promise((r) => setImmediate(r));
    if (delays.length > 0 && !done) clock.advance(delays.at(-1)!);
  }
  return p;
}

test('a read is retried after max(Retry-After, backoff) until it succeeds', async () => {
  const clock = new ManualClock(0);
  const inner = fake(3, flowControl429);
  const delays: number[] = [];
  const t = withThrottleRetry(inner, { clock, backoff: { initialMs: 500, maxMs: 8000 }, onThrottled: (_r, d) => delays.push(d) });
  assert.deepEqual(await drive(clock, t.json({ method: 'GET', path: '/x' }), delays), { ok: true });
  assert.equal(inner.calls, 4);
  assert.deepEqual(delays, [2000, 2000, 2000], 'Retry-After 2 s beats 500 ms, 1 s, 2 s of backoff');
  assert.equal(throttleDelay(flowControl429(), 3, { initialMs: 500, maxMs: 8000 }), 4000, 'then the backoff is longer');
});

test('a write is retried only on a flow-control 429; any other 429 is thrown at once', async () => {
  const clock = new ManualClock(0);
  const delays: number[] = [];
  const fc = fake(1, flowControl429);
  const t = withThrottleRetry(fc, { clock, onThrottled: (_r, d) => delays.push(d) });
  assert.deepEqual(await drive(clock, t.json({ method: 'POST', path: '/x', body: {} }), delays), { ok: true });
  assert.equal(fc.calls, 2);

  const plain = fake(1, other429);
  const t2 = withThrottleRetry(plain, { clock });
  await assert.rejects(t2.json({ method: 'PUT', path: '/x', body: {} }), (e: unknown) => e instanceof ApiError && e.code === 429);
  assert.equal(plain.calls, 1, 'a 429 that may have run is not sent twice');

  const read = fake(1, other429);
  const t3 = withThrottleRetry(read, { clock, onThrottled: (_r, d) => delays.push(d) });
  assert.deepEqual(await drive(clock, t3.json({ method: 'GET', path: '/x' }), delays), { ok: true }, 'a read is safe to repeat on any 429');
});

test('the client gives up after maxRetries and throws the 429', async () => {
  const clock = new ManualClock(0);
  const delays: number[] = [];
  const inner = fake(100, flowControl429);
  const t = withThrottleRetry(inner, { clock, maxRetries: 2, onThrottled: (_r, d) => delays.push(d) });
  await assert.rejects(drive(clock, t.json({ method: 'GET', path: '/x' }), delays), (e: unknown) => e instanceof ApiError && e.code === 429);
  assert.equal(inner.calls, 3);
});
