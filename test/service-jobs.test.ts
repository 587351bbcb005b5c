import {
  BatchClient,
  ClientException,
  CreateJobQueueCommand,
  CreateQuotaShareCommand,
  CreateSchedulingPolicyCommand,
  CreateServiceEnvironmentCommand,
  DescribeServiceJobCommand,
  ListServiceJobsCommand,
  type ListServiceJobsCommandInput,
  ListTagsForResourceCommand,
  SubmitServiceJobCommand,
  type SubmitServiceJobCommandInput,
  TagResourceCommand,
  TerminateServiceJobCommand,
  TerminateServiceJobsCommand,
  UpdateJobQueueCommand,
  UpdateQuotaShareCommand,
  UpdateServiceEnvironmentCommand,
  UpdateServiceJobCommand,
  paginateListServiceJobs,
} from "@aws-sdk/client-batch";
import type { FakeBatch } from "../src";
import { failure, setup } from "./helpers";

const ACCOUNT = "000000000000";
const queueArn = (name: string) => `arn:aws:batch:us-east-1:${ACCOUNT}:job-queue/${name}`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const payload = (trainingJobName = "train-model") =>
  JSON.stringify({
    TrainingJobName: trainingJobName,
    AlgorithmSpecification: { TrainingImage: "123456789012.dkr.ecr.us-east-1.amazonaws.com/train:latest", TrainingInputMode: "File" },
    RoleArn: `arn:aws:iam::${ACCOUNT}:role/SageMakerRole`,
    OutputDataConfig: { S3OutputPath: "s3://bucket/output" },
    ResourceConfig: { InstanceType: "ml.m5.large", InstanceCount: 2, VolumeSizeInGB: 30 },
    StoppingCondition: { MaxRuntimeInSeconds: 3600 },
  });

const submit = (jobName: string, extra: Partial<SubmitServiceJobCommandInput> = {}) =>
  new SubmitServiceJobCommand({ jobName, jobQueue: "training", serviceJobType: "SAGEMAKER_TRAINING", serviceRequestPayload: payload(), ...extra });

/** A service environment and a SageMaker training queue on it (FIFO unless a policy is given). */
async function trainingQueue(batch: BatchClient, name = "training", schedulingPolicyArn?: string): Promise<void> {
  await batch.send(
    new CreateServiceEnvironmentCommand({
      serviceEnvironmentName: `${name}-env`,
      serviceEnvironmentType: "SAGEMAKER_TRAINING",
      capacityLimits: [{ maxCapacity: 10, capacityUnit: "NUM_INSTANCES" }],
    }),
  );
  await batch.send(new CreateJobQueueCommand({ jobQueueName: name, priority: 1, schedulingPolicyArn, serviceEnvironmentOrder: [{ order: 1, serviceEnvironment: `${name}-env` }] }));
}

async function withQueue(options?: Parameters<typeof setup>[0]): Promise<{ fake: FakeBatch; batch: BatchClient }> {
  const context = setup({ clock: "manual", startTime: 1_700_000_000_000, ...options });
  await trainingQueue(context.batch);
  return context;
}

async function describeJob(batch: BatchClient, jobId: string) {
  const { $metadata: _metadata, ...job } = await batch.send(new DescribeServiceJobCommand({ jobId }));
  return job;
}

async function listed(batch: BatchClient, input: ListServiceJobsCommandInput): Promise<string[]> {
  const { jobSummaryList } = await batch.send(new ListServiceJobsCommand(input));
  return jobSummaryList!.map((job) => job.jobName!);
}

/** Jobs wait in RUNNABLE while their queue's only service environment is disabled. */
const pauseEnvironment = (batch: BatchClient) => batch.send(new UpdateServiceEnvironmentCommand({ serviceEnvironment: "training-env", state: "DISABLED" }));
const resumeEnvironment = (batch: BatchClient) => batch.send(new UpdateServiceEnvironmentCommand({ serviceEnvironment: "training-env", state: "ENABLED" }));

