// API Priority and Fairness, simplified (see README.md).
export { classify, clientIdentity, isSystemClient, LEVELS, type Classification, type FlowVerb, type RequestDescriptor } from './classify.ts';
export { DEFAULT_FLOW_CONTROL, DEFAULT_LEVELS, seatsByLevel, validateFlowControl, type FlowControlConfig, type PriorityLevelConfig } from './config.ts';
export { FairQueue, queueIndex, type Admission, type RejectReason, type Seat } from './fair-queue.ts';
export { FlowControl, RETRY_AFTER_SECONDS, type FlowDecision } from './flow-control.ts';
export { OBJECTS_PER_SEAT, requestWidth } from './work-estimate.ts';
