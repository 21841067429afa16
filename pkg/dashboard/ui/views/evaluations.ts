// Evaluations: every evaluation, newest first, filterable by job and phase, with what triggered it, how often it
// was claimed, what it was waiting for and why its placements failed (as `drover describe eval` explains).
import { html } from 'htm/preact';
import type { VNode } from 'preact';
import { useState } from 'preact/hooks';
import { age, badge } from '../format.ts';
import { href } from '../router.ts';
import { useStore, type Obj } from '../store.ts';
import { VirtualList } from '../virtual-list.ts';
import { useListKeys } from '../list-keys.ts';
import { PlacementFailures } from './placement-failures.ts';

/** The evaluations page. */
export function Evaluations(p: { namespace: string }): VNode {
  const s = useStore();
  const [text, setText] = useState('');
  const [phase, setPhase] = useState('');
  const [picked, setPicked] = useState<string | undefined>();
  const needle = text.toLowerCase();
  const evals = [...s.list('evaluations').values()]
    .filter((e) => (!p.namespace || e.metadata.namespace === p.namespace) && (!phase || (e.status?.phase ?? 'pending') === phase) && (!needle || e.spec.jobName.toLowerCase().includes(needle) || e.metadata.name.includes(needle)))
    .sort((a, b) => (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '') || a.metadata.name.localeCompare(b.metadata.name));
  const sel = useListKeys(evals.length, (i) => setPicked(`${evals[i]!.metadata.namespace}/${evals[i]!.metadata.name}`));
  const chosen = picked ? s.get('evaluations', picked.split('/')[0], picked.split('/')[1]!) : undefined;
  return html`<div class="page" data-testid="evaluations-page">
    <h1>Evaluations <small>${evals.length}</small></h1>
    <div class="toolbar">
      <input class="filter" placeholder="Filter by job or name (/)" value=${text} onInput=${(e: Event) => setText((e.target as HTMLInputElement).value)} />
      <select value=${phase} onChange=${(e: Event) => setPhase((e.target as HTMLSelectElement).value)}>
        <option value="">any phase</option><option>pending</option><option>blocked</option><option>complete</option><option>failed</option><option>canceled</option>
      </select>
    </div>
    <div class="row row-head evalrow"><span>Name</span><span>Job</span><span>Triggered by</span><span>Phase</span><span>Claims</span><span>Failures</span><span>Age</span></div>
    <${VirtualList} items=${evals} rowHeight=${30} height=${chosen ? 300 : Math.max(200, innerHeight - 260)} selected=${sel} testId="evals-list" row=${(e: Obj, i: number) => html`<button class=${`row evalrow ${chosen === e || i === sel ? 'sel' : ''}`} onClick=${() => setPicked(`${e.metadata.namespace}/${e.metadata.name}`)} data-testid="eval-row">
      <span>${e.metadata.name}</span><span><a href=${href('jobs', e.metadata.namespace!, e.spec.jobName)}>${e.spec.jobName}</a></span><span>${e.spec.triggeredBy}</span><span>${badge(e.status?.phase ?? 'pending')}</span>
      <span>${e.status?.deliveries ?? 0}</span><span>${Object.keys(e.status?.failedTGAllocs ?? {}).join(', ')}</span><span>${age(e.metadata.creationTimestamp)}</span></button>`} />
    ${chosen ? html`<section class="card" data-testid="eval-detail"><h2>${chosen.metadata.name} ${badge(chosen.status?.phase ?? 'pending')}</h2>
      <p class="meta">job ${chosen.spec.jobName} v${chosen.spec.jobVersion ?? ''} · ${chosen.spec.type ?? 'service'} · priority ${chosen.spec.priority ?? 50}${chosen.spec.nodeName ? ` · node ${chosen.spec.nodeName}` : ''}${chosen.spec.deploymentName ? ` · deployment ${chosen.spec.deploymentName}` : ''}${chosen.spec.waitUntil ? ` · waits until ${chosen.spec.waitUntil}` : ''}</p>
      ${chosen.status?.statusDescription ? html`<p>${chosen.status.statusDescription}</p>` : ''}
      ${chosen.status?.blockedEval ? html`<p>Blocked evaluation: ${chosen.status.blockedEval}</p>` : ''}
      ${chosen.status?.failedTGAllocs ? html`<${PlacementFailures} failed=${chosen.status.failedTGAllocs} queued=${chosen.status.queuedAllocations} />` : html`<p class="empty">No placement failures.</p>`}
    </section>` : ''}
  </div>` as VNode;
}
