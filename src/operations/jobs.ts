import type { JobDetail, JobStatus, JobSummary, KeyValuesPair } from "@aws-sdk/client-batch";
import { batchArn } from "../state/arn";
import { newJobRecord, type JobRecord, type JobViews } from "../state/job-record";
import { listedOutput } from "../state/plain-data";
import { decodeCursor, decodeToken, encodeToken } from "../state/pagination";
import type { BatchStore } from "../state/store";
import type { OperationGroup } from "./context";
import { clientError, executionError } from "./errors";
import { checkQueueFit, checkSubmission, resolveSpec, submissionDefinition, submissionQueue } from "./job-submission";
import { checkSubmitRate, checkSubmittedJobs } from "./quotas";
import { checkJobName, checkNotEmpty, checkRange, checkReason, matchesNameFilter, stopEach } from "./rules";

const EMPTY_JOB_ID = "jobId must not be empty.";
const FILTER_NAMES = new Set(["JOB_NAME", "JOB_DEFINITION", "BEFORE_CREATED_AT", "AFTER_CREATED_AT", "SHARE_IDENTIFIER"]);

export const jobOperations: OperationGroup<"SubmitJob" | "DescribeJobs" | "ListJobs" | "CancelJob" | "CancelJobs" | "TerminateJob" | "TerminateJobs"> = {
  SubmitJob(input, context) {
    const { store } = context;
    checkSubmitRate(store, context.quotas, context.now);
    checkJobName(input.jobName, context.requestId);
    checkSubmission(input, context);
    checkSubmittedJobs(store, context.quotas, context.requestId);
    const queue = submissionQueue(store, input.jobQueue);
    const definition = submissionDefinition(store, input.jobDefinition);
    checkQueueFit(store, queue, definition.detail, input, context.now);
    checkDependencies(store, input.dependsOn ?? [], input.arrayProperties?.size);
    const spec = resolveSpec(queue, definition, input);
    const jobId = context.ids.uuid();
    const jobArn = batchArn(context.partition, "job", jobId);
    const job = newJobRecord({
      sequence: store.nextSequence(),
      jobId,
      jobArn,
      jobName: input.jobName,
      spec,
      kind: spec.arraySize !== undefined ? "array-parent" : spec.nodeProperties ? "multinode-parent" : "job",
      status: "SUBMITTED",
      createdAt: context.now,
      tags: { ...(input.tags ?? {}) },
    });
    context.engine.submit(store, job);
    return { jobArn, jobName: input.jobName, jobId };
  },

  DescribeJobs(input, { store }) {
    if (input.jobs.length > 100) throw clientError("Maximum number of jobs supported is 100");
    const jobs: JobDetail[] = [];
    const listed: Uint8Array[] = [];
    const seen = new Set<string>();
    const views = store.jobs.views;
    for (const jobId of input.jobs) {
      const job = store.jobs.get(jobId);
      if (!job || seen.has(jobId)) continue;
      seen.add(jobId);
      const kept = views.detail(job);
      jobs.push(kept.view);
      listed.push(kept.listed);
    }
    return listedOutput("jobs", { items: jobs, listed });
  },

  ListJobs(input, context) {
    return listJobs(context.store, input, context.requestId);
  },

  CancelJob(input, { store, engine }) {
    checkNotEmpty(input.jobId, "jobId");
    checkReason(input.reason);
    const job = store.jobs.get(input.jobId);
    if (job) engine.cancel(store, job, input.reason);
    return {};
  },

  TerminateJob(input, { store, engine }) {
    checkNotEmpty(input.jobId, "jobId");
    checkReason(input.reason);
    const job = store.jobs.get(input.jobId);
    if (job) engine.terminate(store, job, input.reason);
    return {};
  },

  CancelJobs(input, { store, engine }) {
    return stopEach(input.jobs, input.reason, EMPTY_JOB_ID, (jobId) => {
      const job = store.jobs.get(jobId);
      if (job) engine.cancel(store, job, input.reason);
    });
  },

  TerminateJobs(input, { store, engine }) {
    return stopEach(input.jobs, input.reason, EMPTY_JOB_ID, (jobId) => {
      const job = store.jobs.get(jobId);
      if (job) engine.terminate(store, job, input.reason);
    });
  },
};

/** Dependencies must exist; N_TO_N needs an array job of the same size; SEQUENTIAL only applies to arrays. */
function checkDependencies(store: BatchStore, dependsOn: { jobId?: string; type?: string }[], arraySize: number | undefined): void {
  for (const dependency of dependsOn) {
    if (dependency.jobId === undefined) {
      if (dependency.type !== "SEQUENTIAL" || arraySize === undefined) throw clientError("A dependency without a jobId must be of type SEQUENTIAL, on an array job.");
      continue;
    }
    const target = store.jobs.get(dependency.jobId);
    if (!target) throw clientError(`Dependent job ${dependency.jobId} does not exist.`);
    if (dependency.type === "N_TO_N") {
      if (arraySize === undefined || target.kind !== "array-parent" || target.spec.arraySize !== arraySize) {
        throw clientError(`An N_TO_N dependency needs an array job of the same size: ${dependency.jobId} is not an array job of size ${arraySize}.`);
      }
    }
  }
}

// ---- ListJobs ----

interface ListJobsInput {
  jobQueue?: string;
  arrayJobId?: string;
  multiNodeJobId?: string;
  jobStatus?: JobStatus;
  maxResults?: number;
  nextToken?: string;
  filters?: KeyValuesPair[];
}

