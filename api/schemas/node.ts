// Node: a machine running the node agent. Spec is operator intent (eligibility, drain); status is the fingerprint.
import { Type } from '@sinclair/typebox';
import { Obj, StringEnum, StringMap, MapOf, Duration, Timestamp, Int, Conditions } from './common.ts';
import { envelope } from './meta.ts';

/** Options of an ongoing drain. */
export const DrainSpec = Obj(
  {
    deadline: Type.Optional(Duration({ description: 'Time allowed for migrations before remaining allocations are stopped; "0" = force now; absent = no deadline.' })),
    ignoreSystemJobs: Type.Optional(Type.Boolean({ default: false, description: 'Leave system job allocations running.' })),
    startedAt: Type.Optional(Timestamp({ description: 'When the drain began; set by the server.' })),
  },
  { description: 'Requests that allocations migrate off the node.' },
);

/** A host volume a node exposes. */
export const HostVolume = Obj(
  {
    path: Type.String({ minLength: 1, description: 'Path on the host.' }),
    readOnly: Type.Optional(Type.Boolean({ default: false, description: 'Only read-only mounts are allowed.' })),
  },
  { description: 'A directory on the host that groups can mount.' },
);

/** Operator intent for a node. */
export const NodeSpec = Obj(
  {
    datacenter: Type.Optional(Type.String({ minLength: 1, default: 'dc1', description: 'Datacenter the node is in.' })),
    nodeClass: Type.Optional(Type.String({ description: 'Class used for constraints and computed-class feasibility caching.' })),
    eligibility: Type.Optional(StringEnum(['eligible', 'ineligible'], { default: 'eligible', description: 'Whether new allocations may be placed here.' })),
    drain: Type.Optional(DrainSpec),
    meta: Type.Optional(StringMap({ description: 'Operator metadata, usable in constraints as ${meta.<key>}.' })),
    hostVolumes: Type.Optional(MapOf(HostVolume, { description: 'Host volumes by name.' })),
  },
  { description: 'Operator intent for the node.' },
);

/** Node capacity in scheduling units. */
export const NodeResources = Obj(
  {
    cpu: Type.Optional(Int({ minimum: 0, description: 'Total CPU in MHz.' })),
    memoryMB: Type.Optional(Int({ minimum: 0, description: 'Memory in MB.' })),
    diskMB: Type.Optional(Int({ minimum: 0, description: 'Disk in MB.' })),
    cores: Type.Optional(Int({ minimum: 0, description: 'CPU cores.' })),
    networkMbits: Type.Optional(Int({ minimum: 0, description: 'Network bandwidth in Mbit/s.' })),
  },
  { description: 'Node resources.' },
);

/** A task driver as fingerprinted on the node. */
export const DriverInfo = Obj(
  {
    detected: Type.Boolean({ description: 'The driver is available on the node.' }),
    healthy: Type.Boolean({ description: 'The driver is working.' }),
    description: Type.Optional(Type.String({ description: 'Health details.' })),
    attributes: Type.Optional(StringMap({ description: 'Driver attributes (e.g. version).' })),
    updateTime: Type.Optional(Timestamp({ description: 'When the health last changed.' })),
  },
  { description: 'Driver fingerprint.' },
);

/** What the agent reports about its node. */
export const NodeStatus = Obj(
  {
    phase: Type.Optional(StringEnum(['initializing', 'ready', 'down'], { description: 'Node lifecycle phase.' })),
    resources: Type.Optional(NodeResources),
    reserved: Type.Optional(NodeResources),
    attributes: Type.Optional(StringMap({ description: 'Fingerprinted attributes: kernel.name, os.name, cpu.arch, unique.hostname, driver.<name>, ...' })),
    drivers: Type.Optional(MapOf(DriverInfo, { description: 'Drivers by name.' })),
    address: Type.Optional(Type.String({ description: 'Address allocations are reachable on.' })),
    hostVolumes: Type.Optional(MapOf(HostVolume, { description: 'Host volumes the agent found.' })),
    computedClass: Type.Optional(Type.String({ description: 'Hash of the attributes that feasibility depends on.' })),
    lastHeartbeat: Type.Optional(Timestamp({ description: 'Last heartbeat (the node Lease renew time is authoritative).' })),
    agentVersion: Type.Optional(Type.String({ description: 'Version of the node agent.' })),
    conditions: Type.Optional(Conditions()),
  },
  { description: 'Observed state of the node.' },
);

/** The Node object schema. */
export const NodeSchema = envelope({
  kind: 'Node', spec: NodeSpec, status: NodeStatus, specOptional: true, description: 'A machine that runs allocations.',
});
