// POST jobs/{name}/dispatch over HTTP: the child job it creates, and every refusal with its status and field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Job } from '../../../api/schemas/index.ts';
import { ApiError } from '../../apierrors/status.ts';
import { createClient, type Client } from '../../client/client.ts';
import { startApiServer } from '../../../test/support/server.ts';
import { dispatchPlugin } from './route.ts';

const path = (name: string) => `/apis/drover.dev/v1/namespaces/default/jobs/${name}/dispatch`;

async function withServer(fn: (client: Client) => Promise<void>): Promise<void> {
  const api = await startApiServer({ plugins: [dispatchPlugin()] });
  const client = createClient({ server: api.url });
  try {
    await fn(client);
  } finally {
    await client.close();
    await api.close();
  }
}

const template = (name: string, parameterized: NonNullable<Job['spec']['parameterized']> | undefined, extra: Partial<Job['spec']> = {}): Job => ({
  apiVersion: 'drover.dev/v1', kind: 'Job', metadata: { name, namespace: 'default' },
  spec: {
    type: 'batch', ...(parameterized ? { parameterized } : {}), meta: { tier: 'batch' },
    groups: [{ name: 'g', tasks: [{ name: 't', driver: 'mock', dispatchPayload: { file: 'input.json' } }] }], ...extra,
  },
} as Job);

const dispatch = (client: Client, name: string, body: unknown, query?: Record<string, string>) => client.request<Job>({ method: 'POST', path: path(name), body, query });

/** The refusal of a dispatch: its HTTP code, reason and cause fields. */
async function refusal(p: Promise<unknown>): Promise<{ code: number; reason: string; fields: string[]; message: string }> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ApiError, String(err));
    return { code: err.code, reason: err.reason, fields: (err.status.details?.causes ?? []).map((c) => c.field ?? ''), message: err.message };
  }
  assert.fail('the dispatch was accepted');
}

test('a dispatch creates a child job with the meta and payload, owned by the parent; the parent is unchanged', async () => {
  await withServer(async (client) => {
    const parent = await client.resource<Job>('jobs').create(template('resize', { payload: 'required', metaRequired: ['size'], metaOptional: ['format'] }));
    const payload = Buffer.from('{"w":640}').toString('base64');
    const child = await dispatch(client, 'resize', { meta: { size: '640' }, payload });
    assert.match(child.metadata.name, /^resize-dispatch-\d{10}-[a-z0-9]{5}$/);
    assert.deepEqual(child.spec.meta, { tier: 'batch', size: '640' });
    assert.equal(child.spec.payload, payload);
    assert.equal(child.spec.parameterized, undefined);
    assert.equal(child.metadata.ownerReferences?.[0]?.uid, parent.metadata.uid);
    assert.equal((await client.resource<Job>('jobs').get(child.metadata.name, { namespace: 'default' })).spec.payload, payload);
    const again = await dispatch(client, 'resize', { kind: 'JobDispatchRequest', apiVersion: 'drover.dev/v1', meta: { size: '1', format: 'png' }, payload });
    assert.notEqual(again.metadata.name, child.metadata.name, 'two dispatches, two children');
    const dry = await dispatch(client, 'resize', { meta: { size: '2' }, payload }, { dryRun: 'All' });
    await assert.rejects(client.resource<Job>('jobs').get(dry.metadata.name, { namespace: 'default' }), /not found/);
    assert.equal((await client.resource<Job>('jobs').get('resize', { namespace: 'default' })).metadata.resourceVersion, parent.metadata.resourceVersion);
  });
});

test('dispatch refusals: 422 naming the field, 400 for a job that is not parameterized, 404, 409 for a stopped job', async () => {
  await withServer(async (client) => {
    const jobs = client.resource<Job>('jobs');
    await jobs.create(template('t', { payload: 'forbidden', metaRequired: ['size', 'color'], metaOptional: ['format'] }));
    await jobs.create(template('needs', { payload: 'required' }));
    await jobs.create(template('plain', undefined));
    await jobs.create(template('halted', {}, { stop: true }));
    const cases: Array<{ name: string; job: string; body: unknown; code: number; reason: string; fields?: string[]; message?: RegExp }> = [
      { name: 'missing required meta', job: 't', body: { meta: { size: '1' } }, code: 422, reason: 'Invalid', fields: ['meta.color'], message: /meta key "color" is required/ },
      { name: 'unknown meta key', job: 't', body: { meta: { size: '1', color: 'red', shape: 'x' } }, code: 422, reason: 'Invalid', fields: ['meta.shape'] },
      { name: 'forbidden payload', job: 't', body: { meta: { size: '1', color: 'red' }, payload: 'aGk=' }, code: 422, reason: 'Invalid', fields: ['payload'] },
      { name: 'required payload', job: 'needs', body: {}, code: 422, reason: 'Invalid', fields: ['payload'] },
      { name: 'payload over 16 KiB', job: 'needs', body: { payload: Buffer.alloc(16 * 1024 + 1).toString('base64') }, code: 422, reason: 'Invalid', fields: ['payload'] },
      { name: 'payload not base64', job: 'needs', body: { payload: 'hi there!' }, code: 422, reason: 'Invalid', fields: ['payload'] },
      { name: 'unknown body field', job: 'needs', body: { payload: 'aGk=', priority: 3 }, code: 422, reason: 'Invalid', fields: ['priority'] },
      { name: 'meta value not a string', job: 't', body: { meta: { size: 1, color: 'red' } }, code: 422, reason: 'Invalid', fields: ['meta.size'] },
      { name: 'not parameterized', job: 'plain', body: {}, code: 400, reason: 'BadRequest', message: /not a parameterized job/ },
      { name: 'no such job', job: 'nope', body: {}, code: 404, reason: 'NotFound' },
      { name: 'stopped job', job: 'halted', body: {}, code: 409, reason: 'Conflict' },
    ];
    for (const c of cases) {
      const r = await refusal(dispatch(client, c.job, c.body));
      assert.equal(r.code, c.code, c.name);
      assert.equal(r.reason, c.reason, c.name);
      if (c.fields) assert.deepEqual(r.fields, c.fields, c.name);
      if (c.message) assert.match(r.message, c.message, c.name);
    }
    const all = await refusal(dispatch(client, 't', { meta: { format: 'png', shape: 'x' } }));
    assert.deepEqual(all.fields, ['meta.size', 'meta.color', 'meta.shape'], 'every problem at once');
  });
});
