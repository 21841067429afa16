// The Lease object leader election works on, and the narrow compare-and-swap interface it needs to read and
// write one. Kept apart from the elector so the elector runs over the typed client, a fake, or anything else.
import type { ApiObject } from '../../../api/schemas/kind.ts';
import { alreadyExists, conflict, isNotFound, notFound } from '../../apierrors/status.ts';
import type { Client } from '../../client/client.ts';

/** A Lease's spec, as Kubernetes' coordination.k8s.io Lease (times are RFC 3339 with microseconds). */
export interface LeaseSpec {
  /** Who holds the lease; empty when released. */
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  /** How many times the holder changed. */
  leaseTransitions?: number;
}

/** A `Lease` object of drover.dev/v1. */
export type Lease = ApiObject<LeaseSpec>;

/**
 * What the elector needs from wherever Leases live. `update` is compare-and-swap on
 * `metadata.resourceVersion` and throws an error for which isConflict() holds when it is stale; `create` throws
 * one for which isAlreadyExists() holds when the lease exists.
 */
export interface LeaseClient {
  /** The lease, or undefined when it does not exist. */
  get(name: string): Promise<Lease | undefined>;
  create(lease: Lease): Promise<Lease>;
  update(lease: Lease): Promise<Lease>;
}

/** A LeaseClient over the typed API client, for leases in `namespace` (ignored if the kind is cluster-scoped). */
export function clientLeaseClient(client: Pick<Client, 'resource'>, namespace: string): LeaseClient {
  const leases = () => client.resource<Lease>('leases');
  const inNamespace = (lease: Lease): Lease => ({ ...lease, metadata: { ...lease.metadata, namespace } });
  return {
    async get(name) {
      try {
        return await leases().get(name, { namespace });
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    create: (lease) => leases().create(inNamespace(lease)),
    update: (lease) => leases().update(inNamespace(lease)),
  };
}

/**
 * An in-memory LeaseClient with real compare-and-swap on resourceVersion, for tests and single-process use.
 * Objects are copied in and out, so callers cannot mutate what is stored.
 */
export class MemoryLeaseClient implements LeaseClient {
  private readonly leases = new Map<string, Lease>();
  private revision = 0;

  async get(name: string): Promise<Lease | undefined> {
    const lease = this.leases.get(name);
    return lease && structuredClone(lease);
  }

  async create(lease: Lease): Promise<Lease> {
    const name = lease.metadata.name;
    if (this.leases.has(name)) throw alreadyExists({ group: 'drover.dev', kind: 'leases', name });
    return this.store(lease);
  }

  async update(lease: Lease): Promise<Lease> {
    const name = lease.metadata.name;
    const current = this.leases.get(name);
    if (!current) throw notFound({ group: 'drover.dev', kind: 'leases', name });
    if (lease.metadata.resourceVersion !== current.metadata.resourceVersion) {
      throw conflict({ group: 'drover.dev', kind: 'leases', name }, 'the object has been modified; please apply your changes to the latest version and try again');
    }
    return this.store(lease);
  }

  private store(lease: Lease): Lease {
    const stored = structuredClone(lease);
    stored.metadata.resourceVersion = String(++this.revision);
    this.leases.set(stored.metadata.name, stored);
    return structuredClone(stored);
  }
}
