// The eval broker of one process: which evaluation a worker should try to claim next. Built on the evaluation
// informer, so every process decides from the same shared state (the claims themselves are compare-and-swaps
// on the API server, see claims.ts). Rules, as Nomad's broker:
//   - one in-flight evaluation per job: a job with an unexpired claim is skipped;
//   - claimable = pending, unclaimed or claim expired, and due (spec.waitUntil passed);
//   - per job, the newest claimable evaluation is processed and the older ones are canceled (superseded),
//     except follow-ups (spec.waitUntil set): the allocations they reschedule wait for them, so they stay;
//   - jobs by priority (highest first), then by the age of their oldest claimable evaluation.
import type { Evaluation } from '../../../api/schemas/index.ts';
import type { SharedInformer } from '../../client/shared-informer.ts';
import type { Clock, Timer } from '../../clock/clock.ts';
import { jobKey } from '../../../api/schemas/job-key.ts';

/**
 * An evaluation to claim, the job's other claimable evaluations it supersedes, and the job's pending evaluations
 * that stay pending: follow-ups, due or not (kept, but touched by CAS — see worker.ts).
 */
export interface Candidate {
  job: string;
  eval: Evaluation;
  superseded: Evaluation[];
  deferred: Evaluation[];
}

/** Milliseconds since the epoch of an RFC 3339 time (NaN-safe: undefined → undefined). */
export function timeOf(ts: string | undefined): number | undefined {
  if (!ts) return undefined;
  const t = Date.parse(ts);
  return Number.isNaN(t) ? undefined : t;
}

/** Whether an evaluation waits for a worker (no phase yet counts as pending). */
export function isPending(e: Evaluation): boolean {
  return (e.status?.phase ?? 'pending') === 'pending';
}

/** Whether the evaluation is held by an unexpired claim at `now`. */
export function isClaimed(e: Evaluation, now: number): boolean {
  const until = timeOf(e.status?.claimExpiresAt);
  return !!e.status?.claimedBy && until !== undefined && until > now;
}

const rvOf = (e: Evaluation) => Number(e.metadata.resourceVersion ?? 0);
const created = (e: Evaluation) => timeOf(e.metadata.creationTimestamp) ?? 0;

/** Newest first: creation time, then resourceVersion (a never-claimed evaluation's RV is its creation revision). */
function newestFirst(a: Evaluation, b: Evaluation): number {
  return created(b) - created(a) || rvOf(b) - rvOf(a) || (a.metadata.name < b.metadata.name ? 1 : -1);
}

/** Hands out candidates to the workers of one process. */
export class EvalBroker {
  private readonly inFlight = new Set<string>();
  /** Evaluations whose claim we lost, by the resourceVersion we tried: skipped until the informer shows a change. */
  private readonly lost = new Map<string, number>();
  private waiters: Array<() => void> = [];
  private timer?: { at: number; t: Timer };
  private closed = false;

  /** The last scan, reused until an evaluation changes or its wake time passes. */
  private cached?: { ready: Candidate[]; wakeAt?: number };

  private readonly unsubscribe: () => void;

  constructor(private readonly evals: SharedInformer<Evaluation>, private readonly clock: Clock) {
    const changed = () => {
      this.cached = undefined;
      this.notify();
    };
    this.unsubscribe = evals.addEventHandler({ add: changed, update: changed, delete: changed });
  }

  /** The next candidate for this process (its job is then in flight here until done()); undefined once closed. */
  async next(): Promise<Candidate | undefined> {
    for (;;) {
      if (this.closed) return undefined;
      const { ready, wakeAt } = this.scan();
      const pick = ready.find((c) => !this.inFlight.has(c.job));
      if (pick) {
        this.inFlight.add(pick.job);
        return pick;
      }
      await this.sleep(wakeAt);
    }
  }

  /** The job's evaluation is no longer being handled by this process. */
  done(job: string): void {
    this.inFlight.delete(job);
    this.notify();
  }

