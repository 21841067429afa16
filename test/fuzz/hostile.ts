// The shape of a generated hostile request and what the fuzz knows about its target: the served kinds, the
// fixtures (every hostile write aims at them or next to them), each kind's schema points and the body limit.
import fc from 'fast-check';
import type { ApiObject, KindInfo } from '../../api/schemas/kind.ts';
import { collectionPath, objectPath } from './fixtures.ts';
import type { SchemaPoints, Step } from './schema-paths.ts';

/** One request the server must refuse. */
export interface HostileRequest {
  /** What makes it hostile, for the failure message. */
  what: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS' | 'HEAD';
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
  /** The acceptable status codes when the category pins them (otherwise any 4xx). */
  expect?: number[];
  /** A field path the Status must name, in a cause's field or its message. */
  field?: string;
}

/** Everything the generators need to know about the server under attack. */
export interface Target {
  kinds: KindInfo[];
  /** Fixture objects by kind name, as stored (with resourceVersions). */
  fixtures: Map<string, ApiObject>;
  points: Map<string, SchemaPoints>;
  bodyLimit: number;
}

/** Content types of object bodies and patches. */
export const CT = {
  json: 'application/json',
  yaml: 'application/yaml',
  jsonPatch: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

/** An arbitrary kind of the target. */
export const kindOf = (t: Target) => fc.constantFrom(...t.kinds);

/** An arbitrary kind with a /status subresource. */
export const statusKindOf = (t: Target) => fc.constantFrom(...t.kinds.filter((k) => k.hasStatus));

/** The stored fixture of `kind` (a deep copy, safe to mutate). */
export function fixtureOf(t: Target, kind: KindInfo): ApiObject {
  const f = t.fixtures.get(kind.kind);
  if (!f) throw new Error(`no fixture of ${kind.kind}`);
  return structuredClone(f);
}

/** Path of `kind`'s fixture (or its subresource). */
export const fixturePath = (t: Target, kind: KindInfo, sub?: string) => objectPath(kind, t.fixtures.get(kind.kind)!.metadata.name, sub);

/** Path of `kind`'s collection. */
export const collection = (kind: KindInfo) => collectionPath(kind);

/** A path segment that survives URL normalization: dots are escaped too, so `..` stays a name. */
export function pathSegment(s: string): string {
  return encodeURIComponent(s).replace(/\./g, '%2E');
}

/** A JSON pointer (RFC 6901) for schema steps. */
export function pointer(steps: Step[]): string {
  return steps.map((s) => `/${String(s.key).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** A request with a JSON-ish body and its content type. */
export function withBody(what: string, method: HostileRequest['method'], url: string, contentType: string, payload: string | Buffer, extra: Partial<HostileRequest> = {}): HostileRequest {
  return { what, method, url, headers: { 'content-type': contentType }, payload, ...extra };
}

/** Fresh names for hostile creates: if one were wrongly accepted, it would show up as a new object. */
export const freshName = fc.integer({ min: 0, max: 999_999 }).map((n) => `fz-${n}`);