describe("service jobs", () => {
  test("submit returns a service-job ARN, and the job runs to SUCCEEDED with timestamps from the clock", async () => {
    const { fake, batch } = await withQueue();
    const submitted = await batch.send(submit("train-1", { tags: { project: "vision" }, timeoutConfig: { attemptDurationSeconds: 7200 }, retryStrategy: { attempts: 2 } }));
    expect(submitted.jobId).toMatch(UUID);
    expect(submitted).toMatchObject({ jobName: "train-1", jobArn: `arn:aws:batch:us-east-1:${ACCOUNT}:service-job/${submitted.jobId}` });
    const now = fake.now();
    const trainingJob = { name: "TrainingJobArn", value: `arn:aws:sagemaker:us-east-1:${ACCOUNT}:training-job/train-model` };
    expect(await describeJob(batch, submitted.jobId!)).toEqual({
      jobArn: submitted.jobArn,
      jobId: submitted.jobId,
      jobName: "train-1",
      jobQueue: queueArn("training"),
      serviceJobType: "SAGEMAKER_TRAINING",
      serviceRequestPayload: payload(),
      status: "SUCCEEDED",
      statusReason: "Training job completed",
      createdAt: now,
      scheduledAt: now,
      startedAt: now,
      stoppedAt: now,
      isTerminated: false,
      capacityUsage: [{ capacityUnit: "ml.m5.large", quantity: 2 }],
      attempts: [{ serviceResourceId: trainingJob, startedAt: now, stoppedAt: now, statusReason: "Training job completed" }],
      latestAttempt: { serviceResourceId: trainingJob },
      retryStrategy: { attempts: 2 },
      timeoutConfig: { attemptDurationSeconds: 7200 },
      tags: { project: "vision" },
    });
  });

  test("the queue may be given by ARN, and the job is taggable by its ARN", async () => {
    const { batch } = await withQueue();
    const { jobArn, jobId } = await batch.send(submit("train", { jobQueue: queueArn("training") }));
    expect((await describeJob(batch, jobId!)).jobQueue).toBe(queueArn("training"));
    await batch.send(new TagResourceCommand({ resourceArn: jobArn, tags: { stage: "dev" } }));
    expect((await batch.send(new ListTagsForResourceCommand({ resourceArn: jobArn }))).tags).toEqual({ stage: "dev" });
    expect((await describeJob(batch, jobId!)).tags).toEqual({ stage: "dev" });
  });

  test("invalid submissions are ClientExceptions with AWS's texts, and create no job", async () => {
    const { fake, batch } = await withQueue();
    await fake.provision({ jobQueues: ["containers"] });
    const badName = await failure(batch.send(submit("-bad")));
    expect(badName).toBeInstanceOf(ClientException);
    expect(badName.message).toMatch(/^Error executing request, Exception : Job name should match valid pattern, RequestId: [0-9a-f-]{36}$/);
    expect((await failure(batch.send(submit("j", { jobQueue: "nope" })))).message).toBe("JobQueue nope not found.");
    expect((await failure(batch.send(submit("j", { jobQueue: queueArn("nope") })))).message).toBe(`JobQueue ${queueArn("nope")} not found.`);
    expect((await failure(batch.send(submit("j", { serviceRequestPayload: "{not json" })))).message).toBe("serviceRequestPayload must be a JSON object: it is not valid JSON.");
    expect((await failure(batch.send(submit("j", { serviceRequestPayload: "[1]" })))).message).toBe("serviceRequestPayload must be a JSON object.");
    expect((await failure(batch.send(submit("j", { serviceJobType: "ECS" as never })))).message).toBe("Invalid value ECS for serviceJobType: it must be one of SAGEMAKER_TRAINING.");
    expect((await failure(batch.send(submit("j", { retryStrategy: { attempts: 11 } })))).message).toBe("retryStrategy.attempts must be an integer between 1 and 10, got 11.");
    expect((await failure(batch.send(submit("j", { timeoutConfig: { attemptDurationSeconds: 30 } })))).message).toBe(
      "timeoutConfig.attemptDurationSeconds must be an integer of at least 60 seconds, got 30.",
    );
    expect((await failure(batch.send(submit("j", { schedulingPriority: 10_000 })))).message).toBe("schedulingPriority must be an integer between 0 and 9999, got 10000.");
    const fifoPriority = await failure(batch.send(submit("j", { schedulingPriority: 5 })));
    expect(fifoPriority.message).toBe("Job with shareIdentifier or schedulingPriority can onlybe submitted to job queue with fair share scheduling policy.");
    expect((await failure(batch.send(submit("j", { shareIdentifier: "teamA" })))).message).toBe(fifoPriority.message);
    expect((await failure(batch.send(submit("j", { quotaShareName: "research" })))).message).toBe(
      "quotaShareName can only be specified for a job queue with a quota share scheduling policy; JobQueue training has none.",
    );
    expect((await failure(batch.send(submit("j", { jobQueue: "containers" })))).message).toBe(
      "JobQueue containers is not attached to a service environment; service jobs can only be submitted to a job queue of type SAGEMAKER_TRAINING.",
    );
    await batch.send(new UpdateJobQueueCommand({ jobQueue: "training", state: "DISABLED" }));
    expect((await failure(batch.send(submit("j")))).message).toBe("JobQueue training is not in ENABLED state");
    expect(await listed(batch, { jobQueue: "training", jobStatus: "SUCCEEDED" })).toEqual([]);
    expect(await listed(batch, { filters: [{ name: "JOB_NAME", values: ["*"] }] })).toEqual([]);
  });

  test("describe of an unknown job is a ClientException", async () => {
    const { batch } = await withQueue();
    const missing = await failure(batch.send(new DescribeServiceJobCommand({ jobId: "0b0e1c52-1b4c-4c4a-9c56-1f7d2bbf3a10" })));
    expect(missing).toBeInstanceOf(ClientException);
    expect(missing.message).toBe("Service job 0b0e1c52-1b4c-4c4a-9c56-1f7d2bbf3a10 does not exist");
  });

  test("a job waits in RUNNABLE while its service environment is disabled, and runs once it is enabled", async () => {
    const { batch } = await withQueue();
    await pauseEnvironment(batch);
    const { jobId } = await batch.send(submit("waiting"));
    const waiting = await describeJob(batch, jobId!);
    expect(waiting).toMatchObject({ status: "RUNNABLE", attempts: [] });
    expect(waiting.startedAt).toBeUndefined();
    expect(waiting.scheduledAt).toBeUndefined();
    expect(await listed(batch, { jobQueue: "training", jobStatus: "RUNNABLE" })).toEqual(["waiting"]);
    await resumeEnvironment(batch);
    expect((await describeJob(batch, jobId!)).status).toBe("SUCCEEDED");
  });

  test("terminate fails a waiting job with the reason; finished and unknown jobs are left alone", async () => {
    const { fake, batch } = await withQueue();
    const done = await batch.send(submit("done"));
    await pauseEnvironment(batch);
    const { jobId } = await batch.send(submit("waiting"));
    await fake.advance(5000);
    await batch.send(new TerminateServiceJobCommand({ jobId, reason: "No longer needed" }));
    expect(await describeJob(batch, jobId!)).toMatchObject({ status: "FAILED", statusReason: "No longer needed", isTerminated: true, stoppedAt: fake.now() });
    await batch.send(new TerminateServiceJobCommand({ jobId: done.jobId, reason: "Too late" }));
    expect(await describeJob(batch, done.jobId!)).toMatchObject({ status: "SUCCEEDED", isTerminated: false, statusReason: "Training job completed" });
    await batch.send(new TerminateServiceJobCommand({ jobId: "not-a-job", reason: "whatever" }));
    const noReason = await failure(batch.send(new TerminateServiceJobCommand({ jobId: done.jobId, reason: "" })));
    expect(noReason.message).toBe("reason must not be empty.");
    const longReason = await failure(batch.send(new TerminateServiceJobCommand({ jobId: done.jobId, reason: "x".repeat(1025) })));
    expect(longReason.message).toBe("reason can have at most 1024 characters, got 1025.");
    // A terminated job stays failed when capacity comes back.
    await resumeEnvironment(batch);
    expect((await describeJob(batch, jobId!)).status).toBe("FAILED");
  });

  test("terminate in bulk reports every id as successful, unknown ones included", async () => {
    const { batch } = await withQueue();
    await pauseEnvironment(batch);
    const first = await batch.send(submit("a"));
    const second = await batch.send(submit("b"));
    const result = await batch.send(new TerminateServiceJobsCommand({ jobs: [first.jobId!, "unknown", second.jobId!, ""], reason: "Cleanup" }));
    expect(result.successful).toEqual([first.jobId, "unknown", second.jobId]);
    expect(result.errors).toEqual([{ job: "", code: "ValidationException", message: "The service job ID must not be empty." }]);
    for (const jobId of [first.jobId!, second.jobId!]) {
      expect(await describeJob(batch, jobId)).toMatchObject({ status: "FAILED", statusReason: "Cleanup", isTerminated: true });
    }
    const tooMany = await failure(batch.send(new TerminateServiceJobsCommand({ jobs: Array.from({ length: 51 }, (_, i) => `job${i}`), reason: "x" })));
    expect(tooMany.message).toBe("jobs must have between 1 and 50 entries, got 51.");
    expect((await failure(batch.send(new TerminateServiceJobsCommand({ jobs: [], reason: "x" })))).message).toBe("jobs must have between 1 and 50 entries, got 0.");
  });

  test("update sets the scheduling priority of a job that has not finished", async () => {
    const { batch } = await withQueue();
    const done = await batch.send(submit("done"));
    await pauseEnvironment(batch);
    const { jobId, jobArn } = await batch.send(submit("waiting"));
    const updated = await batch.send(new UpdateServiceJobCommand({ jobId, schedulingPriority: 42 }));
    expect(updated).toMatchObject({ jobId, jobArn, jobName: "waiting" });
    expect((await describeJob(batch, jobId!)).schedulingPriority).toBe(42);
    const outOfRange = await failure(batch.send(new UpdateServiceJobCommand({ jobId, schedulingPriority: -1 })));
    expect(outOfRange.message).toBe("schedulingPriority must be an integer between 0 and 9999, got -1.");
    expect((await describeJob(batch, jobId!)).schedulingPriority).toBe(42);
    const finished = await failure(batch.send(new UpdateServiceJobCommand({ jobId: done.jobId, schedulingPriority: 1 })));
    expect(finished.message).toBe(`Service job ${done.jobId} is in SUCCEEDED status; only a job that has not finished can be updated.`);
    const missing = await failure(batch.send(new UpdateServiceJobCommand({ jobId: "nope", schedulingPriority: 1 })));
    expect(missing.message).toBe("Service job nope does not exist");
  });

  test("a repeated clientToken returns the same job instead of submitting twice", async () => {
    const { batch } = await withQueue();
    const first = await batch.send(submit("train", { clientToken: "abc" }));
    const again = await batch.send(submit("train", { clientToken: "abc" }));
    expect(again.jobId).toBe(first.jobId);
    const reused = await failure(batch.send(submit("other", { clientToken: "abc" })));
    expect(reused).toBeInstanceOf(ClientException);
    expect(reused.message).toBe("The clientToken abc was already used with a different request.");
    // Without a token of its own, the SDK sends a fresh one each time.
    const third = await batch.send(submit("train"));
    const fourth = await batch.send(submit("train"));
    expect(new Set([first.jobId, third.jobId, fourth.jobId]).size).toBe(3);
    expect(await listed(batch, { jobQueue: "training", jobStatus: "SUCCEEDED" })).toEqual(["train", "train", "train"]);
  });

  describe("listing", () => {
    test("lists RUNNING jobs by default, or the status asked for, in submission order, by queue name or ARN", async () => {
      const { batch } = await withQueue();
      await trainingQueue(batch, "other");
      await batch.send(submit("one"));
      await batch.send(submit("two"));
      await batch.send(submit("elsewhere", { jobQueue: "other" }));
      expect(await listed(batch, { jobQueue: "training" })).toEqual([]);
      expect(await listed(batch, { jobQueue: "training", jobStatus: "SUCCEEDED" })).toEqual(["one", "two"]);
      expect(await listed(batch, { jobQueue: queueArn("other"), jobStatus: "SUCCEEDED" })).toEqual(["elsewhere"]);
      expect(await listed(batch, { jobStatus: "SUCCEEDED" })).toEqual(["one", "two", "elsewhere"]);
      expect((await failure(batch.send(new ListServiceJobsCommand({ jobQueue: "nope" })))).message).toBe("JobQueue nope not found.");
    });

    test("without jobStatus only RUNNING jobs are listed, with or without a queue", async () => {
      const { fake, batch } = await withQueue();
      fake.onJob({ jobName: "running" }, { durationMs: 60_000 });
      await batch.send(submit("done"));
      await batch.send(submit("running"));
      await pauseEnvironment(batch);
      await batch.send(submit("waiting"));
      expect(await listed(batch, { jobQueue: "training" })).toEqual(["running"]);
      expect(await listed(batch, {})).toEqual(["running"]);
      expect(await listed(batch, { jobQueue: "training", jobStatus: "RUNNABLE" })).toEqual(["waiting"]);
      expect(await listed(batch, { jobQueue: "training", jobStatus: "SUCCEEDED" })).toEqual(["done"]);
      await fake.advance(60_000);
      expect(await listed(batch, { jobQueue: "training" })).toEqual([]);
    });

    test("summaries carry the job's status and times, and isTerminated only when true", async () => {
      const { fake, batch } = await withQueue();
      const done = await batch.send(submit("done"));
      await pauseEnvironment(batch);
      const stopped = await batch.send(submit("stopped"));
      await batch.send(new TerminateServiceJobCommand({ jobId: stopped.jobId, reason: "Stop" }));
      const { jobSummaryList } = await batch.send(new ListServiceJobsCommand({ jobQueue: "training", filters: [{ name: "JOB_NAME", values: ["*"] }] }));
      const now = fake.now();
      expect(jobSummaryList).toEqual([
        {
          jobArn: stopped.jobArn,
          jobId: stopped.jobId,
          jobName: "stopped",
          serviceJobType: "SAGEMAKER_TRAINING",
          status: "FAILED",
          statusReason: "Stop",
          createdAt: now,
          stoppedAt: now,
          capacityUsage: [{ capacityUnit: "ml.m5.large", quantity: 2 }],
          isTerminated: true,
        },
        {
          jobArn: done.jobArn,
          jobId: done.jobId,
          jobName: "done",
          serviceJobType: "SAGEMAKER_TRAINING",
          status: "SUCCEEDED",
          statusReason: "Training job completed",
          createdAt: now,
          scheduledAt: now,
          startedAt: now,
          stoppedAt: now,
          capacityUsage: [{ capacityUnit: "ml.m5.large", quantity: 2 }],
          latestAttempt: { serviceResourceId: { name: "TrainingJobArn", value: `arn:aws:sagemaker:us-east-1:${ACCOUNT}:training-job/train-model` } },
        },
      ]);
    });

    test("filters ignore jobStatus and return the newest first", async () => {
      const { fake, batch } = await withQueue();
      const start = fake.now();
      await batch.send(submit("Train-A"));
      await fake.advance(1000);
      await batch.send(submit("train-b"));
      await fake.advance(1000);
      await batch.send(submit("evaluate"));
      const filtered = (name: string, value: string) => listed(batch, { jobQueue: "training", jobStatus: "RUNNING", filters: [{ name, values: [value] }] });
      expect(await filtered("JOB_NAME", "TRAIN*")).toEqual(["train-b", "Train-A"]);
      expect(await filtered("JOB_NAME", "evaluate")).toEqual(["evaluate"]);
      expect(await filtered("BEFORE_CREATED_AT", String(start + 1500))).toEqual(["train-b", "Train-A"]);
      expect(await filtered("AFTER_CREATED_AT", String(start + 500))).toEqual(["evaluate", "train-b"]);
    });

    test("filters take one key and one value, with AWS's messages", async () => {
      const { batch } = await withQueue();
      const twoFilters = await failure(
        batch.send(new ListServiceJobsCommand({ jobQueue: "training", filters: [{ name: "JOB_NAME", values: ["a"] }, { name: "JOB_NAME", values: ["b"] }] })),
      );
      expect(twoFilters.message).toMatch(/^Error executing request, Exception : Only one filter key-value pair can be specified\., RequestId: /);
      const twoValues = await failure(batch.send(new ListServiceJobsCommand({ jobQueue: "training", filters: [{ name: "JOB_NAME", values: ["a", "b"] }] })));
      expect(twoValues.message).toMatch(/^Error executing request, Exception : Filter cannot take more than one value\., RequestId: /);
      const unknown = await failure(batch.send(new ListServiceJobsCommand({ jobQueue: "training", filters: [{ name: "JOB_QUEUE", values: ["a"] }] })));
      expect(unknown.message).toBe("Invalid filter name JOB_QUEUE: it must be one of JOB_NAME, BEFORE_CREATED_AT, AFTER_CREATED_AT, SHARE_IDENTIFIER, QUOTA_SHARE_NAME.");
      const badTime = await failure(batch.send(new ListServiceJobsCommand({ jobQueue: "training", filters: [{ name: "AFTER_CREATED_AT", values: ["yesterday"] }] })));
      expect(badTime.message).toBe("The filter AFTER_CREATED_AT takes a time in epoch milliseconds, got yesterday.");
      expect((await failure(batch.send(new ListServiceJobsCommand({ jobQueue: "training", maxResults: 101 })))).message).toBe(
        "maxResults must be an integer between 1 and 100, got 101.",
      );
    });

    test("the SDK paginator walks every page", async () => {
      const { batch } = await withQueue();
      for (let i = 0; i < 5; i++) await batch.send(submit(`job${i}`));
      const pages: string[][] = [];
      for await (const page of paginateListServiceJobs({ client: batch, pageSize: 2 }, { jobQueue: "training", jobStatus: "SUCCEEDED" })) {
        pages.push(page.jobSummaryList!.map((job) => job.jobName!));
      }
      expect(pages).toEqual([["job0", "job1"], ["job2", "job3"], ["job4"]]);
      const newestFirst: string[] = [];
      for await (const page of paginateListServiceJobs({ client: batch, pageSize: 2 }, { jobQueue: "training", filters: [{ name: "JOB_NAME", values: ["job*"] }] })) {
        newestFirst.push(...page.jobSummaryList!.map((job) => job.jobName!));
      }
      expect(newestFirst).toEqual(["job4", "job3", "job2", "job1", "job0"]);
    });
  });

  describe("queues with scheduling policies", () => {
    test("a fair-share queue requires a share identifier, and SHARE_IDENTIFIER combines with jobStatus", async () => {
      const { batch } = setup();
      const { arn } = await batch.send(new CreateSchedulingPolicyCommand({ name: "fair", fairsharePolicy: { shareDistribution: [{ shareIdentifier: "teamA", weightFactor: 1 }] } }));
      await trainingQueue(batch, "training", arn);
      const missing = await failure(batch.send(submit("j")));
      expect(missing.message).toBe("shareIdentifier must be specified for JobQueue training, which has a fair-share scheduling policy.");
      expect((await failure(batch.send(submit("j", { shareIdentifier: "team-a" })))).message).toBe("shareIdentifier team-a must be 1 to 255 letters and digits.");
      await batch.send(submit("a", { shareIdentifier: "teamA", schedulingPriority: 10 }));
      await batch.send(submit("b", { shareIdentifier: "teamB" }));
      const byShare = await listed(batch, { jobQueue: "training", jobStatus: "SUCCEEDED", filters: [{ name: "SHARE_IDENTIFIER", values: ["teamA"] }] });
      expect(byShare).toEqual(["a"]);
      expect(await listed(batch, { jobQueue: "training", filters: [{ name: "SHARE_IDENTIFIER", values: ["teamA"] }] })).toEqual([]);
    });

    test("a quota-share queue requires an enabled quota share of that queue", async () => {
      const { batch } = setup();
      const { arn } = await batch.send(new CreateSchedulingPolicyCommand({ name: "quotas", quotaSharePolicy: { idleResourceAssignmentStrategy: "FIFO" } }));
      await trainingQueue(batch, "training", arn);
      const share = await batch.send(
        new CreateQuotaShareCommand({
          quotaShareName: "research",
          jobQueue: "training",
          capacityLimits: [{ maxCapacity: 4, capacityUnit: "ml.m5.large" }],
          resourceSharingConfiguration: { strategy: "LEND_AND_BORROW" },
          preemptionConfiguration: { inSharePreemption: "DISABLED" },
        }),
      );
      expect((await failure(batch.send(submit("j")))).message).toBe("quotaShareName must be specified for JobQueue training, which has a quota share scheduling policy.");
      expect((await failure(batch.send(submit("j", { quotaShareName: "nope" })))).message).toBe("QuotaShare nope does not exist in JobQueue training.");
      expect((await failure(batch.send(submit("j", { quotaShareName: "research", shareIdentifier: "teamA" })))).message).toBe(
        "JobQueue training uses quota shares: specify quotaShareName, not shareIdentifier.",
      );
      const { jobId } = await batch.send(submit("j", { quotaShareName: "research" }));
      expect((await describeJob(batch, jobId!)).quotaShareName).toBe("research");
      expect(await listed(batch, { jobQueue: "training", jobStatus: "SUCCEEDED", filters: [{ name: "QUOTA_SHARE_NAME", values: ["research"] }] })).toEqual(["j"]);
      await batch.send(new UpdateQuotaShareCommand({ quotaShareArn: share.quotaShareArn, state: "DISABLED" }));
      expect((await failure(batch.send(submit("k", { quotaShareName: "research" })))).message).toBe("QuotaShare research is not in ENABLED state");
    });
  });
});

