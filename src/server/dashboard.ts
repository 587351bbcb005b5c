import type { JobStatus } from "@aws-sdk/client-batch";
import type { BatchService } from "../service";
import { isTerminal, taskOf, type AttemptRecord, type JobRecord, type JobSpec } from "../state/job-record";
import { Heap } from "../state/heap";
import { jobLogLineCount } from "../state/job-logs";
import { capacityOf, inOrder } from "../state/scheduler";
import type { BatchStore } from "../state/store";
import { DASHBOARD_HTML } from "./dashboard-page";

/**
 * The live dashboard: `GET /_parlel/dashboard` serves one self-contained page, which polls
 * `GET /_parlel/state` (this module's `dashboardState`) about once a second.
 *
 * The state is polled, so its cost must not grow with history: one pass over the jobs counts them and
 * keeps only the newest few (bounded heaps), and every list in the answer has a cap (DASHBOARD_LIMITS).
 */

/** The most of each list one answer holds. */
export const DASHBOARD_LIMITS = {
  /** Top-level jobs (single, array and multi-node), newest first. */
  recentJobs: 200,
  /** Array jobs with a progress bar, newest first. */
  arrayJobs: 20,
  /** Children per array job listed in full: failed first, then running, then the rest. */
  childrenPerArray: 16,
  /** Attempts on the timeline: those that ended last (running ones count as ending now). */
  timelineAttempts: 500,
  /** RUNNABLE jobs on the timeline's waiting lane: those that have waited longest. */
  waitingJobs: 100,
} as const;

export type StatusCounts = Record<JobStatus, number>;

export interface DashboardState {
  /** The fake's clock, in epoch milliseconds: virtual time on the manual clock. */
  now: number;
  clock: "real" | "manual";
  limits: typeof DASHBOARD_LIMITS;
  counts: {
    /** Top-level jobs, as ListJobs on their queues shows them: an array job counts once. */
    jobs: StatusCounts;
    /** The children of array jobs. */
    arrayChildren: StatusCounts;
  };
  partitions: PartitionView[];
  /** Newest first. */
  jobs: JobView[];
  /** Newest first. */
  arrays: ArrayView[];
  timeline: TimelineView;
}

export interface PartitionView {
  accountId: string;
  region: string;
  jobQueues: JobQueueView[];
  computeEnvironments: ComputeEnvironmentView[];
}

export interface JobQueueView {
  name: string;
  state?: string;
  status?: string;
  statusReason?: string;
  priority?: number;
  /** Names, in the queue's `order`. */
  computeEnvironments: string[];
  schedulingPolicy?: string;
  /** Jobs the scheduler places (single jobs, array children, multi-node jobs) by status. */
  counts: Partial<StatusCounts>;
}

export interface ComputeEnvironmentView {
  name: string;
  /** MANAGED or UNMANAGED. */
  type?: string;
  /** EC2, SPOT, FARGATE or FARGATE_SPOT, for MANAGED ones. */
  computeType?: string;
  state?: string;
  status?: string;
  statusReason?: string;
  /** null when unbounded (an UNMANAGED environment without unmanagedvCpus). */
  maxvCpus: number | null;
  /** Taken by STARTING and RUNNING jobs. */
  vcpusInUse: number;
}

export interface JobView {
  jobId: string;
  jobName: string;
  kind: JobRecord["kind"];
  /** `<accountId>/<region>`. */
  partition: string;
  jobQueue: string;
  jobDefinition: string;
  status: JobStatus;
  statusReason?: string;
  createdAt: number;
  startedAt?: number;
  stoppedAt?: number;
  /** When the job entered its current status. */
  statusSince: number;
  exitCode?: number;
  /** The container's reason, for example OutOfMemoryError. */
  reason?: string;
  /** The resolved command (overrides applied, `Ref::` parameters substituted). */
  command?: string[];
  attempts: AttemptView[];
  history: HistoryEntry[];
  /** How many log lines the attempts wrote; the page reads them from GET /_parlel/jobs/<id>/logs. */
  logLines: number;
  arraySize?: number;
  arrayIndex?: number;
  parentId?: string;
  numNodes?: number;
  dependsOn?: string[];
  isCancelled?: boolean;
  isTerminated?: boolean;
}

