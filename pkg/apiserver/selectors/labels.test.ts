import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../apierrors/status.ts';
import {
  labelSelectorToString,
  matchLabels,
  parseLabelSelector,
  selectorFromLabelSelectorObject,
  type LabelRequirement,
  type LabelSelectorObject,
} from './labels.ts';

const req = (key: string, operator: LabelRequirement['operator'], values: string[] = []): LabelRequirement => ({ key, operator, values });

describe('parseLabelSelector', () => {
  const cases: { in: string; want: LabelRequirement[]; printed?: string }[] = [
    { in: '', want: [] },
    { in: '   ', want: [], printed: '' },
    { in: 'a=b', want: [req('a', '=', ['b'])] },
    { in: 'a==b', want: [req('a', '==', ['b'])] },
    { in: 'a!=b', want: [req('a', '!=', ['b'])] },
    { in: 'a=', want: [req('a', '=', [''])] },
    { in: 'a', want: [req('a', 'exists')] },
    { in: '!a', want: [req('a', '!')] },
    { in: ' ! a ', want: [req('a', '!')], printed: '!a' },
    { in: 'env in (prod, dev)', want: [req('env', 'in', ['dev', 'prod'])], printed: 'env in (dev,prod)' },
    { in: 'env notin (x)', want: [req('env', 'notin', ['x'])] },
    { in: 'env in ()', want: [req('env', 'in', [''])] },
    { in: 'env in (,a)', want: [req('env', 'in', ['', 'a'])] },
    { in: 'env in (a,,b,)', want: [req('env', 'in', ['', 'a', 'b'])], printed: 'env in (,a,b)' },
    { in: 'in in (in,notin)', want: [req('in', 'in', ['in', 'notin'])] },
    { in: 'x>1', want: [req('x', 'gt', ['1'])] },
    { in: 'x < -3', want: [req('x', 'lt', ['-3'])], printed: 'x<-3' },
    { in: 'z=1,a=2, m in (q)', want: [req('a', '=', ['2']), req('m', 'in', ['q']), req('z', '=', ['1'])], printed: 'a=2,m in (q),z=1' },
    { in: 'drover.dev/job=web', want: [req('drover.dev/job', '=', ['web'])] },
    { in: 'a = b , c', want: [req('a', '=', ['b']), req('c', 'exists')], printed: 'a=b,c' },
  ];
  for (const c of cases) {
    it(`parses ${JSON.stringify(c.in)}`, () => {
      const sel = parseLabelSelector(c.in);
      assert.deepEqual(sel.requirements, c.want);
      assert.equal(labelSelectorToString(sel), c.printed ?? c.in);
    });
  }

  const bad: { in: string; msg: RegExp }[] = [
    { in: 'a=b c', msg: /^found 'c', expected: ',' or 'end of string'$/ },
    { in: 'a b', msg: /^unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt$/ },
    { in: 'a=b,', msg: /^found '', expected: identifier after ','$/ },
    { in: ',a', msg: /^found ',', expected: !, identifier, or 'end of string'$/ },
    { in: 'a in', msg: /^unable to parse requirement: found '' expected: '\('$/ },
    { in: 'a in (b', msg: /^unable to parse requirement: found '', expected: ',', or identifier$/ },
    { in: 'a in (b c)', msg: /unable to parse requirement: found 'c', expected: ',', or identifier/ },
    { in: 'a=b=c', msg: /found '=', expected: ',' or 'end of string'/ },
    { in: 'a=!b', msg: /unable to parse requirement: found '!', expected: identifier/ },
    { in: '!', msg: /unable to parse requirement: found '', expected: identifier/ },
    { in: '-a=b', msg: /^unable to parse requirement: key: Invalid value: "-a": name part must consist of/ },
    { in: 'Bad_/x=y', msg: /key: Invalid value: "Bad_\/x": prefix part a lowercase RFC 1123 subdomain/ },
    { in: 'a/b/c', msg: /a qualified name must consist/ },
    { in: `${'k'.repeat(64)}=v`, msg: /name part must be no more than 63 characters/ },
    { in: 'a=-x', msg: /unable to parse requirement: values\[0\]: Invalid value: "-x": a valid label must be an empty string/ },
    { in: `a=${'v'.repeat(64)}`, msg: /must be no more than 63 characters/ },
    { in: 'x>abc', msg: /for 'Gt', 'Lt' operators, the value must be an integer/ },
    { in: 'a notin', msg: /unable to parse requirement/ },
  ];
  for (const c of bad) {
    it(`rejects ${JSON.stringify(c.in).slice(0, 40)} with 400`, () => {
      assert.throws(
        () => parseLabelSelector(c.in),
        (e: unknown) => e instanceof ApiError && e.code === 400 && e.reason === 'BadRequest' && c.msg.test(e.message),
      );
    });
  }
});

describe('matchLabels', () => {
  const labels = { app: 'web', tier: 'front', n: '7' };
  const cases: [string, boolean][] = [
    ['', true],
    ['app=web', true],
    ['app==web', true],
    ['app=db', false],
    ['app!=db', true],
    ['missing!=x', true],
    ['app in (db,web)', true],
    ['app notin (web)', false],
    ['missing notin (web)', true],
    ['missing in (web)', false],
    ['app', true],
    ['missing', false],
    ['!missing', true],
    ['!app', false],
    ['app=web,tier=front', true],
    ['app=web,tier=back', false],
    ['n>6', true],
    ['n>7', false],
    ['n<8', true],
    ['app>1', false],
    ['missing>1', false],
    ['missing=', false],
  ];
  for (const [s, want] of cases) {
    it(`${JSON.stringify(s)} → ${want}`, () => assert.equal(matchLabels(parseLabelSelector(s), labels), want));
  }
  it('treats absent labels as an empty set', () => {
    assert.equal(matchLabels(parseLabelSelector('!a'), undefined), true);
    assert.equal(matchLabels(parseLabelSelector('a'), undefined), false);
  });
  it('does not read inherited properties as labels', () => {
    assert.equal(matchLabels(parseLabelSelector('constructor'), {}), false);
  });
});

describe('selectorFromLabelSelectorObject', () => {
  it('matches nothing when absent and everything when empty', () => {
    assert.equal(matchLabels(selectorFromLabelSelectorObject(undefined), {}), false);
    assert.equal(matchLabels(selectorFromLabelSelectorObject({}), { a: 'b' }), true);
  });
  it('combines matchLabels and matchExpressions', () => {
    const sel = selectorFromLabelSelectorObject({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['front', 'edge'] },
        { key: 'canary', operator: 'DoesNotExist' },
      ],
    });
    assert.equal(labelSelectorToString(sel), 'app=web,!canary,tier in (edge,front)');
    assert.equal(matchLabels(sel, { app: 'web', tier: 'edge' }), true);
    assert.equal(matchLabels(sel, { app: 'web', tier: 'edge', canary: 'y' }), false);
    assert.equal(matchLabels(sel, { app: 'web', tier: 'back' }), false);
  });
  it('rejects unknown operators and bad values with 400', () => {
    const bad: LabelSelectorObject[] = [
      { matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] },
      { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] },
      { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] },
      { matchLabels: { a: '-bad' } },
      { matchLabels: { '-bad': 'a' } },
    ];
    for (const obj of bad) {
      assert.throws(() => selectorFromLabelSelectorObject(obj), (e: unknown) => e instanceof ApiError && e.code === 400, JSON.stringify(obj));
    }
  });
});
