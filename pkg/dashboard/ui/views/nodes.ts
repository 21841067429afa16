// Nodes: each node's resources and allocated share, status, eligibility and drain; one node's page lists its
// allocations and offers drain and eligibility (hidden when the server says the user may not patch nodes).
import { html } from 'htm/preact';
import type { VNode } from 'preact';
import { drainNode, setEligibility } from '../actions.ts';
import { useCan } from '../authz.ts';
import { age, badge, bar } from '../format.ts';
import { go, href } from '../router.ts';
import { useListKeys } from '../list-keys.ts';
import { useStore, type Obj } from '../store.ts';
import { capacity, live, nodeUsage } from '../usage.ts';
import { VirtualList } from '../virtual-list.ts';
import { ActionButton } from './action-button.ts';

/** The nodes page. */
export function Nodes(): VNode {
  const s = useStore();
  const usage = nodeUsage(s);
  const nodes = [...s.list('nodes').values()].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  const sel = useListKeys(nodes.length, (i) => go('nodes', nodes[i]!.metadata.name));
  return html`<div class="page" data-testid="nodes">
    <h1>Nodes <small>${nodes.length}</small></h1>
    <div class="row row-head noderow"><span>Name</span><span>Status</span><span>Eligibility</span><span>Drivers</span><span>CPU</span><span>Memory</span><span>Allocs</span></div>
    <${VirtualList} items=${nodes} rowHeight=${40} height=${Math.max(200, innerHeight - 200)} selected=${sel} testId="nodes-list" row=${(n: Obj, i: number) => {
      const u = usage.get(n.metadata.name) ?? { cpu: 0, memoryMB: 0, allocs: 0 };
      const c = capacity(n);
      return html`<a class=${`row noderow ${i === sel ? 'sel' : ''}`} href=${href('nodes', n.metadata.name)} data-testid="node-row" data-node=${n.metadata.name}>
        <b>${n.metadata.name}</b><span>${badge(n.status?.phase)}${n.spec?.drain ? badge('draining') : ''}</span><span>${n.spec?.eligibility ?? 'eligible'}</span>
        <span>${Object.entries(n.status?.drivers ?? {}).filter(([, d]: [string, any]) => d.healthy).map(([k]) => k).join(' ')}</span>
        <span>${bar('', u.cpu, c.cpu, 'MHz')}</span><span>${bar('', u.memoryMB, c.memoryMB, 'MB')}</span><span>${u.allocs}</span></a>`;
    }} />
  </div>` as VNode;
}

/** One node's page. */
export function NodePage(p: { name: string }): VNode {
  const s = useStore();
  const n = s.get('nodes', undefined, p.name);
  const may = useCan({ verb: 'patch', resource: 'nodes' });
  if (!n) return html`<div class="page"><h1>Node ${p.name}</h1><p class="empty">${s.synced.has('nodes') ? 'No such node.' : 'Loading…'}</p></div>` as VNode;
  const u = nodeUsage(s).get(p.name) ?? { cpu: 0, memoryMB: 0, allocs: 0 };
  const c = capacity(n);
  const allocs = [...s.list('allocations').values()].filter((a) => a.spec.nodeName === p.name).sort((a, b) => Number(live(b)) - Number(live(a)) || a.metadata.name.localeCompare(b.metadata.name));
  const draining = !!n.spec?.drain;
  const eligible = (n.spec?.eligibility ?? 'eligible') === 'eligible';
  return html`<div class="page" data-testid="node-page" data-draining=${String(draining)} data-eligibility=${eligible ? 'eligible' : 'ineligible'}>
    <h1>${n.metadata.name} ${badge(n.status?.phase)} ${draining ? badge('draining') : ''} <small>${n.spec?.datacenter ?? 'dc1'} · ${eligible ? 'eligible' : 'ineligible'} · heartbeat ${age(n.status?.lastHeartbeat)} ago</small></h1>
    ${may ? html`<div class="actions">
      ${draining ? html`<${ActionButton} label="Cancel drain" testId="undrain" run=${() => drainNode(p.name, false)} />` : html`<${ActionButton} label="Drain" danger testId="drain" run=${() => drainNode(p.name, true)} />`}
      ${eligible ? html`<${ActionButton} label="Mark ineligible" testId="ineligible" run=${() => setEligibility(p.name, false)} />` : html`<${ActionButton} label="Mark eligible" testId="eligible" run=${() => setEligibility(p.name, true)} />`}
    </div>` : ''}
    <div class="cols">
      <section class="card"><h2>Resources</h2>${bar('cpu', u.cpu, c.cpu, 'MHz')}${bar('mem', u.memoryMB, c.memoryMB, 'MB')}
        <p>Disk ${n.status?.resources?.diskMB ?? '?'} MB · ${n.status?.resources?.cores ?? '?'} cores · address ${n.status?.address ?? ''}</p></section>
      <section class="card"><h2>Drivers</h2><ul>${Object.entries(n.status?.drivers ?? {}).map(([k, d]: [string, any]) => html`<li>${k} ${badge(d.healthy ? 'healthy' : 'unhealthy')} <small>${d.description ?? ''}</small></li>`)}</ul></section>
    </div>
    <section class="card"><h2>Allocations <small>${u.allocs} live of ${allocs.length}</small></h2>
      <${VirtualList} items=${allocs} rowHeight=${30} height=${360} testId="node-allocs" row=${(a: Obj) => html`<a class="row allocrow" href=${href('allocations', a.metadata.namespace!, a.metadata.name)}><span>${a.metadata.name}</span><span>${a.spec.jobName}</span><span>${badge(a.status?.clientStatus ?? 'pending')}</span><span>${a.spec.desiredStatus ?? 'run'}</span><span></span><span></span><span>${age(a.metadata.creationTimestamp)}</span></a>`} />
    </section>
  </div>` as VNode;
}
