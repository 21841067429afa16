// Mapping etcd3's errors to StoreError codes, and which failures are safe to retry.
import {
  ClientClosedError,
  EtcdWatchStreamEnded,
  GRPCDeadlineExceededError,
  GRPCResourceExhastedError,
  GRPCUnavailableError,
  isRecoverableError,
} from 'etcd3';
import { isStoreError, StoreError } from '../store.ts';

/** Thrown by our per-host breaker instead of calling a host that just failed; never reached etcd. */
export class HostDownError extends Error {
  constructor(host: string) {
    super(`etcd host ${host} failed recently; trying another`);
    this.name = 'HostDownError';
  }
}

/** Converts an etcd3/gRPC failure into a StoreError where one applies (else returns it unchanged). */
export function mapEtcdError(err: unknown, kind: 'read' | 'write'): Error {
  if (isStoreError(err)) return err;
  const e = err instanceof Error ? err : new Error(String(err));
  const msg = e.message;
  if (msg.includes('required revision has been compacted')) return new StoreError('Compacted', msg);
  if (msg.includes('required revision is a future revision')) return new StoreError('FutureRevision', msg);
  if (msg.includes('too many operations in txn request')) return new StoreError('TooManyOps', msg);
  if (msg.includes('request is too large')) return new StoreError('TooLarge', msg);
  // The space alarm: etcd refuses every put, however small, until it is disarmed (docs/operations.md).
  if (msg.includes('database space exceeded')) return new StoreError('NoSpace', msg);
  // A write over the server's receive limit fails in gRPC before etcd sees it.
  if (kind === 'write' && e instanceof GRPCResourceExhastedError) return new StoreError('TooLarge', msg);
  if (isUnavailable(e)) return new StoreError('Unavailable', msg);
  return e;
}

/** True for failures that mean "etcd could not be reached or had no leader": retryable for reads. */
export function isUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (isStoreError(err, 'Unavailable')) return true;
  return (
    err instanceof GRPCUnavailableError ||
    err instanceof GRPCDeadlineExceededError ||
    err instanceof ClientClosedError ||
    err instanceof EtcdWatchStreamEnded ||
    err instanceof HostDownError ||
    isRecoverableError(err) ||
    /etcdserver: (no leader|leader changed|request timed out|not capable|too many requests)/.test(err.message)
  );
}

/**
 * True when the request certainly never reached etcd, so even a non-idempotent write may be retried.
 * A write whose connection dropped mid-flight may have been applied; retrying it could turn a success
 * into a spurious Conflict, so those are returned to the caller as 'Unavailable'.
 */
export function neverSent(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return err instanceof HostDownError || /No connection established|ECONNREFUSED|connect ECONN/.test(err.message);
}

/** True when a response was refused for exceeding the client's receive limit (4 MiB by default). */
export function isResponseTooLarge(err: unknown): boolean {
  return err instanceof GRPCResourceExhastedError || (err instanceof Error && /larger than max/.test(err.message));
}

/** The received size from a "larger than max (N vs. M)" error, when the message carries it. */
export function oversizeRatio(err: unknown): number | undefined {
  const m = err instanceof Error ? /larger than max \((\d+) vs\.? (\d+)\)/.exec(err.message) : null;
  return m ? Number(m[1]) / Number(m[2]) : undefined;
}
