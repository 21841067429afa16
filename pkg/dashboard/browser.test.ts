// The dashboard in headless chromium (Debian's /usr/bin/chromium through playwright-core) against a real
// `drover dev` with its local agent and two hollow nodes (`drover agent --simulate 2`): a job applied through the
// API appears in the jobs list without a reload and its allocations turn running live; a canary deployment is
// promoted from the UI, and a version reverted; a hollow node is drained from the UI; a task's log streams and
// filters; the evaluations view says why a job could not be placed; a user the server allows nothing sees no
// action buttons. Every view is
// saved at 1440×900 into docs/ui/ (docs/ui.md shows them). Skipped without chromium, except with CI=true.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startDev, stopDev, type DevProcess } from '../../test/e2e/dev-process.ts';
import { E2E_ADMIN_TOKEN, startDrover, stopProcess, type DroverProcess } from '../../test/e2e/processes.ts';
import { AUTH_API_VERSION, RBAC_API_VERSION } from '../../api/schemas/index.ts';
import { newToken, tokenHash } from '../auth/token.ts';
import { until } from '../../test/e2e/cluster.ts';
import { TEST_HANG_GUARD_MS, WAIT_HANG_GUARD_MS } from '../../test/support/hang-guard.ts';

/** Where the browser is: Debian's chromium package. */
export const CHROMIUM = '/usr/bin/chromium';
const SKIP = existsSync(CHROMIUM) ? undefined : `needs ${CHROMIUM} (apt-get install chromium); set CI=true to make this a failure`;
const options = process.env.CI === 'true' || !SKIP ? {} : { skip: SKIP };
// Screenshots go to docs/ui/ when asked for (DROVER_UI_SCREENSHOTS=1, as docs/ui.md says); otherwise to a
// directory of this run, so test runs (two side by side included) never rewrite tracked files.
const SHOTS = process.env.DROVER_UI_SCREENSHOTS === '1' ? fileURLToPath(new URL('../../docs/ui/', import.meta.url)) : mkdtempSync(join(tmpdir(), 'drover-ui-shots-'));
const V1 = '/apis/drover.dev/v1';

