import type { JobStatus } from "@aws-sdk/client-batch";
import { isTerminal, JobViews, type JobRecord } from "./job-record";
import { Line } from "./line";
import { FairShareQueue } from "./fair-share";
import { Listing } from "./keyed-listing";

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
  private readonly listings = new Map<string, Map<JobStatus, JobListing>>();
  /** The same listings by queue name and by parent id, so a status change builds no owner string. */
  private readonly queueListings = new Map<string, Map<JobStatus, JobListing>>();
  private readonly parentListings = new Map<string, Map<JobStatus, JobListing>>();
  private readonly lookup = (jobId: string): JobRecord | undefined => this.byId.get(jobId);
  /** Top-level jobs per queue in creation order, for ListJobs filters. */
  private readonly created = new Map<string, CreationList>();
  private readonly runnable = new Map<string, RunnableLine>();
  /** Top-level jobs by the consumable resources they require (by name), in submission order. */
  private readonly byConsumableResource = new Map<string, Listing<JobRecord>>();
  /** Fair-share state of the queues whose jobs carry share identifiers. */
  private readonly fairShares = new Map<string, FairShareQueue>();
  private readonly counts = { runnable: 0 };
  /** Jobs by status: every record; top-level jobs and array children apart; and per queue the jobs the scheduler places. */
  readonly statusCounts = new StatusCounts();
  /** Array parents in creation order, and what runs now: for views of recent activity that must not walk every job. */
  readonly arrayParents = new Listing<JobRecord>();
  readonly inFlight = new Listing<JobRecord>();
  readonly endedAttempts = new RecentAttempts(RECENT_ATTEMPTS);
  /** The JSON of the DescribeJobs and ListJobs views of recently shown jobs. */
  readonly views = new JobViews();
  /** Finished top-level jobs in the order they finished, which is the order they expire in. */
  readonly expiring = new Line<JobRecord>();

  get size(): number {
    return this.byId.size;
  }

  get(jobId: string): JobRecord | undefined {
    return this.byId.get(jobId);
  }

  values(): IterableIterator<JobRecord> {
    return this.byId.values();
  }

  add(job: JobRecord, joinRunnableLine = true): void {
    this.byId.set(job.jobId, job);
    this.statusCounts.count(job, job.status, 1);
    if (job.kind === "array-parent") this.arrayParents.add(job.jobId, job, job.sequence);
    this.trackActivity(job, undefined);
    this.statusListing(this.listingsOf(job), job.status).insert(job);
    if (job.kind !== "array-child" && job.kind !== "node") {
      let list = this.created.get(job.spec.queueName);
      if (!list) this.created.set(job.spec.queueName, (list = new CreationList()));
      list.push(job);
    }
    if (job.status === "RUNNABLE" && joinRunnableLine) this.runnableIn(job.spec.queueName).add(job);
    if (job.spec.shareIdentifier !== undefined) this.joinFairShare(job);
    if (job.spec.consumableResourceProperties !== undefined && isTopLevel(job)) this.forEachConsumableResource(job, (listing) => listing.add(job.jobId, job, job.sequence));
  }

  /**
   * Rebuilds every index from saved records (a snapshot): `jobs` in creation order; `byListingOrder` the same
   * jobs in the order they entered their statuses; `runnable` each queue's RUNNABLE line in order; `expiring`
   * the finished top-level jobs in the order they finished.
   */
  restore(jobs: readonly JobRecord[], byListingOrder: readonly JobRecord[], runnable: readonly JobRecord[], expiring: readonly JobRecord[]): void {
    for (const job of jobs) this.add(job, false);
    for (const job of byListingOrder) {
      const listing = job.listing as JobListing;
      listing.remove(job);
      listing.insert(job);
    }
    for (const job of runnable) {
      this.runnableIn(job.spec.queueName).add(job);
      if (job.spec.shareIdentifier !== undefined) this.fairShareIn(job.spec.queueName).joinRunnable(job);
    }
    for (const job of expiring) this.expiring.push(job);
  }

  /** The queues with fair-share state. */
  fairShareQueues(): IterableIterator<[string, FairShareQueue]> {
    return this.fairShares.entries();
  }

  /** Top-level jobs that require a consumable resource, in submission order; positions are their sequence numbers. */
  requiring(consumableResourceName: string): Listing<JobRecord> | undefined {
    return this.byConsumableResource.get(consumableResourceName);
  }

  private forEachConsumableResource(job: JobRecord, act: (listing: Listing<JobRecord>) => void): void {
    const names = new Set<string>();
    for (const entry of job.spec.consumableResourceProperties?.consumableResourceList ?? []) {
      names.add((entry.consumableResource ?? "").replace(/^arn:.*:consumable-resource\//, ""));
    }
    for (const name of names) {
      let listing = this.byConsumableResource.get(name);
      if (!listing) this.byConsumableResource.set(name, (listing = new Listing()));
      act(listing);
    }
  }

  /** Keeps the indexes in step with a status change; the engine's `transition` is its one caller. */
  moved(job: JobRecord, from: JobStatus): void {
    // Every job in the index is in a listing: a job without one has not been added yet, and joins in the
    // status it has when it is.
    if (job.listing === undefined) return;
    this.statusCounts.count(job, from, -1);
    this.statusCounts.count(job, job.status, 1);
    this.trackActivity(job, from);
    // Joining the new status's listing leaves the old one; a job that stays in its status goes to the back.
    const listing = this.statusListing(this.listingsOf(job), job.status);
    if (job.listing === listing) listing.remove(job);
    listing.insert(job);
    if (job.kind === "node") return;
    if (from === "RUNNABLE") job.runnableLine?.delete(job);
    if (job.status === "RUNNABLE") this.runnableIn(job.spec.queueName).add(job);
    if (job.spec.shareIdentifier !== undefined && from !== job.status) this.moveInFairShare(job, from);
  }

  /** Keeps `inFlight` and `endedAttempts` in step: a job that stops STARTING or RUNNING has ended an attempt. */
  private trackActivity(job: JobRecord, from: JobStatus | undefined): void {
    if (job.kind === "node" || job.kind === "array-parent") return;
    const running = job.status === "STARTING" || job.status === "RUNNING";
    if (running) {
      if (from !== "STARTING" && from !== "RUNNING") this.inFlight.add(job.jobId, job);
      return;
    }
    if (from === "STARTING" || from === "RUNNING") this.inFlight.remove(job.jobId);
    // A job that joins in its final status (it ran straight through) brings its attempts with it.
    if (from === undefined) for (let i = 0; i < job.attempts.length; i++) this.endedAttempts.push(job, i);
    else if (from === "STARTING" || from === "RUNNING") this.endedAttempts.push(job, job.attempts.length - 1);
  }

  /** The fair-share state of a queue. */
  fairShareIn(queueName: string): FairShareQueue {
    let queue = this.fairShares.get(queueName);
    if (!queue) this.fairShares.set(queueName, (queue = new FairShareQueue()));
    return queue;
  }

  private joinFairShare(job: JobRecord): void {
    const queue = this.fairShareIn(job.spec.queueName);
    if (isTopLevel(job) && !isTerminal(job.status)) queue.jobArrived(job);
    if (job.runnableLine !== undefined) queue.joinRunnable(job);
  }

  private moveInFairShare(job: JobRecord, from: JobStatus): void {
    const queue = this.fairShareIn(job.spec.queueName);
    if (from === "RUNNABLE") queue.leftRunnable(job);
    if (job.runnableLine !== undefined && job.status === "RUNNABLE") queue.joinRunnable(job);
    if (isTopLevel(job) && isTerminal(job.status) && !isTerminal(from)) queue.jobFinished(job, job.statusSince);
  }

  /** Takes the job out of every index, so nothing the partition keeps holds it any more. */
  remove(job: JobRecord): void {
    if (this.byId.get(job.jobId) !== job) return;
    this.byId.delete(job.jobId);
    this.statusCounts.count(job, job.status, -1);
    this.arrayParents.remove(job.jobId);
    this.inFlight.remove(job.jobId);
    this.views.forget(job);
    job.listing?.remove(job);
    if (job.spec.consumableResourceProperties !== undefined && isTopLevel(job)) this.forEachConsumableResource(job, (listing) => listing.remove(job.jobId));
    if (job.runnableLine !== undefined && job.spec.shareIdentifier !== undefined) this.fairShareIn(job.spec.queueName).leftRunnable(job);
    job.runnableLine?.delete(job);
    if (job.kind === "array-child" || job.kind === "node") return;
    this.created.get(job.spec.queueName)?.remove(job);
    if (job.kind === "array-parent" || job.kind === "multinode-parent") {
      // The listings of its children go with the parent; they are empty by now, as its children went first.
      this.listings.delete(job.kind === "array-parent" ? `array:${job.jobId}` : `nodes:${job.jobId}`);
      this.parentListings.delete(job.jobId);
    }
  }

  /** The jobs of an owner in a status; an owner with none has an empty listing, and reading it adds nothing. */
  listing(owner: string, status: JobStatus): JobListing {
    return this.listings.get(owner)?.get(status) ?? this.empty;
  }

  private readonly empty = new JobListing(this.lookup);

  private statusListing(byStatus: Map<JobStatus, JobListing>, status: JobStatus): JobListing {
    let listing = byStatus.get(status);
    if (!listing) byStatus.set(status, (listing = new JobListing(this.lookup)));
    return listing;
  }

  private ownerListings(owner: string): Map<JobStatus, JobListing> {
    let byStatus = this.listings.get(owner);
    if (!byStatus) this.listings.set(owner, (byStatus = new Map()));
    return byStatus;
  }

  /** The listings of the job's owner (see `listingOwner`), found by queue name or parent id. */
  private listingsOf(job: JobRecord): Map<JobStatus, JobListing> {
    const child = job.kind === "array-child" || job.kind === "node";
    const shortcuts = child ? this.parentListings : this.queueListings;
    const key = child ? (job.parentId as string) : job.spec.queueName;
    let byStatus = shortcuts.get(key);
    if (!byStatus) shortcuts.set(key, (byStatus = this.ownerListings(listingOwner(job))));
    return byStatus;
  }

  /** The queue's RUNNABLE jobs that the scheduler places: single jobs, array children and multi-node parents. */
  runnableIn(queueName: string): RunnableLine {
    let line = this.runnable.get(queueName);
    if (!line) this.runnable.set(queueName, (line = new RunnableLine(this.counts)));
    return line;
  }

  /** Top-level jobs of a queue, oldest first. */
  createdIn(queueName: string): CreationList {
    return this.created.get(queueName) ?? NO_JOBS;
  }

  /** The queues that have had top-level jobs. */
  queuesWithJobs(): IterableIterator<string> {
    return this.created.keys();
  }

  /** Up to `limit` live top-level jobs of a queue, newest first. Expiry removes the oldest, so the walk meets few holes. */
  *newestCreatedIn(queueName: string, limit: number): IterableIterator<JobRecord> {
    const list = this.created.get(queueName);
    if (!list) return;
    let found = 0;
    for (let i = list.length - 1; i >= 0 && found < limit; i--) {
      const job = list.at(i);
      if (job === undefined) continue;
      found++;
      yield job;
    }
  }

  isLive(job: JobRecord): boolean {
    return this.byId.get(job.jobId) === job;
  }

  hasRunnableJobs(): boolean {
    return this.counts.runnable > 0;
  }

  queuesWithRunnableJobs(): string[] {
    if (this.counts.runnable === 0) return NO_QUEUES;
    const names: string[] = [];
    for (const [name, line] of this.runnable) if (line.size > 0) names.push(name);
    return names;
  }
}

function isTopLevel(job: JobRecord): boolean {
  return job.kind !== "array-child" && job.kind !== "node";
}

/** How many ended attempts `endedAttempts` keeps. */
export const RECENT_ATTEMPTS = 500;

/** The attempts that ended last, newest last, in a ring of fixed size. */
export class RecentAttempts {
  private readonly jobs: (JobRecord | undefined)[];
  private readonly indexes: number[];
  private next = 0;
  private count = 0;
  /** Attempts pushed out of the ring by newer ones. */
  overwritten = 0;

  constructor(readonly capacity: number) {
    this.jobs = new Array<JobRecord | undefined>(capacity);
    this.indexes = new Array<number>(capacity).fill(0);
  }

  push(job: JobRecord, index: number): void {
    if (index < 0) return;
    if (this.count === this.capacity) this.overwritten++;
    this.jobs[this.next] = job;
    this.indexes[this.next] = index;
    this.next = (this.next + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
  }

  /** Newest first. */
  *values(): IterableIterator<{ job: JobRecord; index: number }> {
    for (let i = 1; i <= this.count; i++) {
      const at = (this.next - i + this.capacity) % this.capacity;
      yield { job: this.jobs[at] as JobRecord, index: this.indexes[at] };
    }
  }
}

export type CountsByStatus = Partial<Record<JobStatus, number>>;

/** Counts of jobs by status kept as jobs come, move and go, so reading them walks no jobs. */
export class StatusCounts {
  /** Every job record of the partition, array children and nodes included. */
  readonly all: CountsByStatus = {};
  /** Top-level jobs (single, array and multi-node), as ListJobs on their queues shows them. */
  readonly topLevel: CountsByStatus = {};
  readonly arrayChildren: CountsByStatus = {};
  /** Per queue: the jobs the scheduler places (single jobs, array children, multi-node jobs). */
  readonly placedByQueue = new Map<string, CountsByStatus>();

  count(job: JobRecord, status: JobStatus, delta: 1 | -1): void {
    add(this.all, status, delta);
    if (job.kind === "node") return;
    add(job.kind === "array-child" ? this.arrayChildren : this.topLevel, status, delta);
    if (job.kind === "array-parent") return;
    let queue = this.placedByQueue.get(job.spec.queueName);
    if (!queue) this.placedByQueue.set(job.spec.queueName, (queue = {}));
    add(queue, status, delta);
  }
}

function add(counts: CountsByStatus, status: JobStatus, delta: number): void {
  const value = (counts[status] ?? 0) + delta;
  if (value === 0) delete counts[status];
  else counts[status] = value;
}

const NO_QUEUES: string[] = Object.freeze([]) as unknown as string[];

/**
 * A queue's top-level jobs in creation order, for ListJobs filters, which page newest first by creation
 * sequence. A job that leaves the index leaves a hole at once, so the list holds no job that has gone; the
 * holes are squeezed out once they are half the list, so its length stays within twice the live jobs.
 */
export class CreationList {
  private jobs: (JobRecord | undefined)[] = [];
  /** Each slot's creation sequence, kept for holes too, so a slot is found by binary search. */
  private sequences: number[] = [];
  private holes = 0;

  /** The number of slots, holes included. */
  get length(): number {
    return this.jobs.length;
  }

  /** The job in slot `i`, or undefined where a job has left. */
  at(i: number): JobRecord | undefined {
    return this.jobs[i];
  }

  /** Jobs are created, and so pushed, in the order of their sequence. */
  push(job: JobRecord): void {
    this.jobs.push(job);
    this.sequences.push(job.sequence);
  }

  /** The first slot whose job was created at or after `sequence`. */
  slotOf(sequence: number): number {
    const sequences = this.sequences;
    let low = 0;
    let high = sequences.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (sequences[middle] < sequence) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  remove(job: JobRecord): void {
    const slot = this.slotOf(job.sequence);
    if (this.jobs[slot] !== job) return;
    this.jobs[slot] = undefined;
    if (++this.holes * 2 > this.jobs.length) this.compact();
  }

  *[Symbol.iterator](): IterableIterator<JobRecord> {
    for (const job of this.jobs) if (job !== undefined) yield job;
  }

  private compact(): void {
    const jobs: JobRecord[] = [];
    const sequences: number[] = [];
    for (const job of this.jobs) {
      if (job === undefined) continue;
      jobs.push(job);
      sequences.push(job.sequence);
    }
    this.jobs = jobs;
    this.sequences = sequences;
    this.holes = 0;
  }
}

const NO_JOBS = new CreationList();

/**
 * The jobs of one owner in one status, in the order they entered it, as a list threaded through the job
 * records themselves: a status change relinks the record, with no map entry or node to make. Keys are
 * job ids, resolved through the partition's index.
 */
export class JobListing {
  private head?: JobRecord;
  private tail?: JobRecord;
  private count = 0;
  /** Increases with every insertion: the page cursor's position. */
  private counter = 0;

  constructor(private readonly lookup: (jobId: string) => JobRecord | undefined) {}

  get size(): number {
    return this.count;
  }

  has(jobId: string): boolean {
    return this.lookup(jobId)?.listing === this;
  }

  first(): JobRecord | undefined {
    return this.head;
  }

  /** Appends the job, taking it out of the listing it was in. */
  insert(job: JobRecord): void {
    if (job.listing === this) return;
    job.listing?.remove(job);
    job.listing = this;
    job.listingPrevious = this.tail;
    job.listingNext = undefined;
    job.listingPosition = ++this.counter;
    if (this.tail) this.tail.listingNext = job;
    else this.head = job;
    this.tail = job;
    this.count++;
  }

  remove(job: JobRecord): void {
    if (job.listing !== this) return;
    const previous = job.listingPrevious;
    const next = job.listingNext;
    if (previous) previous.listingNext = next;
    else this.head = next;
    if (next) next.listingPrevious = previous;
    else this.tail = previous;
    job.listing = undefined;
    job.listingPrevious = undefined;
    job.listingNext = undefined;
    this.count--;
  }

  /** The position of a job, for a cursor. */
  positionOf(jobId: string): number | undefined {
    const job = this.lookup(jobId);
    return job?.listing === this ? job.listingPosition : undefined;
  }

  /**
   * The first job after the one with `key` at `position`; when that one has left, the first at a later
   * position. The rest follow by `listingNext`, for a caller that only reads.
   */
  start(cursor?: { key: string; position: number }): JobRecord | undefined {
    let job = this.head;
    if (cursor) {
      const found = this.lookup(cursor.key);
      if (found && found.listing === this && found.listingPosition === cursor.position) return found.listingNext;
      while (job && job.listingPosition <= cursor.position) job = job.listingNext;
    }
    return job;
  }

  /** Jobs after the one with `key` at `position`; when that one has left, after the first later position. */
  *after(cursor?: { key: string; position: number }): IterableIterator<JobRecord> {
    let job = this.start(cursor);
    while (job) {
      // Read ahead, so that a caller moving the job it was given does not end the walk.
      const next = job.listingNext;
      yield job;
      job = next;
    }
  }

  *entries(): IterableIterator<[string, JobRecord, number]> {
    for (const job of this.after()) yield [job.jobId, job, job.listingPosition];
  }

  values(): IterableIterator<JobRecord> {
    return this.after();
  }
}

/**
 * A queue's RUNNABLE jobs in the order they became RUNNABLE, threaded through the job records like a
 * listing: joining and leaving the line touch only the job and its neighbours.
 */
export class RunnableLine {
  private head?: JobRecord;
  private tail?: JobRecord;
  private count = 0;
  /** At least the vCPUs of the largest job waiting: the largest since the line was last empty. */
  largestDemand = 0;

  /** `all` counts the RUNNABLE jobs of every line of the partition, so "any at all?" needs no walk. */
  constructor(private readonly all: { runnable: number }) {}

  get size(): number {
    return this.count;
  }

  first(): JobRecord | undefined {
    return this.head;
  }

  /** Appends the job; a job already in this line stays where it is. */
  add(job: JobRecord): void {
    if (job.runnableLine === this) return;
    job.runnableLine?.delete(job);
    job.runnableLine = this;
    job.runnablePrevious = this.tail;
    job.runnableNext = undefined;
    if (this.tail) this.tail.runnableNext = job;
    else this.head = job;
    this.tail = job;
    this.count++;
    this.all.runnable++;
    if (job.spec.vcpus > this.largestDemand) this.largestDemand = job.spec.vcpus;
  }

  /**
   * Takes the job out of the line. Its own links are left as they were, so a walk that stands on it (a
   * scheduler pass placing it) goes on to the jobs that followed it.
   */
  delete(job: JobRecord): void {
    if (job.runnableLine !== this) return;
    const previous = job.runnablePrevious;
    const next = job.runnableNext;
    if (previous) previous.runnableNext = next;
    else this.head = next;
    if (next) next.runnablePrevious = previous;
    else this.tail = previous;
    job.runnableLine = undefined;
    this.count--;
    this.all.runnable--;
    if (this.count === 0) this.largestDemand = 0;
  }

  /** The jobs in line, first to last; the walk reads one ahead, so the caller may take out the job it was given. */
  *values(): IterableIterator<JobRecord> {
    let job = this.head;
    while (job) {
      const next = job.runnableNext;
      yield job;
      job = next;
    }
  }
}
