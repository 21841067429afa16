// The Nomad job-spec blocks shared by job, group and task levels: placement rules (constraints, affinities,
// spreads) and lifecycle policies (update, migrate, reschedule, restart), disks, volumes and networks.
import { Type } from '@sinclair/typebox';
import { Obj, StringEnum, Duration, Int, Identifier, KeyedList } from './common.ts';

/** Every constraint operator Nomad supports. */
export const CONSTRAINT_OPERATORS = [
  '=', '==', '!=', '<', '>', '<=', '>=', 'regexp', 'set_contains', 'set_contains_all', 'set_contains_any',
  'version', 'semver', 'is_set', 'is_not_set', 'distinct_hosts', 'distinct_property',
] as const;

/** Affinity operators: the comparison operators (affinities prefer; they cannot express distinctness). */
export const AFFINITY_OPERATORS = [
  '=', '==', '!=', '<', '>', '<=', '>=', 'regexp', 'set_contains', 'set_contains_all', 'set_contains_any', 'version', 'semver',
] as const;

const attribute = Type.String({
  description: 'Node attribute to examine, in interpolation form: ${attr.kernel.name}, ${node.datacenter}, ${node.class}, ${meta.rack}, ${node.unique.name}.',
});

/** A hard placement rule: nodes that fail it are filtered out. */
export const Constraint = Obj(
  {
    attribute: Type.Optional(attribute),
    operator: Type.Optional(StringEnum(CONSTRAINT_OPERATORS, { default: '=', description: 'Comparison operator.' })),
    value: Type.Optional(Type.String({ description: 'Value compared against the attribute (a regexp, version constraint, set or count for distinct_property).' })),
  },
  { description: 'A hard requirement a node must meet to receive the allocation.' },
);

/** A soft placement preference: matching nodes score higher (or lower, with a negative weight). */
export const Affinity = Obj(
  {
    attribute,
    operator: Type.Optional(StringEnum(AFFINITY_OPERATORS, { default: '=', description: 'Comparison operator.' })),
    value: Type.String({ description: 'Value compared against the attribute.' }),
    weight: Type.Optional(Int({ minimum: -100, maximum: 100, default: 50, description: 'Preference strength; negative values are anti-affinities.' })),
  },
  { description: 'A soft preference for (or against) nodes with an attribute.' },
);

/** One target of a spread: the share of allocations wanted on nodes with `value`. */
export const SpreadTarget = Obj(
  {
    value: Type.String({ description: 'Attribute value this target applies to.' }),
    percent: Int({ minimum: 0, maximum: 100, description: 'Percentage of allocations wanted on nodes with this value.' }),
  },
  { description: 'A desired share of allocations for one attribute value.' },
);

/** Spread allocations over the values of a node attribute. */
export const Spread = Obj(
  {
    attribute: Type.String({ minLength: 1, description: 'Node attribute to spread over, e.g. ${node.datacenter}.' }),
    weight: Type.Optional(Int({ minimum: 0, maximum: 100, default: 50, description: 'Importance relative to other spreads and affinities.' })),
    targets: Type.Optional(Type.Array(SpreadTarget, { description: 'Desired percentages per value; absent means an even spread.' })),
  },
  { description: 'Spreads allocations across the values of an attribute.' },
);

/** How allocation health is determined during updates and migrations. */
export const HealthCheckMode = StringEnum(['checks', 'task_states', 'manual'], {
  default: 'checks',
  description: 'checks: all tasks running and service checks passing; task_states: all tasks running; manual: set by the operator.',
});

/** Rolling update and canary strategy. */
export const UpdateStrategy = Obj(
  {
    maxParallel: Type.Optional(Int({ minimum: 0, default: 1, description: 'Allocations updated at once; 0 disables rolling updates.' })),
    healthCheck: Type.Optional(HealthCheckMode),
    minHealthyTime: Type.Optional(Duration({ default: '10s', description: 'Time an allocation must be healthy before it counts as healthy.' })),
    healthyDeadline: Type.Optional(Duration({ default: '5m', description: 'Deadline for an allocation to become healthy before it is marked unhealthy.' })),
    progressDeadline: Type.Optional(Duration({ default: '10m', description: 'Deadline for the deployment to make progress before it fails.' })),
    canary: Type.Optional(Int({ minimum: 0, default: 0, description: 'Canary allocations created before the rolling update proceeds.' })),
    autoRevert: Type.Optional(Type.Boolean({ default: false, description: 'Revert to the last stable version when the deployment fails.' })),
    autoPromote: Type.Optional(Type.Boolean({ default: false, description: 'Promote canaries automatically once all are healthy.' })),
    stagger: Type.Optional(Duration({ description: "Nomad's fixed delay between update batches; refused at admission (Drover paces updates by allocation health)." })),
  },
  { description: 'How a change to the group is rolled out.' },
);

