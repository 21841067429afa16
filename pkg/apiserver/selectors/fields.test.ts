import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../apierrors/status.ts';
import { fieldSelectorToString, matchFields, parseFieldSelector, requiredFieldValue } from './fields.ts';

const ALLOWED = ['spec.nodeName', 'status.phase'];

describe('parseFieldSelector', () => {
  const cases: { in: string; want: [string, string, string][]; printed?: string }[] = [
    { in: '', want: [] },
    { in: 'spec.nodeName=n1', want: [['spec.nodeName', '=', 'n1']] },
    { in: 'spec.nodeName==n1', want: [['spec.nodeName', '=', 'n1']], printed: 'spec.nodeName=n1' },
    { in: 'status.phase!=down', want: [['status.phase', '!=', 'down']] },
    { in: 'status.phase=', want: [['status.phase', '=', '']] },
    { in: 'status.phase=a,metadata.name=x', want: [['metadata.name', '=', 'x'], ['status.phase', '=', 'a']], printed: 'metadata.name=x,status.phase=a' },
    { in: ' metadata.namespace = default ', want: [['metadata.namespace', '=', 'default']], printed: 'metadata.namespace=default' },
    { in: 'metadata.name=a\\,b\\=c\\\\d', want: [['metadata.name', '=', 'a,b=c\\d']] },
    { in: 'metadata.name=x,', want: [['metadata.name', '=', 'x']], printed: 'metadata.name=x' },
  ];
  for (const c of cases) {
    it(`parses ${JSON.stringify(c.in)}`, () => {
      const sel = parseFieldSelector(c.in, ALLOWED);
      assert.deepEqual(
        sel.requirements.map((r) => [r.field, r.operator, r.value]),
        c.want,
      );
      assert.equal(fieldSelectorToString(sel), c.printed ?? c.in);
    });
  }

  const bad: { in: string; msg: string }[] = [
    { in: 'spec.foo=x', msg: 'field label not supported: spec.foo' },
    { in: 'spec.nodeName', msg: "invalid selector: 'spec.nodeName'; can't understand 'spec.nodeName'" },
    { in: 'metadata.name=a=b', msg: 'invalid field selector: unescaped character in value: =' },
    { in: 'metadata.name=a\\x', msg: 'invalid field selector: invalid escape sequence: \\x' },
    { in: 'metadata.name=a\\', msg: 'invalid field selector: invalid escape sequence: \\' },
  ];
  for (const c of bad) {
    it(`rejects ${JSON.stringify(c.in)} with 400`, () => {
      assert.throws(
        () => parseFieldSelector(c.in, ALLOWED),
        (e: unknown) => e instanceof ApiError && e.code === 400 && e.message === c.msg,
      );
    });
  }
});

describe('matchFields', () => {
  const fields: Record<string, string> = { 'metadata.name': 'a1', 'spec.nodeName': 'n1' };
  const get = (f: string) => fields[f];
  const cases: [string, boolean][] = [
    ['', true],
    ['spec.nodeName=n1', true],
    ['spec.nodeName=n2', false],
    ['spec.nodeName!=n2', true],
    ['spec.nodeName=n1,metadata.name=a1', true],
    ['spec.nodeName=n1,metadata.name!=a1', false],
    ['status.phase=', true], // absent reads as ""
    ['status.phase!=', false],
    ['status.phase!=running', true],
  ];
  for (const [s, want] of cases) {
    it(`${JSON.stringify(s)} → ${want}`, () => assert.equal(matchFields(parseFieldSelector(s, ALLOWED), get), want));
  }
  it('finds the value a selector pins a field to', () => {
    const sel = parseFieldSelector('spec.nodeName=n1,status.phase!=down', ALLOWED);
    assert.equal(requiredFieldValue(sel, 'spec.nodeName'), 'n1');
    assert.equal(requiredFieldValue(sel, 'status.phase'), undefined);
  });
});
