// Allocation: one placement of a task group on a node. Refers to its job by name and version (kept small).
import { Type } from '@sinclair/typebox';
import { Obj, StringEnum, MapOf, Timestamp, Int, Identifier, Conditions, KeyedList } from './common.ts';
import { envelope } from './meta.ts';

/** A port assigned to an allocation. */
export const AllocatedPort = Obj(
  {
    label: Identifier({ description: 'Port label from the group network.' }),
    value: Int({ minimum: 0, maximum: 65535, description: 'Host port.' }),
    to: Type.Optional(Int({ minimum: -1, maximum: 65535, description: 'Port inside the task.' })),
    hostIP: Type.Optional(Type.String({ description: 'Host address the port binds on.' })),
  },
  { description: 'A host port assigned to the allocation.' },
);

/** Resources given to one task. */
export const AllocatedTaskResources = Obj(
  {
    cpu: Int({ minimum: 0, description: 'CPU in MHz.' }),
    memoryMB: Int({ minimum: 0, description: 'Memory in MB.' }),
    memoryMaxMB: Type.Optional(Int({ minimum: 0, description: 'Memory limit in MB.' })),
    cores: Type.Optional(Type.Array(Int({ minimum: 0 }), { description: 'Reserved core ids.' })),
    networkMbits: Type.Optional(Int({ minimum: 0, description: 'Bandwidth in Mbit/s.' })),
  },
  { description: 'Resources of one task.' },
);

/** Everything an allocation holds on its node. */
export const AllocatedResources = Obj(
  {
    tasks: MapOf(AllocatedTaskResources, { description: 'Per task resources.' }),
    ports: Type.Optional(KeyedList(AllocatedPort, 'label', { description: 'Ports shared by the tasks.' })),
    diskMB: Type.Optional(Int({ minimum: 0, description: 'Ephemeral disk in MB.' })),
  },
  { description: 'Resources reserved for the allocation.' },
);

/** One past reschedule of the allocation chain. */
export const RescheduleEvent = Obj(
  {
    rescheduleTime: Timestamp({ description: 'When the reschedule happened.' }),
    prevAllocName: Type.String({ description: 'The replaced allocation.' }),
    prevNodeName: Type.Optional(Type.String({ description: 'The node the replaced allocation ran on.' })),
    delay: Type.Optional(Type.String({ description: 'Delay applied before the reschedule.' })),
  },
  { description: 'A past reschedule.' },
);

/** Transitions requested of the scheduler for one allocation (Nomad's DesiredTransition). */
export const DesiredTransition = Obj(
  {
    migrate: Type.Optional(Type.Boolean({ description: 'Move the allocation off its node now; set by the drain controller, within the migrate policy.' })),
    reschedule: Type.Optional(Type.Boolean({ description: 'Replace the allocation on another node although it has not failed.' })),
  },
  { description: 'Transitions the scheduler applies at its next evaluation of the job.' },
);

/** What an allocation wants. Written by the scheduler (placement) and the server (desired status changes). */
export const AllocationSpec = Obj(
  {
    nodeName: Type.String({ minLength: 1, description: 'Node the allocation is placed on.' }),
    jobName: Type.String({ minLength: 1, description: 'Job the allocation belongs to.' }),
    jobVersion: Int({ minimum: 0, description: 'Job version the allocation runs (see JobVersion).' }),
    groupName: Type.String({ minLength: 1, description: 'Task group the allocation runs.' }),
    index: Type.Optional(Int({ minimum: 0, description: 'Index of the allocation within its group (the [n] of Nomad names).' })),
    desiredStatus: Type.Optional(StringEnum(['run', 'stop', 'evict'], { default: 'run', description: 'What the agent should do.' })),
    desiredDescription: Type.Optional(Type.String({ description: 'Why the desired status was set.' })),
    evalName: Type.Optional(Type.String({ description: 'Evaluation that placed or last changed the allocation.' })),
    previousAllocation: Type.Optional(Type.String({ description: 'Allocation this one replaces.' })),
    nextAllocation: Type.Optional(Type.String({ description: 'Allocation that replaced this one.' })),
    resources: Type.Optional(AllocatedResources),
    deploymentName: Type.Optional(Type.String({ description: 'Deployment the allocation was placed by.' })),
    canary: Type.Optional(Type.Boolean({ description: 'Placed as a canary.' })),
    rescheduleTracker: Type.Optional(Obj({ events: Type.Array(RescheduleEvent) }, { description: 'Reschedule history of the allocation chain.' })),
    followupEval: Type.Optional(Type.String({ description: 'Evaluation scheduled to reschedule this allocation later.' })),
    preemptedBy: Type.Optional(Type.String({ description: 'Allocation that preempted this one.' })),
    desiredTransition: Type.Optional(DesiredTransition),
  },
  { description: 'The placement and desired state of an allocation.' },
);