/** What a child shares with its array job (name, queue, definition, command) is left out: the page takes it from the parent. */
export type ChildView = Omit<JobView, SharedWithParent>;
type SharedWithParent = "jobName" | "kind" | "partition" | "jobQueue" | "jobDefinition" | "command" | "dependsOn";

export interface AttemptView {
  /** 1 for the first attempt. */
  number: number;
  /** Where the attempt ran, read from its task ARN. */
  computeEnvironment?: string;
  startedAt?: number;
  stoppedAt?: number;
  exitCode?: number;
  reason?: string;
  statusReason?: string;
  logStreamName?: string;
}

/**
 * A status and when the job entered it. The engine keeps timestamps, not a log of transitions, so the
 * history is rebuilt from them: creation, each attempt's start and end, a retry's return to RUNNABLE,
 * the final status, and the current status since it began. A PENDING, RUNNABLE or STARTING phase that
 * has already passed (before an attempt started) kept no timestamp, so it is not listed.
 */
export interface HistoryEntry {
  status: JobStatus;
  at: number;
  note?: string;
}

/** An array job: its own view, and its children's progress. */
export interface ArrayView extends JobView {
  size: number;
  /** SUCCEEDED plus FAILED children. */
  finished: number;
  counts: Partial<StatusCounts>;
  /** At most `childrenPerArray`, in index order. */
  children: ChildView[];
}

export interface TimelineView {
  /** Earliest instant a bar begins at (its waiting segment included), or `now` when there are none. */
  from: number;
  to: number;
  lanes: LaneView[];
  bars: BarView[];
  /** True when attempts or waiting jobs were left out to stay within the limits. */
  truncated: boolean;
}

export interface LaneView {
  /** `<accountId>/<region>/<name>`, or WAITING_LANE. */
  key: string;
  name: string;
  partition: string;
  computeType?: string;
  maxvCpus: number | null;
}

export const WAITING_LANE = "waiting";

export interface BarView {
  jobId: string;
  jobName: string;
  lane: string;
  attempt: number;
  /** When the job began to wait for this attempt: its creation for the first, the previous attempt's end for a retry. */
  waitingSince: number;
  /** Undefined while the job still waits to be placed. */
  startedAt?: number;
  /** Undefined while the attempt runs. */
  stoppedAt?: number;
  outcome: "succeeded" | "failed" | "running" | "starting" | "waiting";
  exitCode?: number;
}

/** What the dashboard shows, as JSON. Bounded by DASHBOARD_LIMITS and computed in one pass over the jobs. */
export function dashboardState(service: BatchService): DashboardState {
  const now = service.clock.now();
  const counts = { jobs: zeroCounts(), arrayChildren: zeroCounts() };
  const recent = new Greatest<Located>(DASHBOARD_LIMITS.recentJobs);
  const arrays = new Greatest<Located>(DASHBOARD_LIMITS.arrayJobs);
  const timeline = new TimelineSelection(now);
  const partitions: PartitionView[] = [];
  const lanes = new Map<string, LaneView>();
  for (const store of service.partitions.all()) {
    // Every figure comes from a kept count or index: the state is polled, and must not walk every job.
    const kept = store.jobs.statusCounts;
    addCounts(counts.jobs, kept.topLevel);
    addCounts(counts.arrayChildren, kept.arrayChildren);
    for (const queueName of store.jobs.queuesWithJobs()) {
      for (const job of store.jobs.newestCreatedIn(queueName, DASHBOARD_LIMITS.recentJobs)) {
        if (recent.accepts(job.createdAt, job.sequence)) recent.add(job.createdAt, job.sequence, { store, job });
      }
    }
    for (const queueName of store.jobs.queuesWithRunnableJobs()) {
      let waiting = 0;
      for (const job of store.jobs.runnableIn(queueName).values()) {
        if (++waiting > DASHBOARD_LIMITS.waitingJobs) break;
        timeline.offerWaiting(store, job);
      }
    }
    let arrayCount = 0;
    for (const [job] of store.jobs.arrayParents.before()) {
      if (++arrayCount > DASHBOARD_LIMITS.arrayJobs) break;
      if (arrays.accepts(job.createdAt, job.sequence)) arrays.add(job.createdAt, job.sequence, { store, job });
    }
    for (const [job] of store.jobs.inFlight.after()) timeline.offerRunning(store, job);
    for (const { job, index } of store.jobs.endedAttempts.values()) timeline.offerAttempt(store, job, index);
    if (store.jobs.endedAttempts.overwritten > 0) timeline.truncated = true;
    const view = partitionView(store, kept.placedByQueue);
    if (view.jobQueues.length === 0 && view.computeEnvironments.length === 0 && store.jobs.size === 0) continue;
    partitions.push(view);
    for (const environment of view.computeEnvironments) {
      const key = laneKey(store, environment.name);
      lanes.set(key, { key, name: environment.name, partition: partitionName(store), computeType: environment.computeType ?? environment.type, maxvCpus: environment.maxvCpus });
    }
  }
  return {
    now,
    clock: service.clock.kind,
    limits: DASHBOARD_LIMITS,
    counts,
    partitions,
    jobs: recent.values().map(({ store, job }) => jobView(store, job)),
    arrays: arrays.values().map(({ store, job }) => arrayView(store, job)),
    timeline: timeline.view(lanes),
  };
}

