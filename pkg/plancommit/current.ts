// The existing allocations a plan changes (stops, updates, reschedule links), with the revision each change is
// compare-and-swapped against, and the helpers that read a failed transaction's compares.
import type { Allocation } from '../../api/schemas/index.ts';
import type { KindInfo } from '../../api/schemas/kind.ts';
import { decodeStored, objectKey } from '../apiserver/codec.ts';
import type { KindCaches } from '../apiserver/caches.ts';
import type { Compare, KeyValue, Store } from '../storage/store.ts';

/** An allocation as last read, with its mod revision. */
export interface Current {
  obj: Allocation;
  rev: number;
}

/** Existing allocations by name, read from the cache first and from the store after a lost race. */
export class CurrentAllocs {
  private readonly byName = new Map<string, Current | undefined>();

  constructor(
    private readonly deps: { store: Store; caches: KindCaches; kind: KindInfo },
    private readonly namespace: string,
  ) {}

  /** The store key of an allocation of this namespace. */
  key(name: string): string {
    return objectKey(this.deps.kind, this.namespace, name);
  }

  /** Read every named allocation (cache, falling back to the store for misses). */
  async load(names: Iterable<string>): Promise<void> {
    const todo = [...new Set(names)].filter((n) => !this.byName.has(n));
    await Promise.all(
      todo.map(async (name) => {
        const cached = (await this.deps.caches.get(this.deps.kind, this.key(name))) as Allocation | undefined;
        if (cached) return this.byName.set(name, { obj: cached, rev: Number(cached.metadata.resourceVersion) });
        const { kv } = await this.deps.store.get(this.key(name));
        this.set(name, kv);
      }),
    );
  }

  /** The allocation, or undefined when it does not exist. */
  get(name: string): Current | undefined {
    return this.byName.get(name);
  }

  /** Replace what is known of an allocation with the store's state (after a failed compare) or a write. */
  set(name: string, kv: KeyValue | undefined): void {
    this.byName.set(name, kv ? { obj: decodeStored(kv) as Allocation, rev: kv.modRevision } : undefined);
  }
}

/** Whether `c` holds against the key's current state (undefined = absent). */
export function holds(c: Compare, kv: KeyValue | undefined): boolean {
  return c.target === 'mod' ? (kv?.modRevision ?? 0) === c.equals : (kv?.createRevision ?? 0) === c.equals;
}
