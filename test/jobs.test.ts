import {
  CancelJobCommand,
  CancelJobsCommand,
  ClientException,
  CreateComputeEnvironmentCommand,
  CreateJobQueueCommand,
  DescribeJobsCommand,
  ListJobsCommand,
  RegisterJobDefinitionCommand,
  SubmitJobCommand,
  TerminateJobCommand,
  TerminateJobsCommand,
  UpdateJobQueueCommand,
  paginateListJobs,
  type SubmitJobCommandInput,
} from "@aws-sdk/client-batch";
import { failure, setup } from "./helpers";

async function ready(options: Parameters<typeof setup>[0] = {}) {
  const context = setup(options);
  await context.fake.provision({ jobQueues: ["jq"], jobDefinitions: ["echo"] });
  return context;
}

const submit = (input: Partial<SubmitJobCommandInput> = {}) => new SubmitJobCommand({ jobName: "job", jobQueue: "jq", jobDefinition: "echo", ...input });

describe("SubmitJob", () => {
  test("the seed's example: a job submitted to a free queue is SUCCEEDED by the next call", async () => {
    const { batch } = await ready();
    const submitted = await batch.send(submit({ jobName: "myjob", jobDefinition: "echo:1" }));
    expect(submitted.jobArn).toBe(`arn:aws:batch:us-east-1:000000000000:job/${submitted.jobId}`);
    expect(submitted.jobId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const { jobs } = await batch.send(new DescribeJobsCommand({ jobs: [submitted.jobId!] }));
    expect(jobs![0]).toMatchObject({
      jobName: "myjob",
      status: "SUCCEEDED",
      statusReason: "Essential container in task exited",
      jobQueue: "arn:aws:batch:us-east-1:000000000000:job-queue/jq",
      jobDefinition: "arn:aws:batch:us-east-1:000000000000:job-definition/echo:1",
      container: { exitCode: 0, command: ["echo", "hello"] },
      isCancelled: false,
      isTerminated: false,
    });
    expect(jobs![0].attempts).toHaveLength(1);
    expect(jobs![0].container!.logStreamName).toMatch(/^echo\/default\/[0-9a-f]{32}$/);
  });

  test("overrides and parameters resolve into the job's container", async () => {
    const context = await ready();
    await context.batch.send(new RegisterJobDefinitionCommand({
      jobDefinitionName: "param",
      type: "container",
      parameters: { greeting: "hello", target: "world" },
      containerProperties: {
        image: "busybox",
        command: ["echo", "Ref::greeting", "Ref::target"],
        environment: [{ name: "A", value: "1" }, { name: "B", value: "2" }],
        resourceRequirements: [{ type: "VCPU", value: "1" }, { type: "MEMORY", value: "256" }],
      },
      retryStrategy: { attempts: 2 },
      timeout: { attemptDurationSeconds: 600 },
    }));
    const submitted = await context.batch.send(submit({
      jobDefinition: "param",
      parameters: { target: "batch" },
      containerOverrides: { environment: [{ name: "B", value: "two" }, { name: "C", value: "3" }], resourceRequirements: [{ type: "MEMORY", value: "1024" }] },
      retryStrategy: { attempts: 3 },
      tags: { owner: "me" },
      propagateTags: true,
    }));
    const job = (await context.batch.send(new DescribeJobsCommand({ jobs: [submitted.jobId!] }))).jobs![0];
    expect(job.container!.command).toEqual(["echo", "hello", "batch"]);
    expect(job.container!.environment).toEqual([{ name: "A", value: "1" }, { name: "B", value: "two" }, { name: "C", value: "3" }]);
    expect(job.container!.resourceRequirements).toEqual([{ type: "VCPU", value: "1" }, { type: "MEMORY", value: "1024" }]);
    expect(job.parameters).toEqual({ greeting: "hello", target: "batch" });
    expect(job.retryStrategy).toEqual({ attempts: 3 });
    expect(job.timeout).toEqual({ attemptDurationSeconds: 600 });
    expect(job.tags).toEqual({ owner: "me" });
    expect(job.propagateTags).toBe(true);
  });

  test("plain submissions and overriding ones never see each other's settings, whatever the order", async () => {
    const { fake, batch } = await ready();
    await fake.provision({ jobQueues: ["other"] });
    const describe = async (jobId: string) => (await batch.send(new DescribeJobsCommand({ jobs: [jobId] }))).jobs![0];
    const plain = await describe((await batch.send(submit({ jobName: "plain-1", tags: { a: "1" } }))).jobId!);
    const overriding = await describe(
      (await batch.send(submit({ jobName: "overriding", containerOverrides: { command: ["echo", "other"] }, retryStrategy: { attempts: 2 }, timeout: { attemptDurationSeconds: 90 } }))).jobId!,
    );
    const plainAgain = await describe((await batch.send(submit({ jobName: "plain-2" }))).jobId!);
    const elsewhere = await describe((await batch.send(submit({ jobName: "plain-3", jobQueue: "other" }))).jobId!);
    expect(overriding).toMatchObject({ jobName: "overriding", container: { command: ["echo", "other"] }, retryStrategy: { attempts: 2 }, timeout: { attemptDurationSeconds: 90 } });
    for (const [job, name] of [[plain, "plain-1"], [plainAgain, "plain-2"], [elsewhere, "plain-3"]] as const) {
      expect(job.jobName).toBe(name);
      expect(job.container!.command).toEqual(plain.container!.command);
      expect(job.container!.command).not.toEqual(["echo", "other"]);
      expect(job.retryStrategy).toBeUndefined();
      expect(job.timeout).toBeUndefined();
    }
    expect(plain.tags).toEqual({ a: "1" });
    expect(plainAgain.tags).toEqual({});
    expect(plainAgain.jobQueue).toMatch(/job-queue\/jq$/);
    expect(elsewhere.jobQueue).toMatch(/job-queue\/other$/);
  });

  test("rejections use AWS's texts and create no job", async () => {
    const { fake, batch } = await ready();
    const cases: [Partial<SubmitJobCommandInput>, string | RegExp][] = [
      [{ jobQueue: "nope" }, "JobQueue nope not found."],
      [{ jobQueue: "arn:aws:batch:us-east-1:000000000000:job-queue/nope" }, "JobQueue arn:aws:batch:us-east-1:000000000000:job-queue/nope not found."],
      [{ jobDefinition: "missing" }, "JobDefinition name missing does not exist or is not in ACTIVE status"],
      [{ jobDefinition: "arn:aws:batch:us-east-1:000000000000:job-definition/missing:1" }, "JobDefinition arn:aws:batch:us-east-1:000000000000:job-definition/missing:1 not found."],
      [{ jobDefinition: "echo:latest" }, "Provided name echo:latest is not supported pattern[a-zA-Z_0-9-]{1,128}"],
      [{ jobName: "bad name" }, /^Error executing request, Exception : Job name should match valid pattern, RequestId: [0-9a-f-]{36}$/],
      [{ arrayProperties: { size: 1 } }, /^Error executing request, Exception : Array size must be between 2 and 10000, RequestId: /],
      [{ arrayProperties: { size: 10001 } }, /Array size must be between 2 and 10000/],
      [{ dependsOn: Array.from({ length: 21 }, () => ({ jobId: "x" })) }, "dependsOn can have at most 20 entries, got 21."],
      [{ dependsOn: [{ jobId: "00000000-0000-4000-8000-000000000000" }] }, "Dependent job 00000000-0000-4000-8000-000000000000 does not exist."],
      [{ retryStrategy: { attempts: 11 } }, "retryStrategy.attempts must be an integer between 1 and 10, got 11."],
      [{ retryStrategy: { evaluateOnExit: [{ action: "RETRY", onExitCode: "1" }] } }, "retryStrategy.attempts must be specified when retryStrategy.evaluateOnExit is."],
      [{ timeout: { attemptDurationSeconds: 59 } }, "timeout.attemptDurationSeconds must be an integer of at least 60 seconds, got 59."],
      [{ shareIdentifier: "a" }, "Job with shareIdentifier or schedulingPriority can onlybe submitted to job queue with fair share scheduling policy."],
      [{ containerOverrides: { environment: [{ name: "AWS_BATCH_X", value: "1" }] } }, "Environment variable AWS_BATCH_X uses the reserved prefix AWS_BATCH."],
      [{ containerOverrides: { command: ["echo", "Ref::missing"] } }, "Unable to substitute value. No parameter found for reference missing"],
      [{ parameters: { big: "x".repeat(31 * 1024) } }, /^Error executing request, Exception : Job size must be less than 30 KiB, got 32 KiB, RequestId: /],
      [{ jobName: undefined }, "jobName must be specified."],
    ];
    for (const [input, message] of cases) {
      const error = await failure(batch.send(submit(input)));
      expect(error).toBeInstanceOf(ClientException);
      if (typeof message === "string") expect([input, error.message]).toEqual([input, message]);
      else expect(error.message).toMatch(message);
    }
    const listed = await batch.send(new ListJobsCommand({ jobQueue: "jq", filters: [{ name: "JOB_NAME", values: ["*"] }] }));
    expect(listed.jobSummaryList).toEqual([]);
    expect(fake.requests.filter((r) => r.operation === "SubmitJob" && r.output)).toHaveLength(0);
  });

  test("a DISABLED queue refuses submissions", async () => {
    const { batch } = await ready();
    await batch.send(new UpdateJobQueueCommand({ jobQueue: "jq", state: "DISABLED" }));
    expect((await failure(batch.send(submit()))).message).toBe("JobQueue jq is not in ENABLED state");
  });

  test("an EC2 job definition is refused by a Fargate queue", async () => {
    const { batch } = await ready();
    await batch.send(new CreateComputeEnvironmentCommand({ computeEnvironmentName: "fargate", type: "MANAGED", computeResources: { type: "FARGATE", maxvCpus: 4, subnets: ["s"] } }));
    await batch.send(new CreateJobQueueCommand({ jobQueueName: "fq", priority: 1, computeEnvironmentOrder: [{ order: 1, computeEnvironment: "fargate" }] }));
    const error = await failure(batch.send(submit({ jobQueue: "fq" })));
    expect(error.message).toBe("Job Queue is attached to Compute Environment that can not run Jobs with capability EC2.");
  });
});

describe("DescribeJobs", () => {
  test("answers in request order and leaves out unknown ids", async () => {
    const { batch } = await ready();
    const a = (await batch.send(submit({ jobName: "a" }))).jobId!;
    const b = (await batch.send(submit({ jobName: "b" }))).jobId!;
    const { jobs } = await batch.send(new DescribeJobsCommand({ jobs: [b, "unknown", a] }));
    expect(jobs!.map((job) => job.jobName)).toEqual(["b", "a"]);
    expect((await batch.send(new DescribeJobsCommand({ jobs: ["nope"] }))).jobs).toEqual([]);
  });

  test("answers assembled from kept JSON carry any text, and pages, as the SDK parses them", async () => {
    const { batch } = await ready();
    const tags = { "équipe": "données ✓", emoji: "🚀", quote: 'say "hi"\n' };
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await batch.send(submit({ jobName: `text-${i}`, tags }))).jobId!);
    const described = await batch.send(new DescribeJobsCommand({ jobs: ids }));
    expect(described.jobs!.map((job) => job.tags)).toEqual([tags, tags, tags]);
    expect((await batch.send(new DescribeJobsCommand({ jobs: ["nope"] }))).jobs).toEqual([]);
    const first = await batch.send(new ListJobsCommand({ jobQueue: "jq", jobStatus: "SUCCEEDED", maxResults: 2 }));
    const second = await batch.send(new ListJobsCommand({ jobQueue: "jq", jobStatus: "SUCCEEDED", maxResults: 2, nextToken: first.nextToken }));
    expect([...first.jobSummaryList!, ...second.jobSummaryList!].map((job) => job.jobName)).toEqual(["text-0", "text-1", "text-2"]);
    expect(second.nextToken).toBeUndefined();
  });

  test("outputs of fake.service.call are the caller's own, even where answers reuse kept views", async () => {
    const { fake, batch } = await ready();
    const { jobId } = await batch.send(submit({ jobName: "kept", tags: { a: "1" } }));
    await batch.send(new DescribeJobsCommand({ jobs: [jobId!] }));
    const output = (await fake.service.call("DescribeJobs", { jobs: [jobId] }, fake.defaultPartition, "request-1")) as { jobs: { status: string; tags: Record<string, string> }[] };
    output.jobs[0].status = "FAILED";
    output.jobs[0].tags.a = "changed";
    expect((await batch.send(new DescribeJobsCommand({ jobs: [jobId!] }))).jobs![0]).toMatchObject({ status: "SUCCEEDED", tags: { a: "1" } });
    const recorded = fake.requests.at(-1)!.output as { jobs: { status: string; tags: Record<string, string> }[] };
    expect(recorded.jobs[0]).toMatchObject({ status: "SUCCEEDED", tags: { a: "1" } });
  });

  test("a recorded output shows the answer as it was given, however the job changes before it is read", async () => {
    const { fake, batch } = await ready({ clock: "manual" });
    fake.onJob({ jobName: "slow" }, { durationMs: 60_000 });
    const { jobId } = await batch.send(submit({ jobName: "slow" }));
    await fake.advance(0);
    expect((await batch.send(new DescribeJobsCommand({ jobs: [jobId!] }))).jobs![0].status).toBe("RUNNING");
    await fake.advance(60_000);
    expect((await batch.send(new DescribeJobsCommand({ jobs: [jobId!] }))).jobs![0].status).toBe("SUCCEEDED");

    // Read only now, through each way of reading the log: element, iteration, JSON.
    const described = fake.requests.filter((r) => r.operation === "DescribeJobs");
    expect(described.map((r) => (r.output as { jobs: { status: string }[] }).jobs[0].status)).toEqual(["RUNNING", "SUCCEEDED"]);
    const serialised = JSON.parse(JSON.stringify(fake.requests)) as { operation: string; output?: { jobs?: { status: string }[] } }[];
    expect(serialised.filter((r) => r.operation === "DescribeJobs").map((r) => r.output!.jobs![0].status)).toEqual(["RUNNING", "SUCCEEDED"]);
    // Each read is a copy of its own: changing one changes nothing recorded.
    const read = described[0].output as { jobs: { status: string }[] };
    read.jobs[0].status = "FAILED";
    expect(read).not.toBe(described[0].output);
    expect((fake.requests.find((r) => r.operation === "DescribeJobs")!.output as { jobs: { status: string }[] }).jobs[0].status).toBe("RUNNING");
  });

  test("more than 100 ids is refused", async () => {
    const { batch } = await ready();
    const error = await failure(batch.send(new DescribeJobsCommand({ jobs: Array.from({ length: 101 }, (_, i) => `j${i}`) })));
    expect(error.message).toBe("Maximum number of jobs supported is 100");
  });
});

