import type {
  AttemptDetail,
  ConsumableResourceProperties,
  ContainerDetail,
  EcsPropertiesDetail,
  EksPropertiesDetail,
  JobDependency,
  JobDetail,
  JobStatus,
  JobSummary,
  JobTimeout,
  NetworkInterface,
  NodeProperties,
  PlatformCapability,
  RetryStrategy,
} from "@aws-sdk/client-batch";
import type { JobListing, RunnableLine } from "./job-index";
import { hex8 } from "./ids";
import type { LogStream } from "./log-store";
import { copyData, keepView, type KeptView } from "./plain-data";

export type JobKind = "job" | "array-parent" | "array-child" | "multinode-parent" | "node";

/**
 * What a submission asked for, resolved against its job definition. Immutable after SubmitJob, and
 * shared by reference between an array parent and its children, so a 10,000-child array costs one spec.
 */
export interface JobSpec {
  readonly queueName: string;
  readonly jobQueueArn: string;
  readonly jobDefinitionArn: string;
  readonly jobDefinitionName: string;
  readonly parameters: Record<string, string>;
  /** The resolved container: definition plus overrides, with `Ref::` parameters substituted. */
  readonly container?: ContainerDetail;
  readonly ecsProperties?: EcsPropertiesDetail;
  readonly eksProperties?: EksPropertiesDetail;
  readonly nodeProperties?: NodeProperties;
  /** A multi-node job's nodes, in ranges of nodes that run the same resolved container (overrides applied). */
  readonly nodeContainers?: readonly NodeContainer[];
  readonly retryStrategy?: RetryStrategy;
  readonly timeout?: JobTimeout;
  readonly propagateTags?: boolean;
  readonly platformCapabilities?: PlatformCapability[];
  readonly shareIdentifier?: string;
  readonly schedulingPriority?: number;
  readonly consumableResourceProperties?: ConsumableResourceProperties;
  readonly dependsOn: JobDependency[];
  readonly arraySize?: number;
  /** The vCPUs one attempt takes from its compute environment. */
  readonly vcpus: number;
  readonly memory: number;
  /** How many attempts the retry strategy allows (1 to 10). */
  readonly maxAttempts: number;
  /** Set when the job is accepted but bound to fail before it runs (for example too many propagated tags). */
  readonly failureReason?: string;
}

/** Nodes `from` to `to` (inclusive) of a multi-node job run this container, each taking these vCPUs and memory. */
export interface NodeContainer {
  readonly from: number;
  readonly to: number;
  readonly container?: ContainerDetail;
  readonly vcpus: number;
  readonly memory: number;
}

/** A job's changing state. Plain data apart from the shared spec. */
export interface JobRecord {
  readonly sequence: number;
  readonly jobId: string;
  readonly jobArn: string;
  /** An array child's or a node's is its parent's. */
  readonly jobName: string;
  readonly spec: JobSpec;
  readonly kind: JobKind;
  /** The array parent or multi-node parent of a child. */
  readonly parentId?: string;
  /** The array index or node index of a child. */
  readonly index?: number;
  status: JobStatus;
  statusReason?: string;
  createdAt: number;
  startedAt?: number;
  stoppedAt?: number;
  /** When the job last entered its current status. */
  statusSince: number;
  attempts: AttemptRecord[];
  /** The running or last attempt's container outcome. */
  exitCode?: number;
  containerReason?: string;
  /**
   * The attempt token and compute environment of the last attempt that started running: its task ARN and log
   * stream are derived from them when a view is made (`taskOf`), not kept as strings.
   */
  taskToken?: number;
  taskComputeEnvironment?: string;
  isCancelled?: boolean;
  isTerminated?: boolean;
  /** Set when CancelJob reached a PENDING job still waiting for a dependency: it fails with this once they finish. */
  cancelReason?: string;
  tags?: Record<string, string>;
  /** Dependencies that have not yet succeeded. */
  unfinishedDependencies: number;
  /** Set when a dependency failed: the job fails instead of running. */
  dependencyFailed?: boolean;
  /** Jobs that wait on this one. */
  dependents?: string[];
  /** The compute environment an attempt is placed on, while STARTING or RUNNING. */
  computeEnvironment?: string;
  /** Counts attempts started; events carry it, so an event from an earlier attempt is ignored. */
  attemptToken: number;
  /** Parents only: children by status. */
  statusSummary?: Partial<Record<JobStatus, number>>;
  statusSummaryLastUpdatedAt?: number;
  /** The log stream of each attempt that ran, in order; the last is the current attempt's (see `job-logs.ts`). */
  logStreams?: LogStream[];
  /** Kept by JobViews: the job's Describe and List views while they match it. */
  views?: CachedViews;
  /** Kept by JobIndex: the listing (owner and status) the job is in, its neighbours there and its place in it. */
  listing?: JobListing;
  listingPrevious?: JobRecord;
  listingNext?: JobRecord;
  listingPosition: number;
  /** Kept by JobIndex: the queue's RUNNABLE line the job waits in, and its neighbours there. */
  runnableLine?: RunnableLine;
  runnablePrevious?: JobRecord;
  runnableNext?: JobRecord;
}

