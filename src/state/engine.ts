import type { JobStatus, ServiceJobStatus } from "@aws-sdk/client-batch";
import type { AttemptEnd, AttemptExecutor, AttemptLaunch, RunningAttempt } from "../executor";
import type { Clock } from "./clock";
import { instanceIdOf, isTerminal, newJobRecord, type AttemptRecord, type JobRecord, type JobSpec } from "./job-record";
import { attemptLogStream, deleteJobLogs } from "./job-logs";
import { isPromise } from "./maybe-promise";
import { globMatches } from "./patterns";
import { exitCodeOf, isStartFailure, logLines, OutcomeRules, type AttemptView, type JobOutcome } from "./outcomes";
import type { Partition } from "./partition";
import { MAX_RESOURCE_REASON, Scheduler } from "./scheduler";
import { ServiceJobRunner } from "./service-job-runner";
import type { BatchStore, Partitions } from "./store";
import { Timeline } from "./timeline";

/** Resources whose status passes through CREATING, UPDATING and DELETING. */
export type LifecycleTable = "computeEnvironments" | "jobQueues" | "serviceEnvironments" | "quotaShares";
export type TransientStatus = "CREATING" | "UPDATING" | "DELETING";

/** What the timeline holds. Plain data, so that a journal can record and replay it. */
export type EngineEvent =
  | { type: "resource-settles"; partition: Partition; table: LifecycleTable; name: string; outcome: "VALID" | "DELETED" }
  /** A phase delay has passed: SUBMITTED, PENDING (ready) or STARTING moves on. */
  | { type: "job-advances"; partition: Partition; jobId: string; from: JobStatus; token: number }
  | { type: "attempt-ends"; partition: Partition; jobId: string; token: number; outcome: JobOutcome }
  | { type: "attempt-times-out"; partition: Partition; jobId: string; token: number }
  /** Lines an outcome's `logs` write some time after the attempt started, stamped `timestamp`. */
  | { type: "attempt-logs"; partition: Partition; jobId: string; token: number; timestamp: number; messages: string[] }
  /** A multi-node job's main node ended (`status`): the job ends as it did, after the nodes ending in the same instant. */
  | { type: "main-node-ends"; partition: Partition; jobId: string; token: number; status: JobStatus; outcome: JobOutcome; statusReason: string }
  | { type: "jobs-expire"; partition: Partition }
  | { type: "service-job-advances"; partition: Partition; jobId: string; from: ServiceJobStatus; token: number }
  | { type: "service-job-ends"; partition: Partition; jobId: string; token: number; outcome: JobOutcome }
  | { type: "service-job-times-out"; partition: Partition; jobId: string; token: number }
  | { type: "queue-time-limit"; partition: Partition; queueName: string };

export interface PhaseDelays {
  /** How long a job stays SUBMITTED. */
  submittedMs?: number;
  /** How long a job stays PENDING once its dependencies allow it to run. */
  pendingMs?: number;
  /** How long a placed job stays STARTING before it runs. */
  startingMs?: number;
}

/** Told of each status a job enters (state-change events, `waitFor`). `active` is false when nobody listens. */
export interface JobObserver {
  readonly active: boolean;
  entered(store: BatchStore, job: JobRecord): void;
}

export interface EngineOptions {
  /** Told of each status a job enters, once the job shows it. */
  observer?: JobObserver;
  /** How long CREATING, UPDATING and DELETING last. 0 (the default) settles them before the response. */
  resourceTransitionMs?: number;
  delays?: PhaseDelays;
  /** How long terminal jobs stay visible. Default 24 hours. */
  jobRetentionMs?: number;
  /** Runs the attempts no `onJob` rule scripts, as real processes. Without one, such attempts exit 0 at once. */
  executor?: AttemptExecutor;
  /** Hears how each attempt run as a process ended, with its output, while `wanted()` (a journal keeps them). */
  processEnds?: { wanted(): boolean; ended(ended: EndedProcessAttempt): void };
}

/**
 * How an attempt run as a process ended, with the lines it wrote: what a journal records, so that replaying
 * it needs no process (the real one decided the exit code once).
 */
export interface EndedProcessAttempt {
  partition: Partition;
  jobId: string;
  token: number;
  end: AttemptEnd;
  lines: { timestamp: number; message: string }[];
}

/** An attempt run as a process, as a snapshot names it: restored, its process is gone. */
export interface SavedProcessAttempt {
  partition: Partition;
  jobId: string;
  token: number;
}

/**
 * An attempt run as a process. `running` is undefined when its process is not this engine's: restored from a
 * snapshot or replayed from a journal, it waits for its recorded end, or ends as its host did.
 */
interface ProcessAttempt {
  partition: Partition;
  running: RunningAttempt | undefined;
  /** Its output so far, while a journal wants it. */
  lines: { timestamp: number; message: string }[] | undefined;
}

export const DEFAULT_JOB_RETENTION_MS = 24 * 60 * 60 * 1000;
const CONTAINER_EXITED = "Essential container in task exited";
const TASK_FAILED_TO_START = "Task failed to start";
const TIMEOUT_REASON = "Job attempt duration exceeded timeout";
const DEPENDENCY_FAILED = "Dependent Job failed";
/** What a container stopped by SIGTERM exits with: a terminated attempt, a node stopped when its main node ended. */
const TERMINATED_EXIT_CODE = 143;

const HEALTHY_REASON: Partial<Record<LifecycleTable, string>> = {
  computeEnvironments: "ComputeEnvironment Healthy",
  jobQueues: "JobQueue Healthy",
};

/**
 * The job engine: a discrete-event simulation on the clock. Every job status change goes through
 * `transition`; `settle` runs whatever is due at the clock's current instant, and runs before every response.
 */
export class Engine {
  readonly outcomes = new OutcomeRules();
  readonly serviceJobs = new ServiceJobRunner(this);
  private readonly timeline = new Timeline<EngineEvent>();
  private readonly scheduler: Scheduler;
  private readonly waiting = new Set<Promise<void>>();
  /** Attempts running as real processes, by job. */
  private readonly processes = new Map<JobRecord, ProcessAttempt>();
  /** While a journal is replayed: attempts that would start a process wait for their recorded end instead. */
  replaying = false;
  /** On the real clock with an executor: wakes the engine for its next event when no request comes. */
  private wakeTimer: NodeJS.Timeout | undefined;
  private wakeTime: number | undefined;
  private closed = false;