function listJobs(store: BatchStore, input: ListJobsInput, requestId: string): { jobSummaryList: JobSummary[]; nextToken?: string } {
  const scopes = [input.jobQueue, input.arrayJobId, input.multiNodeJobId].filter((value) => value !== undefined);
  if (scopes.length !== 1) throw clientError("Exactly one of jobQueue, arrayJobId or multiNodeJobId must be specified.");
  const filters = input.filters ?? [];
  if (filters.length > 1) throw executionError("Only one filter key-value pair can be specified.", requestId);
  const filter = filters[0];
  if (filter) {
    if (!FILTER_NAMES.has(filter.name ?? "")) throw clientError(`Invalid filter name ${filter.name}: it must be one of ${[...FILTER_NAMES].join(", ")}.`);
    if ((filter.values ?? []).length !== 1) throw executionError("Filter cannot take more than one value.", requestId);
  }
  const withFilter = filter !== undefined && filter.name !== "SHARE_IDENTIFIER";
  checkRange(input.maxResults, 1, withFilter ? 100 : 1000, "maxResults");
  const pageSize = input.maxResults ?? (withFilter ? 100 : 1000);
  if (input.jobQueue !== undefined) {
    const queue = store.jobQueues.find(input.jobQueue);
    if (!queue) throw clientError(`JobQueue ${input.jobQueue} not found.`);
    if (withFilter) return filteredPage(store, queue.name, filter as Required<KeyValuesPair>, pageSize, input.nextToken);
    return statusPage(store, `queue:${queue.name}`, input, pageSize, filter?.values?.[0]);
  }
  const owner = input.arrayJobId !== undefined ? `array:${input.arrayJobId}` : `nodes:${input.multiNodeJobId}`;
  return statusPage(store, owner, input, pageSize, undefined);
}

/** A page of one status of one owner: a slice of an ordered index, whatever the number of jobs. */
function statusPage(store: BatchStore, owner: string, input: ListJobsInput, pageSize: number, shareIdentifier: string | undefined) {
  const status = input.jobStatus ?? "RUNNING";
  const index = store.jobs.listing(owner, status);
  const guard = `ListJobs/${owner}/${status}/${shareIdentifier ?? ""}`;
  const token = decodeCursor(input.nextToken, guard);
  const cursor = token && { key: token.key ?? "", position: token.position };
  const page = new SummaryPage(store);
  let last: JobRecord | undefined;
  let more = false;
  for (let job = index.start(cursor); job; job = job.listingNext) {
    if (shareIdentifier !== undefined && job.spec.shareIdentifier !== shareIdentifier) continue;
    if (page.size === pageSize) {
      more = true;
      break;
    }
    page.add(job);
    last = job;
  }
  const nextToken = more && last ? encodeToken(guard, index.positionOf(last.jobId) ?? 0, last.jobId) : undefined;
  return page.output(nextToken);
}

/** With a filter, jobs of any status match; newest first. */
function filteredPage(store: BatchStore, queueName: string, filter: Required<KeyValuesPair>, pageSize: number, nextToken: string | undefined) {
  const value = filter.values[0];
  const test = filterTest(filter.name, value);
  const jobs = store.jobs.createdIn(queueName);
  const guard = `ListJobs/${queueName}/${filter.name}=${value}`;
  const before = decodeToken(nextToken, guard);
  // Jobs are in creation order, so the page starts before the last job returned, found by its sequence.
  const start = before === undefined ? jobs.length - 1 : jobs.slotOf(before) - 1;
  const page = new SummaryPage(store);
  let last: JobRecord | undefined;
  let more = false;
  for (let i = start; i >= 0; i--) {
    const job = jobs.at(i);
    if (job === undefined || !test(job)) continue;
    if (page.size === pageSize) {
      more = true;
      break;
    }
    page.add(job);
    last = job;
  }
  return page.output(more && last ? encodeToken(guard, last.sequence) : undefined);
}

/** A ListJobs page: the summaries the store keeps, and their JSON for the response. */
class SummaryPage {
  private readonly summaries: JobSummary[] = [];
  private readonly listed: Uint8Array[] = [];

  private readonly views: JobViews;

  constructor(store: BatchStore) {
    this.views = store.jobs.views;
  }

  get size(): number {
    return this.summaries.length;
  }

  add(job: JobRecord): void {
    const kept = this.views.summary(job);
    this.summaries.push(kept.view);
    this.listed.push(kept.listed);
  }

  output(nextToken: string | undefined): { jobSummaryList: JobSummary[]; nextToken?: string } {
    return listedOutput("jobSummaryList", { items: this.summaries, listed: this.listed }, nextToken);
  }
}

function filterTest(name: string, value: string): (job: JobRecord) => boolean {
  switch (name) {
    case "JOB_NAME":
      return (job) => matchesNameFilter(job.jobName, value);
    case "JOB_DEFINITION": {
      if (value.startsWith("arn:")) {
        if (value.includes("*")) throw clientError("A JOB_DEFINITION filter with an ARN cannot use *.");
        return (job) => job.spec.jobDefinitionArn === value;
      }
      if (value.endsWith("*")) return (job) => job.spec.jobDefinitionName.startsWith(value.slice(0, -1));
      const [name, revision] = value.split(":");
      return (job) => job.spec.jobDefinitionName === name && (revision === undefined || job.spec.jobDefinitionArn.endsWith(`:${revision}`));
    }
    case "BEFORE_CREATED_AT":
    case "AFTER_CREATED_AT": {
      if (!/^\d+$/.test(value)) throw clientError(`The ${name} filter takes epoch milliseconds, got ${value}.`);
      const at = Number(value);
      return name === "BEFORE_CREATED_AT" ? (job) => job.createdAt < at : (job) => job.createdAt > at;
    }
    default:
      return (job) => job.spec.shareIdentifier === value;
  }
}
