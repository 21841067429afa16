// Properties: a printed selector parses back to itself; matching agrees with a direct model of the semantics.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { labelSelectorToString, matchLabels, parseLabelSelector, type LabelRequirement } from './labels.ts';
import { fieldSelectorToString, matchFields, parseFieldSelector, type FieldRequirement } from './fields.ts';

const alnum = fc.constantFrom(...'abcxyzAZ019');
const inner = fc.constantFrom(...'abz09-_.');
// A valid label name: alphanumeric at both ends, [-_.] allowed inside, at most 63 characters.
const labelName = fc.oneof(alnum, fc.tuple(alnum, fc.array(inner, { maxLength: 6 }), alnum).map(([a, mid, b]) => a + mid.join('') + b));
const labelKey = fc.oneof(labelName, fc.tuple(fc.constantFrom('drover.dev', 'a.b-c', 'x'), labelName).map(([p, n]) => `${p}/${n}`));
const labelValue = fc.oneof(fc.constant(''), labelName, alnum);
// Few distinct keys and values so generated selectors often hit generated labels.
const smallKey = fc.constantFrom('app', 'tier', 'drover.dev/job', 'in', 'n');
const smallValue = fc.constantFrom('', 'web', 'db', 'notin', '1', '7');

const requirement = (key: fc.Arbitrary<string>, value: fc.Arbitrary<string>): fc.Arbitrary<LabelRequirement> =>
  fc.oneof(
    fc.record({ key, operator: fc.constantFrom('=' as const, '==' as const, '!=' as const), values: value.map((v) => [v]) }),
    fc.record({
      key,
      operator: fc.constantFrom('in' as const, 'notin' as const),
      values: fc.uniqueArray(value, { minLength: 1, maxLength: 3 }).map((vs) => [...vs].sort()),
    }),
    fc.record({ key, operator: fc.constantFrom('exists' as const, '!' as const), values: fc.constant([] as string[]) }),
    fc.record({ key, operator: fc.constantFrom('gt' as const, 'lt' as const), values: fc.integer({ min: -99, max: 99 }).map((n) => [String(n)]) }),
  );
// fc.record builds null-prototype objects; plain copies compare equal to what the parser returns.
const sortByKey = (rs: LabelRequirement[]) => rs.map((r) => ({ ...r })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

// The model: the meaning of each operator stated directly.
function modelLabels(rs: LabelRequirement[], labels: Record<string, string>): boolean {
  return rs.every(({ key, operator, values }) => {
    const v = labels[key];
    const has = key in labels;
    if (operator === 'exists') return has;
    if (operator === '!') return !has;
    if (operator === 'gt' || operator === 'lt') {
      if (!has || !/^-?\d+$/.test(v)) return false;
      return operator === 'gt' ? Number(v) > Number(values[0]) : Number(v) < Number(values[0]);
    }
    const inSet = has && values.includes(v);
    return operator === '=' || operator === '==' || operator === 'in' ? inSet : !inSet;
  });
}

describe('label selector properties', () => {
  it('parse(print(sel)) round-trips', () => {
    fc.assert(
      fc.property(fc.array(requirement(labelKey, labelValue), { maxLength: 5 }), (rs) => {
        const sel = { requirements: sortByKey(rs) };
        assert.deepEqual(parseLabelSelector(labelSelectorToString(sel)), sel);
      }),
    );
  });
  it('matching agrees with the model', () => {
    fc.assert(
      fc.property(
        fc.array(requirement(smallKey, smallValue), { maxLength: 4 }),
        fc.dictionary(smallKey, smallValue, { maxKeys: 4 }),
        (rs, labels) => {
          const sel = parseLabelSelector(labelSelectorToString({ requirements: sortByKey(rs) }));
          assert.equal(matchLabels(sel, { ...labels }), modelLabels(rs, labels));
        },
      ),
    );
  });
});

const fieldNames = ['metadata.name', 'spec.nodeName', 'status.phase'];
const fieldValue = fc.oneof(fc.constantFrom('', 'a', 'n1', 'x,y', 'k=v', 'back\\slash'), fc.string({ maxLength: 6 }).map((s) => s.trim()));
const fieldRequirement: fc.Arbitrary<FieldRequirement> = fc.record({
  field: fc.constantFrom(...fieldNames),
  operator: fc.constantFrom('=' as const, '!=' as const),
  value: fieldValue,
});
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const sortTerms = (rs: FieldRequirement[]) => rs.map((r) => ({ ...r })).sort((a, b) => cmp(a.field, b.field) || cmp(a.operator, b.operator) || cmp(a.value, b.value));

describe('field selector properties', () => {
  it('parse(print(sel)) round-trips, escapes included', () => {
    fc.assert(
      fc.property(fc.array(fieldRequirement, { maxLength: 4 }), (rs) => {
        const sel = { requirements: sortTerms(rs) };
        assert.deepEqual(parseFieldSelector(fieldSelectorToString(sel), fieldNames), sel);
      }),
    );
  });
  it('matching agrees with the model', () => {
    fc.assert(
      fc.property(
        fc.array(fieldRequirement, { maxLength: 4 }),
        fc.dictionary(fc.constantFrom(...fieldNames), fieldValue, { maxKeys: 3 }),
        (rs, fields) => {
          const sel = parseFieldSelector(fieldSelectorToString({ requirements: sortTerms(rs) }), fieldNames);
          const model = rs.every((r) => ((fields[r.field] ?? '') === r.value) === (r.operator === '='));
          assert.equal(matchFields(sel, (f) => fields[f]), model);
        },
      ),
    );
  });
});