  constructor(
    readonly clock: Clock,
    private readonly partitions: Partitions,
    private readonly options: EngineOptions = {},
  ) {
    this.scheduler = new Scheduler(this);
  }

  /** While settling, the instant being settled: everything that happens then carries this time. */
  private instant?: number;

  now(): number {
    return this.instant ?? this.clock.now();
  }

  get delays(): PhaseDelays {
    return this.options.delays ?? {};
  }

  /** The time of the next scheduled event, for a manual clock that jumps from event to event. */
  nextEventTime(): number | undefined {
    return this.timeline.peekTime();
  }

  /** The events waiting on the timeline, for a snapshot; undefined while an outcome function's promise is pending. */
  savedTimeline(): ReturnType<Timeline<EngineEvent>["saved"]> | undefined {
    return this.waiting.size > 0 ? undefined : this.timeline.saved();
  }

  restoreTimeline(saved: Parameters<Timeline<EngineEvent>["restore"]>[0]): void {
    this.timeline.restore(saved);
    this.scheduler.wake();
  }

  /** Something outside the engine changed (capacity, a state, a policy): look at placements again. */
  wake(): void {
    this.scheduler.wake();
  }

  schedule(delayMs: number, event: EngineEvent): void {
    const delay = Math.max(0, delayMs);
    if (delay === 0) this.timeline.scheduleNow(this.now(), event);
    else this.timeline.schedule(this.now() + delay, event);
  }

  // ---- Resources with a status lifecycle ----

  /** Puts a resource into a transient status; it settles after `resourceTransitionMs`. */
  beginTransition(store: BatchStore, table: LifecycleTable, name: string, status: TransientStatus): void {
    const record = store[table].find(name);
    if (!record) return;
    record.detail.status = status;
    const event: EngineEvent = { type: "resource-settles", partition: store.partition, table, name, outcome: status === "DELETING" ? "DELETED" : "VALID" };
    const delay = this.options.resourceTransitionMs ?? 0;
    if (delay <= 0) this.settleResource(event);
    else this.schedule(delay, event);
  }

  private settleResource(event: Extract<EngineEvent, { type: "resource-settles" }>): void {
    const store = this.partitions.get(event.partition);
    const table = store[event.table];
    const record = table.find(event.name);
    if (!record) return;
    if (event.outcome === "DELETED") {
      if (event.table === "jobQueues") this.terminateQueueJobs(store, event.name);
      table.delete(event.name);
      return;
    }
    record.detail.status = "VALID";
    const reason = HEALTHY_REASON[event.table];
    if (reason) (record.detail as { statusReason?: string }).statusReason = reason;
  }

  // ---- Submission, dependencies and children ----

  /** Accepts a new top-level job in SUBMITTED. */
  submit(store: BatchStore, job: JobRecord): void {
    if (this.runStraightThrough(store, job)) return;
    store.jobs.add(job);
    for (const dependency of job.spec.dependsOn) {
      if (dependency.jobId && !(job.kind === "array-parent" && dependency.type === "N_TO_N")) this.dependOn(store, job, dependency.jobId);
    }
    this.schedule(this.options.delays?.submittedMs ?? 0, { type: "job-advances", partition: store.partition, jobId: job.jobId, from: "SUBMITTED", token: job.attemptToken });
  }

  /**
   * With no phase delays, no onJob rules and nothing else due or waiting, a plain job that fits now would go
   * through every status to SUCCEEDED in this instant, and no other event could come between its steps. So
   * it takes the same steps directly, without the timeline and a scheduler pass: the same transitions, the
   * placement a pass would choose, the same attempt. No one can see its steps, so the job joins the indexes
   * once, in its final status (`JobIndex.moved` passes over a job not yet added). True when it did.
   */
  private runStraightThrough(store: BatchStore, job: JobRecord): boolean {
    const delays = this.options.delays;
    if (delays?.submittedMs || delays?.pendingMs || delays?.startingMs || this.outcomes.size > 0 || this.waiting.size > 0 || this.options.executor) return false;
    const spec = job.spec;
    if (job.kind !== "job" || spec.dependsOn.length > 0 || spec.failureReason !== undefined || spec.consumableResourceProperties?.consumableResourceList?.length) return false;
    if (this.scheduler.pending || store.jobs.hasRunnableJobs()) return false;
    const now = this.now();
    const next = this.timeline.peekTime();
    if (next !== undefined && next <= now) return false;
    const queue = store.jobQueues.find(spec.queueName);
    if (!queue || queue.detail.schedulingPolicyArn) return false;
    const computeEnvironment = this.scheduler.placementNow(store, queue, job);
    if (computeEnvironment === undefined) return false;
    this.instant = now;
    try {
      this.transition(store, job, "PENDING");
      this.transition(store, job, "RUNNABLE");
      this.scheduler.occupy(store, job, computeEnvironment);
      this.enterStarting(store, job, computeEnvironment);
      this.beginAttempt(store, job);
      this.endAttempt(store, job, {});
      store.jobs.add(job);
    } finally {
      this.instant = undefined;
    }
    return true;
  }

  private dependOn(store: BatchStore, job: JobRecord, dependencyId: string): void {
    const dependency = store.jobs.get(dependencyId);
    if (!dependency || dependency.status === "SUCCEEDED") return;
    if (dependency.status === "FAILED") {
      job.dependencyFailed = true;
      return;
    }
    (dependency.dependents ??= []).push(job.jobId);
    job.unfinishedDependencies++;
  }

  private advance(store: BatchStore, job: JobRecord, from: JobStatus): void {
    if (job.status !== from) return;
    if (from === "SUBMITTED") {
      if (job.spec.failureReason !== undefined) {
        this.transition(store, job, "FAILED", job.spec.failureReason);
        return;
      }
      this.transition(store, job, "PENDING");
      this.readyIfFree(store, job);
    } else if (from === "PENDING") {
      this.becomeRunnable(store, job);
    } else if (from === "STARTING") {
      if (job.kind === "multinode-parent") this.startNodes(store, job);
      else this.startRunning(store, job);
    }
  }

