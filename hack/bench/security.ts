// The cost of security: API creates/s of one server with authentication (stored hashed tokens), RBAC (a
// RoleBinding among 200 others) and an audit log (Metadata, to a file) against an identical server with all of
// it off, same run, same process, same memory store kind; the load runs in a child process.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApiServer, type ApiServer } from '../../pkg/apiserver/server.ts';
import { newToken, tokenHash } from '../../pkg/auth/token.ts';
import { silentLogger } from '../../pkg/log/logger.ts';
import { openMemoryStore } from '../../pkg/storage/memory/index.ts';
import type { Store } from '../../pkg/storage/store.ts';
import { parseBenchArgs, watchdog } from './lib/args.ts';
import { forkChild } from './lib/child.ts';
import { report, type BenchResult } from './lib/result.ts';
import { median } from './lib/stats.ts';
import type { SecurityClientArgs, SecurityClientResult } from './security-client.ts';

const TARGET_RATIO = 0.8;
const OTHER_BINDINGS = 200;
const ADMIN = newToken();

async function asAdmin(server: ApiServer, method: 'POST', url: string, body: unknown): Promise<void> {
  const res = await server.app.inject({ method, url, payload: JSON.stringify(body), headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' } });
  if (res.statusCode !== 201) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
}

/** Run the benchmark and return its result. */
export async function benchSecurity(opts: { full: boolean }): Promise<BenchResult> {
  const dir = await mkdtemp(join(tmpdir(), 'drover-bench-security-'));
  const stores: Store[] = [];
  const servers: ApiServer[] = [];
  const auditPath = join(dir, 'audit.log');
  const audit = createWriteStream(auditPath, { flags: 'a' });
  try {
    const store = async () => {
      const s = await openMemoryStore();
      stores.push(s);
      return s;
    };
    const off = await createApiServer({ store: await store(), logger: silentLogger, compactionIntervalMs: 0 });
    const on = await createApiServer({
      store: await store(), logger: silentLogger, compactionIntervalMs: 0,
      authentication: { bootstrapTokens: [{ token: ADMIN, user: 'drover:admin', groups: ['system:masters'], description: 'bench' }] },
      audit: { level: 'Metadata', write: (line) => void audit.write(line + '\n') },
    });
    servers.push(off, on);
    // A realistic policy: the writer is no master; it holds `edit` in default through one RoleBinding among many.
    const token = newToken();
    await asAdmin(on, 'POST', '/apis/auth.drover.dev/v1/tokens', { apiVersion: 'auth.drover.dev/v1', kind: 'Token', metadata: { name: tokenHash(token) }, spec: { user: 'writer', userGroups: ['writers'] } });
    const rb = (name: string, subject: string, role: string) => ({
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name, namespace: 'default' },
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: subject }], roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    });
    for (let i = 0; i < OTHER_BINDINGS; i++) await asAdmin(on, 'POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings', rb(`other-${i}`, `user-${i}`, 'view'));
    await asAdmin(on, 'POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings', rb('writer-edit', 'writer', 'edit'));
    const [offUrl, onUrl] = [await off.listen({ port: 0 }), await on.listen({ port: 0 })];
    const cfg: SecurityClientArgs = { offUrl, onUrl, token, concurrency: 32, count: opts.full ? 10_000 : 2_000, rounds: opts.full ? 3 : 2, warmup: opts.full ? 1_000 : 300 };
    const child = forkChild<SecurityClientResult>(fileURLToPath(new URL('./security-client.ts', import.meta.url)), [JSON.stringify(cfg)], { timeoutMs: 600_000 });
    const r = await child.result.finally(() => child.stop());
    await new Promise((resolve) => audit.end(resolve));
    const auditBytes = (await stat(auditPath)).size;
    const offRate = median(r.off.map((x) => x.opsPerSec));
    const onRate = median(r.on.map((x) => x.opsPerSec));
    const errors = [...r.off, ...r.on].reduce((n, x) => n + x.errors, 0);
    const firstError = [...r.off, ...r.on].find((x) => x.firstError)?.firstError;
    const ratio = onRate / offRate;
    return {
      name: 'security',
      title: 'The cost of security: API creates/s with authentication + RBAC + audit vs without',
      headline: 1,
      setup: `two API servers in the bench process on memory stores, ${cfg.concurrency} in flight, ${cfg.count.toLocaleString('en-US')} creates per phase, ${cfg.rounds} rounds of off-then-on (median shown); secured: a stored token, a RoleBinding among ${OTHER_BINDINGS + 1}, audit at Metadata to a file; load in a child process`,
      figures: [
        { label: 'creates/s, security off', value: offRate, unit: 'ops/s' },
        { label: 'creates/s, authn + RBAC + audit on', value: onRate, unit: 'ops/s' },
        { label: 'audit log written', value: auditBytes / 1024 / 1024, unit: 'MiB' },
        { label: 'errors', value: errors, unit: '' },
      ],
      ratio: { value: ratio, meaning: 'creates/s with security ÷ without (higher is better)' },
      target: { text: `ratio >= ${TARGET_RATIO}`, met: ratio >= TARGET_RATIO && errors === 0 },
      notes: [
        ...r.off.map((x, i) => `round ${i + 1}: off ${Math.round(x.opsPerSec)}/s, on ${Math.round(r.on[i]!.opsPerSec)}/s`),
        ...(firstError ? [`first error: ${firstError}`] : []),
      ],
    };
  } finally {
    for (const s of servers) await s.close();
    for (const s of stores) await s.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  watchdog(900_000, 'security');
  const args = parseBenchArgs();
  await report(await benchSecurity(args));
}
