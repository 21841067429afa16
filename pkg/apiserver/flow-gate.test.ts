// Flow control in the API server: with its one global-default seat taken, another user's request is answered
// 429 with Retry-After and a Status body (and counted on /metrics), while a Drover agent's write — its own
// level — goes straight through; a watch gives its seat back once it streams; health checks are exempt.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_LEVELS, LEVELS, type FlowControlConfig } from '../flowcontrol/index.ts';
import { describeRequest } from './flow-gate.ts';
import { testServer, widget, widgetsPath, type TestServer } from './test-support.ts';
import { WAIT_HANG_GUARD_MS } from '../../test/support/hang-guard.ts';
import type { ApiServerOptions } from './server.ts';

async function until(cond: () => Promise<boolean>): Promise<void> {
  const giveUpAt = Date.now() + WAIT_HANG_GUARD_MS;
  while (!(await cond())) {
    if (Date.now() > giveUpAt) throw new Error(`until: never held: ${cond.toString().slice(0, 200)}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A subresource route that answers only when the test lets it: a request that holds its seat as long as we like. */
function holdRoute(): { plugin: NonNullable<ApiServerOptions['plugins']>[number]; release(): void } {
  let release = () => {};
  const released = new Promise<void>((r) => (release = r));
  return {
    release: () => release(),
    plugin: (app) => {
      app.get('/apis/drover.dev/v1/namespaces/default/widgets/:name/hold', async (_req, reply) => {
        await released;
        return reply.code(200).send('{}');
      });
    },
  };
}

const ONE_SEAT: FlowControlConfig = {
  totalSeats: 1,
  maxQueueWaitMs: 10_000,
  levels: DEFAULT_LEVELS.map((l) => (l.name === LEVELS.globalDefault ? { ...l, queueLengthLimit: 0 } : l)),
};

async function metric(t: TestServer, line: string): Promise<number> {
  const text = (await t.req('GET', '/metrics')).text;
  const m = new RegExp(`^${line.replace(/[{}"]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

test('a level that cannot take a request answers 429 with Retry-After; the system level is untouched', async () => {
  const hold = holdRoute();
  const t = await testServer({ flowControl: ONE_SEAT, plugins: [hold.plugin] });
  try {
    const holding = t.req('GET', widgetsPath('default', 'w0', 'hold'), undefined, { 'user-agent': 'kubectl/v1.31' });
    await until(async () => (await metric(t, 'apiserver_flowcontrol_current_executing_requests{priority_level="global-default"}')) === 1);
    const rejected = await t.req('GET', widgetsPath(), undefined, { 'user-agent': 'curl/8' });
    assert.equal(rejected.code, 429);
    assert.equal(rejected.headers['retry-after'], '1');
    assert.equal(rejected.headers['x-drover-pf-priority-level'], 'global-default');
    assert.equal(rejected.body.kind, 'Status');
    assert.equal(rejected.body.reason, 'TooManyRequests');
    assert.equal(rejected.body.details.retryAfterSeconds, 1);
    assert.match(rejected.body.message, /priority level global-default: its queue is full/);

    const agentWrite = await t.req('POST', widgetsPath(), widget('w1'), { 'user-agent': 'drover-agent/0.1' });
    assert.equal(agentWrite.code, 201, 'an agent write has its own level');
    assert.equal(await metric(t, 'apiserver_flowcontrol_rejected_requests_total{priority_level="global-default",reason="queue-full"}'), 1);
    assert.equal(await metric(t, 'apiserver_request_total{verb="LIST",resource="widgets",subresource="",code="429"}'), 1, 'counted with the other requests');
    assert.equal((await t.req('GET', '/readyz')).code, 200, 'health checks are exempt');

    hold.release();
    assert.equal((await holding).code, 200);
    const after = await t.req('GET', widgetsPath(), undefined, { 'user-agent': 'curl/8' });
    assert.equal(after.code, 200, 'the seat came back when the request ended');
  } finally {
    await t.close();
  }
});

test('a watch holds its seat only while it starts', async () => {
  const t = await testServer({ flowControl: ONE_SEAT });
  const url = await t.server.listen({ port: 0 });
  const abort = new AbortController();
  try {
    const watch = await fetch(`${url}${widgetsPath()}?watch=1`, { signal: abort.signal, headers: { 'user-agent': 'kubectl/v1.31' } });
    assert.equal(watch.status, 200);
    await until(async () => (await metric(t, 'apiserver_flowcontrol_current_executing_requests{priority_level="global-default"}')) === 0);
    const list = await fetch(`${url}${widgetsPath()}`, { headers: { 'user-agent': 'kubectl/v1.31' } });
    assert.equal(list.status, 200, 'the open watch does not take the only seat');
    await list.text();
  } finally {
    abort.abort();
    await t.close();
  }
});

test('requests are described from path, method and query before routing', () => {
  assert.deepEqual(describeRequest('PUT', '/apis/drover.dev/v1/namespaces/drover-node-lease/leases/n1', 'drover-agent/1'), { user: undefined, userAgent: 'drover-agent/1', verb: 'update', resource: 'leases', subresource: undefined, namespace: 'drover-node-lease' });
  assert.equal(describeRequest('GET', '/apis/drover.dev/v1/allocations?watch=true&resourceVersion=5', undefined)?.verb, 'watch');
  assert.equal(describeRequest('GET', '/api/v1/watch/namespaces/default/configmaps', undefined)?.verb, 'watch');
  assert.equal(describeRequest('GET', '/api/v1/namespaces/default/configmaps/c', undefined)?.verb, 'get');
  assert.equal(describeRequest('PUT', '/apis/drover.dev/v1/namespaces/default/allocations/a/status', undefined)?.subresource, 'status');
  assert.equal(describeRequest('GET', '/healthz', undefined), undefined);
  assert.equal(describeRequest('GET', '/apis/drover.dev/v1', undefined), undefined, 'discovery is exempt');
});

test('a client that goes away while queued leaves its queue, and the level is free again', async () => {
  const hold = holdRoute();
  const cfg: FlowControlConfig = { ...ONE_SEAT, levels: DEFAULT_LEVELS };
  const t = await testServer({ flowControl: cfg, plugins: [hold.plugin] });
  const url = await t.server.listen({ port: 0 });
  try {
    const headers = { 'user-agent': 'kubectl/v1.31' };
    const holding = fetch(`${url}${widgetsPath('default', 'w0', 'hold')}`, { headers });
    await until(async () => (await metric(t, 'apiserver_flowcontrol_current_executing_requests{priority_level="global-default"}')) === 1);
    const gone = new AbortController();
    const queued = fetch(`${url}${widgetsPath()}`, { headers, signal: gone.signal }).catch(() => 'aborted');
    await until(async () => (await metric(t, 'apiserver_flowcontrol_current_inqueue_requests{priority_level="global-default"}')) === 1);
    gone.abort();
    assert.equal(await queued, 'aborted');
    await until(async () => (await metric(t, 'apiserver_flowcontrol_current_inqueue_requests{priority_level="global-default"}')) === 0);
    assert.equal(await metric(t, 'apiserver_flowcontrol_rejected_requests_total{priority_level="global-default",reason="cancelled"}'), 1);
    hold.release();
    assert.equal((await holding).status, 200);
    // Nothing of the gone request holds a seat: the level is free again.
    await until(async () => (await metric(t, 'apiserver_flowcontrol_current_executing_requests{priority_level="global-default"}')) === 0);
    const next = await fetch(`${url}${widgetsPath()}`, { headers });
    assert.equal(next.status, 200);
  } finally {
    await t.close();
  }
});