describe("ListJobs", () => {
  test("lists RUNNING jobs by default, and jobStatus selects another status", async () => {
    const { fake, batch } = await ready({ clock: "manual" });
    fake.onJob({ jobName: "slow" }, { durationMs: 60_000 });
    await batch.send(submit({ jobName: "slow" }));
    await batch.send(submit({ jobName: "fast" }));
    const running = await batch.send(new ListJobsCommand({ jobQueue: "jq" }));
    expect(running.jobSummaryList!.map((job) => [job.jobName, job.status])).toEqual([["slow", "RUNNING"]]);
    const succeeded = await batch.send(new ListJobsCommand({ jobQueue: "arn:aws:batch:us-east-1:000000000000:job-queue/jq", jobStatus: "SUCCEEDED" }));
    expect(succeeded.jobSummaryList!.map((job) => job.jobName)).toEqual(["fast"]);
    expect(succeeded.jobSummaryList![0]).toMatchObject({ container: { exitCode: 0 }, jobDefinition: "arn:aws:batch:us-east-1:000000000000:job-definition/echo:1" });
  });

  test("pages through many jobs with the SDK paginator", async () => {
    const { batch } = await ready();
    for (let i = 0; i < 25; i++) await batch.send(submit({ jobName: `j${i}` }));
    const names: string[] = [];
    for await (const page of paginateListJobs({ client: batch, pageSize: 10 }, { jobQueue: "jq", jobStatus: "SUCCEEDED" })) {
      expect(page.jobSummaryList!.length).toBeLessThanOrEqual(10);
      names.push(...page.jobSummaryList!.map((job) => job.jobName!));
    }
    expect(names).toEqual(Array.from({ length: 25 }, (_, i) => `j${i}`));
  });

  test("a token belongs to its listing: another jobStatus or queue refuses it", async () => {
    const { fake, batch } = await ready({ clock: "manual" });
    await fake.provision({ jobQueues: ["other"] });
    fake.onJob({ jobName: /^slow/ }, { durationMs: 60_000 });
    for (const name of ["slow0", "fast0", "slow1", "fast1", "slow2", "fast2"]) await batch.send(submit({ jobName: name }));
    const first = await batch.send(new ListJobsCommand({ jobQueue: "jq", maxResults: 2 }));
    expect(first.jobSummaryList!.map((job) => job.jobName)).toEqual(["slow0", "slow1"]);
    expect(first.nextToken).toBeTruthy();
    const otherStatus = await failure(batch.send(new ListJobsCommand({ jobQueue: "jq", jobStatus: "SUCCEEDED", maxResults: 2, nextToken: first.nextToken })));
    expect(otherStatus).toBeInstanceOf(ClientException);
    expect(otherStatus.message).toBe(`Invalid nextToken ${first.nextToken}: it does not belong to this request.`);
    const otherQueue = await failure(batch.send(new ListJobsCommand({ jobQueue: "other", maxResults: 2, nextToken: first.nextToken })));
    expect(otherQueue.message).toBe(`Invalid nextToken ${first.nextToken}: it does not belong to this request.`);
    // The same listing, with RUNNING named explicitly, takes it.
    const second = await batch.send(new ListJobsCommand({ jobQueue: "jq", jobStatus: "RUNNING", maxResults: 2, nextToken: first.nextToken }));
    expect(second.jobSummaryList!.map((job) => job.jobName)).toEqual(["slow2"]);
    expect(second.nextToken).toBeUndefined();
  });

  test("a cursor whose last job has left the listing goes on with the jobs after it", async () => {
    const { fake, batch } = await ready({ clock: "manual" });
    fake.onJob({}, (job) => ({ durationMs: job.jobName === "r1" ? 1000 : 60_000 }));
    for (let i = 0; i < 5; i++) await batch.send(submit({ jobName: `r${i}` }));
    const page = async (nextToken?: string) => {
      const { jobSummaryList, nextToken: next } = await batch.send(new ListJobsCommand({ jobQueue: "jq", maxResults: 2, nextToken }));
      return { names: jobSummaryList!.map((job) => job.jobName), next };
    };
    const first = await page();
    expect(first.names).toEqual(["r0", "r1"]);
    await fake.advance(1000); // r1, the last job of the first page, is no longer RUNNING
    const succeeded = await batch.send(new ListJobsCommand({ jobQueue: "jq", jobStatus: "SUCCEEDED" }));
    expect(succeeded.jobSummaryList!.map((job) => job.jobName)).toEqual(["r1"]);
    const second = await page(first.next);
    expect(second.names).toEqual(["r2", "r3"]);
    const third = await page(second.next);
    expect(third).toEqual({ names: ["r4"], next: undefined });
  });

  test("filters: any status, newest first, with AWS's rules", async () => {
    const { fake, batch } = await ready({ clock: "manual", startTime: 1_000_000 });
    await batch.send(submit({ jobName: "Test10" }));
    await fake.advance(1000);
    await batch.send(submit({ jobName: "test1" }));
    await fake.advance(1000);
    await batch.send(submit({ jobName: "other" }));
    const byName = await batch.send(new ListJobsCommand({ jobQueue: "jq", filters: [{ name: "JOB_NAME", values: ["test1*"] }] }));
    expect(byName.jobSummaryList!.map((job) => job.jobName)).toEqual(["test1", "Test10"]);
    const before = await batch.send(new ListJobsCommand({ jobQueue: "jq", filters: [{ name: "BEFORE_CREATED_AT", values: ["1001500"] }] }));
    expect(before.jobSummaryList!.map((job) => job.jobName)).toEqual(["test1", "Test10"]);
    const after = await batch.send(new ListJobsCommand({ jobQueue: "jq", filters: [{ name: "AFTER_CREATED_AT", values: ["1000500"] }] }));
    expect(after.jobSummaryList!.map((job) => job.jobName)).toEqual(["other", "test1"]);
    const byDefinition = await batch.send(new ListJobsCommand({ jobQueue: "jq", filters: [{ name: "JOB_DEFINITION", values: ["ec*"] }] }));
    expect(byDefinition.jobSummaryList).toHaveLength(3);
    const two = await failure(batch.send(new ListJobsCommand({ jobQueue: "jq", filters: [{ name: "JOB_NAME", values: ["a"] }, { name: "JOB_DEFINITION", values: ["b"] }] })));
    expect(two.message).toMatch(/^Error executing request, Exception : Only one filter key-value pair can be specified\., RequestId: /);
    const values = await failure(batch.send(new ListJobsCommand({ jobQueue: "jq", filters: [{ name: "JOB_NAME", values: ["a", "b"] }] })));
    expect(values.message).toMatch(/^Error executing request, Exception : Filter cannot take more than one value\., RequestId: /);
  });

  test("needs exactly one scope, and an existing queue", async () => {
    const { batch } = await ready();
    expect((await failure(batch.send(new ListJobsCommand({})))).message).toBe("Exactly one of jobQueue, arrayJobId or multiNodeJobId must be specified.");
    expect((await failure(batch.send(new ListJobsCommand({ jobQueue: "nope" })))).message).toBe("JobQueue nope not found.");
  });
});

