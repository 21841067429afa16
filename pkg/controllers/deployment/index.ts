// The deployment controller: rollouts of job versions (see README.md).
export { startDeploymentController, type DeploymentController, type DeploymentControllerOptions } from './controller.ts';
export { startDeploymentComponent, DEPLOYMENT_LEASE, type DeploymentComponentOptions } from './component.ts';
export { assess, countGroup, DEPLOYMENT_DESC, type Assessment, type GroupCount } from './progress.ts';
export { DEPLOYMENT_COMPONENT } from './writes.ts';