describe("service jobs on the job engine", () => {
  test("a training job runs for its outcome's duration and holds capacity while it runs", async () => {
    const { fake, batch } = await withQueue();
    fake.onJob({ jobName: /^long/ }, { durationMs: 60_000 });
    // Each job asks for 2 instances (ResourceConfig.InstanceCount); the environment allows 10.
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await batch.send(submit(`long-${i}`))).jobId!);
    const statuses = async () => Promise.all(ids.map(async (jobId) => (await batch.send(new DescribeServiceJobCommand({ jobId }))).status));
    expect(await statuses()).toEqual(["RUNNING", "RUNNING", "RUNNING", "RUNNING", "RUNNING", "RUNNABLE"]);
    await fake.advance(60_000);
    expect(await statuses()).toEqual(["SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "RUNNING"]);
    const first = await batch.send(new DescribeServiceJobCommand({ jobId: ids[0] }));
    expect(first.stoppedAt! - first.startedAt!).toBe(60_000);
  });

  test("a failed attempt is retried while attempts remain; a timeout is not", async () => {
    const { fake, batch } = await withQueue();
    fake.onJob({ jobName: "flaky" }, (_job, attempt) => ({ exitCode: attempt < 2 ? 1 : 0, reason: "AlgorithmError" }));
    fake.onJob({ jobName: "slow" }, { durationMs: 120_000 });
    const flaky = (await batch.send(submit("flaky", { retryStrategy: { attempts: 3 } }))).jobId!;
    const slow = (await batch.send(submit("slow", { retryStrategy: { attempts: 3 }, timeoutConfig: { attemptDurationSeconds: 60 } }))).jobId!;
    const flakyJob = await batch.send(new DescribeServiceJobCommand({ jobId: flaky }));
    expect(flakyJob.status).toBe("SUCCEEDED");
    expect(flakyJob.attempts).toHaveLength(2);
    expect(flakyJob.attempts![0].statusReason).toBe("AlgorithmError");
    await fake.advance(60_000);
    expect(await batch.send(new DescribeServiceJobCommand({ jobId: slow }))).toMatchObject({ status: "FAILED", statusReason: "Job attempt duration exceeded timeout" });
  });

  test("terminating a running training job fails it with the reason and frees its capacity", async () => {
    const { fake, batch } = await withQueue();
    fake.onJob({}, { durationMs: 60_000 });
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await batch.send(submit(`job-${i}`))).jobId!);
    await batch.send(new TerminateServiceJobCommand({ jobId: ids[0], reason: "stop" }));
    expect(await batch.send(new DescribeServiceJobCommand({ jobId: ids[0] }))).toMatchObject({ status: "FAILED", statusReason: "stop", isTerminated: true });
    expect((await batch.send(new DescribeServiceJobCommand({ jobId: ids[5] }))).status).toBe("RUNNING");
  });
});
