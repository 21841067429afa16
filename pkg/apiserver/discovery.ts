// Discovery documents (/api, /api/v1, /apis, /apis/{group}, /apis/{group}/v1, /version) in the legacy
// (unaggregated) format, derived from the kinds served: the core group ('') is /api, every other group /apis. They are always served as plain `application/json`, even when a client asks for
// aggregated discovery first: client-go checks the response Content-Type and falls back to these.
import { VERSION, apiVersionOf, groupOf, versionOf, type KindInfo } from '../../api/schemas/kind.ts';

/** Verbs of a main resource. */
export const RESOURCE_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
/** Verbs of a /status subresource. */
export const STATUS_VERBS = ['get', 'patch', 'update'];

/** Subresources served by their own routes (beyond /status), listed after their kind: the scheduler's plan commit, job dispatch. */
export const EXTRA_SUBRESOURCES: Record<string, Array<{ name: string; kind: string; verbs: string[] }>> = {
  evaluations: [{ name: 'plan', kind: 'Plan', verbs: ['create'] }],
  jobs: [{ name: 'dispatch', kind: 'Job', verbs: ['create'] }],
};

/** The API groups of `kinds`, in order of first appearance ('' = core). */
export function groupsOf(kinds: KindInfo[]): string[] {
  return [...new Set(kinds.map(groupOf))];
}

/** `/api`: the core group's versions (`v1` when any core kind is served). */
export function apiVersions(kinds: KindInfo[]) {
  const versions = kinds.some((k) => groupOf(k) === '') ? [VERSION] : [];
  return { kind: 'APIVersions', versions, serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '' }] };
}

/** The APIGroup document of `group` (versions: v1 unless given; the first is preferred). */
export function apiGroup(group: string, versions: string[] = [VERSION]) {
  const list = versions.map((version) => ({ groupVersion: `${group}/${version}`, version }));
  return { kind: 'APIGroup', apiVersion: 'v1', name: group, versions: list, preferredVersion: list[0]! };
}

/** The versions each group of `kinds` serves, in order of first appearance. */
export function groupVersionsOf(kinds: KindInfo[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const k of kinds) {
    const vs = out.get(groupOf(k)) ?? [];
    if (!vs.includes(versionOf(k))) vs.push(versionOf(k));
    out.set(groupOf(k), vs);
  }
  return out;
}

/** `/apis`: the APIGroupList of every named group served. */
export function apiGroupList(kinds: KindInfo[]) {
  const groups = [...groupVersionsOf(kinds)].filter(([g]) => g !== '').map(([g, versions]) => {
    const { kind: _k, apiVersion: _a, ...group } = apiGroup(g, versions);
    return group;
  });
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

/** `/api/v1` or `/apis/{group}/{version}`: each kind of the group-version, then its status subresource right after it. */
export function apiResourceList(kinds: KindInfo[], group: string, version = VERSION) {
  const resources: Record<string, unknown>[] = [];
  const served = kinds.filter((k) => groupOf(k) === group && versionOf(k) === version);
  for (const k of served) {
    const main: Record<string, unknown> = {
      name: k.plural,
      singularName: k.singular,
      namespaced: k.namespaced,
      kind: k.kind,
      verbs: RESOURCE_VERBS,
    };
    if (k.shortNames.length > 0) main.shortNames = k.shortNames;
    if (k.categories && k.categories.length > 0) main.categories = k.categories;
    resources.push(main);
    if (k.hasStatus) resources.push({ name: `${k.plural}/status`, singularName: '', namespaced: k.namespaced, kind: k.kind, verbs: STATUS_VERBS });
    for (const sub of EXTRA_SUBRESOURCES[k.plural] ?? []) {
      resources.push({ name: `${k.plural}/${sub.name}`, singularName: '', namespaced: k.namespaced, kind: sub.kind, verbs: sub.verbs });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf({ group, version }), resources };
}

/** `/version`, shaped like Kubernetes' version.Info. */
export function versionInfo(version: string | undefined) {
  return {
    major: '1',
    minor: '30',
    gitVersion: version ? `v1.30.0-drover+${version}` : 'v1.30.0-drover',
    gitCommit: '',
    gitTreeState: 'clean',
    buildDate: '',
    goVersion: `node${process.versions.node}`,
    compiler: 'tsx',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}
