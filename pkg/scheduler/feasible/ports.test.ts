import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assignPorts, DEFAULT_PORT_RANGE } from './ports.ts';
import { seededRandom } from '../random.ts';

const none = () => false;

test('static ports are given as asked; `to: -1` maps to the host port', () => {
  const r = assignPorts([{ label: 'http', static: 8080, to: -1 }, { label: 'admin', static: 9000, to: 80 }], none, DEFAULT_PORT_RANGE, seededRandom('x'));
  assert.deepEqual(r, { ok: true, ports: [{ label: 'http', value: 8080, to: 8080 }, { label: 'admin', value: 9000, to: 80 }] });
});

test('a static port held by another allocation, or asked twice, is a collision', () => {
  const held = (p: number) => p === 8080;
  assert.deepEqual(assignPorts([{ label: 'http', static: 8080 }], held, DEFAULT_PORT_RANGE, seededRandom('x')), {
    ok: false, dimension: 'network: reserved port collision http=8080',
  });
  const twice = assignPorts([{ label: 'a', static: 7000 }, { label: 'b', static: 7000 }], none, DEFAULT_PORT_RANGE, seededRandom('x'));
  assert.equal(twice.ok, false);
});

test('dynamic ports come from the range, avoid held and static ports, and are distinct', () => {
  const held = new Set([20000, 20001, 20002]);
  const asks = [{ label: 'a' }, { label: 'b' }, { label: 'c', static: 20003 }, { label: 'd' }];
  const range = { min: 20000, max: 20006 };
  for (const seed of ['s1', 's2', 's3', 's4']) {
    const r = assignPorts(asks, (p) => held.has(p), range, seededRandom(seed));
    assert.ok(r.ok);
    const values = r.ports.map((p) => p.value);
    assert.equal(new Set(values).size, values.length);
    for (const v of values) assert.ok(v >= range.min && v <= range.max && !held.has(v));
  }
});

test('a full range exhausts dynamic ports', () => {
  const r = assignPorts([{ label: 'a' }, { label: 'b' }], (p) => p === 30000, { min: 30000, max: 30001 }, seededRandom('x'));
  assert.deepEqual(r, { ok: false, dimension: 'network: dynamic port selection failed' });
});

test('the same seed picks the same ports', () => {
  const a = assignPorts([{ label: 'a' }], none, DEFAULT_PORT_RANGE, seededRandom('eval-1'));
  const b = assignPorts([{ label: 'a' }], none, DEFAULT_PORT_RANGE, seededRandom('eval-1'));
  assert.deepEqual(a, b);
});
