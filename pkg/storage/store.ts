// The Store contract every backend (memory, etcd) implements and the conformance suite checks.
// Semantics follow etcd v3 exactly: one global revision counter, every write bumps it by one,
// each key carries createRevision/modRevision/version, watches replay from any retained revision.

/** A stored key with its etcd-style revisions. `value` is the serialized object (JSON text). */
export interface KeyValue {
  key: string;
  value: string;
  /** Revision at which the key was (last) created. */
  createRevision: number;
  /** Revision of the last write to the key: the object's resourceVersion. */
  modRevision: number;
  /** Number of writes since creation (1 after create). */
  version: number;
}

/** Options for a range read. */
export interface ListOptions {
  /** Read at this revision (must be >= the compacted revision); default: current. */
  revision?: number;
  /** At most this many keys; 0/undefined = no limit. Backends page internally below transport limits. */
  limit?: number;
  /** Start at this key (inclusive), used for continue tokens. Must be within the prefix. */
  startKey?: string;
}

/** Result of a range read. */
export interface ListResult {
  kvs: KeyValue[];
  /** The revision the read was served at (header revision). */
  revision: number;
  /** True when more keys under the prefix follow the last returned key. */
  more: boolean;
}

/** A comparison guarding a transaction, as etcd's `if(key, 'Mod', '==', rev)`. */
export type Compare =
  | { key: string; target: 'mod'; equals: number } // modRevision == n (0 = key absent)
  | { key: string; target: 'create'; equals: number }; // createRevision == n (0 = key absent)

/** A write inside a transaction. */
export type TxnOp = { type: 'put'; key: string; value: string } | { type: 'delete'; key: string };

/** Result of a transaction. */
export interface TxnResult {
  succeeded: boolean;
  /** Store revision after the txn (or at which the failed compare was evaluated). */
  revision: number;
  /** On success: the written keys' new state (deletes: undefined). */
  written: Array<KeyValue | undefined>;
  /** On failure: the current state of every compared key (undefined = absent). */
  current: Array<KeyValue | undefined>;
}

/** One change seen by a watch. `prevKv` is set when the backend has it. */
export interface WatchEvent {
  type: 'put' | 'delete';
  /** For deletes: key with value of the deleted object and modRevision = the delete revision. */
  kv: KeyValue;
  prevKv?: KeyValue;
}

/** Callbacks of a watch. Events arrive in revision order, never duplicated, never skipped. */
export interface WatchHandlers {
  onEvents(events: WatchEvent[]): void;
  /** Terminal: the watch is over. `StoreError` with code 'Compacted' when the start revision is gone. */
  onError(err: Error): void;
  /** Optional progress notification: everything up to `revision` has been delivered. */
  onProgress?(revision: number): void;
}

/** A running watch. */
export interface Watch {
  cancel(): void;
}

/** The storage contract (see pkg/storage/README.md). */
export interface Store {
  /** Read one key at the current revision. */
  get(key: string): Promise<{ kv?: KeyValue; revision: number }>;
  /** Range over keys with `prefix`, ordered by key. */
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  /** Create-only put: fails with 'AlreadyExists' when the key exists. */
  create(key: string, value: string): Promise<KeyValue>;
  /** Compare-and-swap on modRevision: 'Conflict' when it moved, 'NotFound' when absent. */
  update(key: string, value: string, expectedModRevision: number): Promise<KeyValue>;
  /** Delete, optionally only if modRevision matches. Returns the deleted value (modRevision = delete revision). */
  delete(key: string, expectedModRevision?: number): Promise<KeyValue>;
  /** All-or-nothing transaction: if every compare holds, apply every op. At most 128 ops (etcd's limit). */
  txn(compares: Compare[], ops: TxnOp[]): Promise<TxnResult>;
  /** Watch every key under `prefix` from `startRevision` (inclusive; etcd semantics). */
  watch(prefix: string, startRevision: number, handlers: WatchHandlers): Watch;
  /** Drop history before `revision`; watches/reads below it fail with 'Compacted'. */
  compact(revision: number): Promise<void>;
  /** Current revision and compacted revision. */
  status(): Promise<{ revision: number; compactRevision: number }>;
  /** Whether writes can succeed now: false while etcd's space alarm is raised (reads still work). */
  health(): Promise<StoreHealth>;
  close(): Promise<void>;
}

/** The store's own view of whether it can take writes (the API server's /readyz reports it). */
export interface StoreHealth {
  writable: boolean;
  /** Why not, when not writable (e.g. etcd's NOSPACE alarm). */
  reason?: string;
}

/** Maximum number of ops in one transaction (etcd 3.4 default --max-txn-ops). */
export const MAX_TXN_OPS = 128;

/** Typed store failure codes. */
export type StoreErrorCode =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Compacted'
  | 'FutureRevision'
  | 'TooManyOps'
  | 'TooLarge'
  | 'NoSpace'
  | 'Unavailable'
  // A stored value no configured encryption provider can read (pkg/encryption): a missing key, altered bytes.
  | 'Undecryptable';

/** A store failure with a code the API server maps to a Status. */
export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    /** For 'Conflict': the current state of the key, when known. */
    readonly current?: KeyValue,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

/** True when `err` is a StoreError with `code`. */
export function isStoreError(err: unknown, code?: StoreErrorCode): err is StoreError {
  return err instanceof StoreError && (code === undefined || err.code === code);
}
