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
  NodeProperties,
  PlatformCapability,
  RetryStrategy,
} from "@aws-sdk/client-batch";

export type JobKind = "job" | "array-parent" | "array-child" | "multinode-parent" | "node";

/**
 * What a submission asked for, resolved against its job definition. Immutable after SubmitJob, and
 * shared by reference between an array parent and its children, so a 10,000-child array costs one spec.
 */
export interface JobSpec {
  readonly jobName: string;
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

/** A job's changing state. Plain data apart from the shared spec. */
export interface JobRecord {
  readonly sequence: number;
  readonly jobId: string;
  readonly jobArn: string;
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
  attempts: AttemptDetail[];
  /** The running or last attempt's container outcome. */
  exitCode?: number;
  containerReason?: string;
  logStreamName?: string;
  taskArn?: string;
  isCancelled?: boolean;
  isTerminated?: boolean;
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
  /** Log lines of the attempts, when an outcome supplied any. */
  logs?: string[];
}

export const TERMINAL: ReadonlySet<JobStatus> = new Set<JobStatus>(["SUCCEEDED", "FAILED"]);

export function isTerminal(status: JobStatus): boolean {
  return status === "SUCCEEDED" || status === "FAILED";
}

/** The job as DescribeJobs shows it. */
export function describeJob(job: JobRecord): JobDetail {
  const spec = job.spec;
  const detail: JobDetail = {
    jobArn: job.jobArn,
    jobName: spec.jobName,
    jobId: job.jobId,
    jobQueue: spec.jobQueueArn,
    status: job.status,
    statusReason: job.statusReason,
    shareIdentifier: spec.shareIdentifier,
    schedulingPriority: spec.schedulingPriority,
    attempts: structuredClone(job.attempts),
    createdAt: job.createdAt,
    retryStrategy: spec.retryStrategy,
    startedAt: job.startedAt as number,
    stoppedAt: job.stoppedAt,
    dependsOn: dependenciesOf(job),
    jobDefinition: spec.jobDefinitionArn,
    parameters: spec.parameters,
    timeout: spec.timeout,
    tags: job.kind === "array-child" || job.kind === "node" ? undefined : (job.tags ?? {}),
    propagateTags: spec.propagateTags,
    platformCapabilities: spec.platformCapabilities,
    ecsProperties: spec.ecsProperties,
    eksProperties: spec.eksProperties,
    consumableResourceProperties: spec.consumableResourceProperties,
    isCancelled: job.isCancelled ?? false,
    isTerminated: job.isTerminated ?? false,
  };
  if (spec.container) detail.container = containerOf(job);
  if (job.kind === "array-parent") {
    detail.arrayProperties = { size: spec.arraySize, statusSummary: { ...job.statusSummary }, statusSummaryLastUpdatedAt: job.statusSummaryLastUpdatedAt };
  } else if (job.kind === "array-child") {
    detail.arrayProperties = { index: job.index };
  }
  if (spec.nodeProperties) {
    detail.nodeProperties = spec.nodeProperties;
    if (job.kind === "node") detail.nodeDetails = { nodeIndex: job.index, isMainNode: job.index === spec.nodeProperties.mainNode };
  }
  return structuredClone(detail);
}

/** The job as ListJobs shows it. */
export function summarizeJob(job: JobRecord): JobSummary {
  const summary: JobSummary = {
    jobArn: job.jobArn,
    jobId: job.jobId,
    jobName: job.spec.jobName,
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

function containerOf(job: JobRecord): ContainerDetail {
  return {
    ...job.spec.container,
    exitCode: job.exitCode,
    reason: job.containerReason,
    logStreamName: job.logStreamName,
    taskArn: job.taskArn,
  };
}

function dependenciesOf(job: JobRecord): JobDependency[] {
  if (job.kind === "array-child" || job.kind === "node") return [];
  return job.spec.dependsOn;
}
