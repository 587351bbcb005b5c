import type { JobStatus } from "@aws-sdk/client-batch";
import type { Clock } from "./clock";
import type { Partition } from "./partition";
import type { BatchStore, JobRecord, Partitions } from "./store";
import { Timeline } from "./timeline";

/** Resources whose status passes through CREATING, UPDATING and DELETING. */
export type LifecycleTable = "computeEnvironments" | "jobQueues" | "serviceEnvironments" | "quotaShares";
export type TransientStatus = "CREATING" | "UPDATING" | "DELETING";

/** What the timeline holds. Plain data, so a journal can replay it. */
export type EngineEvent = {
  type: "resource-settles";
  partition: Partition;
  table: LifecycleTable;
  name: string;
  /** VALID after CREATING or UPDATING; DELETED after DELETING, when the resource goes away. */
  outcome: "VALID" | "DELETED";
};

export interface EngineOptions {
  /** How long CREATING, UPDATING and DELETING last. 0 (the default) settles them before the response. */
  resourceTransitionMs?: number;
}

const HEALTHY_REASON: Partial<Record<LifecycleTable, string>> = {
  computeEnvironments: "ComputeEnvironment Healthy",
  jobQueues: "JobQueue Healthy",
};

/**
 * The engine: a discrete-event simulation on the clock. Every job status change goes through
 * `transition`; `settle` runs whatever is due at the clock's current instant and runs before every response.
 */
export class Engine {
  private readonly timeline = new Timeline<EngineEvent>();

  constructor(
    readonly clock: Clock,
    private readonly partitions: Partitions,
    private readonly options: EngineOptions = {},
  ) {}

  now(): number {
    return this.clock.now();
  }

  /** The time of the next scheduled event, for a manual clock that jumps from event to event. */
  nextEventTime(): number | undefined {
    return this.timeline.peekTime();
  }

  /** Puts a resource into a transient status; it settles after `resourceTransitionMs`. */
  beginTransition(store: BatchStore, table: LifecycleTable, name: string, status: TransientStatus): void {
    const record = store[table].find(name);
    if (!record) return;
    record.detail.status = status;
    const event: EngineEvent = { type: "resource-settles", partition: store.partition, table, name, outcome: status === "DELETING" ? "DELETED" : "VALID" };
    const delay = this.options.resourceTransitionMs ?? 0;
    if (delay <= 0) this.apply(event);
    else this.timeline.schedule(this.now() + delay, event);
  }

  /** Accepts a new job. Until the scheduler lands, a job runs to SUCCEEDED at once, as the seed does. */
  submit(store: BatchStore, job: JobRecord): void {
    store.jobs.set(job.jobId, job);
    this.transition(job, "RUNNABLE");
    this.transition(job, "STARTING");
    this.transition(job, "RUNNING");
    this.transition(job, "SUCCEEDED", "Essential container in task exited");
  }

  /** The one place a job's status changes. */
  transition(job: JobRecord, status: JobStatus, reason?: string): void {
    const now = this.now();
    const detail = job.detail;
    detail.status = status;
    if (reason !== undefined) detail.statusReason = reason;
    if (status === "RUNNING") detail.startedAt = now;
    if (status === "SUCCEEDED" || status === "FAILED") detail.stoppedAt = now;
  }

  /** Runs everything due at the current instant. */
  settle(): void {
    const now = this.now();
    for (let event = this.timeline.popDue(now); event; event = this.timeline.popDue(now)) this.apply(event.payload);
  }

  private apply(event: EngineEvent): void {
    const store = this.partitions.get(event.partition);
    const table = store[event.table];
    const record = table.find(event.name);
    if (!record) return;
    if (event.outcome === "DELETED") {
      table.delete(event.name);
      return;
    }
    record.detail.status = "VALID";
    const reason = HEALTHY_REASON[event.table];
    if (reason) (record.detail as { statusReason?: string }).statusReason = reason;
  }
}

export function isTransient(status: string | undefined): boolean {
  return status === "CREATING" || status === "UPDATING" || status === "DELETING";
}
