// Request limits both backends enforce before touching state, so a caller sees the same error from the
// memory store that etcd 3.4 would give (--max-txn-ops 128, --max-request-bytes 1.5 MiB).
import { MAX_TXN_OPS, StoreError, type Compare, type TxnOp } from './store.ts';

/** etcd's default --max-request-bytes: the largest write request it accepts. */
export const MAX_REQUEST_BYTES = 1.5 * 1024 * 1024;

/** Per-op framing etcd adds on the wire; counted so a value just under the limit still fails like etcd. */
const OP_OVERHEAD_BYTES = 16;

/** Approximate encoded size of a write request (keys and values in UTF-8 plus framing). */
export function requestBytes(compares: readonly Compare[], ops: readonly TxnOp[]): number {
  let n = 0;
  for (const c of compares) n += Buffer.byteLength(c.key) + OP_OVERHEAD_BYTES;
  for (const op of ops) {
    n += Buffer.byteLength(op.key) + OP_OVERHEAD_BYTES;
    if (op.type === 'put') n += Buffer.byteLength(op.value);
  }
  return n;
}

/**
 * Rejects a transaction etcd would reject: too many ops or compares ('TooManyOps'), too many bytes
 * ('TooLarge'), or the same key put twice / put and deleted in one txn (etcd: "duplicate key given in
 * txn request"; a plain Error because it is a programming mistake, not a runtime condition).
 */
export function checkTxn(compares: readonly Compare[], ops: readonly TxnOp[]): void {
  if (ops.length > MAX_TXN_OPS || compares.length > MAX_TXN_OPS) {
    throw new StoreError('TooManyOps', `too many operations in txn request (${Math.max(ops.length, compares.length)} > ${MAX_TXN_OPS})`);
  }
  const size = requestBytes(compares, ops);
  if (size > MAX_REQUEST_BYTES) {
    throw new StoreError('TooLarge', `request is too large (${size} > ${MAX_REQUEST_BYTES} bytes)`);
  }
  const puts = new Set<string>();
  for (const op of ops) {
    if (op.type !== 'put') continue;
    if (puts.has(op.key)) throw new Error(`duplicate key given in txn request: ${op.key}`);
    puts.add(op.key);
  }
  for (const op of ops) {
    if (op.type === 'delete' && puts.has(op.key)) throw new Error(`duplicate key given in txn request: ${op.key}`);
  }
}

/** Checks that a continue key lies inside the listed prefix. */
export function checkStartKey(prefix: string, startKey: string | undefined): void {
  if (startKey !== undefined && !startKey.startsWith(prefix)) {
    throw new Error(`startKey ${JSON.stringify(startKey)} is outside prefix ${JSON.stringify(prefix)}`);
  }
}