  /**
   * A PENDING job whose dependencies are all done moves on; one whose dependency failed fails; one cancelled
   * while it waited fails now, with the cancel's reason.
   */
  private readyIfFree(store: BatchStore, job: JobRecord): void {
    if (job.status !== "PENDING") return;
    if (job.cancelReason !== undefined && (job.dependencyFailed || job.unfinishedDependencies === 0)) {
      this.fail(store, job, job.cancelReason);
      return;
    }
    if (job.dependencyFailed) {
      this.fail(store, job, DEPENDENCY_FAILED);
      return;
    }
    if (job.unfinishedDependencies > 0) return;
    if (job.kind === "array-parent") {
      if (job.statusSummary === undefined) this.spawnChildren(store, job);
      return;
    }
    this.schedule(this.options.delays?.pendingMs ?? 0, { type: "job-advances", partition: store.partition, jobId: job.jobId, from: "PENDING", token: job.attemptToken });
  }

  private becomeRunnable(store: BatchStore, job: JobRecord): void {
    this.transition(store, job, "RUNNABLE", this.scheduler.exceedsEveryEnvironment(store, job) ? MAX_RESOURCE_REASON : undefined);
  }

  private spawnChildren(store: BatchStore, parent: JobRecord): void {
    const size = parent.spec.arraySize ?? 0;
    const now = this.now();
    parent.statusSummary = {};
    parent.statusSummaryLastUpdatedAt = now;
    const sequential = parent.spec.dependsOn.some((d) => !d.jobId && d.type === "SEQUENTIAL");
    const nToN = parent.spec.dependsOn.filter((d) => d.jobId && d.type === "N_TO_N").map((d) => d.jobId as string);
    const children: JobRecord[] = [];
    for (let index = 0; index < size; index++) {
      const child = this.newChild(store, parent, index, "array-child", parent.spec);
      store.jobs.add(child);
      children.push(child);
      this.count(parent, undefined, child.status);
      if (sequential && index > 0) this.dependOn(store, child, `${parent.jobId}:${index - 1}`);
      for (const other of nToN) this.dependOn(store, child, `${other}:${index}`);
    }
    // All are in the index before any moves on, so that dependencies between them are all known first.
    for (const child of children) this.entered(store, child);
    for (const child of children) this.readyIfFree(store, child);
  }

  private newChild(store: BatchStore, parent: JobRecord, index: number, kind: "array-child" | "node", spec: JobSpec): JobRecord {
    const separator = kind === "array-child" ? ":" : "#";
    const jobId = `${parent.jobId}${separator}${index}`;
    return newJobRecord({
      sequence: store.nextSequence(),
      jobId,
      jobArn: `${parent.jobArn}${separator}${index}`,
      jobName: parent.jobName,
      spec,
      kind,
      parentId: parent.jobId,
      index,
      status: kind === "array-child" ? "PENDING" : "STARTING",
      createdAt: this.now(),
    });
  }

  /** An array job's children (`<id>:<n>`) or a multi-node job's nodes (`<id>#<n>`) that exist, by index. */
  private *childrenOf(store: BatchStore, parent: JobRecord): Generator<JobRecord> {
    const array = parent.kind === "array-parent";
    const separator = array ? ":" : "#";
    const count = array ? (parent.spec.arraySize ?? 0) : (parent.spec.nodeProperties?.numNodes ?? 0);
    for (let index = 0; index < count; index++) {
      const child = store.jobs.get(`${parent.jobId}${separator}${index}`);
      if (child) yield child;
    }
  }

  private parentOf(store: BatchStore, job: JobRecord): JobRecord | undefined {
    return job.parentId === undefined ? undefined : store.jobs.get(job.parentId);
  }

  // ---- The one place a job's status changes ----

  transition(store: BatchStore, job: JobRecord, status: JobStatus, reason?: string): void {
    const from = job.status;
    if (from === status && reason === undefined) return;
    const now = this.now();
    job.status = status;
    job.statusSince = now;
    if (reason !== undefined) job.statusReason = reason;
    if (status === "RUNNING") job.startedAt = now;
    else if (from === "RUNNING" && this.processes.size > 0) this.stopProcess(job);
    if (isTerminal(status)) job.stoppedAt = now;
    store.jobs.moved(job, from);
    const parent = this.parentOf(store, job);
    if (parent?.kind === "array-parent") this.count(parent, from, status);
    // Told before what follows from it (dependents, the array parent), so events come in the order things happened.
    if (from !== status) this.entered(store, job);
    if (isTerminal(status)) this.finished(store, job, parent);
    if (status === "RUNNABLE" || isTerminal(status)) this.scheduler.wake();
  }

  private count(parent: JobRecord, from: JobStatus | undefined, to: JobStatus): void {
    const summary = (parent.statusSummary ??= {});
    if (from !== undefined && from !== to) summary[from] = (summary[from] ?? 1) - 1;
    if (from !== to || from === undefined) summary[to] = (summary[to] ?? 0) + 1;
    parent.statusSummaryLastUpdatedAt = this.now();
  }

  /** A job entered a status: the observer hears of it, when anyone listens. */
  private entered(store: BatchStore, job: JobRecord): void {
    const observer = this.options.observer;
    if (observer !== undefined && observer.active) observer.entered(store, job);
  }

  private finished(store: BatchStore, job: JobRecord, parent: JobRecord | undefined): void {
    this.release(store, job);
    for (const dependentId of job.dependents ?? []) {
      const dependent = store.jobs.get(dependentId);
      if (!dependent || isTerminal(dependent.status)) continue;
      if (job.status === "FAILED") dependent.dependencyFailed = true;
      else dependent.unfinishedDependencies--;
      this.readyIfFree(store, dependent);
    }
    if (parent?.kind === "array-parent") this.arrayChildFinished(store, parent);
    if (job.kind !== "array-child" && job.kind !== "node") this.retire(store, job);
  }

  /**
   * Every finished job is kept for the same time, so jobs expire in the order they finished: they wait in one
   * line per partition, and one timeline event, for the line's first job, stands for all of them.
   */
  private retire(store: BatchStore, job: JobRecord): void {
    if (store.jobs.expiring.push(job) === 1) this.schedule(this.retentionMs, { type: "jobs-expire", partition: store.partition });
  }