describe("CancelJob and TerminateJob", () => {
  test("cancel fails a RUNNABLE job with the reason; terminate stops a RUNNING one", async () => {
    const { fake, batch } = setup({ clock: "manual" });
    await fake.provision({ jobQueues: ["jq"], jobDefinitions: ["echo"], maxvCpus: 1 });
    fake.onJob({}, { durationMs: 10_000 });
    const running = (await batch.send(submit({ jobName: "running" }))).jobId!;
    const waiting = (await batch.send(submit({ jobName: "waiting" }))).jobId!;
    await batch.send(new CancelJobCommand({ jobId: running, reason: "too late" }));
    await batch.send(new CancelJobCommand({ jobId: waiting, reason: "not needed" }));
    let jobs = (await batch.send(new DescribeJobsCommand({ jobs: [running, waiting] }))).jobs!;
    expect(jobs.map((job) => [job.status, job.statusReason, job.isCancelled])).toEqual([
      ["RUNNING", undefined, false],
      ["FAILED", "not needed", true],
    ]);
    await batch.send(new TerminateJobCommand({ jobId: running, reason: "stop it" }));
    jobs = (await batch.send(new DescribeJobsCommand({ jobs: [running] }))).jobs!;
    expect(jobs[0]).toMatchObject({ status: "FAILED", statusReason: "stop it", isTerminated: true });
    expect(jobs[0].attempts).toHaveLength(1);
    expect(jobs[0].attempts![0].statusReason).toBe("stop it");
  });

  test("cancel keeps a PENDING job whose dependency still runs PENDING, then fails it with the reason when the dependency ends", async () => {
    const { fake, batch } = setup({ clock: "manual" });
    await fake.provision({ jobQueues: ["jq"], jobDefinitions: ["echo"] });
    fake.onJob({ jobName: "first" }, { durationMs: 10_000 });
    const first = (await batch.send(submit({ jobName: "first" }))).jobId!;
    const second = (await batch.send(submit({ jobName: "second", dependsOn: [{ jobId: first }] }))).jobId!;
    await batch.send(new CancelJobCommand({ jobId: second, reason: "not needed" }));
    const describe = async () => (await batch.send(new DescribeJobsCommand({ jobs: [first, second] }))).jobs!.map((job) => [job.status, job.statusReason, job.isCancelled]);
    expect(await describe()).toEqual([
      ["RUNNING", undefined, false],
      ["PENDING", undefined, true],
    ]);
    await fake.advance(10_000);
    expect(await describe()).toEqual([
      ["SUCCEEDED", "Essential container in task exited", false],
      ["FAILED", "not needed", true],
    ]);
    const { jobs } = await batch.send(new DescribeJobsCommand({ jobs: [second] }));
    expect(jobs![0].attempts).toEqual([]);
    expect(jobs![0].stoppedAt).toBe(fake.now());
    // A dependency that fails after the cancel: the cancel's reason, not "Dependent Job failed".
    fake.onJob({ jobName: "doomed" }, { durationMs: 10_000, exitCode: 1 });
    const doomed = (await batch.send(submit({ jobName: "doomed" }))).jobId!;
    const third = (await batch.send(submit({ jobName: "third", dependsOn: [{ jobId: doomed }] }))).jobId!;
    await batch.send(new CancelJobCommand({ jobId: third, reason: "changed my mind" }));
    await fake.advance(10_000);
    const after = (await batch.send(new DescribeJobsCommand({ jobs: [doomed, third] }))).jobs!;
    expect(after.map((job) => [job.status, job.statusReason])).toEqual([
      ["FAILED", "Essential container in task exited"],
      ["FAILED", "changed my mind"],
    ]);
  });

  test("cancelling a SEQUENTIAL array while a child runs: the waiting children fail with the reason once the running one ends", async () => {
    const { fake, batch } = setup({ clock: "manual" });
    await fake.provision({ jobQueues: ["jq"], jobDefinitions: ["echo"] });
    fake.onJob({}, { durationMs: 10_000 });
    const parent = (await batch.send(submit({ jobName: "steps", arrayProperties: { size: 3 }, dependsOn: [{ type: "SEQUENTIAL" }] }))).jobId!;
    await batch.send(new CancelJobCommand({ jobId: parent, reason: "stop the chain" }));
    const describe = async () => (await batch.send(new DescribeJobsCommand({ jobs: [parent, `${parent}:0`, `${parent}:1`, `${parent}:2`] }))).jobs!.map((job) => [job.status, job.statusReason, job.isCancelled]);
    expect(await describe()).toEqual([
      ["PENDING", undefined, true],
      ["RUNNING", undefined, false],
      ["PENDING", undefined, true],
      ["PENDING", undefined, true],
    ]);
    await fake.advance(10_000);
    expect(await describe()).toEqual([
      ["FAILED", "Array Child Job failed", true],
      ["SUCCEEDED", "Essential container in task exited", false],
      ["FAILED", "stop the chain", true],
      ["FAILED", "stop the chain", true],
    ]);
  });

  test("unknown ids get a 200; empty ids or reasons are ClientExceptions", async () => {
    const { fake, batch } = await ready();
    const answers = [await batch.send(new CancelJobCommand({ jobId: "nope", reason: "r" })), await batch.send(new TerminateJobCommand({ jobId: "nope", reason: "r" }))];
    for (const { $metadata, ...output } of answers) {
      expect($metadata.httpStatusCode).toBe(200);
      expect(output).toEqual({});
    }
    expect(fake.requests.slice(-2).map((request) => [request.operation, request.output, request.error])).toEqual([
      ["CancelJob", {}, undefined],
      ["TerminateJob", {}, undefined],
    ]);
    expect((await failure(batch.send(new CancelJobCommand({ jobId: "", reason: "r" })))).message).toBe("jobId must not be empty.");
    expect((await failure(batch.send(new TerminateJobCommand({ jobId: "x", reason: "" })))).message).toBe("reason must not be empty.");
  });

  test("bulk CancelJobs and TerminateJobs count unknown ids as successful, and take at most 50", async () => {
    const { fake, batch } = setup({ clock: "manual" });
    await fake.provision({ jobQueues: ["jq"], jobDefinitions: ["echo"] });
    fake.onJob({}, { durationMs: 10_000 });
    const id = (await batch.send(submit())).jobId!;
    const cancelled = await batch.send(new CancelJobsCommand({ jobs: [id, "unknown"], reason: "bulk" }));
    expect(cancelled).toMatchObject({ successful: [id, "unknown"], errors: [] });
    const terminated = await batch.send(new TerminateJobsCommand({ jobs: [id], reason: "bulk stop" }));
    expect(terminated.successful).toEqual([id]);
    expect((await batch.send(new DescribeJobsCommand({ jobs: [id] }))).jobs![0]).toMatchObject({ status: "FAILED", statusReason: "bulk stop" });
    const tooMany = await failure(batch.send(new CancelJobsCommand({ jobs: Array.from({ length: 51 }, (_, i) => `j${i}`), reason: "r" })));
    expect(tooMany.message).toBe("jobs must have between 1 and 50 entries, got 51.");
  });
});

