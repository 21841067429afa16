// A failure preparing a task's inputs (a template that does not render, an artifact that does not download):
// recorded as a task event of its own type, and either retried through the restart policy (the input may
// appear: a ConfigMap created later, a server back up) or unrecoverable (a template that does not parse).

/** Event types of input failures. */
export type InputEventType = 'Template Failure' | 'Failed Artifact Download';

/** A task input failed; the task is not started. */
export class TaskInputError extends Error {
  constructor(
    readonly event: InputEventType,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'TaskInputError';
  }
}
