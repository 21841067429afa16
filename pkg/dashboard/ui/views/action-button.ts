// A button that runs an API action, disables itself meanwhile and shows the server's refusal (its Status
// message) beside it.
import { html } from 'htm/preact';
import type { VNode } from 'preact';
import { useState } from 'preact/hooks';

/** Props of ActionButton. */
export interface ActionButtonProps {
  label: string;
  run(): Promise<unknown>;
  danger?: boolean;
  confirm?: string;
  testId?: string;
}

/** An action button. */
export function ActionButton(p: ActionButtonProps): VNode {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const click = async () => {
    if (p.confirm && !confirm(p.confirm)) return;
    setBusy(true);
    setError('');
    try {
      await p.run();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return html`<span class="action"><button class=${`btn ${p.danger ? 'danger' : ''}`} disabled=${busy} onClick=${click} data-testid=${p.testId}>${p.label}</button>${error ? html`<span class="err" role="alert">${error}</span>` : ''}</span>` as VNode;
}
