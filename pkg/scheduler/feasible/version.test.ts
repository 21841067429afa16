import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseVersion, compareVersions, parseVersionConstraint, satisfies } from './version.ts';

test('parses loose and strict versions', () => {
  assert.deepEqual(parseVersion('v1.2', 'version'), { segments: [1, 2, 0], specified: 2, pre: '' });
  assert.deepEqual(parseVersion('1.2.3.4', 'version')?.segments, [1, 2, 3, 4]);
  assert.equal(parseVersion('1.2.3beta', 'version')?.pre, 'beta');
  assert.equal(parseVersion('1.2.3.4', 'semver'), undefined); // at most major.minor.patch
  assert.equal(parseVersion('1.2.3beta', 'semver'), undefined); // a pre-release needs its "-"
  assert.equal(parseVersion('1.0.0-rc.1+build.5', 'semver')?.pre, 'rc.1');
  assert.equal(parseVersion('banana', 'version'), undefined);
});

test('orders versions by segments then semver pre-release precedence', () => {
  const order = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '1.0.1', '1.10.0'];
  for (let i = 1; i < order.length; i++) {
    const a = parseVersion(order[i - 1], 'semver')!;
    const b = parseVersion(order[i], 'semver')!;
    assert.equal(compareVersions(a, b), -1, `${order[i - 1]} < ${order[i]}`);
    assert.equal(compareVersions(b, a), 1);
  }
  assert.equal(compareVersions(parseVersion('1.2', 'version')!, parseVersion('1.2.0', 'version')!), 0);
});

test('pessimistic constraints bound the last written segment', () => {
  const check = (v: string, c: string) => satisfies(parseVersion(v, 'version')!, parseVersionConstraint(c, 'version')!, 'version');
  assert.equal(check('1.2.9', '~> 1.2.3'), true);
  assert.equal(check('1.3.0', '~> 1.2.3'), false);
  assert.equal(check('1.9', '~> 1.2'), true);
  assert.equal(check('2.0', '~> 1.2'), false);
  assert.equal(check('1.2.2', '~> 1.2.3'), false);
});

test('malformed constraints are rejected', () => {
  assert.equal(parseVersionConstraint('>> 1.0', 'version'), undefined);
  assert.equal(parseVersionConstraint('>= 1.0,', 'version'), undefined);
  assert.equal(parseVersionConstraint('~> 1.0.0', 'semver'), undefined);
});
