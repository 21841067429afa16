// When each node's heartbeat Lease is overdue, judged as the health controller judges expiry: by our own clock,
// from when we first saw the current lease version, for the lease's own leaseDurationSeconds (no grace). The
// remote renewTime is only compared for equality, so clock skew cannot make a node look overdue. An overdue node
// takes no new allocations; its allocations are not lost for that (only the health controller's `down` does that).
import type { Lease } from '../../../api/schemas/index.ts';

/** One lease version and when, by our clock, it stops covering its node. */
interface Deadline {
  record: string;
  at: number;
}

function leaseVersion(lease: Lease): string {
  const s = lease.spec ?? {};
  return `${lease.metadata.uid ?? ''}|${s.holderIdentity ?? ''}|${s.renewTime ?? ''}|${s.acquireTime ?? ''}`;
}

/** Per node (a node lease is named after its node): the deadline of the lease version last seen. */
export class LeaseDeadlines {
  private readonly deadlines = new Map<string, Deadline>();

  /** The lease as the informer has it now (a new version moves the deadline to now + its duration). */
  observe(lease: Lease, now: number): void {
    const record = leaseVersion(lease);
    const seconds = lease.spec?.leaseDurationSeconds;
    const d = this.deadlines.get(lease.metadata.name);
    if (!seconds) {
      this.deadlines.delete(lease.metadata.name); // a lease that promises nothing is not judged
      return;
    }
    if (!d || d.record !== record) this.deadlines.set(lease.metadata.name, { record, at: now + seconds * 1000 });
  }

  forget(node: string): void {
    this.deadlines.delete(node);
  }

  /** The node's lease is past its deadline (a node without a lease is judged by its phase alone). */
  overdue(node: string, now: number): boolean {
    const d = this.deadlines.get(node);
    return d !== undefined && now >= d.at;
  }

  /** Nodes with a deadline. */
  nodes(): IterableIterator<string> {
    return this.deadlines.keys();
  }
}
