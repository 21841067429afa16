// The evaluator's public surface.
export { createEvaluator, type Evaluator, type EvaluatorOptions } from './evaluator.ts';
export { startEvaluator, EVALUATOR_LEASE, type RunEvaluatorOptions, type RunningEvaluator } from './leader.ts';
export { DEFAULT_EVALUATOR_CONFIG, type EvaluatorConfig } from './context.ts';
export { collectable } from './gc.ts';
export {
  NODE_STATE, FAILURE_EVAL, FIELD_MANAGER, evalPhase, isOpenPending, isSchedulable, nodeState,
  type EvalPhase,
} from './model.ts';
