// Admission hooks: per-kind behaviour (defaulting beyond schema defaults, cross-field validation, version
// bumps) plugged into the one generic handler. Order per write, as in Kubernetes: schema defaults and
// validation → mutate hooks → schema validation again (only if a hook ran) → validate hooks → storage.
import type { ApiObject, KindInfo } from '../../api/schemas/kind.ts';
import type { StatusCause } from '../apierrors/status.ts';

/** The operation being admitted. */
export type AdmissionOp = 'CREATE' | 'UPDATE' | 'DELETE';

/** Extra facts about the request a hook may use. */
export interface AdmissionContext {
  kind: KindInfo;
  /** 'status' for writes through the status subresource. */
  subresource?: string;
  /** True for dryRun=All: hooks must not cause side effects. */
  dryRun: boolean;
  /** The field manager of the request. */
  manager: string;
}

/**
 * A hook for the kinds named in `kinds` (kind names like "Job"; "*" = every kind). `mutate` may change `obj`
 * in place; `validate` returns field causes (→ 422 Invalid). Either may throw an ApiError (e.g. Forbidden),
 * which is returned to the client as is. For DELETE, `obj` is the object being deleted.
 */
export interface AdmissionHook {
  kinds: string[];
  mutate?(op: AdmissionOp, obj: ApiObject, old: ApiObject | undefined, ctx: AdmissionContext): void | Promise<void>;
  validate?(op: AdmissionOp, obj: ApiObject, old: ApiObject | undefined, ctx: AdmissionContext): StatusCause[] | Promise<StatusCause[]>;
}

/** The hooks that apply to one kind, in registration order. */
export class AdmissionChain {
  private readonly byKind = new Map<string, AdmissionHook[]>();
  constructor(private readonly hooks: AdmissionHook[]) {}

  /** Hooks for `kind`. */
  for(kind: string): AdmissionHook[] {
    let hs = this.byKind.get(kind);
    if (!hs) {
      hs = this.hooks.filter((h) => h.kinds.includes(kind) || h.kinds.includes('*'));
      this.byKind.set(kind, hs);
    }
    return hs;
  }

  /** Run every mutate hook for the kind; true when at least one ran. */
  async mutate(op: AdmissionOp, obj: ApiObject, old: ApiObject | undefined, ctx: AdmissionContext): Promise<boolean> {
    let ran = false;
    for (const h of this.for(ctx.kind.kind)) {
      if (!h.mutate) continue;
      await h.mutate(op, obj, old, ctx);
      ran = true;
    }
    return ran;
  }

  /** Run every validate hook for the kind and collect their causes. */
  async validate(op: AdmissionOp, obj: ApiObject, old: ApiObject | undefined, ctx: AdmissionContext): Promise<StatusCause[]> {
    const causes: StatusCause[] = [];
    for (const h of this.for(ctx.kind.kind)) {
      if (h.validate) causes.push(...(await h.validate(op, obj, old, ctx)));
    }
    return causes;
  }
}
