// Dependency cycles are refused at admission: between jobs of a namespace (the built-in hook over the Job watch
// cache) and between groups of one job (semantic checks), with the cycle's path in the 422. The property test
// writes random dependency edges job by job and compares every verdict with an oracle written here (Warshall's
// transitive closure over the edges accepted so far).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { kinds } from '../../api/schemas/index.ts';
import { testServer, type TestServer } from './test-support.ts';

let s: TestServer;
before(async () => {
  s = await testServer({ kinds });
});
after(() => s.close());

const jobs = (ns = 'default') => `/apis/drover.dev/v1/namespaces/${ns}/jobs`;
const tasks = [{ name: 't', driver: 'mock', config: {}, resources: { cpu: 10, memoryMB: 10 } }];

function jobBody(name: string, dependsOn: string[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiVersion: 'drover.dev/v1', kind: 'Job', metadata: { name }, spec: { type: 'batch', dependsOn, groups: [{ name: 'g', tasks }], ...extra } };
}

/** Create, or replace (PUT with the stored resourceVersion) when it exists. */
async function put(name: string, dependsOn: string[], ns = 'default') {
  const got = await s.req('GET', `${jobs(ns)}/${name}`);
  if (got.code === 404) return s.req('POST', jobs(ns), jobBody(name, dependsOn));
  const body = jobBody(name, dependsOn);
  (body.metadata as Record<string, unknown>).resourceVersion = got.body.metadata.resourceVersion;
  return s.req('PUT', `${jobs(ns)}/${name}`, body);
}

test('a job closing a cycle is refused with the path; self-dependency too; a missing dependency is accepted (waited for)', async () => {
  assert.equal((await put('a', ['b'])).code, 201, 'b does not exist yet: accepted');
  assert.equal((await put('b', ['c'])).code, 201);
  const r = await put('c', ['a']);
  assert.equal(r.code, 422, r.text);
  assert.equal(r.body.reason, 'Invalid');
  assert.deepEqual(r.body.details.causes, [{ reason: 'FieldValueInvalid', message: 'Invalid value: dependency cycle: c -> a -> b -> c', field: 'spec.dependsOn' }]);
  const self = await put('d', ['d']);
  assert.equal(self.code, 422);
  assert.match(self.body.message, /dependency cycle: d -> d/);
  // An update that would close the cycle is refused the same way; the stored job keeps its edges.
  assert.equal((await put('c', [])).code, 201);
  const upd = await put('c', ['a']);
  assert.equal(upd.code, 422);
  assert.match(upd.body.message, /c -> a -> b -> c/);
  assert.deepEqual((await s.req('GET', `${jobs()}/c`)).body.spec.dependsOn, []);
});

test('jobs of other namespaces are not part of the graph', async () => {
  assert.equal((await s.req('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } })).code, 201);
  assert.equal((await put('x', ['y'], 'other')).code, 201);
  assert.equal((await put('y', ['x'])).code, 201, 'y in default depends on x in default, not other/x');
});

test('groups: unknown names, cycles within the job, and groups of system jobs are refused at their field', async () => {
  const groups = (deps: Record<string, string[]>) => Object.entries(deps).map(([name, d]) => ({ name, dependsOn: d, tasks }));
  const post = (spec: Record<string, unknown>) => s.req('POST', jobs(), { apiVersion: 'drover.dev/v1', kind: 'Job', metadata: { name: 'grp' }, spec });
  const unknown = await post({ groups: groups({ web: ['db', 'nope'], db: [] }) });
  assert.equal(unknown.code, 422);
  assert.deepEqual(unknown.body.details.causes, [{ reason: 'FieldValueNotFound', message: 'Not found: "nope": no such group in this job', field: 'spec.groups[0].dependsOn[1]' }]);
  const cycle = await post({ groups: groups({ a: [], b: ['c'], c: ['d'], d: ['b'] }) });
  assert.equal(cycle.code, 422);
  assert.deepEqual(cycle.body.details.causes, [{ reason: 'FieldValueInvalid', message: 'Invalid value: dependency cycle: b -> c -> d -> b', field: 'spec.groups[1].dependsOn' }]);
  const system = await post({ type: 'system', groups: groups({ a: [], b: ['a'] }) });
  assert.equal(system.code, 422);
  assert.equal(system.body.details.causes[0].field, 'spec.groups[1].dependsOn');
  assert.equal((await post({ groups: groups({ web: ['db'], db: [] }) })).code, 201);
});

/** Whether `edges` (node → dependencies) has a cycle: Warshall's closure, then some node reaches itself. */
function cyclicOracle(names: string[], edges: Map<string, string[]>): boolean {
  const idx = new Map(names.map((n, i) => [n, i]));
  const reach = names.map((a) => names.map((b) => (edges.get(a) ?? []).includes(b)));
  for (let k = 0; k < names.length; k++) for (let i = 0; i < names.length; i++) for (let j = 0; j < names.length; j++) reach[i]![j] ||= reach[i]![k]! && reach[k]![j]!;
  return names.some((n) => reach[idx.get(n)!]![idx.get(n)!]);
}

test('property: admission refuses exactly the writes that would close a cycle, naming a real cycle through the job', async () => {
  let run = 0;
  const N = 5;
  const writeArb = fc.record({ job: fc.nat(N - 1), deps: fc.subarray([...Array(N).keys()]) });
  await fc.assert(
    fc.asyncProperty(fc.array(writeArb, { minLength: 1, maxLength: 14 }), async (writes) => {
      const p = `p${++run}`;
      const names = [...Array(N).keys()].map((i) => `${p}-j${i}`);
      const accepted = new Map<string, string[]>();
      for (const w of writes) {
        const job = names[w.job]!;
        const deps = w.deps.map((d) => names[d]!);
        const next = new Map(accepted).set(job, deps);
        const cyclic = cyclicOracle(names, next);
        const r = await put(job, deps);
        assert.equal(r.code === 422, cyclic, `${job} -> [${deps.join(', ')}] with ${JSON.stringify([...accepted])}: ${r.code} ${r.text}`);
        if (!cyclic) {
          assert.ok(r.code === 201 || r.code === 200, r.text);
          accepted.set(job, deps);
          continue;
        }
        const path = /dependency cycle: (.*)$/.exec(r.body.details.causes[0].message)![1]!.split(' -> ');
        assert.equal(path[0], job);
        assert.equal(path.at(-1), job);
        for (let i = 0; i + 1 < path.length; i++) assert.ok(next.get(path[i]!)?.includes(path[i + 1]!), `edge ${path[i]} -> ${path[i + 1]} of ${path.join(' -> ')}`);
      }
    }),
    { numRuns: 60 },
  );
});
