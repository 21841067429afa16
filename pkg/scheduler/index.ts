// The scheduler's public surface: what workers, the plan-commit endpoint, `drover plan` and tests use.
export { computePlan, taintedNodes, batchFollowups, defaultAllocId, FOLLOWUP_BATCH_WINDOW_MS } from './schedule.ts';
export type { ScheduleInput, ScheduleOptions, ClusterInput, ScheduleResult } from './schedule.ts';
export { ClusterSnapshot } from './cluster.ts';
export { PlanState } from './state.ts';
export { buildStack, DEFAULT_CONFIG } from './stack.ts';
export type { SchedulerConfig, Stack, SelectOptions, Selection, RankedOption } from './stack.ts';
export { reconcile, DESC } from './reconcile/reconcile.ts';
export type { ReconcileInput, ReconcileResult, PlaceRequest, StopRequest, DesiredChanges, DeploymentView } from './reconcile/reconcile.ts';
export { checkNodePlan } from './plan/fit.ts';
export type { NodeFitCheck } from './plan/fit.ts';
export type { Plan, NodePlan, PlannedAlloc, StoppedAlloc, UpdatedAlloc, FollowupEval } from './plan/plan.ts';
export type { AllocMetric, NodeScore } from './metrics.ts';
export { FILTER_REASONS, EXHAUSTED_DIMENSIONS } from './feasible/reasons.ts';
export { jobFromApi, jobFromSpec, deletedJob, nodeFromApi, allocFromApi, computeClass, defaultReschedule } from './adapters.ts';
export type { AllocContext } from './adapters.ts';
export * from './structs.ts';
