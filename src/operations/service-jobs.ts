import type { KeyValuesPair, ServiceJobCapacityUsageDetail, ServiceJobRetryStrategy, ServiceJobStatus, ServiceJobSummary } from "@aws-sdk/client-batch";
import { batchArn } from "../state/arn";
import { decodeCursor, encodeToken } from "../state/pagination";
import { ALL_QUEUES } from "../state/service-job-index";
import { arnPartition, type Partition } from "../state/partition";
import type { JobQueueRecord } from "../state/records";
import { clientTokens, fingerprint, isTerminalServiceJob, type ServiceJobRecord } from "../state/service-jobs";
import type { BatchStore } from "../state/store";
import type { OperationGroup, OperationInput, OperationOutput } from "./context";
import { clientError, executionError } from "./errors";
import { findJobQueue } from "./job-queues";
import { findQuotaShareByName } from "./quota-shares";
import { checkJobName, checkListLength, checkMaxResults, checkNotEmpty, checkRange, checkReason, checkTags, checkTimeout, copy, matchesNameFilter, stopEach } from "./rules";

const SHARE_IDENTIFIER = /^[a-zA-Z0-9]{1,255}$/;
/** Filters that narrow a status listing rather than replace it (see ListServiceJobs). */
const STATUS_COMPATIBLE_FILTERS = new Set(["SHARE_IDENTIFIER", "QUOTA_SHARE_NAME"]);
const LIST_FILTERS = ["JOB_NAME", "BEFORE_CREATED_AT", "AFTER_CREATED_AT", "SHARE_IDENTIFIER", "QUOTA_SHARE_NAME"];

type SubmitResult = OperationOutput<"SubmitServiceJob">;

export const serviceJobOperations: OperationGroup<
  "SubmitServiceJob" | "DescribeServiceJob" | "ListServiceJobs" | "TerminateServiceJob" | "TerminateServiceJobs" | "UpdateServiceJob"
