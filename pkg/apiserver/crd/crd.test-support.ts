// Fixtures for the CRD tests: a CronTab CRD (namespaced, status subresource, printer columns, short name) and a
// condition wait that re-reads on each turn of the event loop (bounded by the hang guard only).
import { WAIT_HANG_GUARD_MS } from '../../../test/support/hang-guard.ts';

/** A namespaced CRD, `crontabs.stable.example.com`. */
export function cronTabCrd(overrides: { scope?: 'Namespaced' | 'Cluster'; plural?: string; kind?: string; group?: string } = {}) {
  const group = overrides.group ?? 'stable.example.com';
  const plural = overrides.plural ?? 'crontabs';
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      scope: overrides.scope ?? 'Namespaced',
      names: { plural, singular: plural.replace(/s$/, ''), kind: overrides.kind ?? 'CronTab', shortNames: [plural.slice(0, 2)], categories: ['all'] },
      versions: [{
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        additionalPrinterColumns: [
          { name: 'Spec', type: 'string', jsonPath: '.spec.cronSpec' },
          { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
          { name: 'Ready', type: 'integer', jsonPath: '.status.readyReplicas', priority: 1 },
        ],
        schema: {
          openAPIV3Schema: {
            type: 'object',
            description: 'A cron table entry.',
            properties: {
              spec: {
                type: 'object',
                required: ['cronSpec'],
                properties: {
                  cronSpec: { type: 'string', pattern: '^(\\S+ ){4}\\S+$', description: 'Five cron fields.' },
                  image: { type: 'string' },
                  replicas: { type: 'integer', minimum: 1, maximum: 10, default: 1 },
                  mode: { type: 'string', enum: ['Once', 'Repeat'] },
                  started: { type: 'string', format: 'date-time' },
                  port: { 'x-kubernetes-int-or-string': true },
                  extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
                  tags: { type: 'array', items: { type: 'string' } },
                },
              },
              status: { type: 'object', properties: { readyReplicas: { type: 'integer' }, phase: { type: 'string' } } },
            },
          },
        },
      }],
    },
  };
}

/** A CronTab object. */
export function cronTab(name: string, spec: Record<string, unknown> = { cronSpec: '* * * * */5' }, apiVersion = 'stable.example.com/v1') {
  return { apiVersion, kind: 'CronTab', metadata: { name }, spec };
}

/** Re-run `check` until it returns a value other than undefined (guarded against hangs only). */
export async function until<T>(check: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + WAIT_HANG_GUARD_MS;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`hang guard: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The status of condition `type` of a CRD body. */
export function conditionStatus(crd: { status?: { conditions?: Array<{ type: string; status: string }> } } | undefined, type: string): string | undefined {
  return crd?.status?.conditions?.find((c) => c.type === type)?.status;
}