  private expireDue(store: BatchStore): void {
    const line = store.jobs.expiring;
    const now = this.now();
    for (let job = line.first(); job !== undefined && expiresAt(job, this.retentionMs) <= now; job = line.first()) {
      line.shift();
      this.expire(store, job);
    }
    const next = line.first();
    if (next !== undefined) this.schedule(expiresAt(next, this.retentionMs) - now, { type: "jobs-expire", partition: store.partition });
  }

  private get retentionMs(): number {
    return this.options.jobRetentionMs ?? DEFAULT_JOB_RETENTION_MS;
  }

  /** The parent's status is derived from its children: done when all are, FAILED if any failed. */
  private arrayChildFinished(store: BatchStore, parent: JobRecord): void {
    const summary = parent.statusSummary ?? {};
    const succeeded = summary.SUCCEEDED ?? 0;
    const failed = summary.FAILED ?? 0;
    if (succeeded + failed < (parent.spec.arraySize ?? 0) || isTerminal(parent.status)) return;
    if (parent.startedAt === undefined) parent.startedAt = this.now();
    this.transition(store, parent, failed > 0 ? "FAILED" : "SUCCEEDED", failed > 0 ? `Array Child Job failed` : `Array Child Jobs succeeded`);
  }

  private fail(store: BatchStore, job: JobRecord, reason: string): void {
    if (job.kind === "array-parent" && job.statusSummary !== undefined) {
      for (const child of this.childrenOf(store, job)) {
        if (!isTerminal(child.status) && child.status !== "STARTING" && child.status !== "RUNNING") this.fail(store, child, reason);
      }
      return;
    }
    this.transition(store, job, "FAILED", reason);
  }

  // ---- Placement and attempts ----

  /** Called by the scheduler when it places a job on a compute environment. */
  placed(store: BatchStore, job: JobRecord, computeEnvironment: string): void {
    this.enterStarting(store, job, computeEnvironment);
    this.schedule(this.options.delays?.startingMs ?? 0, { type: "job-advances", partition: store.partition, jobId: job.jobId, from: "STARTING", token: job.attemptToken });
  }

  private enterStarting(store: BatchStore, job: JobRecord, computeEnvironment: string): void {
    job.computeEnvironment = computeEnvironment;
    job.attemptToken++;
    job.statusReason = undefined;
    this.transition(store, job, "STARTING");
  }

  private startRunning(store: BatchStore, job: JobRecord): void {
    const executor = this.options.executor;
    // With no onJob rules and no executor every attempt exits 0 at once: no rule needs to see the attempt.
    if (this.outcomes.size === 0 && !executor) {
      this.outcomeKnown(store, job, this.beginAttempt(store, job), {});
      return;
    }
    // An outcome known at once may be a task that fails to start: the job then never shows RUNNING. One that
    // comes later (a promise) finds the attempt RUNNING meanwhile, and a start failure then ends it from there.
    const view = this.attemptView(store, job);
    let token: number | undefined;
    let failedToStart = false;
    const begin = (): number => (token ??= this.beginAttempt(store, job));
    const known = (outcome: JobOutcome) => {
      if (token === undefined && isStartFailure(outcome)) {
        failedToStart = true;
        this.failToStart(store, job, outcome);
        return;
      }
      this.outcomeKnown(store, job, begin(), outcome);
    };
    this.runOutcome(view, known, executor && (() => this.launch(executor, store, job, begin(), view)));
    if (token === undefined && !failedToStart) begin();
  }

  /** The attempt's task never started: it ends from STARTING, with the container's reason and no exit code. */
  private failToStart(store: BatchStore, job: JobRecord, outcome: JobOutcome): void {
    takeTask(job);
    this.endAttempt(store, job, outcome);
  }

  /** The attempt starts RUNNING on its task; returns the attempt's token. */
  private beginAttempt(store: BatchStore, job: JobRecord): number {
    takeTask(job);
    job.exitCode = undefined;
    job.containerReason = undefined;
    this.transition(store, job, "RUNNING");
    const token = job.attemptToken;
    const timeout = job.spec.timeout?.attemptDurationSeconds;
    if (timeout !== undefined) this.schedule(timeout * 1000, { type: "attempt-times-out", partition: store.partition, jobId: job.jobId, token });
    return token;
  }

  /**
   * Asks the onJob rules what an attempt does; an outcome function may answer later, with a promise. With
   * `unscripted`, an attempt that no rule matches is handed to it instead of exiting 0.
   */
  runOutcome(view: AttemptView, known: (outcome: JobOutcome) => void, unscripted?: () => void): void {
    let outcome: JobOutcome | Promise<JobOutcome> | undefined;
    try {
      outcome = unscripted ? this.outcomes.matchedOutcome(view) : this.outcomes.outcomeFor(view);
    } catch (error) {
      outcome = { exitCode: 1, reason: `parlel-batch: the outcome function threw: ${(error as Error)?.message ?? String(error)}` };
    }
    if (outcome === undefined && unscripted) {
      unscripted();
      return;
    }
    if (!isPromise(outcome)) {
      known(outcome ?? {});
      return;
    }
    const pending = outcome.then(
      (value) => known(value ?? {}),
      (error: unknown) => known({ exitCode: 1, reason: `parlel-batch: the outcome function failed: ${(error as Error)?.message ?? String(error)}` }),
    );
    this.waiting.add(pending);
    void pending.finally(() => this.waiting.delete(pending));
  }

  private outcomeKnown(store: BatchStore, job: JobRecord, token: number, outcome: JobOutcome): void {
    if (job.attemptToken !== token || job.status !== "RUNNING") return;
    this.writeOutcomeLogs(store, job, token, outcome);
    this.schedule(outcome.durationMs ?? 0, { type: "attempt-ends", partition: store.partition, jobId: job.jobId, token, outcome });
  }

  // ---- Logs ----

  /**
   * Appends one line of output to the log stream of the job's current attempt (its last one, once it has
   * ended), as the container wrote it at `timestamp` (epoch ms; default: now on the fake's clock). The line
   * is one CloudWatch Logs event: pass it without its newline. Every reader (GetLogEvents, FilterLogEvents,
   * `fake.logs`, the dashboard) sees it at once. False, and nothing written, when no attempt has run yet.
   */
  writeLog(store: BatchStore, job: JobRecord, message: string, timestamp: number = this.now()): boolean {
    const stream = attemptLogStream(store.logs, job, this.now());
    if (stream === undefined) return false;
    store.logs.append(stream, message, timestamp, this.now());
    return true;
  }

