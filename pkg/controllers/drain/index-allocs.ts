// Two lookups the drain controller needs from the allocation informer without scanning it: the allocations on a
// node, and the allocations of a job. Kept up to date from the informer's events (as client-go's indexers).
import type { Allocation } from '../../../api/schemas/index.ts';
import type { Informer } from '../../client/informer.ts';
import { jobKeyOf } from '../../../api/schemas/job-key.ts';

/** Allocation keys (`namespace/name`) by node name and by job key, over an allocation informer's cache. */
export class AllocIndex {
  private readonly byNode = new Map<string, Set<string>>();
  private readonly byJob = new Map<string, Set<string>>();

  /** Index `informer`'s objects from now on; register before the informer starts so its first list is seen. */
  constructor(private readonly informer: Informer<Allocation>) {
    informer.on('add', (a) => this.put(a));
    informer.on('update', (old, a) => {
      this.drop(old);
      this.put(a);
    });
    informer.on('delete', (a) => this.drop(a));
  }

  /** Allocations currently placed on `nodeName`. */
  onNode(nodeName: string): Allocation[] {
    return this.resolve(this.byNode.get(nodeName));
  }

  /** Allocations of the job `namespace/name`. */
  ofJob(jobKey: string): Allocation[] {
    return this.resolve(this.byJob.get(jobKey));
  }

  private resolve(keys: Set<string> | undefined): Allocation[] {
    const out: Allocation[] = [];
    for (const k of keys ?? []) {
      const i = k.indexOf('/');
      const a = this.informer.get(k.slice(0, i), k.slice(i + 1));
      if (a) out.push(a);
    }
    return out;
  }

  private put(a: Allocation): void {
    const key = `${a.metadata.namespace}/${a.metadata.name}`;
    add(this.byNode, a.spec.nodeName, key);
    add(this.byJob, jobKeyOf(a), key);
  }

  private drop(a: Allocation): void {
    const key = `${a.metadata.namespace}/${a.metadata.name}`;
    remove(this.byNode, a.spec.nodeName, key);
    remove(this.byJob, jobKeyOf(a), key);
  }
}

function add(m: Map<string, Set<string>>, k: string, v: string): void {
  let s = m.get(k);
  if (!s) m.set(k, (s = new Set()));
  s.add(v);
}

function remove(m: Map<string, Set<string>>, k: string, v: string): void {
  const s = m.get(k);
  if (!s) return;
  s.delete(v);
  if (s.size === 0) m.delete(k);
}
