import type { JobStatus } from "@aws-sdk/client-batch";
import type { JobRecord } from "./job-record";
import { OrderedIndex } from "./ordered-index";

/** Where ListJobs finds a job: its queue for top-level jobs, its parent for children and nodes. */
export function listingOwner(job: JobRecord): string {
  if (job.kind === "array-child") return `array:${job.parentId}`;
  if (job.kind === "node") return `nodes:${job.parentId}`;
  return `queue:${job.spec.queueName}`;
}

/**
 * The jobs of one partition and the indexes that keep every hot lookup independent of how many jobs
 * there are: by id, by listing owner and status, by queue in creation order, and each queue's RUNNABLE line.
 */
export class JobIndex {
  private readonly byId = new Map<string, JobRecord>();
  private readonly listings = new Map<string, Map<JobStatus, OrderedIndex<JobRecord>>>();
  /** Top-level jobs per queue in creation order, for ListJobs filters. Expired jobs are dropped lazily. */
  private readonly created = new Map<string, JobRecord[]>();
  private readonly removedFromCreated = new Map<string, number>();
  private readonly runnable = new Map<string, OrderedIndex<JobRecord>>();

  get size(): number {
    return this.byId.size;
  }

  get(jobId: string): JobRecord | undefined {
    return this.byId.get(jobId);
  }

  values(): IterableIterator<JobRecord> {
    return this.byId.values();
  }

  add(job: JobRecord): void {
    this.byId.set(job.jobId, job);
    this.listing(listingOwner(job), job.status).add(job.jobId, job);
    if (job.kind !== "array-child" && job.kind !== "node") {
      let list = this.created.get(job.spec.queueName);
      if (!list) this.created.set(job.spec.queueName, (list = []));
      list.push(job);
    }
    if (job.status === "RUNNABLE") this.runnableIn(job.spec.queueName).add(job.jobId, job);
  }

  /** Keeps the indexes in step with a status change; the engine's `transition` is its one caller. */
  moved(job: JobRecord, from: JobStatus): void {
    const owner = listingOwner(job);
    this.listing(owner, from).delete(job.jobId);
    this.listing(owner, job.status).add(job.jobId, job);
    if (job.kind === "node") return;
    if (from === "RUNNABLE") this.runnable.get(job.spec.queueName)?.delete(job.jobId);
    if (job.status === "RUNNABLE") this.runnableIn(job.spec.queueName).add(job.jobId, job);
  }

  remove(job: JobRecord): void {
    if (this.byId.get(job.jobId) !== job) return;
    this.byId.delete(job.jobId);
    this.listings.get(listingOwner(job))?.get(job.status)?.delete(job.jobId);
    this.runnable.get(job.spec.queueName)?.delete(job.jobId);
    if (job.kind !== "array-child" && job.kind !== "node") {
      this.removedFromCreated.set(job.spec.queueName, (this.removedFromCreated.get(job.spec.queueName) ?? 0) + 1);
    }
  }

  listing(owner: string, status: JobStatus): OrderedIndex<JobRecord> {
    let byStatus = this.listings.get(owner);
    if (!byStatus) this.listings.set(owner, (byStatus = new Map()));
    let index = byStatus.get(status);
    if (!index) byStatus.set(status, (index = new OrderedIndex()));
    return index;
  }

  /** The queue's RUNNABLE jobs that the scheduler places: single jobs, array children and multi-node parents. */
  runnableIn(queueName: string): OrderedIndex<JobRecord> {
    let index = this.runnable.get(queueName);
    if (!index) this.runnable.set(queueName, (index = new OrderedIndex()));
    return index;
  }

  /** Top-level jobs of a queue, oldest first. */
  createdIn(queueName: string): readonly JobRecord[] {
    const list = this.created.get(queueName);
    if (!list) return [];
    // Compact once removed jobs make up half the list, so the cost stays proportional to live jobs.
    const removed = this.removedFromCreated.get(queueName) ?? 0;
    if (removed * 2 <= list.length) return list;
    const kept = list.filter((job) => this.isLive(job));
    this.created.set(queueName, kept);
    this.removedFromCreated.set(queueName, 0);
    return kept;
  }

  isLive(job: JobRecord): boolean {
    return this.byId.get(job.jobId) === job;
  }

  queuesWithRunnableJobs(): string[] {
    const names: string[] = [];
    for (const [name, index] of this.runnable) if (index.size > 0) names.push(name);
    return names;
  }
}
