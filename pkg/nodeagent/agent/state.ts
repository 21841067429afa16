// The agent's local state: one JSON file per allocation under `<dataDir>/state/`, holding what an agent needs to
// carry on after its own restart without the API server — the allocation, the job spec its group runs, each
// task's state, restart counters and driver handle. Files are replaced atomically (write a temporary file, rename), and
// writes of one allocation are serialized and coalesced: the newest snapshot always wins.
import { mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Allocation, MigrateStrategy, TaskGroup, UpdateStrategy } from '../../../api/schemas/index.ts';
import type { JobType } from '../../../api/schemas/index.ts';
import type { Logger } from '../../log/logger.ts';
import type { TaskRunnerSnapshot } from './task-runner.ts';

/** The job facts an alloc runner keeps (so it can run on without fetching the job again). */
export interface JobFacts {
  type: JobType;
  version: number;
  group: TaskGroup;
  update?: UpdateStrategy;
  /** The group's migrate block (job's merged with group's): how a service allocation outside a deployment is judged healthy. */
  migrate?: MigrateStrategy;
  meta?: Record<string, string>;
  /** The job's dispatch payload (base64), for tasks with dispatchPayload. */
  payload?: string;
  /** The job's region (NOMAD_REGION). */
  region?: string;
}

/** Everything persisted about one allocation. */
export interface AllocSnapshot {
  format: 1;
  /** The allocation as last seen (metadata name/namespace/uid and spec). */
  alloc: Pick<Allocation, 'apiVersion' | 'kind' | 'metadata' | 'spec'>;
  job?: JobFacts;
  tasks: Record<string, TaskRunnerSnapshot>;
  /** Why the allocation is stopping, once it is. */
  stopping?: string;
  /** When the runner began (ms), for the healthy deadline. */
  startedAt: number;
  /** The health verdict, and what it was given for: a deployment's name, or MIGRATE_HEALTH outside a deployment. */
  health?: { healthy: boolean; at: number; deployment?: string };
  /** A failure before any task ran (job not found...). */
  failure?: string;
}

/** Reads and writes allocation snapshots under one directory. */
export class StateStore {
  private readonly writes = new Map<string, { running: Promise<void>; next?: AllocSnapshot }>();

  constructor(
    private readonly dir: string,
    private readonly logger: Logger,
  ) {}

  /** Every snapshot on disk (unreadable files are logged and skipped). */
  async loadAll(): Promise<AllocSnapshot[]> {
    await mkdir(this.dir, { recursive: true });
    const out: AllocSnapshot[] = [];
    for (const name of await readdir(this.dir)) {
      if (!name.endsWith('.json')) continue;
      try {
        const snap = JSON.parse(await readFile(join(this.dir, name), 'utf8')) as AllocSnapshot;
        if (snap.format === 1 && snap.alloc?.metadata?.uid) out.push(snap);
      } catch (err) {
        this.logger.warn('skipping unreadable allocation state', { file: name, err });
      }
    }
    return out;
  }

  /** Persist `snap` (replacing the allocation's previous one); resolves once this or a newer one is on disk. */
  save(snap: AllocSnapshot): Promise<void> {
    const uid = snap.alloc.metadata.uid!;
    const entry = this.writes.get(uid);
    if (entry) {
      // A write is in flight: this snapshot replaces any queued one and is written right after it.
      entry.next = snap;
      return entry.running;
    }
    const fresh: { running: Promise<void>; next?: AllocSnapshot } = { running: Promise.resolve(), next: snap };
    this.writes.set(uid, fresh);
    fresh.running = this.drain(uid, fresh);
    return fresh.running;
  }

  /** Delete an allocation's snapshot (after its tasks are stopped and its directory removed). */
  async remove(uid: string): Promise<void> {
    await this.writes.get(uid)?.running;
    await unlink(this.path(uid)).catch(() => {});
  }

  /** Wait for every write in flight. */
  async flush(): Promise<void> {
    await Promise.all([...this.writes.values()].map((w) => w.running));
  }

  private async drain(uid: string, entry: { next?: AllocSnapshot }): Promise<void> {
    // Yield first so a burst of saves in one tick becomes one write.
    await Promise.resolve();
    while (entry.next) {
      const snap = entry.next;
      entry.next = undefined;
      try {
        await this.writeAtomic(this.path(uid), JSON.stringify(snap));
      } catch (err) {
        this.logger.error('saving allocation state failed', { uid, err });
      }
    }
    this.writes.delete(uid);
  }

  private path(uid: string): string {
    return join(this.dir, `${uid}.json`);
  }

  private async writeAtomic(path: string, text: string): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const tmp = `${path}.tmp`;
    // No fsync: the state must survive the agent being killed (the page cache does); after a power cut the
    // machine's tasks are gone anyway, and a torn file is skipped on load.
    await writeFile(tmp, text, { mode: 0o600 });
    await rename(tmp, path);
  }
}
