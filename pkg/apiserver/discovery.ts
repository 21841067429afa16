// Discovery documents (/api, /apis, /apis/drover.dev, /apis/drover.dev/v1, /version) in the legacy
// (unaggregated) format. They are always served as plain `application/json`, even when a client asks for
// aggregated discovery first: client-go checks the response Content-Type and falls back to these.
import { API_VERSION, GROUP, VERSION, type KindInfo } from '../../api/schemas/kind.ts';

/** Verbs of a main resource. */
export const RESOURCE_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
/** Verbs of a /status subresource. */
export const STATUS_VERBS = ['get', 'patch', 'update'];

const groupVersion = { groupVersion: API_VERSION, version: VERSION };

/** Subresources served by their own routes (beyond /status), listed after their kind: the scheduler's plan commit, job dispatch. */
export const EXTRA_SUBRESOURCES: Record<string, Array<{ name: string; kind: string; verbs: string[] }>> = {
  evaluations: [{ name: 'plan', kind: 'Plan', verbs: ['create'] }],
  jobs: [{ name: 'dispatch', kind: 'Job', verbs: ['create'] }],
};

/** `/api`: the legacy core group; empty so kubectl does not look for core resources here. */
export function apiVersions() {
  return { kind: 'APIVersions', versions: [], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '' }] };
}

/** The APIGroup document of drover.dev. */
export function apiGroup() {
  return { kind: 'APIGroup', apiVersion: 'v1', name: GROUP, versions: [groupVersion], preferredVersion: groupVersion };
}

/** `/apis`: the APIGroupList. */
export function apiGroupList() {
  const { kind: _k, apiVersion: _a, ...group } = apiGroup();
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: [group] };
}

/** `/apis/drover.dev/v1`: each kind, then its status subresource right after it. */
export function apiResourceList(kinds: KindInfo[]) {
  const resources: Record<string, unknown>[] = [];
  for (const k of kinds) {
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
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: API_VERSION, resources };
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
