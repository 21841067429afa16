// The jobs list: filter by text and status, sort by a column, move with j/k and open with Enter. Virtualized:
// a thousand jobs render as the forty in view.
import { html } from 'htm/preact';
import type { VNode } from 'preact';
import { useState } from 'preact/hooks';
import { useListKeys } from '../list-keys.ts';
import { age, badge } from '../format.ts';
import { go, href } from '../router.ts';
import { useStore, type Obj } from '../store.ts';
import { VirtualList } from '../virtual-list.ts';

type SortKey = 'name' | 'status' | 'type' | 'age';
const SORTS: Record<SortKey, (a: Obj, b: Obj) => number> = {
  name: (a, b) => a.metadata.name.localeCompare(b.metadata.name),
  status: (a, b) => (a.status?.status ?? '').localeCompare(b.status?.status ?? ''),
  type: (a, b) => (a.spec?.type ?? 'service').localeCompare(b.spec?.type ?? 'service'),
  age: (a, b) => (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''),
};

/** Running / total allocations of a job from its status summary. */
function summaryText(j: Obj): string {
  let running = 0, total = 0;
  for (const g of Object.values((j.status?.summary ?? {}) as Record<string, Record<string, number>>)) {
    running += g.running ?? 0;
    total += Object.values(g).reduce((a, b) => a + b, 0);
  }
  return `${running}/${total}`;
}

/** The jobs page. */
export function Jobs(p: { namespace: string }): VNode {
  const s = useStore();
  const initial = new URLSearchParams(location.hash.split('?')[1] ?? '');
  const [text, setText] = useState('');
  const [status, setStatus] = useState(initial.get('status') ?? '');
  const [sort, setSort] = useState<SortKey>('name');
  const needle = text.toLowerCase();
  const jobs = [...s.list('jobs').values()]
    .filter((j) => (!p.namespace || j.metadata.namespace === p.namespace) && (!needle || j.metadata.name.toLowerCase().includes(needle) || (j.metadata.namespace ?? '').includes(needle)) && (!status || (j.status?.status ?? 'pending') === status))
    .sort(SORTS[sort]);
  const sel = useListKeys(jobs.length, (i) => go('jobs', jobs[i]!.metadata.namespace!, jobs[i]!.metadata.name));
  const head = (k: SortKey, label: string) => html`<button class=${`th ${sort === k ? 'on' : ''}`} onClick=${() => setSort(k)}>${label}</button>`;
  return html`<div class="page" data-testid="jobs">
    <h1>Jobs <small>${jobs.length} of ${s.list('jobs').size}</small></h1>
    <div class="toolbar">
      <input class="filter" placeholder="Filter jobs (/)" value=${text} onInput=${(e: Event) => setText((e.target as HTMLInputElement).value)} data-testid="jobs-filter" />
      <select value=${status} onChange=${(e: Event) => setStatus((e.target as HTMLSelectElement).value)} data-testid="jobs-status">
        <option value="">any status</option><option>pending</option><option>running</option><option>dead</option>
      </select>
      <a class="btn" href=${href('editor')}>Run job</a>
    </div>
    <div class="row row-head jobrow">${head('name', 'Name')}<span>Namespace</span>${head('type', 'Type')}${head('status', 'Status')}<span>Running</span>${head('age', 'Age')}</div>
    <${VirtualList} items=${jobs} rowHeight=${32} height=${Math.max(200, innerHeight - 250)} selected=${sel} testId="jobs-list"
      row=${(j: Obj, i: number) => html`<a class=${`row jobrow ${i === sel ? 'sel' : ''}`} href=${href('jobs', j.metadata.namespace!, j.metadata.name)} data-testid="job-row" data-job=${j.metadata.name} data-status=${j.status?.status ?? 'pending'}>
        <b>${j.metadata.name}</b><span>${j.metadata.namespace}</span><span>${j.spec?.type ?? 'service'}</span><span>${badge(j.status?.status ?? 'pending')}</span><span>${summaryText(j)}</span><span>${age(j.metadata.creationTimestamp)}</span>
      </a>`} />
  </div>` as VNode;
}