  /**
   * An outcome's `logs`: lines without `afterMs` are written as the attempt starts; later ones when their
   * time comes, and no later than the attempt's end, so every line is in its stream once the job is terminal.
   * An attempt stopped before then (terminated, timed out) never writes the rest.
   */
  private writeOutcomeLogs(store: BatchStore, job: JobRecord, token: number, outcome: JobOutcome): void {
    const lines = logLines(outcome);
    if (lines.length === 0) return;
    const durationMs = outcome.durationMs ?? 0;
    const start = this.now();
    let later: Map<number, string[]> | undefined;
    for (const line of lines) {
      const afterMs = Math.min(Math.max(0, line.afterMs ?? 0), durationMs);
      if (afterMs === 0) {
        this.writeLog(store, job, line.message, start);
        continue;
      }
      later ??= new Map();
      const messages = later.get(afterMs);
      if (messages) messages.push(line.message);
      else later.set(afterMs, [line.message]);
    }
    // Scheduled before the attempt's end, so lines due at its last instant come first.
    for (const [afterMs, messages] of later ?? []) {
      this.schedule(afterMs, { type: "attempt-logs", partition: store.partition, jobId: job.jobId, token, timestamp: start + afterMs, messages });
    }
  }

  // ---- Attempts run as real processes ----

  /**
   * Starts the attempt's process and returns at once: the job stays RUNNING, and the process's end comes
   * back later as an `attempt-ends` event at the clock's time then.
   */
  private launch(executor: AttemptExecutor, store: BatchStore, job: JobRecord, token: number, view: AttemptView): void {
    if (this.closed) return;
    const partition = store.partition;
    if (this.replaying) {
      this.processes.set(job, { partition, running: undefined, lines: undefined });
      return;
    }
    const attempt: ProcessAttempt = { partition, running: undefined, lines: this.options.processEnds?.wanted() ? [] : undefined };
    attempt.running = executor.start(attemptLaunch(job, view), {
      log: (line) => {
        if (this.writeLog(store, job, line)) attempt.lines?.push({ timestamp: this.now(), message: line });
      },
      ended: (end) => this.processEnded(partition, job, token, end),
    });
    this.processes.set(job, attempt);
  }

  private processEnded(partition: Partition, job: JobRecord, token: number, end: AttemptEnd): void {
    if (this.closed || job.attemptToken !== token) return;
    const attempt = this.processes.get(job);
    this.processes.delete(job);
    if (job.status !== "RUNNING") return;
    if (attempt?.lines !== undefined) this.reportProcessEnd({ partition, jobId: job.jobId, token, end, lines: attempt.lines });
    const outcome: JobOutcome = { exitCode: end.exitCode, reason: end.reason };
    this.timeline.scheduleNow(this.clock.now(), { type: "attempt-ends", partition, jobId: job.jobId, token, outcome });
    // No request may come soon: what follows (dependents, the next attempt, the next job placed) runs now.
    this.settleSync();
  }

  private reportProcessEnd(ended: EndedProcessAttempt): void {
    try {
      this.options.processEnds?.ended(ended);
    } catch (error) {
      // No caller to answer: the end still happens; only its record is missing.
      console.error(`parlel-batch: could not record the end of job ${ended.jobId}'s attempt: ${(error as Error)?.message ?? String(error)}`);
    }
  }

  /** The attempts run as processes now, for a snapshot. */
  savedProcessAttempts(): SavedProcessAttempt[] {
    return [...this.processes].map(([job, attempt]) => ({ partition: attempt.partition, jobId: job.jobId, token: job.attemptToken }));
  }

  /** A snapshot's attempts run as processes: their processes are not this engine's, so they wait without one. */
  adoptProcessAttempts(saved: readonly SavedProcessAttempt[]): void {
    for (const { partition, jobId, token } of saved) {
      const job = this.partitions.get(partition).jobs.get(jobId);
      if (job !== undefined && job.attemptToken === token && (job.status === "RUNNING" || job.status === "STARTING")) {
        this.processes.set(job, { partition, running: undefined, lines: undefined });
      }
    }
  }

  /** A journal's record of a process's end, replayed: its lines, then its end, as they happened. */
  replayProcessEnd(ended: EndedProcessAttempt): void {
    const store = this.partitions.get(ended.partition);
    const job = store.jobs.get(ended.jobId);
    if (job === undefined || this.processes.get(job)?.running !== undefined) return;
    if (job.attemptToken !== ended.token || job.status !== "RUNNING") return;
    for (const line of ended.lines) this.writeLog(store, job, line.message, line.timestamp);
    this.processEnded(ended.partition, job, ended.token, ended.end);
  }

  /**
   * Ends the attempts whose processes went with an earlier server or fake (restored or replayed, with no end
   * recorded) as AWS ends an attempt whose host is gone, and starts real processes from then on.
   */
  endLostProcessAttempts(): void {
    this.replaying = false;
    const lost = [...this.processes].filter(([, attempt]) => attempt.running === undefined);
    for (const [job, attempt] of lost) {
      this.processes.delete(job);
      this.hostLost(this.partitions.get(attempt.partition), job);
    }
    if (lost.length > 0) {
      this.scheduler.wake();
      this.settleSync();
    }
  }

  /** The job's attempt is over (terminated, timed out, ended by its main node): its process stops. */
  private stopProcess(job: JobRecord): void {
    const attempt = this.processes.get(job);
    if (!attempt) return;
    this.processes.delete(job);
    attempt.running?.stop();
  }

  /** Stops the engine's timers and kills every attempt's process at once (reset, close). */
  close(): void {
    this.closed = true;
    this.clearWakeTimer();
    for (const attempt of this.processes.values()) attempt.running?.stop(true);
    this.processes.clear();
  }

  /**
   * On the real clock, events fall due without a request (a timeout that must stop a process, a phase delay
   * between two jobs of a pipeline): one unref'd timer runs the next, so that nothing waits for a poll.
   */
  clearWakeTimer(): void {
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
    this.wakeTime = undefined;
  }