/** What a new job record is made from; everything else starts empty. */
export type NewJob = Pick<JobRecord, "sequence" | "jobId" | "jobArn" | "jobName" | "spec" | "kind" | "status" | "createdAt"> &
  Partial<Pick<JobRecord, "parentId" | "index" | "tags" | "computeEnvironment" | "attemptToken">>;

/** An ended attempt, as the job keeps it; DescribeJobs shows it as an `AttemptDetail` (see `attemptDetail`). */
export interface AttemptRecord {
  /** The task: undefined when the attempt ended before it ran. */
  readonly taskToken: number | undefined;
  readonly taskComputeEnvironment: string | undefined;
  /** Undefined when the container never exited (a host lost, a task that failed to start). */
  readonly exitCode: number | undefined;
  readonly reason: string | undefined;
  readonly startedAt: number | undefined;
  readonly stoppedAt: number;
  readonly statusReason: string;
}

/** No attempts yet. Shared by every new job, and frozen: the engine replaces it, never pushes onto it. */
export const NO_ATTEMPTS: AttemptRecord[] = Object.freeze([]) as unknown as AttemptRecord[];

/**
 * Makes a job record with every field present from the start, in one order, so that all records share
 * one shape: the engine's property reads stay fast, and a million records take no extra property storage.
 */
export function newJobRecord(init: NewJob): JobRecord {
  return {
    sequence: init.sequence,
    jobId: init.jobId,
    jobArn: init.jobArn,
    jobName: init.jobName,
    spec: init.spec,
    kind: init.kind,
    parentId: init.parentId,
    index: init.index,
    status: init.status,
    statusReason: undefined,
    createdAt: init.createdAt,
    startedAt: undefined,
    stoppedAt: undefined,
    statusSince: init.createdAt,
    attempts: NO_ATTEMPTS,
    exitCode: undefined,
    containerReason: undefined,
    taskToken: undefined,
    taskComputeEnvironment: undefined,
    isCancelled: undefined,
    isTerminated: undefined,
    cancelReason: undefined,
    tags: init.tags,
    unfinishedDependencies: 0,
    dependencyFailed: undefined,
    dependents: undefined,
    computeEnvironment: init.computeEnvironment,
    attemptToken: init.attemptToken ?? 0,
    statusSummary: undefined,
    statusSummaryLastUpdatedAt: undefined,
    logStreams: undefined,
    listing: undefined,
    listingPrevious: undefined,
    listingNext: undefined,
    listingPosition: 0,
    runnableLine: undefined,
    runnablePrevious: undefined,
    runnableNext: undefined,
    views: undefined,
  };
}

export const TERMINAL: ReadonlySet<JobStatus> = new Set<JobStatus>(["SUCCEEDED", "FAILED"]);

export function isTerminal(status: JobStatus): boolean {
  return status === "SUCCEEDED" || status === "FAILED";
}

