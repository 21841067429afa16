import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConstraintMatcher, checkOrder, constraintReason } from './constraints.ts';
import { constraintCheck } from './checks.ts';
import { mkNode, mkJob, mkGroup } from '../testing/fixtures.ts';
import { PlanState } from '../state.ts';
import { ClusterSnapshot } from '../cluster.ts';

const node = mkNode('n1', {
  datacenter: 'us-east-1',
  nodeClass: 'compute',
  attributes: {
    'kernel.name': 'linux', 'kernel.version': '5.15.0', 'os.version': '1.2.3-beta.2', 'cpu.numcores': '8', 'cpu.arch': 'amd64',
    'driver.docker.version': '24.0.7', 'unique.hostname': 'host-1', 'platform.features': 'sse4, avx2,aes',
  },
  meta: { rack: 'r12', tier: 'gold' },
});

// Every operator, each with matching and non-matching cases: [attribute, operator, value, expected].
const cases: Array<[string, string, string, boolean]> = [
  ['${attr.kernel.name}', '=', 'linux', true],
  ['${attr.kernel.name}', '=', 'windows', false],
  ['${attr.kernel.name}', '==', 'linux', true],
  ['${attr.missing}', '=', '', false],
  ['${attr.kernel.name}', '!=', 'windows', true],
  ['${attr.kernel.name}', '!=', 'linux', false],
  ['${attr.missing}', '!=', 'linux', true],
  ['${node.datacenter}', '=', 'us-east-1', true],
  ['${node.class}', '=', 'compute', true],
  ['${node.unique.name}', '=', 'n1', true],
  ['${meta.rack}', '=', 'r12', true],
  ['${attr.cpu.numcores}', '>', '4', true], // numeric: 8 > 4
  ['${attr.cpu.numcores}', '>', '10', false], // numeric, not lexical ("8" > "10" lexically)
  ['${attr.cpu.numcores}', '>=', '8', true],
  ['${attr.cpu.numcores}', '<', '8', false],
  ['${attr.cpu.numcores}', '<=', '8', true],
  ['${meta.rack}', '<', 'r2', true], // lexical: "r12" < "r2"
  ['${meta.rack}', '>', 'r2', false],
  ['${attr.missing}', '<', '5', false],
  ['${attr.kernel.name}', 'regexp', '^lin', true],
  ['${attr.kernel.name}', 'regexp', 'nux$', true],
  ['${attr.kernel.name}', 'regexp', '^win', false],
  ['${attr.kernel.name}', 'regexp', '([', false], // invalid pattern matches nothing
  ['${attr.kernel.version}', 'version', '>= 5.0, < 6.0', true],
  ['${attr.kernel.version}', 'version', '> 5.14.9', true],
  ['${attr.kernel.version}', 'version', '> 5.15', false], // 5.15.0 equals 5.15: segments are zero-padded
  ['${attr.kernel.version}', 'version', '< 5.15', false],
  ['${attr.kernel.version}', 'version', '~> 5.15', true],
  ['${attr.kernel.version}', 'version', '~> 5.14.0', false],
  ['${attr.kernel.version}', 'version', '= 5.15.0', true],
  ['${attr.kernel.version}', 'version', '!= 5.15.0', false],
  ['${attr.os.version}', 'version', '>= 1.0', false], // go-version: a pre-release needs a pre-release constraint
  ['${attr.os.version}', 'version', '>= 1.2.3-beta.1', true],
  ['${attr.kernel.version}', 'version', 'not-a-version', false],
  ['${attr.driver.docker.version}', 'semver', '>= 24.0.0, < 25.0.0', true],
  ['${attr.os.version}', 'semver', '>= 1.0.0', true], // semver: pre-releases match plain ranges
  ['${attr.os.version}', 'semver', '< 1.2.3', true], // 1.2.3-beta.2 precedes 1.2.3
  ['${attr.os.version}', 'semver', '> 1.2.3-beta.10', false], // numeric identifiers compare numerically
  ['${attr.kernel.version}', 'semver', '~> 5.15', false], // no pessimistic operator in strict semver
  ['${attr.platform.features}', 'set_contains', 'avx2', true],
  ['${attr.platform.features}', 'set_contains', 'avx2,sse4', true],
  ['${attr.platform.features}', 'set_contains', 'avx2,avx512', false],
  ['${attr.platform.features}', 'set_contains_all', 'aes, sse4', true],
  ['${attr.platform.features}', 'set_contains_all', 'aes,neon', false],
  ['${attr.platform.features}', 'set_contains_any', 'neon,aes', true],
  ['${attr.platform.features}', 'set_contains_any', 'neon,sve', false],
  ['${meta.tier}', 'is_set', '', true],
  ['${meta.zone}', 'is_set', '', false],
  ['${meta.zone}', 'is_not_set', '', true],
  ['${meta.tier}', 'is_not_set', '', false],
  ['${attr.kernel.name}', 'no_such_operator', 'linux', false],
  ['${meta.rack}', '=', '${meta.rack}', true], // both sides may be interpolated
];

for (const [attribute, operator, value, expected] of cases) {
  test(`constraint ${attribute} ${operator} ${value} → ${expected}`, () => {
    assert.equal(new ConstraintMatcher().matches({ attribute, operator, value }, node), expected);
  });
}

test('distinct_* operators are not decided per node', () => {
  const m = new ConstraintMatcher();
  assert.equal(m.matches({ attribute: '', operator: 'distinct_hosts', value: 'true' }, node), true);
  assert.equal(m.matches({ attribute: '${meta.rack}', operator: 'distinct_property', value: '1' }, node), true);
});

test('checkOrder compares numbers numerically and strings lexically', () => {
  assert.equal(checkOrder('<', '9', '10'), true);
  assert.equal(checkOrder('<', 'b9', 'b10'), false);
  assert.equal(checkOrder('>=', '1.5', '1.50'), true);
});

test('the constraint check reports the first failing constraint by its text', () => {
  const job = mkJob({ constraints: [{ attribute: '${attr.kernel.name}', operator: '=', value: 'linux' }] });
  const group = mkGroup({ constraints: [{ attribute: '${meta.rack}', operator: '=', value: 'r1' }] });
  const state = new PlanState(ClusterSnapshot.from([node], []), job);
  const why = constraintCheck().check(node, { job, group, state });
  assert.equal(why, '${meta.rack} = r1');
  assert.equal(constraintReason({ attribute: '${meta.zone}', operator: 'is_set', value: '' }), '${meta.zone} is_set');
});
