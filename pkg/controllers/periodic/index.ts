// The periodic controller's public surface (see README.md).
export { startPeriodicController, PeriodicReconciler, PERIODIC_COMPONENT, JOBS_BY_CONTROLLER, type PeriodicController, type PeriodicControllerOptions, type PeriodicReconcilerDeps } from './periodic.ts';
export { startPeriodicComponent, PERIODIC_LEASE, type PeriodicComponentOptions } from './component.ts';
export { planLaunch, schedulesOf, isLaunching, type LaunchInput, type LaunchPlan, type ChildView } from './plan.ts';
export { isChildRunning, type ChildState } from './children.ts';