> = {
  SubmitServiceJob(input, context) {
    const { store, partition, requestId } = context;
    checkJobName(input.jobName, requestId);
    checkTags(input.tags);
    const payload = parsePayload(input.serviceRequestPayload);
    checkRange(input.schedulingPriority, 0, 9999, "schedulingPriority");
    checkServiceRetryStrategy(input.retryStrategy);
    checkTimeout(input.timeoutConfig, "timeoutConfig");
    checkRange(input.preemptionConfiguration?.preemptionRetriesBeforeTermination, 0, 2_147_483_647, "preemptionConfiguration.preemptionRetriesBeforeTermination");
    if (input.clientToken !== undefined) checkNotEmpty(input.clientToken, "clientToken");

    // A retried submission (same token, same request) gets the job it already made.
    const tokens = clientTokens<SubmitResult>(store, "SubmitServiceJob");
    const { clientToken, ...request } = input;
    const requestFingerprint = fingerprint(request);
    const replayed = clientToken === undefined ? undefined : tokens.replay(clientToken, requestFingerprint, context.now);
    if (replayed) return { ...replayed };

    const queue = findJobQueue(store, input.jobQueue);
    if (!queue) throw clientError(`JobQueue ${input.jobQueue} not found.`);
    checkQueueTakesServiceJobs(store, queue, input.serviceJobType);
    checkSchedulingPolicy(store, queue, input);

    const jobId = context.ids.uuid();
    const jobArn = batchArn(partition, "service-job", jobId);
    const job: ServiceJobRecord = {
      sequence: store.nextSequence(),
      jobId,
      queueName: queue.name,
      trainingJobArn: trainingJobArn(input.jobName, payload, partition),
      detail: {
        jobArn,
        jobId,
        jobName: input.jobName,
        jobQueue: queue.arn,
        serviceJobType: input.serviceJobType,
        serviceRequestPayload: input.serviceRequestPayload,
        status: "SUBMITTED",
        createdAt: context.now,
        startedAt: undefined,
        isTerminated: false,
        attempts: [],
        capacityUsage: capacityUsageOf(payload),
        retryStrategy: input.retryStrategy && copy(input.retryStrategy),
        schedulingPriority: input.schedulingPriority,
        shareIdentifier: input.shareIdentifier,
        quotaShareName: input.quotaShareName,
        preemptionConfiguration: input.preemptionConfiguration && { ...input.preemptionConfiguration },
        timeoutConfig: input.timeoutConfig && { ...input.timeoutConfig },
        tags: input.tags ?? {},
      },
    };
    store.serviceJobs.add(job);
    context.engine.serviceJobs.submit(store, job);
    const result: SubmitResult = { jobArn, jobName: input.jobName, jobId };
    if (clientToken !== undefined) tokens.remember(clientToken, requestFingerprint, result, context.now);
    return { ...result };
  },

  DescribeServiceJob(input, { store }) {
    return copy(mustFindServiceJob(store, input.jobId).detail);
  },

  ListServiceJobs(input, { store, requestId }) {
    checkMaxResults(input.maxResults);
    const filter = singleFilter(input.filters, requestId);
    let queueArn: string | undefined;
    let queueName: string | undefined;
    if (input.jobQueue !== undefined) {
      const queue = findJobQueue(store, input.jobQueue);
      if (!queue) throw clientError(`JobQueue ${input.jobQueue} not found.`);
      queueArn = queue.arn;
      queueName = queue.name;
    }
    // Without a filter, or with a share filter, only one status is listed: RUNNING unless another is asked for.
    const status: ServiceJobStatus | undefined = !filter || STATUS_COMPATIBLE_FILTERS.has(filter.name) ? (input.jobStatus ?? "RUNNING") : undefined;
    const guard = `ListServiceJobs:${queueArn ?? "*"}:${status ?? "*"}:${JSON.stringify(filter ?? null)}`;
    const cursor = decodeCursor(input.nextToken, guard);
    const queueKey = queueName ?? ALL_QUEUES;
    // Plain listings in the order jobs entered the status; filtered ones newest first, from an index, never a scan of every job.
    const listing = status ? store.serviceJobs.inStatus(queueKey, status) : store.serviceJobs.createdIn(queueKey);
    const walk = !listing ? [] : filter ? listing.before(cursor) : listing.after(cursor);
    const page = pageOf(walk, input.maxResults ?? 100, (job) => !filter || matchesFilter(job, filter), guard);
    return { jobSummaryList: page.items.map(summaryOf), nextToken: page.nextToken };
  },

  TerminateServiceJob(input, context) {
    checkNotEmpty(input.jobId, "jobId");
    checkReason(input.reason);
    // As with TerminateJob, an unknown or finished job is not an error.
    const job = context.store.serviceJobs.get(input.jobId);
    if (job) context.engine.serviceJobs.terminate(context.store, job, input.reason);
    return {};
  },

  TerminateServiceJobs(input, { store, engine }) {
    return stopEach(input.jobs, input.reason, "The service job ID must not be empty.", (jobId) => {
      const job = store.serviceJobs.get(jobId);
      if (job) engine.serviceJobs.terminate(store, job, input.reason);
    });
  },

  UpdateServiceJob(input, { store }) {
    const job = mustFindServiceJob(store, input.jobId);
    checkRange(input.schedulingPriority, 0, 9999, "schedulingPriority");
    if (isTerminalServiceJob(job.detail.status)) {
      throw clientError(`Service job ${job.jobId} is in ${job.detail.status} status; only a job that has not finished can be updated.`);
    }
    const previous = job.detail.schedulingPriority;
    job.detail.schedulingPriority = input.schedulingPriority;
    store.serviceJobs.reprioritised(job, previous);
    return { jobArn: job.detail.jobArn, jobName: job.detail.jobName, jobId: job.jobId };
  },
};

/** The SageMaker training job a service job runs as: named by the payload's TrainingJobName, else the job name. */
function trainingJobArn(jobName: string, payload: Record<string, unknown>, partition: Partition): string {
  const name = typeof payload.TrainingJobName === "string" && payload.TrainingJobName !== "" ? payload.TrainingJobName : jobName;
  return `arn:${arnPartition(partition.region)}:sagemaker:${partition.region}:${partition.accountId}:training-job/${name.toLowerCase()}`;
}