describe('dashboard in a browser against drover dev', { ...options, timeout: TEST_HANG_GUARD_MS }, () => {
  let dataDir: string;
  let dev: DevProcess;
  let fleet: DroverProcess;
  let browser: Browser;
  let page: Page;
  let localNode: string;

  const api = async (method: string, path: string, body?: unknown, contentType = 'application/json', token = E2E_ADMIN_TOKEN) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': contentType }) };
    const res = await fetch(`${dev.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const json = await res.json().catch(() => undefined);
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json as any; // eslint-disable-line @typescript-eslint/no-explicit-any -- API objects
  };
  const apply = (job: Record<string, any>) => api('PATCH', `${V1}/namespaces/default/jobs/${job.metadata.name}?fieldManager=browser-test&force=true`, job, 'application/apply-patch+yaml'); // eslint-disable-line @typescript-eslint/no-explicit-any
  const wait = (selector: string) => page.waitForSelector(selector, { timeout: WAIT_HANG_GUARD_MS });
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) });
  const open = async (hash: string) => {
    await page.evaluate((h) => (location.hash = h), hash);
  };
  const onLocal = () => ({ constraints: [{ attribute: '${node.unique.name}', value: localNode }] });
  const mockTask = (env: Record<string, string> = {}) => ({ name: 'main', driver: 'mock', config: {}, env, resources: { cpu: 100, memoryMB: 64 } });

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'dashboard-browser-'));
    mkdirSync(SHOTS, { recursive: true });
    dev = await startDev(dataDir);
    fleet = await startDrover('fleet', ['--server', dev.url, 'agent', '--simulate', '2', '--name-prefix', 'hollow-', '--heartbeat-interval', '2s', '--log-level', 'warn'], /hollow nodes/);
    const nodes = await until('three ready nodes', async () => {
      const items = (await api('GET', `${V1}/nodes`)).items as Array<{ metadata: { name: string }; status?: { phase?: string } }>;
      return items.filter((n) => n.status?.phase === 'ready').length >= 3 && items;
    });
    localNode = nodes.find((n) => !n.metadata.name.startsWith('hollow-'))!.metadata.name;
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.setDefaultTimeout(WAIT_HANG_GUARD_MS);
    // The page holds the token as a user's login leaves it (localStorage), set before any script runs.
    await page.addInitScript((t) => localStorage.setItem('drover.token', t), E2E_ADMIN_TOKEN);
    await page.goto(`${dev.url}/`);
    await wait('[data-testid=connection]:text("live")');
    // Set once: a reload would lose it, so finding it later proves the page was never reloaded.
    await page.evaluate(() => ((window as unknown as { loadedOnce: boolean }).loadedOnce = true));
  });

  after(async () => {
    await browser?.close();
    if (fleet) await stopProcess(fleet);
    if (dev) await stopDev(dev);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const notReloaded = async () => assert.equal(await page.evaluate(() => (window as unknown as { loadedOnce?: boolean }).loadedOnce), true, 'the page was reloaded');

  test('a job applied through the API appears in the jobs list without a reload, and its allocations turn running live', async () => {
    await open('#/jobs');
    await wait('[data-testid=jobs]');
    await apply({ apiVersion: 'drover.dev/v1', kind: 'Job', metadata: { name: 'web', namespace: 'default' }, spec: { type: 'service', ...onLocal(), groups: [{ name: 'web', count: 3, tasks: [mockTask()] }] } });
    await wait('[data-testid=job-row][data-job=web]');
    await page.click('[data-testid=job-row][data-job=web]');
    await wait('[data-testid=job-page]');
    await wait('[data-testid=alloc-counts]:text("3 running of 3")');
    assert.equal(await page.locator('[data-testid=alloc-row][data-status=running]').count(), 3);
    await notReloaded();
    await open('#/jobs');
    await wait('[data-testid=job-row][data-job=web][data-status=running]');
    await shot('jobs');
    // The keyboard: g o to the overview, g j back to the jobs, / to the filter, Enter opens the selected job.
    await page.evaluate('document.activeElement && document.activeElement.blur()');
    await page.keyboard.press('g');
    await page.keyboard.press('o');
    await wait('[data-testid=overview]');
    await page.keyboard.press('g');
    await page.keyboard.press('j');
    await wait('[data-testid=jobs]');
    await page.keyboard.press('/');
    await page.keyboard.type('web');
    await wait('[data-testid=jobs-list][data-count="1"]');
    await page.evaluate('document.activeElement && document.activeElement.blur()');
    await page.keyboard.press('Enter');
    await wait('[data-testid=job-page]:has-text("web")');
  });

  test('a canary deployment is promoted from the job page', async () => {
    const update = (canary: number) => ({ maxParallel: 1, canary, minHealthyTime: '1s', healthyDeadline: '2m', progressDeadline: '5m' });
    const canaryJob = (version: string, canary: number) => ({
      apiVersion: 'drover.dev/v1', kind: 'Job', metadata: { name: 'canary', namespace: 'default' },
      spec: { type: 'service', ...onLocal(), update: update(canary), groups: [{ name: 'web', count: 2, tasks: [mockTask({ VERSION: version })] }] },
    });
    await apply(canaryJob('1', 0));
    await until('version 1 of canary rolled out', async () => (await api('GET', `${V1}/namespaces/default/deployments/canary-deploy-1`).catch(() => undefined))?.status?.phase === 'successful');
    await apply(canaryJob('2', 1));
    await open('#/jobs/default/canary');
    await wait('[data-testid=deployment] [data-testid=promote]');
    await wait('[data-testid=alloc-row] .tag');
    await shot('job');
    await page.click('[data-testid=promote]');
    await wait('[data-testid=deployment][data-phase=successful]');
    const d = await api('GET', `${V1}/namespaces/default/deployments/canary-deploy-2`);
    assert.equal(d.spec.groups.web.promoted, true);
    assert.equal(d.status.phase, 'successful');
    await notReloaded();
  });

  test('a version shows what it changed and is reverted from the job page', async () => {
    await open('#/jobs/default/canary');
    await wait('[data-testid=version][data-version="2"]');
    await wait('[data-testid=version-diff] code:text("groups[0].tasks[0].env.VERSION")');
    await page.click('[data-testid=version][data-version="1"] [data-testid=revert]', { trial: true });
    page.once('dialog', (d) => void d.accept());
    await page.click('[data-testid=version][data-version="1"] [data-testid=revert]');
    await wait('[data-testid=version][data-version="3"]');
    const job = await api('GET', `${V1}/namespaces/default/jobs/canary`);
    assert.equal(job.metadata.generation, 3);
    assert.equal(job.spec.groups[0].tasks[0].env.VERSION, '1');
    await notReloaded();
  });

  test('a view-only user sees no action buttons, and the API refuses the actions if sent anyway', async () => {
    // A real user bound to the `view` ClusterRole (RBAC): a token made here, stored by its SHA-256 as
    // `drover token create` does, and a ClusterRoleBinding.
    const viewerToken = newToken();
    await api('POST', `/apis/${AUTH_API_VERSION}/tokens`, { apiVersion: AUTH_API_VERSION, kind: 'Token', metadata: { name: tokenHash(viewerToken) }, spec: { user: 'viewer', userGroups: ['viewers'] } });
    await api('POST', `/apis/${RBAC_API_VERSION}/clusterrolebindings`, {
      apiVersion: RBAC_API_VERSION, kind: 'ClusterRoleBinding', metadata: { name: 'viewers-view' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'Group', name: 'viewers', apiGroup: 'rbac.authorization.k8s.io' }],
    });
    await until('the viewer can read jobs', async () => (await api('GET', `${V1}/namespaces/default/jobs`, undefined, undefined, viewerToken).catch(() => undefined)) !== undefined);
    const viewer = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await viewer.addInitScript((t) => localStorage.setItem('drover.token', t), viewerToken);
    const asked: Array<{ verb: string; resource: string; allowed: boolean }> = [];
    viewer.on('response', async (res) => {
      if (!res.url().endsWith('/selfsubjectaccessreviews') || res.status() !== 201) return;
      const review = (await res.json()) as { spec: { resourceAttributes: { verb: string; resource: string } }; status: { allowed: boolean } };
      asked.push({ verb: review.spec.resourceAttributes.verb, resource: review.spec.resourceAttributes.resource, allowed: review.status.allowed });
    });
    try {
      await viewer.goto(`${dev.url}/ui/#/jobs/default/canary`);
      await viewer.waitForSelector('[data-testid=version][data-version="1"]', { timeout: WAIT_HANG_GUARD_MS });
      await viewer.goto(`${dev.url}/ui/#/nodes/hollow-00001`);
      await viewer.waitForSelector('[data-testid=node-page]', { timeout: WAIT_HANG_GUARD_MS });
      await until('the reviews asked', async () => asked.some((a) => a.resource === 'nodes') && asked.some((a) => a.resource === 'jobs'));
      assert.equal(await viewer.locator('[data-testid=drain], [data-testid=ineligible], [data-testid=eligible]').count(), 0);
      await viewer.goto(`${dev.url}/ui/#/jobs/default/canary`);
      await viewer.waitForSelector('[data-testid=version][data-version="1"]', { timeout: WAIT_HANG_GUARD_MS });
      assert.equal(await viewer.locator('[data-testid=revert], [data-testid=promote], [data-testid=pause], [data-testid=fail]').count(), 0);
      assert.deepEqual(asked.find((a) => a.resource === 'nodes'), { verb: 'patch', resource: 'nodes', allowed: false });
      assert.deepEqual(asked.find((a) => a.resource === 'jobs'), { verb: 'update', resource: 'jobs', allowed: false });
      // The actions sent anyway, as the buttons would send them: 403 from RBAC.
      const drain = await fetch(`${dev.url}${V1}/nodes/hollow-00001`, { method: 'PATCH', headers: { authorization: `Bearer ${viewerToken}`, 'content-type': 'application/merge-patch+json' }, body: JSON.stringify({ spec: { drain: true } }) });
      assert.equal(drain.status, 403);
      assert.match(((await drain.json()) as { message: string }).message, /User "viewer" cannot patch resource "nodes"/);
      const job = await api('GET', `${V1}/namespaces/default/jobs/canary`);
      const revert = await fetch(`${dev.url}${V1}/namespaces/default/jobs/canary`, { method: 'PUT', headers: { authorization: `Bearer ${viewerToken}`, 'content-type': 'application/json' }, body: JSON.stringify(job) });
      assert.equal(revert.status, 403);
      // The same views for the administrator (this page) do show them.
      await open('#/nodes/hollow-00001');
      await wait('[data-testid=node-page] [data-testid=drain]');
    } finally {
      await viewer.close();
    }
  });

  test('a hollow node is drained from its page', async () => {
    await open('#/nodes');
    await wait('[data-testid=node-row][data-node=hollow-00000]');
    await shot('nodes');
    await page.click('[data-testid=node-row][data-node=hollow-00000]');
    await wait('[data-testid=node-page][data-eligibility=eligible] [data-testid=drain]');
    await page.click('[data-testid=drain]');
    // The drain makes the node ineligible at once; with nothing to migrate the drain controller ends it soon.
    await wait('[data-testid=node-page][data-eligibility=ineligible]');
    const n = await api('GET', `${V1}/nodes/hollow-00000`);
    assert.equal(n.spec.eligibility, 'ineligible');
    await shot('node');
    await notReloaded();
  });

  test('an allocation\'s log streams live and filters by text and by regular expression', async () => {
    const script = 'i=0; while true; do if [ $((i % 2)) -eq 0 ]; then echo "line $i even"; else echo "line $i odd"; fi; i=$((i+1)); sleep 0.2; done';
    await apply({
      apiVersion: 'drover.dev/v1', kind: 'Job', metadata: { name: 'talker', namespace: 'default' },
      spec: { type: 'service', ...onLocal(), groups: [{ name: 'talker', count: 1, tasks: [{ name: 'main', driver: 'raw_exec', config: { command: '/bin/sh', args: ['-c', script] }, resources: { cpu: 50, memoryMB: 32 } }] }] },
    });
    await open('#/jobs/default/talker');
    await wait('[data-testid=alloc-row][data-status=running]');
    await page.click('[data-testid=alloc-row]');
    await wait('[data-testid=log-state]:text("streaming")');
    await wait('[data-testid=log-lines] .logline');
    const newest = async () => Math.max(...(await page.locator('[data-testid=log-lines] .logline').allTextContents()).map((l) => Number(/line (\d+)/.exec(l)?.[1] ?? -1)));
    const first = await newest();
    // Lines written after the view opened arrive without any reload or request from the page.
    await page.waitForFunction((n) => [...document.querySelectorAll('[data-testid=log-lines] .logline')].some((e) => Number(/line (\d+)/.exec(e.textContent ?? '')?.[1] ?? -1) > n + 3), first, { timeout: WAIT_HANG_GUARD_MS });
    await page.fill('[data-testid=log-filter]', 'even');
    const evens = await page.locator('[data-testid=log-lines] .logline').allTextContents();
    assert.ok(evens.length > 0);
    assert.ok(evens.every((l) => l.endsWith('even')), evens.join('\n'));
    await page.fill('[data-testid=log-filter]', '/^line \\d*[05] /');
    const fives = await page.locator('[data-testid=log-lines] .logline').allTextContents();
    assert.ok(fives.length > 0);
    assert.ok(fives.every((l) => /^line \d*[05] /.test(l)), fives.join('\n'));
    await page.fill('[data-testid=log-filter]', 'even');
    await wait('[data-testid=log-lines] mark');
    await shot('allocation');
    await notReloaded();
  });

  test('the evaluations view explains why a job could not be placed', async () => {
    await apply({ apiVersion: 'drover.dev/v1', kind: 'Job', metadata: { name: 'huge', namespace: 'default' }, spec: { type: 'service', groups: [{ name: 'big', count: 1, tasks: [{ ...mockTask(), resources: { cpu: 1_000_000, memoryMB: 64 } }] }] } });
    await open('#/evaluations');
    await wait('[data-testid=evaluations-page]');
    await page.fill('[data-testid=evaluations-page] .filter', 'huge');
    await wait('[data-testid=eval-row]:has-text("big")');
    await page.click('[data-testid=eval-row]:has-text("big")');
    const failures = await wait('[data-testid=eval-detail] [data-testid=placement-failures]:has-text("exhausted on")');
    assert.match((await failures.textContent())!, /Dimension "cpu" exhausted on \d+ nodes/);
    await shot('evaluations');
    await notReloaded();
  });

  test('the editor plans pasted YAML and submits it, and plans Nomad HCL, refusing what Drover cannot honour at its position; the overview in both themes', async () => {
    await open('#/editor');
    await wait('[data-testid=editor-text]');
    const yaml = ['apiVersion: drover.dev/v1', 'kind: Job', 'metadata: {name: edited, namespace: default}', 'spec:', '  groups:', '    - name: app', '      count: 2', '      tasks:', '        - {name: main, driver: mock, config: {}, resources: {cpu: 100, memoryMB: 64}}', ''].join('\n');
    await page.fill('[data-testid=editor-text]', yaml);
    await page.click('[data-testid=plan]');
    await wait('[data-testid=plan-result]:has-text("2 place")');
    await shot('editor');
    await page.click('[data-testid=submit]');
    await wait('[data-testid=job-page]:has-text("edited")');
    assert.equal((await api('GET', `${V1}/namespaces/default/jobs/edited`)).spec.groups[0].count, 2);
    // A Nomad HCL job: what Drover cannot honour is refused with its file position, the rest plans.
    await open('#/editor');
    await wait('[data-testid=editor-text]');
    await page.selectOption('[data-testid=editor-format]', 'hcl');
    const hcl = (extra: string) => `job "nomadic" {\n  group "g" {\n    count = 1\n    task "t" {\n      driver = "mock"\n${extra}      resources {\n        cpu    = 100\n        memory = 64\n      }\n    }\n  }\n}\n`;
    await page.fill('[data-testid=editor-text]', hcl('      vault {}\n'));
    await page.click('[data-testid=plan]');
    const refusal = await wait('[data-testid=editor-error]');
    assert.match((await refusal.textContent())!, /editor:6:7 job\.nomadic\.group\.g\.task\.t\.vault/);
    await page.fill('[data-testid=editor-text]', hcl(''));
    await page.click('[data-testid=plan]');
    await wait('[data-testid=plan-result]:has-text("nomadic")');
    await open('#/');
    await wait('[data-testid=node-tile]:nth-child(3)');
    await wait('[data-testid=recent-events] tr');
    await shot('overview');
    await page.keyboard.press('t');
    await wait('html[data-theme=dark]');
    await shot('overview-dark');
    await page.keyboard.press('t');
    await notReloaded();
  });
});
