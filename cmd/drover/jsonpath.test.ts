import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJsonPath } from './jsonpath.ts';
import { UsageError } from './errors.ts';

const job = (name: string, count: number, ready: string) => ({
  apiVersion: 'drover.dev/v1',
  kind: 'Job',
  metadata: { name, namespace: 'default', labels: { app: name, 'drover.dev/tier': 'web' }, annotations: { 'kubectl.kubernetes.io/last-applied': '{}' } },
  spec: { groups: [{ name: 'g', count, tasks: [{ name: 't1' }, { name: 't2' }] }] },
  status: { conditions: [{ type: 'Ready', status: ready }, { type: 'Stalled', status: 'False' }] },
});
const list = { apiVersion: 'v1', kind: 'List', items: [job('web', 3, 'True'), job('cache', 1, 'False'), job('db', 2, 'True')], metadata: { resourceVersion: '' } };

test('kubectl JSONPath templates: fields, lists, range, literals, filters, slices, recursion', () => {
  const cases: Array<[string, unknown, string]> = [
    ['{.metadata.name}', job('web', 3, 'True'), 'web'],
    ['{.items[*].metadata.name}', list, 'web cache db'],
    ['{range .items[*]}{.metadata.name}{"\\n"}{end}', list, 'web\ncache\ndb\n'],
    ['{range .items[*]}{.metadata.name}{"\\t"}{.spec.groups[0].count}{"\\n"}{end}', list, 'web\t3\ncache\t1\ndb\t2\n'],
    ["{range .items[*]}[{.metadata.name}]{end}", list, '[web][cache][db]'],
    ['name: {.metadata.name}, ns: {.metadata.namespace}', job('web', 3, 'True'), 'name: web, ns: default'],
    ['{.items[0].metadata.name}', list, 'web'],
    ['{.items[-1].metadata.name}', list, 'db'],
    ['{.items[0,2].metadata.name}', list, 'web db'],
    ['{.items[1:].metadata.name}', list, 'cache db'],
    ['{.items[:2].metadata.name}', list, 'web cache'],
    ['{.items[0:3:2].metadata.name}', list, 'web db'],
    ['{.items[?(@.spec.groups[0].count>1)].metadata.name}', list, 'web db'],
    ['{.items[?(@.metadata.name=="cache")].spec.groups[0].count}', list, '1'],
    ['{.items[?(@.metadata.name!="cache")].metadata.name}', list, 'web db'],
    ['{.status.conditions[?(@.type=="Ready")].status}', job('web', 3, 'True'), 'True'],
    ["{.status.conditions[?(@.type=='Stalled')].status}", job('web', 3, 'True'), 'False'],
    ['{.items[?(@.status)].metadata.name}', list, 'web cache db'],
    ['{.metadata.labels.app}', job('web', 3, 'True'), 'web'],
    ["{.metadata.labels['drover.dev/tier']}", job('web', 3, 'True'), 'web'],
    ['{.metadata.annotations.kubectl\\.kubernetes\\.io/last-applied}', job('web', 3, 'True'), '{}'],
    ['{..tasks[*].name}', job('web', 3, 'True'), 't1 t2'],
    ['{.spec.groups[0].tasks[*].name}', job('web', 3, 'True'), 't1 t2'],
    ['{.metadata.labels}', job('web', 3, 'True'), '{"app":"web","drover.dev/tier":"web"}'],
    ['{.status.conditions[0]}', job('web', 3, 'True'), '{"status":"True","type":"Ready"}'],
    ['{.spec.groups[0].count}', job('web', 3, 'True'), '3'],
    ['{range .items[*]}{$.kind}:{.metadata.name} {end}', list, 'List:web List:cache List:db '],
    ['{.metadata.missing}', job('web', 3, 'True'), ''],
    ['{.items[7].metadata.name}', list, ''],
    ['{.items[*].metadata.missing}', list, ''],
    ['{@.metadata.name}', job('web', 3, 'True'), 'web'],
    ['{$.metadata.name}', job('web', 3, 'True'), 'web'],
    ['plain text', job('web', 3, 'True'), 'plain text'],
    ['{"{literal}"}', job('web', 3, 'True'), '{literal}'],
  ];
  for (const [template, value, want] of cases) assert.equal(parseJsonPath(template).render(value), want, template);
});

test('malformed templates are usage errors that quote the template', () => {
  for (const t of ['{.metadata.name', '{range .items[*]}{.metadata.name}', '{end}', '{.items[}', '{metadata.name}', '{.items[a-b]}', '{"\\q"}', '{.items[::0]}']) {
    assert.throws(() => parseJsonPath(t), (err: unknown) => err instanceof UsageError && err.message.includes(t), t);
  }
});