function mustFindServiceJob(store: BatchStore, jobId: string): ServiceJobRecord {
  checkNotEmpty(jobId, "jobId");
  const job = store.serviceJobs.get(jobId);
  if (!job) throw clientError(`Service job ${jobId} does not exist`);
  return job;
}

/** The payload is the SageMaker CreateTrainingJob request, as a JSON object. */
function parsePayload(text: string): Record<string, unknown> {
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch {
    throw clientError("serviceRequestPayload must be a JSON object: it is not valid JSON.");
  }
  if (!payload || typeof payload !== "object" || Array.isArray(payload)) throw clientError("serviceRequestPayload must be a JSON object.");
  return payload as Record<string, unknown>;
}

/** What the job will occupy: the payload's ResourceConfig instance type and count, when it names them. */
function capacityUsageOf(payload: Record<string, unknown>): ServiceJobCapacityUsageDetail[] | undefined {
  const config = payload.ResourceConfig as { InstanceType?: unknown; InstanceCount?: unknown } | undefined;
  if (typeof config?.InstanceType !== "string" || typeof config.InstanceCount !== "number") return undefined;
  return [{ capacityUnit: config.InstanceType, quantity: config.InstanceCount }];
}

function checkServiceRetryStrategy(strategy: ServiceJobRetryStrategy | undefined): void {
  if (strategy === undefined) return;
  checkRange(strategy.attempts, 1, 10, "retryStrategy.attempts");
  checkListLength(strategy.evaluateOnExit, 5, "retryStrategy.evaluateOnExit");
  (strategy.evaluateOnExit ?? []).forEach((rule, i) => {
    const pattern = rule.onStatusReason;
    if (pattern !== undefined && (pattern === "" || pattern.length > 512)) {
      throw clientError(`retryStrategy.evaluateOnExit[${i}].onStatusReason must have 1 to 512 characters.`);
    }
  });
}

function checkQueueTakesServiceJobs(store: BatchStore, queue: JobQueueRecord, serviceJobType: string): void {
  if (queue.detail.state !== "ENABLED") throw clientError(`JobQueue ${queue.name} is not in ENABLED state`);
  const order = queue.detail.serviceEnvironmentOrder ?? [];
  if (order.length === 0) {
    throw clientError(`JobQueue ${queue.name} is not attached to a service environment; service jobs can only be submitted to a job queue of type SAGEMAKER_TRAINING.`);
  }
  for (const entry of order) {
    const environment = store.serviceEnvironments.find(entry.serviceEnvironment ?? "")?.detail;
    if (environment && environment.serviceEnvironmentType !== serviceJobType) {
      throw clientError(`serviceJobType ${serviceJobType} does not match the type ${environment.serviceEnvironmentType} of JobQueue ${queue.name}.`);
    }
  }
}

/** FIFO queues take neither shares nor priorities; fair-share queues need a share; quota-share queues need a quota share. */
function checkSchedulingPolicy(store: BatchStore, queue: JobQueueRecord, input: OperationInput<"SubmitServiceJob">): void {
  const policy = queue.detail.schedulingPolicyArn ? store.schedulingPolicies.find(queue.detail.schedulingPolicyArn)?.detail : undefined;
  if (input.shareIdentifier !== undefined && !SHARE_IDENTIFIER.test(input.shareIdentifier)) {
    throw clientError(`shareIdentifier ${input.shareIdentifier} must be 1 to 255 letters and digits.`);
  }
  if (!policy) {
    if (input.shareIdentifier !== undefined || input.schedulingPriority !== undefined) {
      throw clientError("Job with shareIdentifier or schedulingPriority can onlybe submitted to job queue with fair share scheduling policy.");
    }
    if (input.quotaShareName !== undefined) {
      throw clientError(`quotaShareName can only be specified for a job queue with a quota share scheduling policy; JobQueue ${queue.name} has none.`);
    }
    return;
  }
  if (policy.quotaSharePolicy) {
    if (input.shareIdentifier !== undefined) throw clientError(`JobQueue ${queue.name} uses quota shares: specify quotaShareName, not shareIdentifier.`);
    if (input.quotaShareName === undefined) throw clientError(`quotaShareName must be specified for JobQueue ${queue.name}, which has a quota share scheduling policy.`);
    const share = findQuotaShareByName(store, queue, input.quotaShareName);
    if (!share) throw clientError(`QuotaShare ${input.quotaShareName} does not exist in JobQueue ${queue.name}.`);
    if (share.detail.state !== "ENABLED") throw clientError(`QuotaShare ${input.quotaShareName} is not in ENABLED state`);
    return;
  }
  if (input.quotaShareName !== undefined) {
    throw clientError(`quotaShareName can only be specified for a job queue with a quota share scheduling policy; JobQueue ${queue.name} has a fair-share policy.`);
  }
  if (input.shareIdentifier === undefined) {
    throw clientError(`shareIdentifier must be specified for JobQueue ${queue.name}, which has a fair-share scheduling policy.`);
  }
}