/** The job as DescribeJobs shows it: a new object that shares nothing with the store. */
export function describeJob(job: JobRecord): JobDetail {
  const spec = job.spec;
  const detail: JobDetail = {
    jobArn: job.jobArn,
    jobName: job.jobName,
    jobId: job.jobId,
    jobQueue: spec.jobQueueArn,
    status: job.status,
    statusReason: job.statusReason,
    shareIdentifier: spec.shareIdentifier,
    schedulingPriority: spec.schedulingPriority,
    attempts: job.attempts.map((attempt) => attemptDetail(job, attempt)),
    createdAt: job.createdAt,
    retryStrategy: copyData(spec.retryStrategy),
    startedAt: job.startedAt as number,
    stoppedAt: job.stoppedAt,
    dependsOn: copyData(dependenciesOf(job)),
    jobDefinition: spec.jobDefinitionArn,
    parameters: copyData(spec.parameters),
    timeout: copyData(spec.timeout),
    tags: job.kind === "array-child" || job.kind === "node" ? undefined : copyData(job.tags ?? {}),
    propagateTags: spec.propagateTags,
    platformCapabilities: copyData(spec.platformCapabilities),
    ecsProperties: copyData(spec.ecsProperties),
    eksProperties: copyData(spec.eksProperties),
    consumableResourceProperties: copyData(spec.consumableResourceProperties),
    isCancelled: job.isCancelled ?? false,
    isTerminated: job.isTerminated ?? false,
  };
  if (spec.container) detail.container = containerOf(job, spec.container);
  if (job.kind === "array-parent") {
    detail.arrayProperties = { size: spec.arraySize, statusSummary: { ...job.statusSummary }, statusSummaryLastUpdatedAt: job.statusSummaryLastUpdatedAt };
  } else if (job.kind === "array-child") {
    detail.arrayProperties = { index: job.index };
  }
  if (spec.nodeProperties) {
    detail.nodeProperties = copyData(spec.nodeProperties);
    if (job.kind === "node") detail.nodeDetails = { nodeIndex: job.index, isMainNode: job.index === spec.nodeProperties.mainNode };
  }
  return detail;
}

/** The job as ListJobs shows it. */
export function summarizeJob(job: JobRecord): JobSummary {
  const summary: JobSummary = {
    jobArn: job.jobArn,
    jobId: job.jobId,
    jobName: job.jobName,
    createdAt: job.createdAt,
    status: job.status,
    statusReason: job.statusReason,
    startedAt: job.startedAt,
    stoppedAt: job.stoppedAt,
    jobDefinition: job.spec.jobDefinitionArn,
    shareIdentifier: job.spec.shareIdentifier,
  };
  if (job.exitCode !== undefined || job.containerReason !== undefined) summary.container = { exitCode: job.exitCode, reason: job.containerReason };
  if (job.kind === "array-parent") summary.arrayProperties = { size: job.spec.arraySize, statusSummary: { ...job.statusSummary }, statusSummaryLastUpdatedAt: job.statusSummaryLastUpdatedAt };
  if (job.kind === "array-child") summary.arrayProperties = { index: job.index };
  if (job.spec.nodeProperties) {
    summary.nodeProperties = { numNodes: job.spec.nodeProperties.numNodes, ...(job.kind === "node" ? { nodeIndex: job.index, isMainNode: job.index === job.spec.nodeProperties.mainNode } : {}) };
  }
  if (job.isCancelled) summary.isCancelled = true;
  if (job.isTerminated) summary.isTerminated = true;
  return summary;
}

function containerOf(job: JobRecord, specContainer: ContainerDetail): ContainerDetail {
  const container = copyData(specContainer);
  container.exitCode = job.exitCode;
  container.reason = job.containerReason;
  const task = taskOf(job, job.taskToken, job.taskComputeEnvironment);
  container.logStreamName = task.logStreamName;
  container.taskArn = task.taskArn;
  const host = hostOf(job, job.taskToken, job.taskComputeEnvironment);
  if (host.containerInstanceArn !== undefined) container.containerInstanceArn = host.containerInstanceArn;
  if (host.networkInterfaces !== undefined) container.networkInterfaces = host.networkInterfaces;
  return container;
}

