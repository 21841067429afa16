// The API server's index of allocations for plan commits, fed synchronously by the allocation watch cache:
// each node's live (non-terminal) allocations, and per job the recent revisions of changes a reconcile cares
// about. Because a synchronous consumer of the cache is updated in the same tick as the cache itself, "the
// allocation cache has reached revision R" (KindCaches.fresh) means "this index reflects every allocation event
// up to R".
import type { Allocation } from '../../api/schemas/index.ts';
import type { ApiObject } from '../../api/schemas/kind.ts';
import type { Logger } from '../log/logger.ts';
import type { WatchCache, CacheEvent } from '../apiserver/watchcache/index.ts';
import { isLive } from '../../api/schemas/allocation-state.ts';
import { jobKey, jobKeyOf } from '../../api/schemas/job-key.ts';
import { CacheFollower } from './cache-follower.ts';
import { RevisionLog } from './revision-log.ts';

/** What a reconcile reads of an allocation: a change here makes an older view of the job stale. */
function reconcileFacts(a: Allocation): string {
  const cs = a.status?.clientStatus ?? 'pending';
  // pending → running changes nothing a reconcile decides on; keeping it out avoids needless re-plans.
  const status = cs === 'pending' || cs === 'running' ? 'live' : cs;
  const s = a.spec;
  return [s.desiredStatus ?? 'run', status, s.jobVersion, s.nodeName, s.nextAllocation ?? '', s.followupEval ?? '', a.status?.deploymentStatus?.healthy ?? '', JSON.stringify(s.desiredTransition ?? {})].join('|');
}

/** Relevant revisions remembered per job (older ones are summarized conservatively). */
const JOB_REVISIONS_KEPT = 16;

/** Live allocations per node and the recent reconcile-relevant revisions per job. */
export class AllocIndex {
  private readonly byNode = new Map<string, Map<string, Allocation>>();
  private readonly jobRevs = new Map<string, RevisionLog>();
  private readonly follower: CacheFollower;

  constructor(cache: WatchCache, logger: Logger) {
    const reset = () => {
      this.byNode.clear();
      this.jobRevs.clear();
    };
    this.follower = new CacheFollower(cache, logger, 'plan commit allocation index', { reset, apply: (e) => this.apply(e) });
  }

  /** Subscribe to the cache (again, after a failure). Synchronous: the initial state is applied before return. */
  ensure(): void {
    this.follower.ensure();
  }

  /** Stop following the cache. */
  stop(): void {
    this.follower.stop();
  }

  /** The node's live allocations (shared with the cache: read-only). */
  liveOn(node: string): Allocation[] {
    return [...(this.byNode.get(node)?.values() ?? [])];
  }

  /** The revision of the last reconcile-relevant change to an allocation of the job at or before `atOrBelow`. */
  jobRevision(namespace: string, job: string, atOrBelow: number): number {
    return this.jobRevs.get(jobKey(namespace, job))?.latestAtOrBelow(atOrBelow) ?? 0;
  }

  private apply(e: CacheEvent): void {
    const obj = e.obj as unknown as Allocation;
    const prev = e.prev as unknown as Allocation | undefined;
    const before = prev ?? (e.type === 'DELETED' ? obj : undefined);
    if (before) this.remove(e.key, before);
    if (e.type !== 'DELETED' && isLive(obj)) this.add(e.key, obj);
    const relevant = e.type !== 'MODIFIED' || !prev || reconcileFacts(prev) !== reconcileFacts(obj);
    if (relevant && obj.spec?.jobName) {
      const job = jobKeyOf(obj);
      let log = this.jobRevs.get(job);
      if (!log) this.jobRevs.set(job, (log = new RevisionLog(JOB_REVISIONS_KEPT)));
      log.add(e.rv);
    }
  }

  private add(key: string, a: Allocation): void {
    let m = this.byNode.get(a.spec.nodeName);
    if (!m) this.byNode.set(a.spec.nodeName, (m = new Map()));
    m.set(key, a);
  }

  private remove(key: string, prev: ApiObject): void {
    const node = (prev as unknown as Allocation).spec?.nodeName;
    const m = node === undefined ? undefined : this.byNode.get(node);
    if (!m?.delete(key)) return;
    if (m.size === 0) this.byNode.delete(node!);
  }
}