function addCounts(into: StatusCounts, counts: Partial<StatusCounts>): void {
  for (const [status, count] of Object.entries(counts) as [JobStatus, number][]) into[status] += count;
}

export function dashboardPage(): string {
  return DASHBOARD_HTML;
}

// ---- Resources ----

function partitionView(store: BatchStore, queueCounts: ReadonlyMap<string, Partial<StatusCounts>>): PartitionView {
  const jobQueues: JobQueueView[] = [...store.jobQueues.values()].map(({ name, detail }) => ({
    name,
    state: detail.state,
    status: detail.status,
    statusReason: detail.statusReason,
    priority: detail.priority,
    computeEnvironments: inOrder(detail.computeEnvironmentOrder ?? []).map((entry) => lastSegment(entry.computeEnvironment ?? "", "compute-environment/")),
    schedulingPolicy: detail.schedulingPolicyArn ? lastSegment(detail.schedulingPolicyArn, "scheduling-policy/") : undefined,
    counts: { ...queueCounts.get(name) },
  }));
  const computeEnvironments: ComputeEnvironmentView[] = [...store.computeEnvironments.values()].map((record) => {
    const capacity = capacityOf(record);
    return {
      name: record.name,
      type: record.detail.type,
      computeType: record.detail.computeResources?.type,
      state: record.detail.state,
      status: record.detail.status,
      statusReason: record.detail.statusReason,
      maxvCpus: Number.isFinite(capacity) ? capacity : null,
      vcpusInUse: Math.max(0, store.usedVcpus.get(record.name) ?? 0),
    };
  });
  return { accountId: store.partition.accountId, region: store.partition.region, jobQueues, computeEnvironments };
}

// ---- Jobs ----

interface Located {
  store: BatchStore;
  job: JobRecord;
}

function jobView(store: BatchStore, job: JobRecord): JobView {
  const spec = job.spec;
  return {
    jobId: job.jobId,
    jobName: job.jobName,
    kind: job.kind,
    partition: partitionName(store),
    jobQueue: spec.queueName,
    jobDefinition: lastSegment(spec.jobDefinitionArn, "job-definition/"),
    status: job.status,
    statusReason: job.statusReason,
    createdAt: job.createdAt,
    startedAt: job.startedAt,
    stoppedAt: job.stoppedAt,
    statusSince: job.statusSince,
    exitCode: job.exitCode,
    reason: job.containerReason,
    command: commandOf(spec),
    attempts: job.attempts.map((attempt, i) => attemptView(store, job, attempt, i)),
    history: statusHistory(job),
    logLines: jobLogLineCount(job),
    arraySize: job.kind === "array-parent" ? spec.arraySize : undefined,
    arrayIndex: job.kind === "array-child" ? job.index : undefined,
    parentId: job.parentId,
    numNodes: spec.nodeProperties?.numNodes,
    dependsOn: job.kind === "array-child" ? undefined : spec.dependsOn.map((d) => d.jobId).filter((id): id is string => id !== undefined),
    isCancelled: job.isCancelled,
    isTerminated: job.isTerminated,
  };
}