function attemptDetail(job: JobRecord, attempt: AttemptRecord): AttemptDetail {
  return {
    container: {
      exitCode: attempt.exitCode,
      reason: attempt.reason,
      ...taskOf(job, attempt.taskToken, attempt.taskComputeEnvironment),
      ...hostOf(job, attempt.taskToken, attempt.taskComputeEnvironment),
    },
    startedAt: attempt.startedAt,
    stoppedAt: attempt.stoppedAt,
    statusReason: attempt.statusReason,
  };
}

/**
 * Where Batch's awslogs driver writes a job's output (reference §5): the group `/aws/batch/job` or the job
 * definition's `awslogs-group`, one stream per attempt named `<prefix>/default/<task id>`, where the prefix
 * is `awslogs-stream-prefix` or the job definition's name.
 */
export const DEFAULT_LOG_GROUP = "/aws/batch/job";

export function logGroupOf(spec: JobSpec): string {
  return awslogsOption(spec, "awslogs-group") ?? DEFAULT_LOG_GROUP;
}

export function logStreamPrefixOf(spec: JobSpec): string {
  return awslogsOption(spec, "awslogs-stream-prefix") ?? spec.jobDefinitionName;
}

function awslogsOption(spec: JobSpec, name: string): string | undefined {
  const value = spec.container?.logConfiguration?.options?.[name];
  return value === undefined || value === "" ? undefined : value;
}

const NO_TASK: { logStreamName?: string; taskArn?: string } = Object.freeze({ logStreamName: undefined, taskArn: undefined });

/**
 * An attempt's ECS task as Batch names it: the log stream `<prefix>/default/<task id>` (the prefix is the job
 * definition's `awslogs-stream-prefix`, or its name) and the ARN
 * `arn:<partition>:ecs:<region>:<account>:task/<compute environment>_Batch/<task id>`, in the job's partition.
 */
export function taskOf(job: JobRecord, taskToken: number | undefined, computeEnvironment: string | undefined): { logStreamName?: string; taskArn?: string } {
  if (taskToken === undefined) return NO_TASK;
  const taskId = taskIdOf(job.jobId, taskToken);
  // The job's ARN names its partition: arn:<partition>:batch:<region>:<account>:job/<id>.
  const [, partition, , region, account] = job.jobArn.split(":", 5);
  return {
    logStreamName: `${logStreamPrefixOf(job.spec)}/default/${taskId}`,
    taskArn: `arn:${partition}:ecs:${region}:${account}:task/${String(computeEnvironment)}_Batch/${taskId}`,
  };
}

/** The log stream an attempt's output goes to (the `logStreamName` of its container in DescribeJobs). */
export function logStreamNameOf(job: JobRecord, taskToken: number): string {
  return `${logStreamPrefixOf(job.spec)}/default/${taskIdOf(job.jobId, taskToken)}`;
}

/**
 * Where an attempt's task ran, as AWS shows it: the ECS container instance of an EC2 task
 * (`arn:<partition>:ecs:<region>:<account>:container-instance/<compute environment>_Batch/<id>`), and the elastic network
 * interface of a task in `awsvpc` mode (Fargate tasks and multi-node jobs' nodes). A node's private address is
 * the one its job's `AWS_BATCH_JOB_MAIN_NODE_PRIVATE_IPV4_ADDRESS` names for that node. EKS jobs have neither.
 * Derived from the job id and attempt token, like the task, so they cost nothing until shown.
 */
function hostOf(job: JobRecord, taskToken: number | undefined, computeEnvironment: string | undefined): { containerInstanceArn?: string; networkInterfaces?: NetworkInterface[] } {
  const spec = job.spec;
  if (taskToken === undefined || spec.eksProperties !== undefined) return NO_HOST;
  const [a, b, c, d] = hashesOf(`${job.jobId}/${taskToken}/host`);
  const fargate = spec.platformCapabilities?.includes("FARGATE") ?? false;
  const host: { containerInstanceArn?: string; networkInterfaces?: NetworkInterface[] } = {};
  if (!fargate) {
    const [, partition, , region, account] = job.jobArn.split(":", 5);
    host.containerInstanceArn = `arn:${partition}:ecs:${region}:${account}:container-instance/${String(computeEnvironment)}_Batch/${hex8(a) + hex8(b) + hex8(c) + hex8(d)}`;
  }
  if (fargate || job.kind === "node") {
    const address = job.kind === "node" ? `10.0.0.${(job.index ?? 0) + 10}` : `10.0.${(b >>> 8) & 255}.${(b & 253) + 1}`;
    const attachmentId = `${hex8(c)}-${hex8(d).slice(0, 4)}-4${hex8(d).slice(5, 8)}-${hex8(a ^ d).slice(0, 4)}-${hex8(b ^ c)}${hex8(a).slice(0, 4)}`;
    host.networkInterfaces = [{ attachmentId, privateIpv4Address: address }];
  }
  return host;
}

