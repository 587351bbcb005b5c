import type { ServiceJobStatus } from "@aws-sdk/client-batch";
import type { Engine } from "./engine";
import { globMatches } from "./patterns";
import type { AttemptView, JobOutcome } from "./outcomes";
import type { JobQueueRecord, QuotaShareRecord, ServiceEnvironmentRecord } from "./records";
import { isTerminalServiceJob, transitionServiceJob, type ServiceJobRecord } from "./service-jobs";
import { inOrder } from "./scheduler";
import { environmentHolder, quotaShareHolder, NUM_INSTANCES } from "./service-job-index";
import type { BatchStore } from "./store";

const COMPLETED = "Training job completed";
const FAILED = "Training job failed";

/**
 * Service jobs (SageMaker training jobs queued through Batch) on the engine's clock: SUBMITTED → PENDING →
 * RUNNABLE → SCHEDULED (placed within a service environment's capacity limit) → STARTING → RUNNING →
 * SUCCEEDED or FAILED. Attempts ask the same `onJob` rules as container jobs.
 */
export class ServiceJobRunner {
  constructor(private readonly engine: Engine) {}

  submit(store: BatchStore, job: ServiceJobRecord): void {
    this.after(store, job, this.engine.delays.submittedMs, "SUBMITTED");
  }

  /** A phase delay has passed. */
  advance(store: BatchStore, job: ServiceJobRecord, from: ServiceJobStatus): void {
    if (job.detail.status !== from) return;
    const now = this.engine.now();
    if (from === "SUBMITTED") {
      transitionServiceJob(store, job, "PENDING", now);
      this.after(store, job, this.engine.delays.pendingMs, "PENDING");
    } else if (from === "PENDING") {
      transitionServiceJob(store, job, "RUNNABLE", now);
      this.engine.wake();
    } else if (from === "STARTING") {
      this.run(store, job);
    }
  }

  /**
   * Places RUNNABLE service jobs, highest scheduling priority first, then in the order they became RUNNABLE,
   * each within its service environment's capacity limits and, in a quota-managed queue, its quota share's.
   */
  place(store: BatchStore): void {
    for (const job of store.serviceJobs.runnableInOrder()) {
      const queue = store.jobQueues.find(job.queueName);
      if (!queue || !quotaShareAdmits(store, job)) continue;
      const environment = this.environmentWithRoom(store, queue, job);
      if (!environment) continue;
      store.serviceJobs.place(job, environment.name);
      job.attemptToken = (job.attemptToken ?? 0) + 1;
      const now = this.engine.now();
      transitionServiceJob(store, job, "SCHEDULED", now);
      const attempt = { serviceResourceId: { name: "TrainingJobArn" as const, value: job.trainingJobArn }, startedAt: now };
      job.detail.latestAttempt = { serviceResourceId: attempt.serviceResourceId };
      job.detail.attempts = [...(job.detail.attempts ?? []), attempt];
      transitionServiceJob(store, job, "STARTING", now);
      this.after(store, job, this.engine.delays.startingMs, "STARTING");
    }
  }

  /** Ends the running attempt: success, a retry while attempts remain, or failure. */
  end(store: BatchStore, job: ServiceJobRecord, outcome: JobOutcome, reason?: string, retryable = true): void {
    const now = this.engine.now();
    store.serviceJobs.unplace(job);
    job.attemptToken = (job.attemptToken ?? 0) + 1;
    const exitCode = outcome.exitCode ?? 0;
    if (exitCode === 0 && reason === undefined) {
      transitionServiceJob(store, job, "SUCCEEDED", now, COMPLETED);
    } else {
      const statusReason = reason ?? outcome.reason ?? FAILED;
      const attempts = job.detail.retryStrategy?.attempts ?? 1;
      if (retryable && (job.detail.attempts?.length ?? 0) < attempts && this.retryAllowed(job, statusReason)) {
        const attempt = job.detail.attempts?.[job.detail.attempts.length - 1];
        if (attempt) Object.assign(attempt, { stoppedAt: now, statusReason });
        transitionServiceJob(store, job, "RUNNABLE", now, statusReason);
      } else {
        transitionServiceJob(store, job, "FAILED", now, statusReason);
      }
    }
    this.engine.wake();
  }

