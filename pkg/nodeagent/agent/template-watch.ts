// Re-rendering a running task's templates when a ConfigMap or Secret they read changes, then applying the
// change mode (templates.ts changeAction: restart over signal over noop) after a random splay. Changes that
// arrive while a render runs are coalesced into one more render; a render that fails under a running task
// is a `Template Failure` event and leaves the task and its files as they were (Nomad keeps the last good one).
import type { Clock, Timer } from '../../clock/clock.ts';
import type { Logger } from '../../log/logger.ts';
import { TaskInputError } from './input-error.ts';
import type { InputReader, InputRef } from './input-source.ts';
import type { TaskRunner } from './task-runner.ts';
import { changeAction, splayOf, type RenderResult } from './templates.ts';

/** What a watch needs. */
export interface TemplateWatchDeps {
  inputs: InputReader;
  clock: Clock;
  logger: Logger;
  /** Random source in [0, 1), for the splay. */
  random: () => number;
  /** Render the task's templates again (writes the files that changed). */
  render(): Promise<RenderResult>;
  runner(): TaskRunner | undefined;
}

/** Nomad's event text for a template-driven restart. */
export const TEMPLATE_RESTART_REASON = 'Template with change_mode restart re-rendered';

/** Watches one task's template inputs. */
export class TemplateWatch {
  private unsubscribe: Array<() => void> = [];
  private rendering: Promise<void> | undefined;
  private again = false;
  private splayTimer: Timer | undefined;
  private stopped = false;

  constructor(private readonly deps: TemplateWatchDeps) {}

  /** Watch exactly `refs` (what the last render read). */
  arm(refs: InputRef[]): void {
    if (this.stopped) return;
    for (const u of this.unsubscribe) u();
    this.unsubscribe = refs.map((r) => this.deps.inputs.subscribe(r, () => this.trigger()));
  }

  /** Re-render now (an input changed, or the agent re-attached to the task) and act on what changed. */
  trigger(): void {
    if (this.stopped) return;
    if (this.rendering) {
      this.again = true;
      return;
    }
    this.rendering = this.rerender().finally(() => {
      this.rendering = undefined;
      if (this.again) {
        this.again = false;
        this.trigger();
      }
    });
  }

  /** Resolves when no render is running (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.rendering) await this.rendering;
  }

  /** Stop watching. */
  stop(): void {
    this.stopped = true;
    this.splayTimer?.cancel();
    for (const u of this.unsubscribe) u();
    this.unsubscribe = [];
  }

  private async rerender(): Promise<void> {
    const runner = this.deps.runner();
    // A task that is not running renders on its next start anyway.
    if (!runner?.isRunning) return;
    let result: RenderResult;
    try {
      result = await this.deps.render();
    } catch (err) {
      if (!(err instanceof TaskInputError)) this.deps.logger.warn('template re-render failed', { err });
      runner.note('Template Failure', (err as Error).message);
      return;
    }
    if (this.stopped) return;
    this.arm(result.refs);
    const action = changeAction(result.rendered);
    if (action.action === 'none') return;
    const act = () => {
      this.splayTimer = undefined;
      const r = this.deps.runner();
      if (this.stopped || !r?.isRunning) return;
      if (action.action === 'restart') void r.restart(TEMPLATE_RESTART_REASON, { counted: false });
      else for (const sig of action.signals) void r.signal(sig, 'Template re-rendered');
    };
    const splay = splayOf(result.rendered);
    this.splayTimer?.cancel();
    if (splay > 0) this.splayTimer = this.deps.clock.setTimeout(act, Math.floor(this.deps.random() * splay));
    else act();
  }
}
