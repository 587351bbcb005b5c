import type { ServiceJobStatus } from "@aws-sdk/client-batch";
import type { ServiceJobRecord } from "./service-jobs";
import { Listing } from "./keyed-listing";

/** Listings by queue use the queue's name; listings of the whole partition use this key. */
export const ALL_QUEUES = "*";

/**
 * The service jobs of one partition, with the indexes that keep every call independent of how many there are:
 * by id; by queue (and for the whole partition) in submission order and per status; the RUNNABLE ones by
 * scheduling priority; and the capacity placed jobs hold, per service environment and per quota share.
 */
export class ServiceJobIndex {
  private readonly byId = new Map<string, ServiceJobRecord>();
  private readonly created = new Map<string, Listing<ServiceJobRecord>>();
  private readonly byStatus = new Map<string, Listing<ServiceJobRecord>>();
  /** RUNNABLE jobs by scheduling priority, each group in the order the jobs became RUNNABLE. */
  private readonly runnable = new Map<number, Listing<ServiceJobRecord>>();
  /** Instances held on each service environment and by each quota share (`<queue>/<share>`), by instance type and in all. */
  private readonly held = new Map<string, Map<string, number>>();

  get size(): number {
    return this.byId.size;
  }

  get(jobId: string): ServiceJobRecord | undefined {
    return this.byId.get(jobId);
  }

  values(): IterableIterator<ServiceJobRecord> {
    return this.byId.values();
  }

  add(job: ServiceJobRecord): void {
    this.byId.set(job.jobId, job);
    for (const key of [job.queueName, ALL_QUEUES]) this.listing(this.created, key).add(job.jobId, job, job.sequence);
    this.joinStatus(job);
  }

  /** Keeps the indexes in step with a status change; `transitionServiceJob` is its one caller. */
  moved(job: ServiceJobRecord, from: ServiceJobStatus | undefined): void {
    if (!this.byId.has(job.jobId) || from === job.detail.status) return;
    if (from !== undefined) {
      for (const key of [job.queueName, ALL_QUEUES]) this.byStatus.get(statusKey(key, from))?.remove(job.jobId);
      if (from === "RUNNABLE") this.leaveRunnable(job);
    }
    this.joinStatus(job);
  }

  /** UpdateServiceJob changed the job's priority: a RUNNABLE job moves to its new group, at the back. */
  reprioritised(job: ServiceJobRecord, previous: number | undefined): void {
    if (job.detail.status !== "RUNNABLE") return;
    this.runnable.get(previous ?? 0)?.remove(job.jobId);
    this.listing(this.runnable, job.detail.schedulingPriority ?? 0).add(job.jobId, job);
  }

  /** Jobs of one queue (or of all) in one status, in the order they entered it. */
  inStatus(queue: string, status: ServiceJobStatus): Listing<ServiceJobRecord> | undefined {
    return this.byStatus.get(statusKey(queue, status));
  }

  /** Jobs of one queue (or of all) in submission order; positions are the jobs' sequence numbers. */
  createdIn(queue: string): Listing<ServiceJobRecord> | undefined {
    return this.created.get(queue);
  }

  /** RUNNABLE jobs, highest scheduling priority first, then in the order they became RUNNABLE. */
  *runnableInOrder(): IterableIterator<ServiceJobRecord> {
    if (this.runnable.size === 0) return;
    const priorities = [...this.runnable.keys()].sort((a, b) => b - a);
    for (const priority of priorities) {
      const group = this.runnable.get(priority);
      // Read ahead: placing a job takes it out of the group.
      if (group) for (const [job] of [...group.after()]) yield job;
    }
  }

  /** The job is placed on a service environment: its instances count there and against its quota share. */
  place(job: ServiceJobRecord, environment: string): void {
    job.placedOn = environment;
    this.hold(job, 1);
  }

  /** The job's attempt has ended: it holds nothing any more. */
  unplace(job: ServiceJobRecord): void {
    if (job.placedOn === undefined) return;
    this.hold(job, -1);
    job.placedOn = undefined;
  }

  /** Instances held on an environment or by a quota share: of one instance type, or of all (`NUM_INSTANCES`). */
  heldOn(holder: string, unit: string | undefined): number {
    return this.held.get(holder)?.get(unit ?? NUM_INSTANCES) ?? 0;
  }

  private hold(job: ServiceJobRecord, sign: 1 | -1): void {
    const holders = [environmentHolder(job.placedOn as string)];
    if (job.detail.quotaShareName !== undefined) holders.push(quotaShareHolder(job.queueName, job.detail.quotaShareName));
    for (const holder of holders) {
      let units = this.held.get(holder);
      if (!units) this.held.set(holder, (units = new Map()));
      for (const entry of job.detail.capacityUsage ?? []) {
        const quantity = sign * (entry.quantity ?? 0);
        units.set(NUM_INSTANCES, (units.get(NUM_INSTANCES) ?? 0) + quantity);
        if (entry.capacityUnit !== undefined) units.set(entry.capacityUnit, (units.get(entry.capacityUnit) ?? 0) + quantity);
      }
    }
  }

  private joinStatus(job: ServiceJobRecord): void {
    const status = job.detail.status as ServiceJobStatus;
    for (const key of [job.queueName, ALL_QUEUES]) this.listing(this.byStatus, statusKey(key, status)).add(job.jobId, job);
    if (status === "RUNNABLE") this.listing(this.runnable, job.detail.schedulingPriority ?? 0).add(job.jobId, job);
  }

  private leaveRunnable(job: ServiceJobRecord): void {
    const priority = job.detail.schedulingPriority ?? 0;
    const group = this.runnable.get(priority);
    group?.remove(job.jobId);
    if (group?.size === 0) this.runnable.delete(priority);
  }

  private listing<K>(map: Map<K, Listing<ServiceJobRecord>>, key: K): Listing<ServiceJobRecord> {
    let listing = map.get(key);
    if (!listing) map.set(key, (listing = new Listing()));
    return listing;
  }
}

export const NUM_INSTANCES = "NUM_INSTANCES";

export function environmentHolder(environment: string): string {
  return `environment:${environment}`;
}

export function quotaShareHolder(queueName: string, quotaShareName: string): string {
  return `quota-share:${queueName}/${quotaShareName}`;
}

function statusKey(queue: string, status: string): string {
  return `${queue}\u0000${status}`;
}
