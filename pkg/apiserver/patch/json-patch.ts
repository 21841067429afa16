// JSON patch (RFC 6902), `application/json-patch+json`, applied with fast-json-patch. As in Kubernetes, a
// malformed patch document is the client's syntax error (400 BadRequest) while an operation that does not
// apply to this object — a failing `test`, a missing path — is 422 Invalid.
import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { apiError, badRequest, type ApiError } from '../../apierrors/status.ts';
import { assertSafeKeys, assertSafePointer, isPlainObject } from './safe-keys.ts';

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);
const POINTER = /^(\/([^~]|~[01])*)*$/;

/** Check the shape of a JSON patch document and return its operations; 400 BadRequest when malformed. */
export function decodeJsonPatch(patch: unknown): Operation[] {
  if (!Array.isArray(patch)) throw badRequest('json patch must be a JSON array of operations');
  patch.forEach((op, i) => {
    const where = `json patch operation ${i}`;
    if (!isPlainObject(op)) throw badRequest(`${where}: must be an object`);
    if (typeof op.op !== 'string' || !OPS.has(op.op)) throw badRequest(`${where}: unknown op ${JSON.stringify(op.op)}`);
    checkPointer(op.path, `${where}: path`);
    if (op.op === 'move' || op.op === 'copy') checkPointer(op.from, `${where}: from`);
    if ((op.op === 'add' || op.op === 'replace' || op.op === 'test') && !Object.hasOwn(op, 'value')) {
      throw badRequest(`${where}: ${op.op} needs a value`);
    }
    assertSafeKeys(op.value, `${where}: value`);
  });
  return patch as Operation[];
}

function checkPointer(p: unknown, where: string): void {
  if (typeof p !== 'string') throw badRequest(`${where} must be a string`);
  if (!POINTER.test(p)) throw badRequest(`${where} ${JSON.stringify(p)} is not a JSON pointer`);
  assertSafePointer(p, where);
}

/**
 * Apply an RFC 6902 patch to `obj` and return a new object. 400 BadRequest for a malformed patch document;
 * 422 Invalid when an operation does not apply (a `test` fails, a path is missing, an index is out of range).
 * Neither `obj` nor `patch` is modified.
 */
export function applyJsonPatch(obj: object, patch: unknown): object {
  const ops = structuredClone(decodeJsonPatch(patch));
  let doc: unknown = structuredClone(obj);
  for (const op of ops) {
    if (op.op === 'move' && (op.path === op.from || op.path.startsWith(`${op.from}/`))) {
      if (op.path === op.from) continue;
      throw notApplicable(op, `move operation does not apply: cannot move ${op.from} into its own child ${op.path}`);
    }
    try {
      doc = jsonpatch.applyOperation(doc, op, true, true, true).newDocument;
    } catch (e) {
      throw notApplicable(op, describe(op, e));
    }
  }
  if (!isPlainObject(doc)) throw apiError('Invalid', 'the server rejected our request due to an error in our request: the patched document is not an object');
  return doc;
}

function describe(op: Operation, e: unknown): string {
  const code = (e as { name?: string }).name;
  const from = (op as { from?: string }).from;
  switch (code) {
    case 'TEST_OPERATION_FAILED':
      return `testing value ${op.path} failed: test failed`;
    case 'OPERATION_PATH_UNRESOLVABLE':
    case 'OPERATION_PATH_CANNOT_ADD':
      return `${op.op} operation does not apply: doc is missing path: ${op.path}`;
    case 'OPERATION_FROM_UNRESOLVABLE':
      return `${op.op} operation does not apply: doc is missing from path: ${from}`;
    case 'OPERATION_PATH_ILLEGAL_ARRAY_INDEX':
      return `${op.op} operation does not apply: invalid array index in path: ${op.path}`;
    case 'OPERATION_VALUE_OUT_OF_BOUNDS':
      return `${op.op} operation does not apply: index out of bounds in path: ${op.path}`;
    default:
      return `${op.op} operation does not apply: ${(e as Error).message}`;
  }
}

// 422 with a field cause in Kubernetes' dotted form, so kubectl prints which field the patch tripped on.
function notApplicable(op: Operation, detail: string): ApiError {
  return apiError('Invalid', `the server rejected our request due to an error in our request: ${detail}`, {
    causes: [{ reason: 'FieldValueInvalid', field: pointerToFieldPath(op.path), message: detail }],
  });
}

/** `/spec/groups/0/count` → `spec.groups[0].count`, the field path form used in Status causes. */
export function pointerToFieldPath(pointer: string): string {
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^(0|[1-9]\d*|-)$/.test(seg) ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  }
  return out;
}