const NO_HOST: { containerInstanceArn?: string; networkInterfaces?: NetworkInterface[] } = Object.freeze({});

/**
 * Stable per job and attempt, and shaped like an ECS task id (32 hex characters): four FNV-1a hashes of
 * `<jobId>/<attemptToken>` from different offsets, taken in one pass.
 */
function taskIdOf(jobId: string, taskToken: number): string {
  const [a, b, c, d] = hashesOf(`${jobId}/${taskToken}`);
  return hex8(a) + hex8(b) + hex8(c) + hex8(d);
}

/** Four FNV-1a hashes of the text from different offsets, in one pass. */
function hashesOf(text: string): [number, number, number, number] {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  let c = 0x2c1b3c6d;
  let d = 0x297a2d39;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    a = Math.imul(a ^ code, 16777619);
    b = Math.imul(b ^ code, 16777619);
    c = Math.imul(c ^ code, 16777619);
    d = Math.imul(d ^ code, 16777619);
  }
  return [a, b, c, d];
}

function dependenciesOf(job: JobRecord): JobDependency[] {
  if (job.kind === "array-child" || job.kind === "node") return [];
  return job.spec.dependsOn;
}

/**
 * Everything DescribeJobs and ListJobs show of a job that can change after SubmitJob (the spec cannot),
 * as it was when the job's views were made. While it still matches, so do the views and their JSON.
 */
class VisibleState {
  private readonly status: JobStatus;
  private readonly statusReason: string | undefined;
  private readonly createdAt: number;
  private readonly startedAt: number | undefined;
  private readonly stoppedAt: number | undefined;
  private readonly attemptCount: number;
  private readonly lastAttempt: AttemptRecord | undefined;
  private readonly exitCode: number | undefined;
  private readonly containerReason: string | undefined;
  private readonly taskToken: number | undefined;
  private readonly isCancelled: boolean | undefined;
  private readonly isTerminated: boolean | undefined;
  private readonly tags: Record<string, string> | undefined;
  private readonly contents: unknown[] | undefined;

  constructor(job: JobRecord) {
    this.status = job.status;
    this.statusReason = job.statusReason;
    this.createdAt = job.createdAt;
    this.startedAt = job.startedAt;
    this.stoppedAt = job.stoppedAt;
    this.attemptCount = job.attempts.length;
    this.lastAttempt = job.attempts[job.attempts.length - 1];
    this.exitCode = job.exitCode;
    this.containerReason = job.containerReason;
    this.taskToken = job.taskToken;
    this.isCancelled = job.isCancelled;
    this.isTerminated = job.isTerminated;
    this.tags = job.tags;
    this.contents = contentsOf(job);
  }

  matches(job: JobRecord): boolean {
    return (
      Object.is(this.status, job.status) &&
      Object.is(this.statusReason, job.statusReason) &&
      Object.is(this.createdAt, job.createdAt) &&
      Object.is(this.startedAt, job.startedAt) &&
      Object.is(this.stoppedAt, job.stoppedAt) &&
      this.attemptCount === job.attempts.length &&
      this.lastAttempt === job.attempts[job.attempts.length - 1] &&
      Object.is(this.exitCode, job.exitCode) &&
      Object.is(this.containerReason, job.containerReason) &&
      // A new task always has a new token, and its compute environment is set with it.
      this.taskToken === job.taskToken &&
      Object.is(this.isCancelled, job.isCancelled) &&
      Object.is(this.isTerminated, job.isTerminated) &&
      this.tags === job.tags &&
      sameContents(this.contents, job)
    );
  }
}