  private armWakeTimer(): void {
    const next = this.timeline.peekTime();
    if (next === this.wakeTime) return;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
    this.wakeTime = next;
    if (next === undefined) return;
    const delay = Math.min(Math.max(0, next - this.clock.now()), 2 ** 31 - 1);
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      this.wakeTime = undefined;
      this.settleSync();
    }, delay);
    this.wakeTimer.unref();
  }

  // ---- Multi-node parallel jobs ----

  /** A placed multi-node job runs one node job `<id>#<n>` per node; the main node's exit decides the job. */
  private startNodes(store: BatchStore, parent: JobRecord): void {
    const properties = parent.spec.nodeProperties;
    if (!properties) return;
    this.transition(store, parent, "RUNNING");
    const token = parent.attemptToken;
    const timeout = parent.spec.timeout?.attemptDurationSeconds;
    if (timeout !== undefined) this.schedule(timeout * 1000, { type: "attempt-times-out", partition: store.partition, jobId: parent.jobId, token });
    const numNodes = properties.numNodes ?? 1;
    for (let index = 0; index < numNodes; index++) {
      const previous = store.jobs.get(`${parent.jobId}#${index}`);
      if (previous) store.jobs.remove(previous);
      const node = this.newChild(store, parent, index, "node", nodeSpec(parent.spec, index));
      node.computeEnvironment = parent.computeEnvironment;
      node.attemptToken = 1;
      store.jobs.add(node);
      this.entered(store, node);
    }
    for (let index = 0; index < numNodes; index++) {
      const node = store.jobs.get(`${parent.jobId}#${index}`) as JobRecord;
      if (node.status === "STARTING") this.startRunning(store, node);
    }
  }

  /**
   * When the main node's attempt ends, the other nodes stop and the job ends as the main node did. Nodes whose
   * own attempts end in the same instant end first, with their own outcomes: the event comes after theirs.
   */
  private nodeEnded(store: BatchStore, node: JobRecord, outcome: JobOutcome, statusReason: string): void {
    const parent = this.parentOf(store, node);
    const properties = parent?.spec.nodeProperties;
    if (!parent || !properties || node.index !== properties.mainNode || parent.status !== "RUNNING") return;
    this.schedule(0, { type: "main-node-ends", partition: store.partition, jobId: parent.jobId, token: parent.attemptToken, status: node.status, outcome, statusReason });
  }

  /** Stops the nodes still going; one that was running keeps its attempt, ended with `exitCode`. */
  private stopNodes(store: BatchStore, parent: JobRecord, status: JobStatus, reason: string, exitCode: number | null): void {
    for (const node of this.childrenOf(store, parent)) {
      if (isTerminal(node.status)) continue;
      if (node.status === "RUNNING") this.closeAttempt(node, { exitCode }, reason);
      else node.attemptToken++;
      this.transition(store, node, status, reason);
    }
  }

  /** Ends the running attempt with an outcome; the retry strategy decides what follows. */
  endAttempt(store: BatchStore, job: JobRecord, outcome: JobOutcome, statusReason = isStartFailure(outcome) ? TASK_FAILED_TO_START : CONTAINER_EXITED, retryable = true): void {
    if (job.kind === "node") {
      this.endNodeAttempt(store, job, outcome, statusReason);
      return;
    }
    const exitCode = this.closeAttempt(job, outcome, statusReason);
    if (exitCode === 0 && statusReason === CONTAINER_EXITED) {
      this.transition(store, job, "SUCCEEDED", statusReason);
    } else if (retryable && this.shouldRetry(job, exitCode, outcome.reason, statusReason)) {
      this.release(store, job);
      this.transition(store, job, "RUNNABLE", statusReason);
    } else {
      this.transition(store, job, "FAILED", statusReason);
    }
  }

  private endNodeAttempt(store: BatchStore, node: JobRecord, outcome: JobOutcome, statusReason: string): void {
    const exitCode = this.closeAttempt(node, outcome, statusReason);
    this.transition(store, node, exitCode === 0 && statusReason === CONTAINER_EXITED ? "SUCCEEDED" : "FAILED", statusReason);
    this.nodeEnded(store, node, outcome, statusReason);
  }

  /** Records the attempt's outcome on the job and in its attempts, and retires its token; returns the exit code. */
  private closeAttempt(job: JobRecord, outcome: JobOutcome, statusReason: string): number | undefined {
    const exitCode = exitCodeOf(outcome);
    // An attempt that ends before it ran (its task failed to start) has no start time of its own.
    const startedAt = job.status === "STARTING" ? undefined : job.startedAt;
    job.exitCode = exitCode;
    job.containerReason = outcome.reason;
    addAttempt(job, {
      taskToken: job.taskToken,
      taskComputeEnvironment: job.taskComputeEnvironment,
      exitCode,
      reason: outcome.reason,
      startedAt,
      stoppedAt: this.now(),
      statusReason,
    });
    job.attemptToken++;
    return exitCode;
  }

  /** evaluateOnExit: the first matching entry decides; with no match, retry while attempts remain. */
  private shouldRetry(job: JobRecord, exitCode: number | undefined, reason: string | undefined, statusReason: string): boolean {
    if (job.attempts.length >= job.spec.maxAttempts) return false;
    for (const rule of job.spec.retryStrategy?.evaluateOnExit ?? []) {
      const fits =
        (rule.onExitCode === undefined || (exitCode !== undefined && globMatches(rule.onExitCode, String(exitCode)))) &&
        (rule.onReason === undefined || globMatches(rule.onReason, reason ?? "")) &&
        (rule.onStatusReason === undefined || globMatches(rule.onStatusReason, statusReason));
      if (fits) return rule.action?.toUpperCase() === "RETRY";
    }
    return true;
  }

  private release(store: BatchStore, job: JobRecord): void {
    if (job.computeEnvironment === undefined || job.kind === "node") return;
    this.scheduler.release(store, job);
    job.computeEnvironment = undefined;
  }

  // ---- Cancel, terminate, complete ----

  /**
   * CancelJob: jobs not yet STARTING fail with the reason; STARTING and RUNNING jobs are left alone. A PENDING
   * job still waiting for a dependency is marked cancelled and fails once its dependencies finish (reference §3.7).
   */
  cancel(store: BatchStore, job: JobRecord, reason: string): void {
    if (isTerminal(job.status) || job.status === "STARTING" || job.status === "RUNNING") return;
    if (job.status === "PENDING" && job.unfinishedDependencies > 0 && !job.dependencyFailed) {
      job.isCancelled = true;
      job.cancelReason ??= reason;
      return;
    }
    this.stop(store, job, reason, "cancel");
  }

  /** TerminateJob: running attempts are stopped and fail; earlier jobs are cancelled. Never retried. */
  terminate(store: BatchStore, job: JobRecord, reason: string): void {
    if (isTerminal(job.status)) return;
    this.stop(store, job, reason, "terminate");
  }

  private stop(store: BatchStore, job: JobRecord, reason: string, how: "cancel" | "terminate"): void {
    if (how === "cancel") job.isCancelled = true;
    else job.isTerminated = true;
    if (job.kind === "array-parent" && job.statusSummary !== undefined) {
      for (const child of this.childrenOf(store, job)) {
        if (how === "cancel") this.cancel(store, child, reason);
        else this.terminate(store, child, reason);
      }
      return;
    }
    if (job.status === "RUNNING" && job.kind === "multinode-parent") {
      this.stopNodes(store, job, "FAILED", reason, TERMINATED_EXIT_CODE);
      this.endAttempt(store, job, { exitCode: 143 }, reason, false);
    } else if (job.status === "RUNNING") {
      this.endAttempt(store, job, { exitCode: 143 }, reason, false);
    } else if (job.status === "STARTING") {
      job.attemptToken++;
      this.transition(store, job, "FAILED", reason);
    } else {
      this.transition(store, job, "FAILED", reason);
    }
  }

  /**
   * The hosts under the attempts STARTING or RUNNING on a compute environment are gone (a Spot reclaim, a lost
   * instance): each attempt ends with `Host EC2 (instance i-…) terminated.` and no exit code, and the retry
   * strategy decides what follows. Only the jobs named, when `jobIds` is given. Returns the jobs it ended.
   */
  interruptHost(store: BatchStore, computeEnvironment: string, jobIds?: ReadonlySet<string>): JobRecord[] {
    const hit: JobRecord[] = [];
    for (const [job] of store.jobs.inFlight.after()) {
      if (job.computeEnvironment === computeEnvironment && (jobIds === undefined || jobIds.has(job.jobId))) hit.push(job);
    }
    for (const job of hit) this.hostLost(store, job);
    this.scheduler.wake();
    return hit;
  }

  /** The host under a STARTING or RUNNING attempt is gone: the attempt ends with no exit code. */
  private hostLost(store: BatchStore, job: JobRecord): void {
    if (job.status !== "STARTING" && job.status !== "RUNNING") return;
    store.jobs.views.changed();
    if (job.status === "STARTING") takeTask(job);
    const reason = `Host EC2 (instance ${instanceIdOf(job)}) terminated.`;
    if (job.kind === "multinode-parent" && job.status === "RUNNING") this.stopNodes(store, job, "FAILED", reason, null);
    this.endAttempt(store, job, { exitCode: null }, reason);
  }

  /** Ends a running (or starting) attempt now, with the outcome given. */
  complete(store: BatchStore, job: JobRecord, outcome: JobOutcome): void {
    store.jobs.views.changed();
    if (job.status === "STARTING") this.startRunning(store, job);
    if (job.status !== "RUNNING") throw new Error(`complete(): job ${job.jobId} is ${job.status}, not RUNNING`);
    for (const line of logLines(outcome)) this.writeLog(store, job, line.message);
    this.endAttempt(store, job, outcome);
  }

  private terminateQueueJobs(store: BatchStore, queueName: string): void {
    for (const job of [...store.jobs.createdIn(queueName)]) {
      if (store.jobs.isLive(job)) this.terminate(store, job, "Job queue deleted");
    }
  }

  // ---- The clock ----

  /** Runs everything due at the current instant, including outcome functions that return promises. */
  async settle(): Promise<void> {
    for (;;) {
      this.settleNow();
      if (this.waiting.size === 0) return;
      await Promise.all([...this.waiting]);
    }
  }

  /**
   * Runs what is due now without waiting; true when that settled everything. Only when an outcome
   * function's promise is pending must the caller `await settle()`, so most calls need no extra turn.
   */
  settleSync(): boolean {
    this.settleNow();
    return this.waiting.size === 0;
  }

  /** Counts the settles that ran something: a journal records a read whose settle changed the state. */
  settledChanges = 0;

  private settleNow(): void {
    const now = this.clock.now();
    this.instant = now;
    let ran = false;
    try {
      for (;;) {
        const event = this.timeline.popDue(now);
        if (event) {
          ran = true;
          this.apply(event.payload);
          continue;
        }
        if (!this.scheduler.pending) return;
        this.scheduler.pending = false;
        for (const store of this.partitions.all()) {
          // A pass over a partition with nothing waiting to be placed would change nothing.
          if (!store.jobs.hasRunnableJobs() && store.serviceJobs.size === 0) continue;
          ran = true;
          this.scheduler.run(store);
          if (store.serviceJobs.size > 0) this.serviceJobs.place(store);
        }
      }
    } finally {
      this.instant = undefined;
      if (ran) {
        this.settledChanges++;
        this.jobsChanged();
      }
      if (this.options.executor && this.clock.kind === "real" && !this.closed) this.armWakeTimer();
    }
  }

  /** Kept views of jobs must be checked against their jobs again (see `JobViews.changed`). */
  private jobsChanged(): void {
    for (const store of this.partitions.all()) store.jobs.views.changed();
  }

  private apply(event: EngineEvent): void {
    if (event.type === "resource-settles") {
      this.settleResource(event);
      this.scheduler.wake();
      return;
    }
    const store = this.partitions.get(event.partition);
    if (event.type === "queue-time-limit") {
      this.scheduler.wake();
      return;
    }
    if (event.type === "service-job-advances" || event.type === "service-job-ends" || event.type === "service-job-times-out") {
      this.applyToServiceJob(store, event);
      return;
    }
    if (event.type === "jobs-expire") {
      this.expireDue(store);
      return;
    }
    const job = store.jobs.get(event.jobId);
    if (!job) return;
    switch (event.type) {
      case "job-advances":
        if (job.attemptToken === event.token) this.advance(store, job, event.from);
        break;
      case "attempt-ends":
        if (job.attemptToken === event.token && job.status === "RUNNING") this.endAttempt(store, job, event.outcome);
        break;
      case "attempt-logs":
        if (job.attemptToken !== event.token || job.status !== "RUNNING") break;
        for (const message of event.messages) this.writeLog(store, job, message, event.timestamp);
        break;
      case "attempt-times-out":
        if (job.attemptToken !== event.token || job.status !== "RUNNING") break;
        if (job.kind === "multinode-parent") this.stopNodes(store, job, "FAILED", TIMEOUT_REASON, 137);
        this.endAttempt(store, job, { exitCode: 137 }, TIMEOUT_REASON, false);
        break;
      case "main-node-ends":
        if (job.attemptToken !== event.token || job.status !== "RUNNING") break;
        this.stopNodes(store, job, event.status, event.statusReason, TERMINATED_EXIT_CODE);
        this.endAttempt(store, job, event.outcome);
        break;
    }
  }

  private applyToServiceJob(store: BatchStore, event: Extract<EngineEvent, { type: `service-job-${string}` }>): void {
    const job = store.serviceJobs.get(event.jobId);
    if (!job || !this.serviceJobs.current(job, event.token)) return;
    if (event.type === "service-job-advances") this.serviceJobs.advance(store, job, event.from);
    else if (job.detail.status !== "RUNNING") return;
    else if (event.type === "service-job-ends") this.serviceJobs.end(store, job, event.outcome);
    else this.serviceJobs.end(store, job, { exitCode: 1 }, TIMEOUT_REASON, false);
  }

  private expire(store: BatchStore, job: JobRecord): void {
    // A parent's children and nodes expire with it; the parent goes last, as its listings go with it.
    if (job.kind === "array-parent" || job.kind === "multinode-parent") {
      for (const child of this.childrenOf(store, job)) {
        deleteJobLogs(store.logs, child);
        store.jobs.remove(child);
      }
    }
    deleteJobLogs(store.logs, job);
    store.jobs.remove(job);
  }

  // ---- What an attempt sees ----

  attemptView(store: BatchStore, job: JobRecord): AttemptView {
    const spec = job.spec;
    const environment: Record<string, string> = {};
    const pod = spec.eksProperties?.podProperties?.containers?.[0];
    for (const variable of spec.container?.environment ?? pod?.env ?? []) if (variable.name) environment[variable.name] = variable.value ?? "";
    environment.AWS_BATCH_JOB_ID = job.jobId;
    environment.AWS_BATCH_JQ_NAME = spec.queueName;
    environment.AWS_BATCH_CE_NAME = job.computeEnvironment ?? "";
    environment.AWS_BATCH_JOB_ATTEMPT = String(job.attempts.length + 1);
    if (job.kind === "array-child") {
      environment.AWS_BATCH_JOB_ARRAY_INDEX = String(job.index);
      environment.AWS_BATCH_JOB_ARRAY_SIZE = String(spec.arraySize);
    }
    const parent = this.parentOf(store, job);
    const nodeProperties = spec.nodeProperties;
    if (job.kind === "node" && nodeProperties) {
      environment.AWS_BATCH_JOB_NODE_INDEX = String(job.index);
      environment.AWS_BATCH_JOB_NUM_NODES = String(nodeProperties.numNodes);
      environment.AWS_BATCH_JOB_MAIN_NODE_INDEX = String(nodeProperties.mainNode);
      if (job.index !== nodeProperties.mainNode) environment.AWS_BATCH_JOB_MAIN_NODE_PRIVATE_IPV4_ADDRESS = `10.0.0.${(nodeProperties.mainNode ?? 0) + 10}`;
    }
    const tags = (job.kind === "array-child" || job.kind === "node" ? parent?.tags : job.tags) ?? {};
    return {
      jobId: job.jobId,
      jobName: job.jobName,
      jobQueue: spec.queueName,
      jobQueueArn: spec.jobQueueArn,
      jobDefinition: spec.jobDefinitionName,
      jobDefinitionArn: spec.jobDefinitionArn,
      attempt: job.attempts.length + 1,
      arrayIndex: job.kind === "array-child" ? job.index : undefined,
      nodeIndex: job.kind === "node" ? job.index : undefined,
      computeEnvironment: job.computeEnvironment ?? "",
      // An EKS job's command is its first container's: the command, then its arguments.
      command: spec.container ? [...(spec.container.command ?? [])] : [...(pod?.command ?? []), ...(pod?.args ?? [])],
      environment,
      parameters: { ...spec.parameters },
      tags: { ...tags },
      vcpus: spec.vcpus,
      memory: spec.memory,
    };
  }
}

