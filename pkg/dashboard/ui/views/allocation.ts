// One allocation: its placement, each task's state with its event timeline, and the task's log streamed live
// (the allocation `log` subresource `drover logs` reads, with follow) with a filter that keeps matching lines
// (text, or a regular expression between slashes) and highlights the match.
import { html } from 'htm/preact';
import type { VNode } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { authHeaders, objectPath, readLines } from '../api.ts';
import { age, badge } from '../format.ts';
import { href } from '../router.ts';
import { useStore } from '../store.ts';
import { VirtualList } from '../virtual-list.ts';
import { highlight, lineFilter } from '../log-filter.ts';

/** Lines a log view keeps (the newest). */
const MAX_LINES = 20_000;

/** The allocation page. */
export function AllocationPage(p: { namespace: string; name: string }): VNode {
  const s = useStore();
  const a = s.get('allocations', p.namespace, p.name);
  if (!a) return html`<div class="page"><h1>Allocation ${p.name}</h1><p class="empty">${s.synced.has('allocations') ? 'No such allocation.' : 'Loading…'}</p></div>` as VNode;
  const tasks = Object.keys(a.spec.resources?.tasks ?? a.status?.taskStates ?? {});
  const states = (a.status?.taskStates ?? {}) as Record<string, any>;
  return html`<div class="page" data-testid="alloc-page">
    <h1>${a.metadata.name} ${badge(a.status?.clientStatus ?? 'pending')}</h1>
    <p class="meta">Job <a href=${href('jobs', p.namespace, a.spec.jobName)}>${a.spec.jobName}</a> · group ${a.spec.groupName} · node <a href=${href('nodes', a.spec.nodeName)}>${a.spec.nodeName}</a> · desired ${a.spec.desiredStatus ?? 'run'}${a.spec.desiredDescription ? ` (${a.spec.desiredDescription})` : ''}${a.status?.clientDescription ? ` · ${a.status.clientDescription}` : ''}</p>
    <div class="cols">
      ${tasks.map((t) => {
        const st = states[t] ?? {};
        return html`<section class="card" data-testid="task-state"><h2>Task ${t} ${badge(st.state ?? 'pending')} ${st.failed ? badge('failed') : ''} <small>${st.restarts ?? 0} restarts</small></h2>
          <ol class="timeline">${(st.events ?? []).slice().reverse().map((e: any) => html`<li><span class="when" title=${e.time}>${age(e.time)}</span> <b>${e.type}</b> ${e.message ?? ''}${e.exitCode !== undefined ? ` (exit ${e.exitCode})` : ''}</li>`)}</ol>
        </section>`;
      })}
    </div>
    ${tasks.length ? html`<${Logs} namespace=${p.namespace} alloc=${p.name} tasks=${tasks} />` : ''}
  </div>` as VNode;
}

function Logs(p: { namespace: string; alloc: string; tasks: string[] }): VNode {
  const [task, setTask] = useState(p.tasks[0]!);
  const [stderr, setStderr] = useState(false);
  const [filter, setFilter] = useState('');
  const [lines, setLines] = useState<string[]>([]);
  const [state, setState] = useState('connecting');
  useEffect(() => {
    const abort = new AbortController();
    const buf: string[] = [];
    let frame: number | undefined;
    const flush = () => {
      frame = undefined;
      if (buf.length > MAX_LINES) buf.splice(0, buf.length - MAX_LINES);
      setLines(buf.slice());
    };
    setLines([]);
    setState('connecting');
    const q = new URLSearchParams({ container: task, follow: 'true', tailLines: '1000' });
    if (stderr) q.set('stderr', 'true');
    void (async () => {
      try {
        const res = await fetch(`${objectPath('allocations', p.namespace, p.alloc, 'log')}?${q}`, { headers: authHeaders(), signal: abort.signal });
        if (!res.ok) {
          const body = await res.json().catch(() => ({}));
          setState(`error: ${body.message ?? res.status}`);
          return;
        }
        setState('streaming');
        await readLines(res, (l) => {
          buf.push(l);
          frame ??= requestAnimationFrame(flush);
        });
        setState('ended');
      } catch (err) {
        if (!abort.signal.aborted) setState(`error: ${(err as Error).message}`);
      }
    })();
    return () => {
      abort.abort();
      if (frame !== undefined) cancelAnimationFrame(frame);
    };
  }, [task, stderr, p.alloc]);
  const keep = lineFilter(filter);
  const shown = keep ? lines.filter(keep) : lines;
  return html`<section class="card logs" data-testid="logs"><h2>Logs <small data-testid="log-state">${state}</small> <small>${shown.length} of ${lines.length} lines</small></h2>
    <div class="toolbar">
      <select value=${task} onChange=${(e: Event) => setTask((e.target as HTMLSelectElement).value)}>${p.tasks.map((t) => html`<option>${t}</option>`)}</select>
      <label><input type="checkbox" checked=${stderr} onChange=${(e: Event) => setStderr((e.target as HTMLInputElement).checked)} /> stderr</label>
      <input class="filter" placeholder="Filter lines (text or /regex/)" value=${filter} onInput=${(e: Event) => setFilter((e.target as HTMLInputElement).value)} data-testid="log-filter" />
    </div>
    <${VirtualList} items=${shown} rowHeight=${18} height=${360} selected=${shown.length - 1} testId="log-lines" row=${(l: string) => html`<div class="logline">${filter ? highlight(l, filter).map(([t, hit]) => (hit ? html`<mark>${t}</mark>` : t)) : l}</div>`} />
  </section>` as VNode;
}
