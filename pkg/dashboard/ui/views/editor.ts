// The job editor (Nomad UI's "Run job"): paste Drover YAML, a Nomad HCL job or a Marathon app, see the plan
// (the jobs/{name}/plan dry run: what each group would create, update and destroy, and why placements would
// fail), then submit it by server-side apply.
import { html } from 'htm/preact';
import type { VNode } from 'preact';
import { useState } from 'preact/hooks';
import { applyJob, convertText, planJob } from '../actions.ts';
import { ApiError } from '../api.ts';
import { go } from '../router.ts';
import type { Obj } from '../store.ts';
import { PlacementFailures } from './placement-failures.ts';

const EXAMPLE = `apiVersion: drover.dev/v1
kind: Job
metadata:
  name: example
  namespace: default
spec:
  type: service
  groups:
    - name: web
      count: 2
      tasks:
        - name: main
          driver: mock
          config: {}
          resources: { cpu: 100, memoryMB: 64 }
`;

/** The editor page. */
export function Editor(): VNode {
  const [text, setText] = useState(EXAMPLE);
  const [format, setFormat] = useState('auto');
  const [plans, setPlans] = useState<Array<{ job: Obj; plan: any }>>([]);
  const [error, setError] = useState<ApiError | Error | undefined>();
  const [busy, setBusy] = useState(false);
  const run = async (submit: boolean) => {
    setBusy(true);
    setError(undefined);
    try {
      const jobs = (await convertText(text, format)).filter((o) => o.kind === 'Job');
      if (jobs.length === 0) throw new Error('the text holds no Job');
      if (submit) {
        const stored = await Promise.all(jobs.map(applyJob));
        go('jobs', stored[0]!.metadata.namespace!, stored[0]!.metadata.name);
        return;
      }
      setPlans(await Promise.all(jobs.map(async (job) => ({ job, plan: await planJob(job) }))));
    } catch (err) {
      setError(err as Error);
      setPlans([]);
    } finally {
      setBusy(false);
    }
  };
  return html`<div class="page" data-testid="editor">
    <h1>Run a job</h1>
    <div class="toolbar">
      <select value=${format} onChange=${(e: Event) => setFormat((e.target as HTMLSelectElement).value)} data-testid="editor-format">
        <option value="auto">Drover YAML (or Marathon JSON)</option><option value="hcl">Nomad HCL</option><option value="marathon">Marathon JSON</option>
      </select>
      <button class="btn" disabled=${busy} onClick=${() => run(false)} data-testid="plan">Plan</button>
      <button class="btn primary" disabled=${busy || plans.length === 0} onClick=${() => run(true)} data-testid="submit">Submit</button>
    </div>
    <textarea class="code" spellcheck=${false} value=${text} onInput=${(e: Event) => { setText((e.target as HTMLTextAreaElement).value); setPlans([]); }} data-testid="editor-text"></textarea>
    ${error ? html`<div class="card err" role="alert" data-testid="editor-error"><b>${error.message}</b>${error instanceof ApiError ? html`<ul>${error.causes.map((c) => html`<li><code>${c.field}</code> ${c.message}</li>`)}</ul>` : ''}</div>` : ''}
    ${plans.map(({ job, plan }) => html`<${PlanView} job=${job} plan=${plan} />`)}
  </div>` as VNode;
}

function PlanView(p: { job: Obj; plan: any }): VNode {
  const changes = Object.entries((p.plan.desiredChanges ?? {}) as Record<string, Record<string, number>>);
  const words = (c: Record<string, number>) => Object.entries(c).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`).join(', ') || 'no changes';
  return html`<section class="card" data-testid="plan-result"><h2>Plan for ${p.job.metadata.name} <small>${p.plan.currentVersion === undefined ? 'new job' : `version ${p.plan.currentVersion} → ${p.plan.jobVersion}`} · diff ${p.plan.diff?.type ?? ''}</small></h2>
    <ul>${changes.map(([g, c]) => html`<li>Task group <b>${g}</b>: ${words(c)}</li>`)}</ul>
    <ul>${Object.entries((p.plan.nodes ?? {}) as Record<string, any>).map(([n, np]) => html`<li>Node <b>${n}</b>: ${np.place.length} place, ${np.stop.length} stop, ${np.update.length} update</li>`)}</ul>
    ${Object.keys(p.plan.failedGroups ?? {}).length ? html`<${PlacementFailures} failed=${p.plan.failedGroups} queued=${p.plan.queued} />` : ''}
  </section>` as VNode;
}