  /** A claim was lost to another worker: skip the evaluation until it changes. */
  lostClaim(e: Evaluation): void {
    this.cached = undefined;
    this.lost.set(e.metadata.name + '/' + (e.metadata.namespace ?? ''), rvOf(e));
  }

  /** The blocked evaluations of a job (to cancel when a newer outcome replaces them). */
  blocked(namespace: string, jobName: string): Evaluation[] {
    return this.evals.list().filter((e) => e.status?.phase === 'blocked' && e.spec.jobName === jobName && (e.metadata.namespace ?? '') === namespace);
  }

  /** Wake every waiting worker with undefined. */
  close(): void {
    this.closed = true;
    this.unsubscribe();
    this.timer?.t.cancel();
    this.notify();
  }

  /** Claimable candidates in order, and when the next one becomes due (claim expiry or waitUntil). */
  scan(): { ready: Candidate[]; wakeAt?: number } {
    const now = this.clock.now();
    const c = this.cached;
    if (c && (c.wakeAt === undefined || now < c.wakeAt)) return c;
    this.cached = this.rescan(now);
    return this.cached;
  }

  private rescan(now: number): { ready: Candidate[]; wakeAt?: number } {
    const byJob = new Map<string, Evaluation[]>();
    for (const e of this.evals.list()) {
      if (!isPending(e)) continue;
      const k = jobKey(e.metadata.namespace ?? '', e.spec.jobName);
      const list = byJob.get(k);
      if (list) list.push(e);
      else byJob.set(k, [e]);
    }
    let wakeAt: number | undefined;
    const later = (t: number | undefined) => {
      if (t !== undefined && t > now && (wakeAt === undefined || t < wakeAt)) wakeAt = t;
    };
    const ready: Array<Candidate & { priority: number; oldest: number }> = [];
    for (const [job, evs] of byJob) {
      const held = evs.filter((e) => isClaimed(e, now));
      if (held.length > 0) {
        for (const e of held) later(timeOf(e.status?.claimExpiresAt));
        continue;
      }
      const notDue = (e: Evaluation) => (timeOf(e.spec.waitUntil) ?? 0) > now;
      for (const e of evs) if (notDue(e)) later(timeOf(e.spec.waitUntil));
      const due = evs.filter((e) => !notDue(e));
      if (due.length === 0) continue;
      due.sort(newestFirst);
      const pick = due[0]!;
      if (this.lost.get(pick.metadata.name + '/' + (pick.metadata.namespace ?? '')) === rvOf(pick)) continue;
      // A follow-up (waitUntil set) is never superseded: its allocations wait for that very evaluation.
      const rest = due.slice(1);
      const superseded = rest.filter((e) => !e.spec.waitUntil);
      const deferred = [...evs.filter(notDue), ...rest.filter((e) => !!e.spec.waitUntil)];
      ready.push({ job, eval: pick, superseded, deferred, priority: pick.spec.priority ?? 50, oldest: Math.min(...due.map(created)) });
    }
    ready.sort((a, b) => b.priority - a.priority || a.oldest - b.oldest || (a.job < b.job ? -1 : 1));
    this.forgetLost();
    return { ready: ready.map(({ job, eval: e, superseded, deferred }) => ({ job, eval: e, superseded, deferred })), wakeAt };
  }

  private forgetLost(): void {
    if (this.lost.size < 1024) return;
    for (const [k, rv] of this.lost) {
      const [name, ns] = k.split('/');
      if (rvOf(this.evals.get(ns, name!) ?? ({ metadata: {} } as Evaluation)) !== rv) this.lost.delete(k);
    }
  }

  private sleep(wakeAt: number | undefined): Promise<void> {
    if (wakeAt !== undefined && (!this.timer || wakeAt < this.timer.at)) {
      this.timer?.t.cancel();
      const t = this.clock.setTimeout(() => {
        this.timer = undefined;
        this.notify();
      }, wakeAt - this.clock.now());
      this.timer = { at: wakeAt, t };
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private notify(): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }
}