  terminate(store: BatchStore, job: ServiceJobRecord, reason: string): void {
    if (isTerminalServiceJob(job.detail.status)) return;
    job.detail.isTerminated = true;
    this.end(store, job, { exitCode: 1 }, reason, false);
  }

  /** An event for this job from an earlier attempt or phase is stale when its token no longer matches. */
  current(job: ServiceJobRecord, token: number): boolean {
    return (job.attemptToken ?? 0) === token;
  }

  private run(store: BatchStore, job: ServiceJobRecord): void {
    const now = this.engine.now();
    transitionServiceJob(store, job, "RUNNING", now);
    const token = job.attemptToken ?? 0;
    const timeout = job.detail.timeoutConfig?.attemptDurationSeconds;
    if (timeout !== undefined) {
      this.engine.schedule(timeout * 1000, { type: "service-job-times-out", partition: store.partition, jobId: job.jobId, token });
    }
    const settle = (outcome: JobOutcome) => {
      if (!this.current(job, token) || job.detail.status !== "RUNNING") return;
      this.engine.schedule(outcome.durationMs ?? 0, { type: "service-job-ends", partition: store.partition, jobId: job.jobId, token, outcome });
    };
    this.engine.runOutcome(this.view(job), settle);
  }

  private retryAllowed(job: ServiceJobRecord, statusReason: string): boolean {
    for (const rule of job.detail.retryStrategy?.evaluateOnExit ?? []) {
      const pattern = rule.onStatusReason;
      if (pattern === undefined) continue;
      if (globMatches(pattern, statusReason)) return rule.action?.toUpperCase() === "RETRY";
    }
    return true;
  }

  /** The first ENABLED service environment of the queue with room for the job's capacity. */
  private environmentWithRoom(store: BatchStore, queue: JobQueueRecord, job: ServiceJobRecord): ServiceEnvironmentRecord | undefined {
    for (const entry of inOrder(queue.detail.serviceEnvironmentOrder ?? [])) {
      const environment = store.serviceEnvironments.find(entry.serviceEnvironment ?? "");
      const detail = environment?.detail;
      if (!environment || detail?.state !== "ENABLED" || (detail.status !== "VALID" && detail.status !== "UPDATING")) continue;
      if (this.fits(store, environment, job)) return environment;
    }
    return undefined;
  }

  /** Every capacity limit of the environment must have room for what the job uses of that unit. */
  private fits(store: BatchStore, environment: ServiceEnvironmentRecord, job: ServiceJobRecord): boolean {
    for (const limit of environment.detail.capacityLimits ?? []) {
      const wanted = usage(job, limit.capacityUnit);
      if (wanted === 0) continue;
      if (store.serviceJobs.heldOn(environmentHolder(environment.name), limit.capacityUnit) + wanted > (limit.maxCapacity ?? 0)) return false;
    }
    return true;
  }

  private after(store: BatchStore, job: ServiceJobRecord, delayMs: number | undefined, from: ServiceJobStatus): void {
    this.engine.schedule(delayMs ?? 0, { type: "service-job-advances", partition: store.partition, jobId: job.jobId, from, token: job.attemptToken ?? 0 });
  }

  private view(job: ServiceJobRecord): AttemptView {
    const detail = job.detail;
    return {
      jobId: job.jobId,
      jobName: detail.jobName ?? "",
      jobQueue: job.queueName,
      jobQueueArn: detail.jobQueue ?? "",
      jobDefinition: detail.serviceJobType ?? "",
      jobDefinitionArn: "",
      attempt: detail.attempts?.length ?? 1,
      computeEnvironment: job.placedOn ?? "",
      command: [],
      environment: {},
      parameters: {},
      tags: { ...(detail.tags ?? {}) },
      vcpus: 0,
      memory: 0,
    };
  }
}