describe("queue deletion and inactive definitions", () => {
  test("deleting a queue terminates the jobs left in it", async () => {
    const { fake, batch } = setup({ clock: "manual" });
    await fake.provision({ jobQueues: ["jq"], jobDefinitions: ["echo"] });
    fake.onJob({}, { durationMs: 60_000 });
    const jobId = (await batch.send(submit())).jobId!;
    const { DeleteJobQueueCommand } = await import("@aws-sdk/client-batch");
    await batch.send(new UpdateJobQueueCommand({ jobQueue: "jq", state: "DISABLED" }));
    await batch.send(new DeleteJobQueueCommand({ jobQueue: "jq" }));
    expect((await batch.send(new DescribeJobsCommand({ jobs: [jobId] }))).jobs![0]).toMatchObject({ status: "FAILED", statusReason: "Job queue deleted", isTerminated: true });
  });

  test("an INACTIVE revision named explicitly is refused", async () => {
    const { batch } = await ready();
    const { DeregisterJobDefinitionCommand } = await import("@aws-sdk/client-batch");
    await batch.send(new DeregisterJobDefinitionCommand({ jobDefinition: "echo:1" }));
    expect((await failure(batch.send(submit({ jobDefinition: "echo:1" })))).message).toBe("JobDefinition echo:1 does not exist or is not in ACTIVE status");
    expect((await failure(batch.send(submit({ jobDefinition: "echo" })))).message).toBe("JobDefinition name echo does not exist or is not in ACTIVE status");
  });
});