/** How allocations leave a draining node. */
export const MigrateStrategy = Obj(
  {
    maxParallel: Type.Optional(Int({ minimum: 1, default: 1, description: 'Allocations migrated at once.' })),
    healthCheck: Type.Optional(HealthCheckMode),
    minHealthyTime: Type.Optional(Duration({ default: '10s', description: 'Time a replacement must be healthy before the next migration.' })),
    healthyDeadline: Type.Optional(Duration({ default: '5m', description: 'Deadline for a replacement to become healthy.' })),
  },
  { description: 'How allocations are moved off draining nodes.' },
);

/** Delay growth between reschedule attempts. */
export const DelayFunction = StringEnum(['constant', 'exponential', 'fibonacci'], { description: 'How the delay grows between attempts.' });

/** Rescheduling of failed allocations onto other nodes. Defaults depend on the job type (see defaults.ts). */
export const ReschedulePolicy = Obj(
  {
    attempts: Type.Optional(Int({ minimum: 0, description: 'Reschedule attempts allowed within interval (service default: unlimited; batch: 1).' })),
    interval: Type.Optional(Duration({ description: 'Window in which attempts are counted (batch default: 24h).' })),
    delay: Type.Optional(Duration({ description: 'Delay before the first reschedule (service default: 30s; batch: 5s).' })),
    delayFunction: Type.Optional(DelayFunction),
    maxDelay: Type.Optional(Duration({ description: 'Upper bound of the delay (service default: 1h).' })),
    unlimited: Type.Optional(Type.Boolean({ description: 'Reschedule without an attempts limit (service default: true).' })),
  },
  { description: 'How failed allocations are replaced on other nodes.' },
);

/** Local restarts of failed tasks. Defaults depend on the job type (see defaults.ts). */
export const RestartPolicy = Obj(
  {
    attempts: Type.Optional(Int({ minimum: 0, description: 'Restarts allowed within interval (service default: 2; batch: 3).' })),
    interval: Type.Optional(Duration({ description: 'Window in which restarts are counted (service default: 30m; batch: 24h).' })),
    delay: Type.Optional(Duration({ description: 'Delay before a restart (default: 15s).' })),
    mode: Type.Optional(StringEnum(['fail', 'delay'], { description: 'When attempts are exhausted: fail the allocation, or wait for the next interval.' })),
  },
  { description: 'How a failed task is restarted on the same node.' },
);

/** The allocation's scratch disk. */
export const EphemeralDisk = Obj(
  {
    sizeMB: Type.Optional(Int({ minimum: 1, default: 300, description: 'Disk space in MB.' })),
    sticky: Type.Optional(Type.Boolean({ default: false, description: 'Prefer placing a replacement on the same node so the data is kept.' })),
    migrate: Type.Optional(Type.Boolean({ default: false, description: 'Copy the data to the replacement when it lands on another node.' })),
  },
  { description: 'Ephemeral disk shared by the tasks of an allocation.' },
);

/** Volume access modes (CSI's). */
export const VOLUME_ACCESS_MODES = [
  'single-node-reader-only', 'single-node-writer', 'multi-node-reader-only', 'multi-node-single-writer', 'multi-node-multi-writer',
] as const;

/** A group's request for a volume; the map key is the name tasks mount it by. */
export const VolumeRequest = Obj(
  {
    type: StringEnum(['host', 'csi'], { description: 'host: a host volume a node advertises; csi: a Volume object.' }),
    source: Type.String({ minLength: 1, description: 'Host volume name, or the Volume object name for csi.' }),
    readOnly: Type.Optional(Type.Boolean({ default: false, description: 'Mount read-only.' })),
    accessMode: Type.Optional(StringEnum(VOLUME_ACCESS_MODES, { description: 'CSI access mode requested.' })),
    attachmentMode: Type.Optional(StringEnum(['file-system', 'block-device'], { description: 'CSI attachment mode requested.' })),
    perAlloc: Type.Optional(Type.Boolean({ default: false, description: 'Claim a distinct volume per allocation (source suffixed with [n]).' })),
  },
  { description: 'A volume the group needs, mounted into tasks by volumeMounts.' },
);

/** One port of a group network. A port with only a label is dynamic: the scheduler picks a free host port. */
export const Port = Obj(
  {
    label: Identifier({ description: 'Port label, used by services and task config (e.g. NOMAD_PORT_<label>).' }),
    static: Type.Optional(Int({ minimum: 1, maximum: 65535, description: 'Fixed host port; absent means a dynamic port.' })),
    to: Type.Optional(Int({ minimum: -1, maximum: 65535, description: 'Port inside the task (bridge/docker); -1 means the same as the host port.' })),
    hostNetwork: Type.Optional(Type.String({ description: 'Named host network the port binds on.' })),
  },
  { description: 'A port the group needs on its node.' },
);

/** A group's network. */
export const Network = Obj(
  {
    mode: Type.Optional(
      Type.String({
        default: 'host',
        pattern: '^(none|host|bridge|cni/.+)$',
        'x-drover-pattern-message': 'must be one of "none", "host", "bridge" or "cni/<name>"',
        description: 'Network mode: none, host, bridge or cni/<name>.',
      }),
    ),
    ports: Type.Optional(KeyedList(Port, 'label', { description: 'Ports, static or dynamic.' })),
  },
  { description: 'Network mode and ports of a group.' },
);