/** One event in a task's life. */
export const TaskEvent = Obj(
  {
    type: Type.String({ description: 'Event type: Received, Driver, Started, Terminated, Restarting, Killing, Killed, ...' }),
    time: Timestamp({ description: 'When it happened.' }),
    message: Type.Optional(Type.String({ description: 'Details.' })),
    exitCode: Type.Optional(Int({ description: 'Exit code, for Terminated.' })),
    signal: Type.Optional(Int({ description: 'Signal that ended the task.' })),
    oomKilled: Type.Optional(Type.Boolean({ description: 'Ended by the out-of-memory killer.' })),
  },
  { description: 'A task event.' },
);

/** The state of one task on the node. */
export const TaskState = Obj(
  {
    state: StringEnum(['pending', 'running', 'dead'], { description: 'Task state.' }),
    failed: Type.Optional(Type.Boolean({ description: 'The task ended in failure.' })),
    restarts: Type.Optional(Int({ minimum: 0, description: 'Restarts so far.' })),
    startedAt: Type.Optional(Timestamp({ description: 'Last start.' })),
    finishedAt: Type.Optional(Timestamp({ description: 'When the task became dead.' })),
    events: Type.Optional(Type.Array(TaskEvent, { description: 'Recent events, oldest first (bounded).' })),
  },
  { description: 'State of one task.' },
);

/** Health of the allocation within its deployment. */
export const AllocDeploymentStatus = Obj(
  {
    healthy: Type.Optional(Type.Boolean({ description: 'Healthy (true), unhealthy (false) or not yet known (absent).' })),
    timestamp: Type.Optional(Timestamp({ description: 'When health was set.' })),
    canary: Type.Optional(Type.Boolean({ description: 'The allocation is a canary.' })),
  },
  { description: 'Deployment health of the allocation.' },
);

/** What the agent reports about the allocation. */
export const AllocationStatus = Obj(
  {
    clientStatus: Type.Optional(StringEnum(['pending', 'running', 'complete', 'failed', 'lost'], { description: 'Status reported by the node agent.' })),
    clientDescription: Type.Optional(Type.String({ description: 'Details of the client status.' })),
    taskStates: Type.Optional(MapOf(TaskState, { description: 'State of each task, by task name.' })),
    deploymentStatus: Type.Optional(AllocDeploymentStatus),
    networkStatus: Type.Optional(
      Obj({ address: Type.Optional(Type.String()), interfaceName: Type.Optional(Type.String()) }, { description: 'Network the allocation got.' }),
    ),
    observedGeneration: Type.Optional(Int({ minimum: 0, description: 'The metadata.generation this status was computed from.' })),
    conditions: Type.Optional(Conditions({ description: 'Ready, Reconciling and Stalled (kstatus: Ready once running with passing checks, complete, or stopped as asked; Reconciling while pending, stopping or checks not yet passing; Stalled when failed, lost or judged unhealthy), and ChecksPassing from the node agent.' })),
  },
  { description: 'Observed state of the allocation.' },
);

/** The Allocation object schema. */
export const AllocationSchema = envelope({
  kind: 'Allocation', spec: AllocationSpec, status: AllocationStatus, description: 'A task group placed on a node.',
});
