// Small formatting helpers shared by the views.
import { html } from 'htm/preact';
import type { VNode } from 'preact';

/** "3s", "5m", "2h", "4d" since an RFC 3339 time. */
export function age(ts: string | undefined, now = Date.now()): string {
  if (!ts) return '';
  const s = Math.max(0, Math.round((now - Date.parse(ts)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86400)}d`;
}

/** A status word as a coloured badge. */
export function badge(status: string | undefined): VNode {
  const s = status ?? 'unknown';
  return html`<span class=${`badge b-${s}`}>${s}</span>` as VNode;
}

/** A used-of-total bar with its numbers. */
export function bar(label: string, used: number, total: number, unit: string): VNode {
  const pct = total > 0 ? Math.min(100, (used / total) * 100) : 0;
  return html`<div class="bar" title=${`${label}: ${used} of ${total} ${unit}`}>
    <span class="bar-label">${label}</span>
    <span class="bar-track"><span class=${`bar-fill ${pct > 90 ? 'hot' : ''}`} style=${{ width: `${pct}%` }}></span></span>
    <span class="bar-num">${used}/${total} ${unit}</span>
  </div>` as VNode;
}
