// The scheduler's I/O half: workers that claim evaluations, run computePlan and commit plans through the API.
export { startScheduler, type SchedulerOptions, type RunningScheduler } from './scheduler.ts';
export { DEFAULT_WORKER_CONFIG, workerConfig, type WorkerConfig } from './config.ts';
export type { WorkerHooks, PlanEvent } from './process.ts';
export { EvalBroker, isClaimed, isPending, type Candidate } from './broker.ts';
export { ClusterView } from './view.ts';