function childView(store: BatchStore, child: JobRecord): ChildView {
  const { jobName, kind, partition, jobQueue, jobDefinition, command, dependsOn, ...own } = jobView(store, child);
  return own;
}

function attemptView(store: BatchStore, job: JobRecord, attempt: AttemptRecord, index: number): AttemptView {
  return {
    number: index + 1,
    computeEnvironment: computeEnvironmentOfAttempt(store, job, attempt),
    startedAt: attempt.startedAt,
    stoppedAt: attempt.stoppedAt,
    exitCode: attempt.exitCode,
    reason: attempt.reason,
    statusReason: attempt.statusReason,
    logStreamName: taskOf(job, attempt.taskToken, attempt.taskComputeEnvironment).logStreamName,
  };
}

/** See HistoryEntry: the transitions whose instants the job record keeps. */
function statusHistory(job: JobRecord): HistoryEntry[] {
  const history: HistoryEntry[] = [{ status: job.kind === "array-child" ? "PENDING" : "SUBMITTED", at: job.createdAt }];
  const last = job.attempts.length - 1;
  job.attempts.forEach((attempt, i) => {
    const number = i + 1;
    if (attempt.startedAt !== undefined) history.push({ status: "RUNNING", at: attempt.startedAt, note: `attempt ${number}` });
    if (attempt.stoppedAt === undefined) return;
    const exit = `attempt ${number} exited with code ${attempt.exitCode}`;
    const final = i === last && isTerminal(job.status) && job.stoppedAt === attempt.stoppedAt;
    history.push(final ? { status: job.status, at: attempt.stoppedAt, note: `${exit}: ${job.statusReason ?? ""}`.replace(/: $/, "") } : { status: "RUNNABLE", at: attempt.stoppedAt, note: `${exit}; retrying` });
  });
  const latest = history[history.length - 1];
  if (job.status === "RUNNING") {
    history.push({ status: "RUNNING", at: job.startedAt ?? job.statusSince, note: `attempt ${job.attempts.length + 1}` });
  } else if (isTerminal(job.status)) {
    // Ended without (or after) its attempts: cancelled, terminated, a failed dependency, an array's last child.
    if (latest.status !== job.status) history.push({ status: job.status, at: job.stoppedAt ?? job.statusSince, note: job.statusReason });
  } else if (latest.status !== job.status || latest.at !== job.statusSince) {
    history.push({ status: job.status, at: job.statusSince, note: job.statusReason });
  }
  return history;
}

function arrayView(store: BatchStore, parent: JobRecord): ArrayView {
  const summary = parent.statusSummary ?? {};
  return {
    ...jobView(store, parent),
    size: parent.spec.arraySize ?? 0,
    finished: (summary.SUCCEEDED ?? 0) + (summary.FAILED ?? 0),
    counts: { ...summary },
    children: notableChildren(store, parent).map((child) => childView(store, child)),
  };
}

/** The order in which children are worth a look: what failed, then what runs, then the rest. */
const CHILD_ORDER: JobStatus[] = ["FAILED", "RUNNING", "STARTING", "RUNNABLE", "SUCCEEDED", "PENDING", "SUBMITTED"];

/** Up to `childrenPerArray` children, read from the per-status listings so the cost is the page, not the array. */
function notableChildren(store: BatchStore, parent: JobRecord): JobRecord[] {
  const chosen: JobRecord[] = [];
  const summary = parent.statusSummary ?? {};
  for (const status of CHILD_ORDER) {
    // Only statuses some child is in: asking the index for others would create empty listings.
    if (!summary[status]) continue;
    for (const child of store.jobs.listing(`array:${parent.jobId}`, status).after()) {
      if (chosen.length >= DASHBOARD_LIMITS.childrenPerArray) break;
      chosen.push(child);
    }
  }
  return chosen.sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
}

