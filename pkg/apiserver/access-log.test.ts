import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accessLogLevel, type AccessRecord } from './access-log.ts';

test('access log levels: expected lookups, conflicts and routine traffic at debug; people\'s writes and rejections at info; 5xx at error', () => {
  const person = 'drover/0.1.0';
  const component = 'drover dev/components';
  const cases: Array<[Partial<AccessRecord>, string, string]> = [
    [{ method: 'GET', code: 404, userAgent: component }, 'debug', 'a lease that does not exist yet'],
    [{ method: 'GET', code: 404, userAgent: person }, 'debug', 'drover get of a missing name'],
    [{ method: 'PUT', code: 409, userAgent: component }, 'debug', 'stale resourceVersion, retried'],
    [{ method: 'POST', code: 409, userAgent: person }, 'debug', 'AlreadyExists'],
    [{ method: 'GET', code: 200, userAgent: person }, 'debug', 'reads'],
    [{ method: 'PUT', code: 200, userAgent: 'drover-agent/0.1.0' }, 'debug', 'heartbeats'],
    [{ method: 'POST', code: 201, userAgent: person }, 'info', 'a person\'s create'],
    [{ method: 'DELETE', code: 404, userAgent: person }, 'info', 'deleting what is not there'],
    [{ method: 'POST', code: 422, userAgent: component }, 'info', 'invalid'],
    [{ method: 'GET', code: 403, userAgent: person }, 'info', 'forbidden'],
    [{ method: 'GET', code: 500, userAgent: person }, 'error', 'server failed'],
    [{ method: 'GET', code: 503, userAgent: component }, 'error', 'server failed'],
    [{ method: 'GET', code: 404, resourceRequest: false }, 'debug', 'unknown path'],
    [{ method: 'GET', code: 500, resourceRequest: false }, 'error', '5xx anywhere'],
  ];
  for (const [r, want, why] of cases) assert.equal(accessLogLevel({ resourceRequest: true, method: 'GET', code: 200, ...r }), want, why);
});
