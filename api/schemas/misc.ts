// The supporting kinds: Lease (coordination.k8s.io/v1: leader election, node heartbeats), JobVersion (history).
// Namespace and Event are core/v1 kinds (core.ts).
import { Type } from '@sinclair/typebox';
import { Obj, StringEnum, Timestamp, Int, SetList, Fixed } from './common.ts';
import { envelope, ObjectMeta } from './meta.ts';
import { JobSpec } from './job.ts';

/** Lease spec: the coordination.k8s.io/v1 Lease shape. */
export const LeaseSpec = Obj(
  {
    holderIdentity: Type.Optional(Type.String({ description: 'Current holder.' })),
    leaseDurationSeconds: Type.Optional(Int({ minimum: 1, description: 'Seconds a holder keeps the lease without renewing.' })),
    acquireTime: Type.Optional(Timestamp({ description: 'When the current holder acquired it.' })),
    renewTime: Type.Optional(Timestamp({ description: 'When the holder last renewed it.' })),
    leaseTransitions: Type.Optional(Int({ minimum: 0, description: 'Number of holder changes.' })),
  },
  { description: 'Lease holder and timing.' },
);

/** apiVersion of Lease objects: Kubernetes' coordination group, so client-go's and client-node's lease code works. */
export const LEASE_API_VERSION = 'coordination.k8s.io/v1';

/** The Lease object schema (coordination.k8s.io/v1: metadata and spec, no status). */
export const LeaseSchema = Obj(
  {
    apiVersion: Fixed(LEASE_API_VERSION, { description: 'Versioned schema of this representation: coordination.k8s.io/v1.' }),
    kind: Fixed('Lease', { description: 'Kind of this object: Lease.' }),
    metadata: ObjectMeta(),
    spec: Type.Optional(Type.Unsafe<typeof LeaseSpec.static>({ ...LeaseSpec, default: {} })),
  },
  { description: 'A lease for leader election and node heartbeats.' },
);

/** A recorded job version. */
export const JobVersionSpec = Obj(
  {
    jobName: Type.String({ minLength: 1, description: 'Job this version belongs to.' }),
    version: Int({ minimum: 0, description: 'Version number.' }),
    jobSpec: JobSpec,
    stable: Type.Optional(Type.Boolean({ description: 'The version deployed successfully.' })),
  },
  { description: 'The job spec at one version.' },
);

/** The JobVersion object schema. */
export const JobVersionSchema = envelope({
  kind: 'JobVersion', spec: JobVersionSpec, status: Obj({}, { description: 'Unused.' }), description: 'An immutable past version of a job.',
});