/** The command of the job's container, or of its first ECS/EKS container, or of its main node. */
function commandOf(spec: JobSpec): string[] | undefined {
  if (spec.container?.command) return spec.container.command;
  const ecs = spec.ecsProperties?.taskProperties?.[0]?.containers?.find((c) => c.command)?.command;
  if (ecs) return ecs;
  const eks = spec.eksProperties?.podProperties?.containers?.find((c) => c.command);
  if (eks?.command) return [...eks.command, ...(eks.args ?? [])];
  const main = spec.nodeProperties?.mainNode ?? 0;
  const range = spec.nodeProperties?.nodeRangeProperties?.find((r) => (r.targetNodes ?? "").split(":")[0] === String(main)) ?? spec.nodeProperties?.nodeRangeProperties?.[0];
  return range?.container?.command;
}

// ---- Timeline ----

/**
 * Chooses the bars in one pass: the attempts that ended last (a running attempt ends "now"), and apart
 * from them the jobs that have waited longest to be placed, so a long queue cannot crowd out what runs.
 */
class TimelineSelection {
  private readonly attempts = new Greatest<{ store: BatchStore; job: JobRecord; attempt: number }>(DASHBOARD_LIMITS.timelineAttempts);
  private readonly waiting = new Greatest<{ store: BatchStore; job: JobRecord }>(DASHBOARD_LIMITS.waitingJobs);

  constructor(private readonly now: number) {}

  private readonly seen = new Set<string>();
  /** Set when older attempts exist than the partitions' recent-attempt rings keep. */
  truncated = false;