/** Tags and a parent's counts of children are objects that could change in place: their contents count. */
function contentsOf(job: JobRecord): unknown[] | undefined {
  let contents: unknown[] | undefined;
  const tags = job.tags;
  if (tags) for (const key in tags) (contents ??= []).push(key, tags[key]);
  const summary = job.statusSummary;
  if (summary) {
    (contents ??= []).push(job.statusSummaryLastUpdatedAt);
    for (const key in summary) contents.push(key, summary[key as JobStatus]);
  }
  return contents;
}

/** Whether `contentsOf(job)` would equal `contents`, walked in the same order without building it. */
function sameContents(contents: readonly unknown[] | undefined, job: JobRecord): boolean {
  const length = contents?.length ?? 0;
  let i = 0;
  const tags = job.tags;
  if (tags) {
    for (const key in tags) {
      if (i + 1 >= length || contents![i] !== key || !Object.is(contents![i + 1], tags[key])) return false;
      i += 2;
    }
  }
  const summary = job.statusSummary;
  if (summary) {
    if (i >= length || !Object.is(contents![i], job.statusSummaryLastUpdatedAt)) return false;
    i++;
    for (const key in summary) {
      if (i + 1 >= length || contents![i] !== key || !Object.is(contents![i + 1], summary[key as JobStatus])) return false;
      i += 2;
    }
  }
  return i === length;
}

export interface CachedViews {
  readonly state: VisibleState;
  /** The views were last found to match the job at this epoch (see `JobViews.changed`). */
  epoch: number;
  detail?: KeptView<JobDetail>;
  summary?: KeptView<JobSummary>;
}

/** How many jobs' views one partition keeps; DescribeJobs polls a few jobs over and over. */
const VIEW_CACHE_LIMIT = 4096;

/**
 * The DescribeJobs and ListJobs views of recently shown jobs, with their JSON, valid while the job's
 * visible state is unchanged: a response reuses them instead of building and serialising the same job
 * again. The views are shared, so they go out only through a `ListedOutput`, which
 * the service copies before a caller can hold them. Bounded: the oldest entry leaves first.
 */
export class JobViews {
  /** The jobs holding views, in the order they got them: the oldest gives its views up first. */
  private readonly holders = new Set<JobRecord>();
  private epoch = 0;

  constructor(private readonly limit = VIEW_CACHE_LIMIT) {}

  /**
   * Something may have changed jobs of this partition: every mutating operation and every engine step says
   * so. Views confirmed since the last change need no new comparison with their job: a DescribeJobs poll of
   * jobs that did not move touches only their views.
   */
  changed(): void {
    this.epoch++;
  }

  detail(job: JobRecord): KeptView<JobDetail> {
    const cached = this.cached(job);
    return (cached.detail ??= keepView(describeJob(job)));
  }

  summary(job: JobRecord): KeptView<JobSummary> {
    const cached = this.cached(job);
    return (cached.summary ??= keepView(summarizeJob(job)));
  }

  forget(job: JobRecord): void {
    if (job.views === undefined) return;
    job.views = undefined;
    this.holders.delete(job);
  }

  private cached(job: JobRecord): CachedViews {
    const cached = job.views;
    if (cached && (cached.epoch === this.epoch || cached.state.matches(job))) {
      cached.epoch = this.epoch;
      return cached;
    }
    if (cached) this.holders.delete(job);
    else if (this.holders.size >= this.limit) this.forget(this.holders.values().next().value as JobRecord);
    const fresh: CachedViews = { state: new VisibleState(job), epoch: this.epoch };
    job.views = fresh;
    this.holders.add(job);
    return fresh;
  }
}

/** The EC2 instance an attempt's task ran on, as Batch names it in `Host EC2 (instance i-…) terminated.` */
export function instanceIdOf(job: JobRecord): string {
  const [a, b, c] = hashesOf(`${job.jobId}/${job.taskToken ?? job.attemptToken}/host`);
  return `i-${(hex8(a) + hex8(b) + hex8(c)).slice(0, 17)}`;
}
