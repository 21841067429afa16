// The desiredDescription texts the scheduler writes on allocations it stops (Nomad's wording).

/** Why an allocation was stopped or replaced. */
export const DESC = {
  notNeeded: 'alloc not needed due to job update',
  jobStopped: 'alloc not needed since job was stopped',
  groupRemoved: 'alloc not needed since its group was removed from the job',
  migrating: 'alloc is being migrated',
  updating: 'alloc is being updated due to job update',
  lost: 'alloc is lost since its node is down',
  nodeIneligible: 'alloc not needed as node is no longer eligible for the job',
  preempted: 'alloc was preempted by a higher priority allocation',
  canaryNotNeeded: 'alloc not needed as its deployment ended without promoting it',
} as const;