  /** An ended attempt of a job (the same attempt offered twice counts once). */
  offerAttempt(store: BatchStore, job: JobRecord, index: number): void {
    const attempt = job.attempts[index];
    if (attempt?.startedAt === undefined || !store.jobs.isLive(job)) return;
    const key = `${job.jobId}/${index}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    const end = attempt.stoppedAt ?? this.now;
    if (this.attempts.accepts(end, attempt.startedAt)) this.attempts.add(end, attempt.startedAt, { store, job, attempt: index });
  }

  /** A STARTING or RUNNING job: its current attempt ends "now". */
  offerRunning(store: BatchStore, job: JobRecord): void {
    const start = job.status === "RUNNING" ? (job.startedAt ?? job.statusSince) : job.statusSince;
    if (this.attempts.accepts(this.now, start)) this.attempts.add(this.now, start, { store, job, attempt: job.attempts.length });
  }

  /** A RUNNABLE job waiting to be placed. */
  offerWaiting(store: BatchStore, job: JobRecord): void {
    const since = waitingSince(job, job.attempts.length);
    if (this.waiting.accepts(-since, -job.sequence)) this.waiting.add(-since, -job.sequence, { store, job });
  }

  view(lanes: Map<string, LaneView>): TimelineView {
    const bars = [
      ...this.attempts.values().reverse().map(({ store, job, attempt }) => barOf(store, job, attempt)),
      ...this.waiting.values().map(({ job }) => ({ jobId: job.jobId, jobName: job.jobName, lane: WAITING_LANE, attempt: job.attempts.length + 1, waitingSince: waitingSince(job, job.attempts.length), outcome: "waiting" as const })),
    ];
    for (const bar of bars) {
      if (lanes.has(bar.lane)) continue;
      // An environment deleted since, or the jobs still waiting to be placed.
      const [accountId, region, ...name] = bar.lane.split("/");
      lanes.set(bar.lane, bar.lane === WAITING_LANE ? { key: WAITING_LANE, name: "Waiting for placement", partition: "", maxvCpus: null } : { key: bar.lane, name: name.join("/"), partition: `${accountId}/${region}`, maxvCpus: null });
    }
    const ordered = [...lanes.values()].sort((a, b) => Number(a.key === WAITING_LANE) - Number(b.key === WAITING_LANE));
    const from = bars.reduce((earliest, bar) => Math.min(earliest, bar.waitingSince), this.now);
    return { from, to: this.now, lanes: ordered, bars, truncated: this.truncated || this.attempts.dropped + this.waiting.dropped > 0 };
  }
}

/** Attempt `index` of a job (its current one when `index` is the number of attempts ended). */
function barOf(store: BatchStore, job: JobRecord, index: number): BarView {
  const common = { jobId: job.jobId, jobName: job.jobName, attempt: index + 1, waitingSince: waitingSince(job, index) };
  const attempt = job.attempts[index];
  if (attempt === undefined) {
    const running = job.status === "RUNNING";
    return { ...common, lane: laneKey(store, job.computeEnvironment ?? "unknown"), startedAt: running ? (job.startedAt ?? job.statusSince) : job.statusSince, outcome: running ? "running" : "starting" };
  }
  return {
    ...common,
    lane: laneKey(store, computeEnvironmentOfAttempt(store, job, attempt) ?? "unknown"),
    startedAt: attempt.startedAt,
    stoppedAt: attempt.stoppedAt,
    // Only a job's last attempt can succeed: Batch retries an attempt only after it fails.
    outcome: index === job.attempts.length - 1 && job.status === "SUCCEEDED" ? "succeeded" : "failed",
    exitCode: attempt.exitCode,
  };
}

/** An attempt waits from the job's creation (the first) or from the end of the attempt before (a retry). */
function waitingSince(job: JobRecord, index: number): number {
  return index === 0 ? job.createdAt : (job.attempts[index - 1]?.stoppedAt ?? job.createdAt);
}

function laneKey(store: BatchStore, computeEnvironment: string): string {
  return `${partitionName(store)}/${computeEnvironment}`;
}

/**
 * Where the attempt's task ran. A multi-node job's own attempts have no task: its nodes' do (the nodes of its
 * latest attempt are kept), and the main node's stands for them.
 */
function computeEnvironmentOfAttempt(store: BatchStore, job: JobRecord, attempt: AttemptRecord): string | undefined {
  if (attempt.taskToken !== undefined || job.kind !== "multinode-parent") return attempt.taskComputeEnvironment;
  return store.jobs.get(`${job.jobId}#${job.spec.nodeProperties?.mainNode ?? 0}`)?.taskComputeEnvironment;
}

// ---- Small helpers ----

function partitionName(store: BatchStore): string {
  return `${store.partition.accountId}/${store.partition.region}`;
}

function lastSegment(arnOrName: string, marker: string): string {
  const at = arnOrName.lastIndexOf(marker);
  return at < 0 ? arnOrName : arnOrName.slice(at + marker.length);
}

function zeroCounts(): StatusCounts {
  return { SUBMITTED: 0, PENDING: 0, RUNNABLE: 0, STARTING: 0, RUNNING: 0, SUCCEEDED: 0, FAILED: 0 };
}

/**
 * Keeps the `limit` entries with the greatest (key, tie), the least of them first in a heap. Callers ask
 * `accepts` before building an entry, so a long stream of jobs costs a comparison each, not an allocation.
 */
class Greatest<T> {
  private readonly heap = new Heap<Ranked<T>>();
  /** Entries pushed out or turned away. */
  dropped = 0;

  constructor(private readonly limit: number) {}

  accepts(key: number, tie: number): boolean {
    if (this.heap.size < this.limit) return true;
    this.dropped++;
    const leastKey = this.heap.firstPrimary() as number;
    return key > leastKey || (key === leastKey && tie > (this.heap.firstSecondary() as number));
  }

  /** Adds an entry `accepts` let in, pushing out the least when full. */
  add(key: number, tie: number, value: T): void {
    if (this.heap.size < this.limit) this.heap.push({ key, tie, value }, key, tie);
    else this.heap.replaceFirst({ key, tie, value }, key, tie);
  }

  /** Greatest first. */
  values(): T[] {
    return [...this.heap.unordered()].sort((a, b) => b.key - a.key || b.tie - a.tie).map((entry) => entry.value);
  }
}

interface Ranked<T> {
  key: number;
  tie: number;
  value: T;
}
