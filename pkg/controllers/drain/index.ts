// The drain controller's public surface (see README.md).
export { startDrainController, DRAIN_COMPONENT, DEFAULT_DRAIN_RESYNC_MS, type DrainController, type DrainControllerOptions } from './drain.ts';
export { startDrainComponent, DRAIN_LEASE, type DrainComponentOptions } from './component.ts';
export { planDrain, deadlineOf, isMarked, isHealthy, type DrainInput, type DrainPlan } from './plan.ts';
export { createDrainEvaluation } from './evals.ts';
