// The overview: the cluster's topology (each node's allocated cpu and memory against its capacity, as Nomad's
// topology view; nodes are not namespaced), and in the chosen namespace jobs by status, the evaluation queue and
// the newest events.
import { html } from 'htm/preact';
import type { VNode } from 'preact';
import { age, badge, bar } from '../format.ts';
import { href } from '../router.ts';
import { useStore } from '../store.ts';
import { capacity, nodeUsage } from '../usage.ts';

const JOB_STATUSES = ['pending', 'running', 'dead'];
const QUEUED = new Set(['pending', 'blocked']);

/** The overview page. */
export function Overview(p: { namespace: string }): VNode {
  const s = useStore();
  const usage = nodeUsage(s);
  const nodes = [...s.list('nodes').values()].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  const inNs = (o: { metadata: { namespace?: string } }) => !p.namespace || o.metadata.namespace === p.namespace;
  const jobs = [...s.list('jobs').values()].filter(inNs);
  const byStatus = new Map<string, number>(JOB_STATUSES.map((st) => [st, 0]));
  for (const j of jobs) byStatus.set(j.status?.status ?? 'pending', (byStatus.get(j.status?.status ?? 'pending') ?? 0) + 1);
  const queue = [...s.list('evaluations').values()].filter(inNs).filter((e) => QUEUED.has(e.status?.phase ?? 'pending')).sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''));
  const events = [...s.list('events').values()].filter(inNs).sort((a, b) => eventTime(b).localeCompare(eventTime(a))).slice(0, 15);
  return html`<div class="page" data-testid="overview">
    <h1>Cluster</h1>
    <section class="card">
      <h2>Topology <small>${nodes.length} nodes</small></h2>
      <div class="topology">
        ${nodes.map((n) => {
          const u = usage.get(n.metadata.name) ?? { cpu: 0, memoryMB: 0, allocs: 0 };
          const c = capacity(n);
          return html`<a class="node-tile" href=${href('nodes', n.metadata.name)} data-testid="node-tile">
            <div class="tile-head"><b>${n.metadata.name}</b> ${badge(n.spec?.drain ? 'draining' : n.status?.phase)} <small>${u.allocs} allocs</small></div>
            ${bar('cpu', u.cpu, c.cpu, 'MHz')} ${bar('mem', u.memoryMB, c.memoryMB, 'MB')}
          </a>`;
        })}
        ${nodes.length === 0 ? html`<p class="empty">No nodes have registered.</p>` : ''}
      </div>
    </section>
    <div class="cols">
      <section class="card">
        <h2>Jobs by status <small>${jobs.length} jobs</small></h2>
        <ul class="counts" data-testid="jobs-by-status">
          ${[...byStatus].map(([st, n]) => html`<li><a href=${`${href('jobs')}?status=${st}`}>${badge(st)} <b>${n}</b></a></li>`)}
        </ul>
      </section>
      <section class="card">
        <h2><a href=${href('evaluations')}>Evaluation queue</a> <small>${queue.length}</small></h2>
        <table class="tbl" data-testid="eval-queue"><tbody>
          ${queue.slice(0, 10).map((e) => html`<tr><td><a href=${href('jobs', e.metadata.namespace!, e.spec.jobName)}>${e.spec.jobName}</a></td><td>${e.spec.triggeredBy ?? ''}</td><td>${badge(e.status?.phase ?? 'pending')}</td><td>${age(e.metadata.creationTimestamp)}</td></tr>`)}
        </tbody></table>
        ${queue.length === 0 ? html`<p class="empty">Nothing queued.</p>` : ''}
      </section>
    </div>
    <section class="card">
      <h2>Recent events</h2>
      <table class="tbl" data-testid="recent-events"><tbody>
        ${events.map((e) => html`<tr class=${e.type === 'Warning' ? 'warn' : ''}><td>${age(eventTime(e))}</td><td>${e.involvedObject?.kind} ${e.involvedObject?.name}</td><td>${e.reason}</td><td>${e.message}</td></tr>`)}
      </tbody></table>
    </section>
  </div>` as VNode;
}

/** When an event last happened. */
export function eventTime(e: { lastTimestamp?: string; eventTime?: string; firstTimestamp?: string; metadata: { creationTimestamp?: string } }): string {
  return e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata.creationTimestamp ?? '';
}