/** Up to `size` matching jobs from a walk, and a token at the last one when more follow. */
function pageOf(walk: Iterable<[ServiceJobRecord, number]>, size: number, matches: (job: ServiceJobRecord) => boolean, guard: string): { items: ServiceJobRecord[]; nextToken?: string } {
  const items: ServiceJobRecord[] = [];
  let last: [ServiceJobRecord, number] | undefined;
  for (const entry of walk) {
    if (!matches(entry[0])) continue;
    if (items.length === size) return { items, nextToken: last && encodeToken(guard, last[1], last[0].jobId) };
    items.push(entry[0]);
    last = entry;
  }
  return { items };
}

interface Filter {
  name: string;
  value: string;
}

/** ListServiceJobs takes one filter with one value, as ListJobs does, with the same messages. */
function singleFilter(filters: KeyValuesPair[] | undefined, requestId: string): Filter | undefined {
  if (!filters || filters.length === 0) return undefined;
  if (filters.length > 1) throw executionError("Only one filter key-value pair can be specified.", requestId);
  const [{ name = "", values = [] }] = filters;
  if (!LIST_FILTERS.includes(name)) throw clientError(`Invalid filter name ${name || "(empty)"}: it must be one of ${LIST_FILTERS.join(", ")}.`);
  if (values.length > 1) throw executionError("Filter cannot take more than one value.", requestId);
  if (values.length === 0) throw clientError(`The filter ${name} must have a value.`);
  const value = values[0];
  if ((name === "BEFORE_CREATED_AT" || name === "AFTER_CREATED_AT") && !/^\d+$/.test(value)) {
    throw clientError(`The filter ${name} takes a time in epoch milliseconds, got ${value}.`);
  }
  return { name, value };
}

function matchesFilter(job: ServiceJobRecord, filter: Filter): boolean {
  const detail = job.detail;
  switch (filter.name) {
    case "JOB_NAME":
      return matchesNameFilter(detail.jobName ?? "", filter.value);
    case "BEFORE_CREATED_AT":
      return (detail.createdAt ?? 0) < Number(filter.value);
    case "AFTER_CREATED_AT":
      return (detail.createdAt ?? 0) > Number(filter.value);
    case "SHARE_IDENTIFIER":
      return detail.shareIdentifier === filter.value;
    default:
      return detail.quotaShareName === filter.value;
  }
}

function summaryOf(job: ServiceJobRecord): ServiceJobSummary {
  const detail = job.detail;
  const summary: ServiceJobSummary = {
    latestAttempt: detail.latestAttempt,
    capacityUsage: detail.capacityUsage,
    createdAt: detail.createdAt,
    jobArn: detail.jobArn,
    jobId: detail.jobId,
    jobName: detail.jobName,
    scheduledAt: detail.scheduledAt,
    serviceJobType: detail.serviceJobType,
    shareIdentifier: detail.shareIdentifier,
    quotaShareName: detail.quotaShareName,
    status: detail.status,
    statusReason: detail.statusReason,
    startedAt: detail.startedAt,
    stoppedAt: detail.stoppedAt,
  };
  // Like JobSummary, the flag only appears when it is true.
  if (detail.isTerminated) summary.isTerminated = true;
  return copy(summary);
}