/** What a job uses of a capacity unit: its instance count for NUM_INSTANCES or for its own instance type. */
function usage(job: ServiceJobRecord, unit: string | undefined): number {
  let total = 0;
  for (const entry of job.detail.capacityUsage ?? []) {
    if (unit === "NUM_INSTANCES" || entry.capacityUnit === unit) total += entry.quantity ?? 0;
  }
  return total;
}

/**
 * Quota shares (a queue with a quota-share policy): a job runs within its share's `capacityLimits`; beyond them
 * only a LEND_AND_BORROW share may borrow, up to `borrowLimit` percent of its limit (-1: no limit), and only
 * what the queue's lending shares (LEND, LEND_AND_BORROW) leave idle and others have not borrowed already.
 * A RESERVE share keeps its idle capacity. Borrowed capacity is not taken back from running jobs (no preemption).
 */
function quotaShareAdmits(store: BatchStore, job: ServiceJobRecord): boolean {
  const shareName = job.detail.quotaShareName;
  if (shareName === undefined) return true;
  const shares = quotaSharesOf(store, job.queueName);
  const own = shares.find((share) => share.name === shareName);
  if (!own || own.detail.state !== "ENABLED") return false;
  for (const entry of job.detail.capacityUsage ?? []) {
    const unit = entry.capacityUnit ?? NUM_INSTANCES;
    const wanted = entry.quantity ?? 0;
    if (wanted === 0) continue;
    const limit = limitOf(own.detail, unit);
    const used = heldBy(store, job.queueName, own.name, unit);
    if (used + wanted <= limit) continue;
    const sharing = own.detail.resourceSharingConfiguration;
    if (sharing?.strategy !== "LEND_AND_BORROW") return false;
    const borrowLimit = sharing.borrowLimit ?? -1;
    const borrowedAfter = used + wanted - limit;
    if (borrowLimit >= 0 && borrowedAfter > (limit * borrowLimit) / 100) return false;
    // What the lenders leave idle, less what every share already borrows beyond its own limit.
    let idle = 0;
    for (const share of shares) {
      const shareUsed = heldBy(store, job.queueName, share.name, unit);
      const shareLimit = limitOf(share.detail, unit);
      const strategy = share.detail.resourceSharingConfiguration?.strategy;
      if (share !== own && share.detail.state === "ENABLED" && (strategy === "LEND" || strategy === "LEND_AND_BORROW")) idle += Math.max(0, shareLimit - shareUsed);
      idle -= Math.max(0, shareUsed - shareLimit);
    }
    if (borrowedAfter - Math.max(0, used - limit) > idle) return false;
  }
  return true;
}

/** The quota shares of a queue. The quota-share tables are small (20 per queue), so a walk is cheap. */
function quotaSharesOf(store: BatchStore, queueName: string): { name: string; detail: QuotaShareRecord["detail"] }[] {
  const prefix = `${queueName}/quota-share/`;
  const shares: { name: string; detail: QuotaShareRecord["detail"] }[] = [];
  for (const record of store.quotaShares.values()) if (record.name.startsWith(prefix)) shares.push({ name: record.name.slice(prefix.length), detail: record.detail });
  return shares;
}

function heldBy(store: BatchStore, queueName: string, shareName: string, unit: string): number {
  return store.serviceJobs.heldOn(quotaShareHolder(queueName, shareName), unit);
}

/** A share's limit for a capacity unit: the entry for that instance type, else its NUM_INSTANCES entry, else none. */
function limitOf(detail: QuotaShareRecord["detail"], unit: string): number {
  const limits = detail.capacityLimits ?? [];
  return (limits.find((limit) => limit.capacityUnit === unit) ?? limits.find((limit) => limit.capacityUnit === NUM_INSTANCES))?.maxCapacity ?? 0;
}
