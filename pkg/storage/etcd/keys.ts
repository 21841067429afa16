// Key spaces and conversions between etcd3's wire shapes (Buffers, int64 as strings) and KeyValue.
import type { IKeyValue } from 'etcd3';
import type { KeyValue } from '../store.ts';

/** The store's key space inside etcd: every key is `prefix + key`. */
export class KeySpace {
  private readonly prefix: Buffer;

  constructor(prefix: string) {
    this.prefix = Buffer.from(prefix, 'utf8');
  }

  /** The etcd key for a store key. */
  full(key: string): Buffer {
    return Buffer.concat([this.prefix, Buffer.from(key, 'utf8')]);
  }

  /** The store key of an etcd key. */
  strip(key: Buffer): string {
    return key.subarray(this.prefix.length).toString('utf8');
  }

  /** The etcd range [start, end) holding every store key under `prefix` (etcd's prefix rule). */
  range(prefix: string): { start: Buffer; end: Buffer } {
    const start = this.full(prefix);
    // An empty key is invalid in etcd; ['\0', '\0') means "every key", as clientv3 sends for "".
    if (start.length === 0) return { start: Buffer.from([0]), end: Buffer.from([0]) };
    return { start, end: prefixEnd(start) };
  }

  /** A key that is always valid to send (status probes). */
  probe(): Buffer {
    return this.prefix.length > 0 ? this.prefix : Buffer.from([0]);
  }

  /** A live kv from the wire. */
  kv(raw: IKeyValue): KeyValue {
    return {
      key: this.strip(raw.key),
      value: raw.value.toString('utf8'),
      createRevision: Number(raw.create_revision),
      modRevision: Number(raw.mod_revision),
      version: Number(raw.version),
    };
  }

  /** The kv a put produced at `revision`, from the previous kv etcd returned (prev_kv). */
  written(key: string, value: string, revision: number, prev: IKeyValue | null | undefined): KeyValue {
    return {
      key,
      value,
      createRevision: prev ? Number(prev.create_revision) : revision,
      modRevision: revision,
      version: prev ? Number(prev.version) + 1 : 1,
    };
  }

  /** A deleted key as the Store reports it: the old value, the delete's revision, version 0. */
  deleted(prev: IKeyValue | null | undefined, key: Buffer, revision: number): KeyValue {
    return {
      key: this.strip(key),
      value: prev ? prev.value.toString('utf8') : '',
      createRevision: prev ? Number(prev.create_revision) : 0,
      modRevision: revision,
      version: 0,
    };
  }
}

/** The smallest key greater than every key starting with `prefix` (etcd's range_end for a prefix). */
export function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]!++;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]); // all 0xff: no upper bound
}
