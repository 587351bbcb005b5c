import type { JobDetail, JobStatus } from "@aws-sdk/client-batch";
import { createIdGenerator } from "./state/ids";
import { describeJob, isTerminal, type JobRecord } from "./state/job-record";
import type { JobObserver } from "./state/engine";
import type { BatchStore } from "./state/store";

/** EventBridge's "Batch Job State Change" event, as AWS Batch sends it (reference events §6.1). */
export interface BatchJobStateChangeEvent {
  version: "0";
  id: string;
  "detail-type": "Batch Job State Change";
  source: "aws.batch";
  account: string;
  /** UTC, whole seconds: `2026-01-01T00:00:00Z`. */
  time: string;
  region: string;
  /** The job's ARN. */
  resources: string[];
  /** The job as DescribeJobs showed it at that moment. */
  detail: JobDetail;
}

/** Hears each event, with its sequence number (events are numbered from 1 across the fake's life). */
export type JobEventListener = (event: BatchJobStateChangeEvent, sequence: number) => void;

export const DEFAULT_MAX_EVENTS = 1000;

/** The job as DescribeJobs answers it: its view, through JSON as the wire sends it. */
export function jobView(job: JobRecord): JobDetail {
  return JSON.parse(JSON.stringify(describeJob(job))) as JobDetail;
}

/**
 * An event as it is kept: a copy of the job's changing fields at that moment, made into the EventBridge
 * shape only when someone reads it, so that a run nobody reads the events of pays a shallow copy per status.
 */
class KeptEvent {
  #event: BatchJobStateChangeEvent | undefined;
  #job: JobRecord | undefined;

  constructor(
    readonly sequence: number,
    job: JobRecord,
    private readonly idPrefix: string,
    private readonly partition: { accountId: string; region: string },
    private readonly at: number,
  ) {
    this.#job = snapshot(job);
  }

  get event(): BatchJobStateChangeEvent {
    if (this.#event === undefined) {
      const job = this.#job as JobRecord;
      this.#job = undefined;
      this.#event = {
        version: "0",
        // A UUID: the fake's prefix, then the sequence number, so making one costs nothing until it is read.
        id: this.idPrefix + this.sequence.toString(16).padStart(12, "0"),
        "detail-type": "Batch Job State Change",
        source: "aws.batch",
        account: this.partition.accountId,
        time: new Date(Math.floor(this.at / 1000) * 1000).toISOString().replace(".000Z", "Z"),
        region: this.partition.region,
        resources: [job.jobArn],
        detail: jobView(job),
      };
    }
    return this.#event;
  }
}

/** The job's fields as they are now: the record's own, with copies of those the engine changes in place. */
function snapshot(job: JobRecord): JobRecord {
  const copy = { ...job };
  if (job.attempts.length > 0) copy.attempts = job.attempts.slice();
  if (job.statusSummary !== undefined) copy.statusSummary = { ...job.statusSummary };
  if (job.tags !== undefined) copy.tags = { ...job.tags };
  return copy;
}

interface Waiter {
  readonly statuses: ReadonlySet<JobStatus>;
  resolve(detail: JobDetail): void;
  reject(error: Error): void;
}

/** Where a job can still go from each non-terminal status (a failed attempt goes back to RUNNABLE). */
const STAGE: Record<string, number> = { SUBMITTED: 0, PENDING: 1, RUNNABLE: 2, STARTING: 3, RUNNING: 4 };

function reachable(from: JobStatus, to: JobStatus): boolean {
  if (from === to) return true;
  if (isTerminal(from)) return false;
  if (isTerminal(to)) return true;
  // RUNNABLE, STARTING and RUNNING come round again while attempts remain.
  return STAGE[to] > STAGE[from] || (STAGE[to] >= STAGE.RUNNABLE && STAGE[from] >= STAGE.RUNNABLE);
}

/**
 * The state-change events of jobs: a bounded buffer, listeners, and the jobs `waitFor` waits on. The engine
 * tells it of each status a job enters (it is the engine's `JobObserver`).
 */
export class JobEvents implements JobObserver {
  active: boolean;
  private kept: KeptEvent[] = [];
  private sequence = 0;
  private readonly listeners = new Set<JobEventListener>();
  private readonly waiters = new Map<string, Waiter[]>();
  /** The first 24 characters of each event id, from the seed when there is one. */
  private readonly idPrefix: string;
  private readonly pending: KeptEvent[] = [];

  constructor(
    private readonly seed: number | string | undefined,
    private readonly maxEvents = DEFAULT_MAX_EVENTS,
  ) {
    this.idPrefix = createIdGenerator(seed === undefined ? undefined : `events:${seed}`).uuid().slice(0, 24);
    this.active = this.computeActive();
  }

