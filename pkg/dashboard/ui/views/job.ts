// One job: its groups with their summary, the current deployment with promote / pause / resume / fail, the
// allocations (live, virtualized: 10,000 stay usable), the versions and the evaluations with the reasons
// placements failed (as `drover plan` and `drover describe eval` give them).
import { html } from 'htm/preact';
import type { VNode } from 'preact';
import { useState } from 'preact/hooks';
import { awaitsPromotion, deploymentAction, revertJob, type DeploymentAction } from '../actions.ts';
import { specDiff } from '../spec-diff.ts';
import { useCan } from '../authz.ts';
import { age, badge } from '../format.ts';
import { go, href } from '../router.ts';
import { useListKeys } from '../list-keys.ts';
import { useStore, type Obj } from '../store.ts';
import { currentDeployment, ofJob } from '../usage.ts';
import { VirtualList } from '../virtual-list.ts';
import { ActionButton } from './action-button.ts';
import { PlacementFailures } from './placement-failures.ts';

const SUMMARY_COLUMNS = ['queued', 'starting', 'running', 'complete', 'failed', 'lost'];

/** The job page. */
export function JobPage(p: { namespace: string; name: string }): VNode {
  const s = useStore();
  const job = s.get('jobs', p.namespace, p.name);
  if (!job) return html`<div class="page"><h1>Job ${p.name}</h1><p class="empty">${s.synced.has('jobs') ? 'No such job in this namespace.' : 'Loading…'}</p></div>` as VNode;
  const allocs = ofJob(s, 'allocations', p.namespace, p.name);
  const evals = ofJob(s, 'evaluations', p.namespace, p.name).sort((a, b) => (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''));
  const versions = ofJob(s, 'jobversions', p.namespace, p.name).sort((a, b) => b.spec.version - a.spec.version);
  const deployment = currentDeployment(s, job);
  return html`<div class="page" data-testid="job-page">
    <h1>${job.metadata.name} ${badge(job.status?.status ?? 'pending')} <small>${job.spec.type ?? 'service'} · version ${job.metadata.generation ?? 1} · ${job.metadata.namespace}</small></h1>
    <section class="card"><h2>Groups</h2>
      <table class="tbl" data-testid="groups"><thead><tr><th>Group</th><th>Count</th>${SUMMARY_COLUMNS.map((c) => html`<th>${c}</th>`)}</tr></thead><tbody>
        ${(job.spec.groups as Array<{ name: string; count?: number }>).map((g) => html`<tr><td><b>${g.name}</b></td><td>${g.count ?? 1}</td>${SUMMARY_COLUMNS.map((c) => html`<td>${job.status?.summary?.[g.name]?.[c] ?? 0}</td>`)}</tr>`)}
      </tbody></table>
    </section>
    ${deployment ? html`<${DeploymentCard} d=${deployment} />` : ''}
    <${Allocations} allocs=${allocs} />
    <div class="cols">
      <${Versions} job=${job} versions=${versions} />
      <section class="card"><h2>Evaluations</h2>
        <table class="tbl" data-testid="evaluations"><tbody>
          ${evals.slice(0, 20).map((e) => html`<tr><td>${e.metadata.name}</td><td>${e.spec.triggeredBy ?? ''}</td><td>${badge(e.status?.phase ?? 'pending')}</td><td>${age(e.metadata.creationTimestamp)}</td></tr>
            ${e.status?.failedTGAllocs ? html`<tr><td colspan="4"><${PlacementFailures} failed=${e.status.failedTGAllocs} queued=${e.status.queuedAllocations} /></td></tr>` : ''}`)}
        </tbody></table>
      </section>
    </div>
  </div>` as VNode;
}

/** The job's recorded versions, newest first: what each changed from the one before, and a revert to it. */
function Versions(p: { job: Obj; versions: Obj[] }): VNode {
  const ns = p.job.metadata.namespace!;
  const may = useCan({ verb: 'update', resource: 'jobs', namespace: ns });
  // Which version's changes are shown: the newest until the user picks one (null: none).
  const [picked, setOpen] = useState<number | null | undefined>(undefined);
  const open = picked === undefined ? p.versions[0]?.spec.version : picked;
  return html`<section class="card"><h2>Versions</h2>
    <table class="tbl" data-testid="versions"><tbody>
      ${p.versions.map((v, i) => {
        const before = p.versions[i + 1];
        const changes = before ? specDiff(before.spec.jobSpec, v.spec.jobSpec) : [];
        const current = isDeepEqualJson(v.spec.jobSpec, p.job.spec);
        return html`<tr data-testid="version" data-version=${v.spec.version}>
          <td><button class="th" onClick=${() => setOpen(open === v.spec.version ? null : v.spec.version)}>v${v.spec.version}</button></td>
          <td>${v.spec.stable ? badge('stable') : ''}${current ? badge('current') : ''}</td><td>${age(v.metadata.creationTimestamp)}</td>
          <td>${before ? `${changes.length} change${changes.length === 1 ? '' : 's'} from v${before.spec.version}` : 'first recorded'}</td>
          <td>${may && !current ? html`<${ActionButton} label="Revert" testId="revert" confirm=${`Run the spec of version ${v.spec.version} again (as a new version)?`} run=${() => revertJob(p.job, v)} />` : ''}</td>
        </tr>
        ${open === v.spec.version && changes.length ? html`<tr><td colspan="5"><ul class="diff" data-testid="version-diff">${changes.slice(0, 40).map((c) => html`<li><code>${c.path}</code> ${c.old === undefined ? html`<ins>${c.new}</ins>` : c.new === undefined ? html`<del>${c.old}</del>` : html`<del>${c.old}</del> → <ins>${c.new}</ins>`}</li>`)}${changes.length > 40 ? html`<li>… ${changes.length - 40} more</li>` : ''}</ul></td></tr>` : ''}`;
      })}
    </tbody></table>
  </section>` as VNode;
}