/** A node's spec: the job's, with the container (overrides applied) and the vCPUs and memory of the node's range. */
function nodeSpec(spec: JobSpec, index: number): JobSpec {
  const range = spec.nodeContainers?.find((candidate) => index >= candidate.from && index <= candidate.to);
  return range ? { ...spec, container: range.container, vcpus: range.vcpus, memory: range.memory } : spec;
}



/** A finished job leaves the store this long after it stopped. */
function expiresAt(job: JobRecord, retentionMs: number): number {
  return (job.stoppedAt as number) + retentionMs;
}

/** New jobs share one frozen empty attempts list, so the first attempt makes the job's own list. */
function addAttempt(job: JobRecord, attempt: AttemptRecord): void {
  if (job.attempts.length === 0) job.attempts = [attempt];
  else job.attempts.push(attempt);
}



export function isTransient(status: string | undefined): boolean {
  return status === "CREATING" || status === "UPDATING" || status === "DELETING";
}

/** The attempt gets its ECS task: its ARN and log stream derive from the attempt's token and environment. */
function takeTask(job: JobRecord): void {
  job.taskToken = job.attemptToken;
  job.taskComputeEnvironment = job.computeEnvironment;
}

/** What the executor needs of an attempt: the resolved command and environment, memory and mounts. */
function attemptLaunch(job: JobRecord, view: AttemptView): AttemptLaunch {
  const container = job.spec.container;
  const memory = container?.resourceRequirements?.find((requirement) => requirement.type === "MEMORY")?.value ?? container?.memory ?? view.memory;
  return {
    jobId: view.jobId,
    attempt: view.attempt,
    command: view.command,
    environment: view.environment,
    memoryMiB: Number(memory) || 0,
    volumes: container?.volumes ?? [],
    mountPoints: container?.mountPoints ?? [],
  };
}
