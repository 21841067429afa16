// The custom kinds served right now, by group and version: what the dynamic routes, discovery and OpenAPI read.
// Only the CRD controller (controller.ts) changes it; every change bumps `generation` so derived documents
// (OpenAPI) are rebuilt once per change, not per request.
import { apiVersionOf, type KindInfo } from '../../../api/schemas/kind.ts';

/** The custom kinds being served, keyed by the name of the CRD that registered each. */
export class CustomKinds {
  private readonly byCrd = new Map<string, KindInfo>();
  private version = 0;

  /** Bumped on every change. */
  get generation(): number {
    return this.version;
  }

  /** Serve `kind` for the CRD `crdName` (replacing what it served before). */
  set(crdName: string, kind: KindInfo): void {
    this.byCrd.set(crdName, kind);
    this.version++;
  }

  /** Stop serving the kind of `crdName`; returns it when there was one. */
  delete(crdName: string): KindInfo | undefined {
    const k = this.byCrd.get(crdName);
    if (k) {
      this.byCrd.delete(crdName);
      this.version++;
    }
    return k;
  }

  /** The kind served for `crdName`. */
  get(crdName: string): KindInfo | undefined {
    return this.byCrd.get(crdName);
  }

  /** Every kind served, in CRD name order. */
  all(): KindInfo[] {
    return [...this.byCrd.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, k]) => k);
  }

  /** The kinds of one group-version (`example.com/v1`) by plural. */
  ofGroupVersion(group: string, version: string): Map<string, KindInfo> {
    const gv = apiVersionOf({ group, version });
    return new Map(this.all().filter((k) => apiVersionOf(k) === gv).map((k) => [k.plural, k]));
  }

  /** The versions served per group, in order of first appearance. */
  groups(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const k of this.all()) {
      const vs = out.get(k.group!) ?? [];
      if (!vs.includes(k.version!)) vs.push(k.version!);
      out.set(k.group!, vs);
    }
    return out;
  }
}