/** Whether two JSON values are the same (specs as the API returns them). */
function isDeepEqualJson(a: unknown, b: unknown): boolean {
  return specDiff(a, b).length === 0;
}

/** The deployment's progress per group and its actions. */
function DeploymentCard(p: { d: Obj }): VNode {
  const d = p.d;
  const ns = d.metadata.namespace!;
  const may = useCan({ verb: 'update', resource: 'deployments', namespace: ns });
  const phase = d.status?.phase ?? 'running';
  const act = (a: DeploymentAction) => () => deploymentAction(ns, d.metadata.name, a);
  const active = phase === 'running' || phase === 'paused';
  return html`<section class="card" data-testid="deployment" data-phase=${phase}>
    <h2>Deployment ${d.metadata.name} ${badge(phase)} <small>job version ${d.spec.jobVersion}</small></h2>
    ${d.status?.description ? html`<p>${d.status.description}</p>` : ''}
    <table class="tbl"><thead><tr><th>Group</th><th>Desired</th><th>Canaries</th><th>Placed</th><th>Healthy</th><th>Unhealthy</th><th>Progress</th></tr></thead><tbody>
      ${Object.entries(d.spec.groups as Record<string, any>).map(([g, t]) => {
        const st = d.status?.groups?.[g] ?? {};
        const pct = t.desiredTotal ? Math.round(((st.healthy ?? 0) / t.desiredTotal) * 100) : 0;
        return html`<tr><td>${g}</td><td>${t.desiredTotal}</td><td>${(st.placedCanaries ?? []).length}/${t.desiredCanaries ?? 0}${st.promoted ? ' promoted' : t.promoted ? ' promoting' : ''}</td><td>${st.placed ?? 0}</td><td>${st.healthy ?? 0}</td><td>${st.unhealthy ?? 0}</td>
          <td><span class="bar-track wide"><span class="bar-fill" style=${{ width: `${pct}%` }}></span></span> ${pct}%</td></tr>`;
      })}
    </tbody></table>
    ${may && active ? html`<div class="actions">
      ${awaitsPromotion(d) ? html`<${ActionButton} label="Promote" testId="promote" run=${act('promote')} />` : ''}
      ${phase === 'paused' ? html`<${ActionButton} label="Resume" testId="resume" run=${act('resume')} />` : html`<${ActionButton} label="Pause" testId="pause" run=${act('pause')} />`}
      <${ActionButton} label="Fail" danger testId="fail" confirm="Fail this deployment? Auto-revert applies." run=${act('fail')} />
    </div>` : ''}
  </section>` as VNode;
}

/** The job's allocations, newest first, filterable, virtualized. */
function Allocations(p: { allocs: Obj[] }): VNode {
  const [text, setText] = useState('');
  const [status, setStatus] = useState('');
  const needle = text.toLowerCase();
  const shown = p.allocs
    .filter((a) => (!status || (a.status?.clientStatus ?? 'pending') === status) && (!needle || a.metadata.name.toLowerCase().includes(needle) || a.spec.nodeName.toLowerCase().includes(needle)))
    .sort((a, b) => (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '') || a.metadata.name.localeCompare(b.metadata.name));
  const running = p.allocs.filter((a) => a.status?.clientStatus === 'running').length;
  const sel = useListKeys(shown.length, (i) => go('allocations', shown[i]!.metadata.namespace!, shown[i]!.metadata.name));
  return html`<section class="card"><h2>Allocations <small data-testid="alloc-counts">${running} running of ${p.allocs.length}</small></h2>
    <div class="toolbar">
      <input class="filter" placeholder="Filter by name or node" value=${text} onInput=${(e: Event) => setText((e.target as HTMLInputElement).value)} />
      <select value=${status} onChange=${(e: Event) => setStatus((e.target as HTMLSelectElement).value)}>
        <option value="">any status</option><option>pending</option><option>running</option><option>complete</option><option>failed</option><option>lost</option>
      </select>
    </div>
    <div class="row row-head allocrow"><span>Name</span><span>Node</span><span>Status</span><span>Desired</span><span>Version</span><span>Health</span><span>Age</span></div>
    <${VirtualList} items=${shown} rowHeight=${30} height=${420} selected=${sel} testId="allocs-list" row=${(a: Obj, i: number) => html`<a class=${`row allocrow ${i === sel ? 'sel' : ''}`} href=${href('allocations', a.metadata.namespace!, a.metadata.name)} data-testid="alloc-row" data-status=${a.status?.clientStatus ?? 'pending'}>
      <span>${a.metadata.name}${a.spec.canary ? html` <i class="tag">canary</i>` : ''}</span><span>${a.spec.nodeName}</span><span>${badge(a.status?.clientStatus ?? 'pending')}</span><span>${a.spec.desiredStatus ?? 'run'}</span><span>${a.spec.jobVersion ?? ''}</span>
      <span>${a.status?.deploymentStatus?.healthy === true ? 'healthy' : a.status?.deploymentStatus?.healthy === false ? 'unhealthy' : ''}</span><span>${age(a.metadata.creationTimestamp)}</span></a>`} />
  </section>` as VNode;
}
