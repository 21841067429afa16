// DELETE's propagation policy as finalizers (rest-delete.ts, delete-options.ts): Foreground and Orphan mark the
// object with `foregroundDeletion` / `orphan` beside its own finalizers, a second delete swaps them or (Background)
// drops them — removing the object when nothing else holds it —, the legacy orphanDependents maps onto the same,
// and bad options are 422/400 Status bodies with the field path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testServer, widget, widgetsPath } from './test-support.ts';

test('Foreground and Orphan mark with their finalizer; a second delete swaps it; Background drops it', async () => {
  const t = await testServer();
  try {
    await t.req('POST', widgetsPath(), widget('w'));
    const fg = await t.req('DELETE', widgetsPath('default', 'w'), { propagationPolicy: 'Foreground' });
    assert.equal(fg.code, 200, fg.text);
    assert.ok(fg.body.metadata.deletionTimestamp);
    assert.deepEqual(fg.body.metadata.finalizers, ['foregroundDeletion']);
    const orphan = await t.req('DELETE', widgetsPath('default', 'w') + '?propagationPolicy=Orphan');
    assert.deepEqual(orphan.body.metadata.finalizers, ['orphan'], 'the query parameter works too; the policy is swapped');
    assert.equal(orphan.body.metadata.deletionTimestamp, fg.body.metadata.deletionTimestamp, 'still the first deletion');
    const same = await t.req('DELETE', widgetsPath('default', 'w'), { orphanDependents: true });
    assert.equal(same.body.metadata.resourceVersion, orphan.body.metadata.resourceVersion, 'the same policy again writes nothing');
    const bg = await t.req('DELETE', widgetsPath('default', 'w'), { propagationPolicy: 'Background' });
    assert.equal(bg.code, 200);
    assert.equal((await t.req('GET', widgetsPath('default', 'w'))).code, 404, 'nothing else held it: removed');

    await t.req('POST', widgetsPath(), widget('held', {}, { finalizers: ['example.com/hold'] }));
    const held = await t.req('DELETE', widgetsPath('default', 'held'), { propagationPolicy: 'Foreground' });
    assert.deepEqual(held.body.metadata.finalizers, ['example.com/hold', 'foregroundDeletion']);
    const kept = await t.req('DELETE', widgetsPath('default', 'held'), { orphanDependents: false });
    assert.deepEqual(kept.body.metadata.finalizers, ['example.com/hold'], 'orphanDependents=false is Background: its own finalizer still holds it');

    await t.req('POST', widgetsPath(), widget('dry'));
    const dry = await t.req('DELETE', widgetsPath('default', 'dry') + '?dryRun=All', { propagationPolicy: 'Orphan' });
    assert.deepEqual(dry.body.metadata.finalizers, ['orphan']);
    assert.equal((await t.req('GET', widgetsPath('default', 'dry'))).body.metadata.finalizers, undefined, 'dry run writes nothing');
  } finally {
    await t.close();
  }
});

test('bad propagation options are Status bodies naming the field', async () => {
  const t = await testServer();
  try {
    await t.req('POST', widgetsPath(), widget('w'));
    const both = await t.req('DELETE', widgetsPath('default', 'w'), { orphanDependents: true, propagationPolicy: 'Foreground' });
    assert.equal(both.code, 422);
    assert.equal(both.body.details.causes[0].field, 'orphanDependents');
    const notBool = await t.req('DELETE', widgetsPath('default', 'w') + '?orphanDependents=maybe');
    assert.equal(notBool.code, 422);
    assert.match(notBool.body.details.causes[0].message, /must be a boolean/);
    const policy = await t.req('DELETE', widgetsPath('default', 'w'), { propagationPolicy: 'Sideways' });
    assert.equal(policy.code, 422);
    assert.equal(policy.body.details.causes[0].field, 'propagationPolicy');
    assert.equal((await t.req('GET', widgetsPath('default', 'w'))).code, 200, 'nothing was deleted');
  } finally {
    await t.close();
  }
});