  private computeActive(): boolean {
    return this.maxEvents > 0 || this.listeners.size > 0 || this.waiters.size > 0;
  }

  entered(store: BatchStore, job: JobRecord): void {
    if (this.maxEvents > 0 || this.listeners.size > 0) this.record(store, job);
    const waiting = this.waiters.get(job.jobId);
    if (waiting !== undefined) this.check(job, waiting);
  }

  private record(store: BatchStore, job: JobRecord): void {
    // No event for SUBMITTED: AWS sends none for the submission itself (reference events §6.1).
    if (job.status === "SUBMITTED") return;
    const kept = new KeptEvent(++this.sequence, job, this.idPrefix, store.partition, job.statusSince);
    if (this.maxEvents > 0) {
      this.kept.push(kept);
      if (this.kept.length >= 2 * this.maxEvents) this.kept = this.kept.slice(-this.maxEvents);
    }
    if (this.listeners.size > 0) {
      if (this.pending.push(kept) === 1) queueMicrotask(() => this.deliver());
    }
  }

  /** Listeners hear of events after the change that made them, never in the middle of it. */
  private deliver(): void {
    const events = this.pending.splice(0);
    for (const kept of events) for (const listener of [...this.listeners]) listener(kept.event, kept.sequence);
  }

  /** The kept events, oldest first; with `after`, only those with a later sequence number. */
  list(after = 0): { sequence: number; event: BatchJobStateChangeEvent }[] {
    const start = this.kept.length > this.maxEvents ? this.kept.length - this.maxEvents : 0;
    const result: { sequence: number; event: BatchJobStateChangeEvent }[] = [];
    for (let i = start; i < this.kept.length; i++) {
      const kept = this.kept[i];
      if (kept.sequence > after) result.push({ sequence: kept.sequence, event: kept.event });
    }
    return result;
  }

  /** The sequence number of the last event recorded. */
  get lastSequence(): number {
    return this.sequence;
  }

  /** Adds a listener; the function returned removes it. */
  listen(listener: JobEventListener): () => void {
    this.listeners.add(listener);
    this.active = true;
    return () => {
      this.listeners.delete(listener);
      this.active = this.computeActive();
    };
  }

  /**
   * Settles when the job is in one of the statuses, with its DescribeJobs view then; fails when it can no
   * longer get there. `cancel` ends the wait with an error of the caller's choosing.
   */
  wait(job: JobRecord, statuses: readonly JobStatus[]): { promise: Promise<JobDetail>; done(): boolean; cancel(error: Error): void } {
    let done = false;
    let waiter!: Waiter;
    const promise = new Promise<JobDetail>((resolve, reject) => {
      waiter = {
        statuses: new Set(statuses),
        resolve: (detail) => {
          done = true;
          resolve(detail);
        },
        reject: (error) => {
          done = true;
          reject(error);
        },
      };
    });
    const list = this.waiters.get(job.jobId);
    if (list) list.push(waiter);
    else this.waiters.set(job.jobId, [waiter]);
    this.active = true;
    this.check(job, this.waiters.get(job.jobId) as Waiter[]);
    return {
      promise,
      done: () => done,
      cancel: (error) => {
        if (done) return;
        this.remove(job.jobId, waiter);
        waiter.reject(error);
      },
    };
  }

  private check(job: JobRecord, waiting: Waiter[]): void {
    for (const waiter of [...waiting]) {
      if (waiter.statuses.has(job.status)) {
        this.remove(job.jobId, waiter);
        waiter.resolve(jobView(job));
      } else if (![...waiter.statuses].some((status) => reachable(job.status, status))) {
        this.remove(job.jobId, waiter);
        const reason = job.statusReason ? ` (${job.statusReason})` : "";
        waiter.reject(new Error(`waitFor(): job ${job.jobId} is ${job.status}${reason} and can no longer reach ${[...waiter.statuses].join(" or ")}.`));
      }
    }
  }

  private remove(jobId: string, waiter: Waiter): void {
    const list = this.waiters.get(jobId);
    if (!list) return;
    const rest = list.filter((other) => other !== waiter);
    if (rest.length > 0) this.waiters.set(jobId, rest);
    else this.waiters.delete(jobId);
    this.active = this.computeActive();
  }

  /** Forgets the kept events and ends every wait; listeners stay. */
  reset(): void {
    this.kept = [];
    this.pending.length = 0;
    for (const [jobId, list] of [...this.waiters]) {
      for (const waiter of list) {
        this.remove(jobId, waiter);
        waiter.reject(new Error(`waitFor(): job ${jobId} is gone: the fake was reset.`));
      }
    }
  }
}
