// The dashboard's page: header (views, connection state, token, theme), the view of the current hash route,
// and the keyboard: `g` then o/j/n/v/e goes to overview/jobs/nodes/evaluations/editor, `/` focuses the page's filter, `t`
// switches the theme; lists move with j/k and open with Enter.
import { html } from 'htm/preact';
import { render, type VNode } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { setToken, token } from './api.ts';
import { forgetAccess } from './authz.ts';
import { go, href, useRoute } from './router.ts';
import { store, useStore } from './store.ts';
import { AllocationPage } from './views/allocation.ts';
import { Editor } from './views/editor.ts';
import { Evaluations } from './views/evaluations.ts';
import { JobPage } from './views/job.ts';
import { Jobs } from './views/jobs.ts';
import { NodePage, Nodes } from './views/nodes.ts';
import { Overview } from './views/overview.ts';

const THEME_KEY = 'drover.theme';
const NAMESPACE_KEY = 'drover.namespace';

/** The namespace switcher: all namespaces ('') or one of those the cluster has. */
function NamespaceSelect(p: { value: string; set(ns: string): void }): VNode {
  const s = useStore();
  const names = new Set<string>([...s.list('jobs').values()].map((j) => j.metadata.namespace!).filter(Boolean));
  if (p.value) names.add(p.value);
  return html`<select value=${p.value} onChange=${(e: Event) => p.set((e.target as HTMLSelectElement).value)} data-testid="namespace" title="namespace">
    <option value="">all namespaces</option>${[...names].sort().map((n) => html`<option>${n}</option>`)}
  </select>` as VNode;
}

function applyTheme(t: string): void {
  document.documentElement.dataset.theme = t;
}

function View(p: { route: string[]; namespace: string }): VNode {
  const [page, a, b] = p.route;
  if (page === 'evaluations') return html`<${Evaluations} namespace=${p.namespace} />` as VNode;
  if (page === 'jobs' && a && b) return html`<${JobPage} namespace=${a} name=${b} />` as VNode;
  if (page === 'jobs') return html`<${Jobs} namespace=${p.namespace} />` as VNode;
  if (page === 'allocations' && a && b) return html`<${AllocationPage} namespace=${a} name=${b} />` as VNode;
  if (page === 'nodes' && a) return html`<${NodePage} name=${a} />` as VNode;
  if (page === 'nodes') return html`<${Nodes} />` as VNode;
  if (page === 'editor') return html`<${Editor} />` as VNode;
  return html`<${Overview} namespace=${p.namespace} />` as VNode;
}

function Login(): VNode {
  const [open, setOpen] = useState(false);
  const [value, setValue] = useState(token());
  const save = (e: Event) => {
    e.preventDefault();
    setToken(value.trim());
    forgetAccess();
    store.restart();
    setOpen(false);
  };
  if (!open && store.connection !== 'unauthorized') return html`<button class="btn ghost" onClick=${() => setOpen(true)} data-testid="login">${token() ? 'Token set' : 'Log in'}</button>` as VNode;
  return html`<form class="login" onSubmit=${save}><input type="password" placeholder="Bearer token" value=${value} onInput=${(e: Event) => setValue((e.target as HTMLInputElement).value)} data-testid="token" /><button class="btn">Save</button></form>` as VNode;
}

function App(): VNode {
  const route = useRoute();
  const s = useStore();
  const [namespace, setNamespace] = useState(localStorage.getItem(NAMESPACE_KEY) ?? '');
  const chooseNamespace = (ns: string) => {
    setNamespace(ns);
    localStorage.setItem(NAMESPACE_KEY, ns);
  };
  const [theme, setTheme] = useState(localStorage.getItem(THEME_KEY) ?? (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'));
  useEffect(() => {
    applyTheme(theme);
    localStorage.setItem(THEME_KEY, theme);
  }, [theme]);
  useEffect(() => {
    let pendingG = false;
    const on = (e: KeyboardEvent) => {
      const tag = (e.target as HTMLElement).tagName;
      if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || e.metaKey || e.ctrlKey || e.altKey) return;
      if (pendingG) {
        pendingG = false;
        e.stopImmediatePropagation(); // the key after `g` is the view's, not the list's j/k
        const to = { o: '', j: 'jobs', n: 'nodes', v: 'evaluations', e: 'editor' }[e.key];
        if (to !== undefined) go(...(to ? [to] : []));
        return;
      }
      if (e.key === 'g') {
        pendingG = true;
        e.stopImmediatePropagation();
      }
      else if (e.key === '/') {
        const f = document.querySelector<HTMLInputElement>('.page .filter');
        if (f) {
          e.preventDefault();
          f.focus();
        }
      } else if (e.key === 't') setTheme((t) => (t === 'dark' ? 'light' : 'dark'));
    };
    // Capture: before the lists' own key handlers (list-keys.ts), so `g j` does not also move a selection.
    addEventListener('keydown', on, true);
    return () => removeEventListener('keydown', on, true);
  }, []);
  const nav = (to: string, label: string) => html`<a class=${(route[0] ?? '') === to ? 'on' : ''} href=${href(...(to ? [to] : []))}>${label}</a>`;
  const errors = [...s.errors].map(([k, m]) => `${k}: ${m}`);
  return html`<header>
      <a class="brand" href=${href()}>Drover</a>
      <nav>${nav('', 'Overview')}${nav('jobs', 'Jobs')}${nav('nodes', 'Nodes')}${nav('evaluations', 'Evaluations')}${nav('editor', 'Run job')}</nav>
      <${NamespaceSelect} value=${namespace} set=${chooseNamespace} />
      <span class=${`conn conn-${s.connection}`} data-testid="connection" title=${errors.join('\n')}>${s.connection}${errors.length ? ` (${errors.length} kinds refused)` : ''}</span>
      <${Login} />
      <button class="btn ghost" onClick=${() => setTheme(theme === 'dark' ? 'light' : 'dark')} data-testid="theme" title="t">${theme === 'dark' ? 'Light' : 'Dark'}</button>
    </header>
    <main><${View} route=${route} namespace=${namespace} /></main>` as VNode;
}

applyTheme(localStorage.getItem(THEME_KEY) ?? 'light');
render(html`<${App} />`, document.getElementById('app')!);
// For the console and hack/bench/dashboard.ts (how many events the page has applied).
(window as unknown as { droverStore: typeof store }).droverStore = store;
void store.run();
