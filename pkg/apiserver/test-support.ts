// Test fixtures shared by the API server's tests: small kinds with every trait the generic handler cares
// about, and a server over a real memory store driven through app.inject().
import { Type } from '@sinclair/typebox';
import type { InjectOptions } from 'fastify';
import { Int, Obj } from '../../api/schemas/common.ts';
import { kinds as registryKinds } from '../../api/schemas/index.ts';
import type { ApiObject, KindInfo } from '../../api/schemas/kind.ts';
import { envelope } from '../../api/schemas/meta.ts';
import { silentLogger } from '../log/logger.ts';
import type { Store } from '../storage/store.ts';
import { openMemoryStore } from '../storage/memory/index.ts';
import { createApiServer, type ApiServer, type ApiServerOptions } from './server.ts';

const WidgetSchema = envelope({
  kind: 'Widget',
  specOptional: true,
  spec: Obj({ size: Type.Optional(Int({ minimum: 0, default: 1 })), color: Type.Optional(Type.String()), tags: Type.Optional(Type.Array(Type.String())) }),
  status: Obj({ phase: Type.Optional(Type.String()), ready: Type.Optional(Type.Integer()) }),
  description: 'A test kind: namespaced, with a status subresource.',
});

const GadgetSchema = envelope({
  kind: 'Gadget',
  specOptional: true,
  spec: Obj({ model: Type.Optional(Type.String()) }),
  status: Obj({ note: Type.Optional(Type.String()) }),
  description: 'A test kind: cluster-scoped, no status subresource.',
});

/** A namespaced test kind with /status, a selectable field and printer columns. */
export const widgetKind: KindInfo = {
  kind: 'Widget',
  plural: 'widgets',
  singular: 'widget',
  shortNames: ['wd'],
  namespaced: true,
  hasStatus: true,
  schema: WidgetSchema,
  selectableFields: { 'spec.color': (o) => (o.spec as { color?: string } | undefined)?.color },
  printerColumns: [
    { name: 'Size', jsonPath: '.spec.size', type: 'integer' },
    { name: 'Color', jsonPath: '.spec.color', type: 'string' },
    { name: 'Phase', jsonPath: '.status.phase', type: 'string', priority: 1 },
  ],
  categories: ['all'],
  description: 'A test kind.',
};

/** A cluster-scoped test kind without a status subresource. */
export const gadgetKind: KindInfo = {
  kind: 'Gadget',
  plural: 'gadgets',
  singular: 'gadget',
  shortNames: [],
  namespaced: false,
  hasStatus: false,
  schema: GadgetSchema,
  selectableFields: {},
  printerColumns: [{ name: 'Model', jsonPath: '.spec.model', type: 'string' }],
  description: 'A cluster-scoped test kind.',
};

/** The Namespace kind of the registry. */
export const namespaceKind = registryKinds.find((k) => k.kind === 'Namespace')!;

/** A parsed inject() response. */
export interface TestResponse {
  code: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
  headers: Record<string, unknown>;
  text: string;
}

/** A test server over a fresh memory store. */
export interface TestServer {
  server: ApiServer;
  store: Store;
  /** Send one request; a non-string body is sent as JSON. */
  req(method: InjectOptions['method'], url: string, body?: unknown, headers?: Record<string, string>): Promise<TestResponse>;
  close(): Promise<void>;
}

/** Start a server (Namespace, Widget, Gadget kinds unless given) with compaction off. */
export async function testServer(opts: Partial<ApiServerOptions> = {}): Promise<TestServer> {
  const store = opts.store ?? (await openMemoryStore());
  const server = await createApiServer({ store, logger: silentLogger, compactionIntervalMs: 0, kinds: [namespaceKind, widgetKind, gadgetKind], ...opts });
  return {
    server,
    store,
    async req(method, url, body, headers = {}) {
      const h: Record<string, string> = { ...headers };
      let payload: string | undefined;
      if (body !== undefined) {
        payload = typeof body === 'string' ? body : JSON.stringify(body);
        h['content-type'] ??= 'application/json';
      }
      const res = await server.app.inject({ method, url, payload, headers: h });
      let parsed: unknown;
      try {
        parsed = JSON.parse(res.body);
      } catch {
        parsed = undefined;
      }
      return { code: res.statusCode, body: parsed, headers: res.headers, text: res.body };
    },
    async close() {
      await server.close();
      await store.close();
    },
  };
}

/** A Widget object for tests. */
export function widget(name: string, spec: Record<string, unknown> = {}, meta: Partial<ApiObject['metadata']> = {}): ApiObject {
  return { apiVersion: 'drover.dev/v1', kind: 'Widget', metadata: { name, ...meta }, spec };
}

/** Path of the widgets collection (or one widget) in `ns`. */
export function widgetsPath(ns = 'default', name?: string, sub?: string): string {
  return `/apis/drover.dev/v1/namespaces/${ns}/widgets${name ? `/${name}` : ''}${sub ? `/${sub}` : ''}`;
}
