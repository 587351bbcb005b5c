import { BatchClient, CreateComputeEnvironmentCommand, CreateJobQueueCommand, ListJobsCommand, SubmitJobCommand } from "@aws-sdk/client-batch";
import { ConfiguredRetryStrategy } from "@smithy/core/retry";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fakeBatch } from "../src";
import { startServerProcess } from "./clients/server-process";
import { computeEnvironment, engine } from "./engine-helpers";
import { failure, setup } from "./helpers";

// Service quotas (reference §6), set per fake and per account, met through the real SDK.

const EXECUTION = /^Error executing request, Exception : /;

describe("service quotas", () => {
  test("job queues and compute environments per region: AWS's 50 by default, or what the fake is given", async () => {
    const { batch } = setup({ quotas: { jobQueues: 2, computeEnvironments: 2 } });
    await computeEnvironment(batch, "ce-1", 4);
    await computeEnvironment(batch, "ce-2", 4);
    const ce = await failure(computeEnvironment(batch, "ce-3", 4));
    expect(ce.name).toBe("ClientException");
    expect(ce.message).toMatch(EXECUTION);
    expect(ce.message).toContain("Maximum number of compute environments (2) reached");
    const queue = (name: string) => batch.send(new CreateJobQueueCommand({ jobQueueName: name, priority: 1, computeEnvironmentOrder: [{ order: 1, computeEnvironment: "ce-1" }] }));
    await queue("q1");
    await queue("q2");
    expect((await failure(queue("q3"))).message).toContain("Maximum number of job queues (2) reached");
    // The default is AWS's.
    const aws = setup();
    for (let i = 0; i < 50; i++) await computeEnvironment(aws.batch, `ce-${i}`, 1);
    expect((await failure(computeEnvironment(aws.batch, "ce-50", 1))).message).toContain("Maximum number of compute environments (50) reached");
  });

  test("an account's own quotas override the fake's", async () => {
    const quotas = { jobQueues: 5, accounts: { "123456789012": { jobQueues: 1 } } };
    const other = setup({ quotas, accessKeyId: "123456789012" });
    await computeEnvironment(other.batch, "ce", 4);
    const queue = (batch: BatchClient, name: string) => batch.send(new CreateJobQueueCommand({ jobQueueName: name, priority: 1, computeEnvironmentOrder: [{ order: 1, computeEnvironment: "ce" }] }));
    await queue(other.batch, "q1");
    expect((await failure(queue(other.batch, "q2"))).message).toContain("Maximum number of job queues (1) reached");
    const shared = new BatchClient({ region: "us-east-1", credentials: { accessKeyId: "parlel", secretAccessKey: "x" }, requestHandler: other.fake });
    await computeEnvironment(shared, "ce", 4);
    await queue(shared, "q1");
    await queue(shared, "q2");
  });

  test("compute environments per queue and array size", async () => {
    const { batch, submit } = await engine({ quotas: { computeEnvironmentsPerJobQueue: 1, arraySize: 5 } });
    await computeEnvironment(batch, "ce-2", 4);
    const two = await failure(batch.send(new CreateJobQueueCommand({ jobQueueName: "q2", priority: 1, computeEnvironmentOrder: [{ order: 1, computeEnvironment: "parlel-ce" }, { order: 2, computeEnvironment: "ce-2" }] })));
    expect(two.message).toBe("computeEnvironmentOrder must have between 1 and 1 entries, got 2.");
    expect(await submit({ arrayProperties: { size: 5 } })).toBeDefined();
    const big = await failure(submit({ arrayProperties: { size: 6 } }));
    expect(big.message).toMatch(/^Error executing request, Exception : Array size must be between 2 and 5, RequestId: /);
  });

  test("jobs in SUBMITTED: a submission past the quota is refused until jobs move on", async () => {
    const { fake, batch, submit } = await engine({ quotas: { submittedJobs: 2 }, delays: { submittedMs: 1000 } });
    await submit({ jobName: "a" });
    await submit({ jobName: "b" });
    const refused = await failure(submit({ jobName: "c" }));
    expect(refused.message).toContain("Maximum number of jobs in SUBMITTED status (2) reached");
    await fake.advance(1000);
    await submit({ jobName: "c" });
    const listed = await batch.send(new ListJobsCommand({ jobQueue: "jq", jobStatus: "SUCCEEDED" }));
    expect(listed.jobSummaryList!.map((job) => job.jobName).sort()).toEqual(["a", "b"]);
  });

  test("SubmitJob calls per second: a token bucket on the fake's clock answers 429 TooManyRequestsException and changes nothing", async () => {
    const fake = fakeBatch({ clock: "manual", startTime: Date.UTC(2026, 0, 1), quotas: { submitJobsPerSecond: 2 } });
    await fake.provision({ jobQueues: ["jq"], jobDefinitions: ["work"] });
    const batch = new BatchClient({ region: "us-east-1", credentials: { accessKeyId: "parlel", secretAccessKey: "x" }, requestHandler: fake, retryStrategy: new ConfiguredRetryStrategy(3, () => 1) });
    const submit = () => batch.send(new SubmitJobCommand({ jobName: "j", jobQueue: "jq", jobDefinition: "work" }));
    await submit();
    await submit();
    // The manual clock stands still, so the SDK's retries find the bucket still empty.
    const throttled = await failure(submit());
    expect(throttled.name).toBe("TooManyRequestsException");
    expect(throttled.$metadata?.httpStatusCode).toBe(429);
    expect((throttled.$metadata as { attempts?: number }).attempts).toBe(3);
    expect((await batch.send(new ListJobsCommand({ jobQueue: "jq", jobStatus: "SUCCEEDED" }))).jobSummaryList).toHaveLength(2);
    // Half a second refills one token.
    await fake.advance(500);
    expect((await submit()).$metadata.attempts).toBe(1);
    expect((await failure(submit())).name).toBe("TooManyRequestsException");
    // Off by default: a fake without the quota takes any rate.
    const free = setup();
    await free.fake.provision({ jobQueues: ["jq"], jobDefinitions: ["work"] });
    for (let i = 0; i < 60; i++) await free.batch.send(new SubmitJobCommand({ jobName: "j", jobQueue: "jq", jobDefinition: "work" }));
  });

  test("bad quota settings are refused with a message naming them", () => {
    expect(() => fakeBatch({ quotas: { jobQueues: -1 } })).toThrow("quotas.jobQueues must be a whole number of 0 or more, got -1.");
    expect(() => fakeBatch({ quotas: { queues: 1 } as never })).toThrow("quotas has an unknown quota queues");
    expect(() => fakeBatch({ quotas: { accounts: { "12": { arraySize: 3 } } } })).toThrow("quotas.accounts: 12 is not a 12-digit account id.");
    expect(() => fakeBatch({ quotas: { submitJobsPerSecond: 0 } })).toThrow("quotas.submitJobsPerSecond must be a number above 0");
  });

  test("server mode takes quotas with --quotas, inline or from a JSON file", async () => {
    const directory = mkdtempSync(join(tmpdir(), "parlel-quotas-"));
    const file = join(directory, "quotas.json");
    writeFileSync(file, JSON.stringify({ arraySize: 3 }));
    const inline = await startServerProcess(["--quotas", '{"jobQueues": 1}']);
    const fromFile = await startServerProcess(["--quotas", file]);
    try {
      const client = (url: string) => new BatchClient({ endpoint: url, region: "us-east-1", credentials: { accessKeyId: "parlel", secretAccessKey: "x" }, maxAttempts: 1 });
      const first = client(inline.url);
      await first.send(new CreateComputeEnvironmentCommand({ computeEnvironmentName: "ce", type: "UNMANAGED", serviceRole: "arn:aws:iam::000000000000:role/batch" }));
      await first.send(new CreateJobQueueCommand({ jobQueueName: "q1", priority: 1, computeEnvironmentOrder: [{ order: 1, computeEnvironment: "ce" }] }));
      expect((await failure(first.send(new CreateJobQueueCommand({ jobQueueName: "q2", priority: 1, computeEnvironmentOrder: [{ order: 1, computeEnvironment: "ce" }] })))).message).toContain("Maximum number of job queues (1) reached");
      const second = client(fromFile.url);
      expect((await failure(second.send(new SubmitJobCommand({ jobName: "j", jobQueue: "q", jobDefinition: "d", arrayProperties: { size: 4 } })))).message).toContain("Array size must be between 2 and 3");
      first.destroy();
      second.destroy();
    } finally {
      await inline.stop();
      await fromFile.stop();
      rmSync(directory, { recursive: true, force: true });
    }
  }, 60_000);
});
