import { BatchClient, BatchServiceException, DescribeJobQueuesCommand, ListJobsCommand, ServerException, SubmitJobCommand, type BatchClientConfig } from "@aws-sdk/client-batch";
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { ConfiguredRetryStrategy } from "@smithy/core/retry";
import { fakeBatch, type FakeBatch } from "../src";
import { failure } from "./helpers";

// API faults in-process, through the SDK's own retry strategy: the fake answers, the SDK decides to retry.
// The strategy's backoff is set to 1 ms so the tests do not wait; its retry decisions are the SDK's own.

const credentials = { accessKeyId: "parlel", secretAccessKey: "parlel" };

function client(fake: FakeBatch, config: Partial<BatchClientConfig> = {}, attempts = 3): BatchClient {
  return new BatchClient({ region: "us-east-1", credentials, requestHandler: fake, retryStrategy: new ConfiguredRetryStrategy(attempts, () => 1), ...config });
}

async function ready(options: Parameters<typeof fakeBatch>[0] = {}) {
  const fake = fakeBatch({ clock: "manual", startTime: Date.UTC(2026, 0, 1), ...options });
  await fake.provision({ jobQueues: ["jq"], jobDefinitions: ["work"] });
  return fake;
}

const submit = { jobName: "nightly", jobQueue: "jq", jobDefinition: "work" };

async function jobCount(batch: BatchClient): Promise<number> {
  const { jobSummaryList } = await batch.send(new ListJobsCommand({ jobQueue: "jq", jobStatus: "SUCCEEDED" }));
  return jobSummaryList!.length;
}

describe("failNext", () => {
  test("a throttled SubmitJob is retried by the SDK and succeeds on its second attempt, submitting one job", async () => {
    const fake = await ready();
    const batch = client(fake);
    fake.failNext(SubmitJobCommand, "ThrottlingException");
    const output = await batch.send(new SubmitJobCommand(submit));
    expect(output.$metadata.attempts).toBe(2);
    const calls = fake.requests.filter((call) => call.operation === "SubmitJob");
    expect(calls.map((call) => call.error?.type)).toEqual(["ThrottlingException", undefined]);
    expect(calls[0].error?.message).toBe("Rate exceeded");
    expect(calls[0].output).toBeUndefined();
    expect(await jobCount(batch)).toBe(1);
  });

  test("maxAttempts is honoured: a fault that outlasts it reaches the caller, and no faulted call changed anything", async () => {
    const fake = await ready();
    const batch = client(fake, {}, 4);
    fake.failNext("SubmitJob", { error: "ServerException", times: 5 });
    const error = await failure(batch.send(new SubmitJobCommand(submit)));
    expect(error).toBeInstanceOf(ServerException);
    expect(error.$metadata?.httpStatusCode).toBe(500);
    expect((error.$metadata as { attempts?: number }).attempts).toBe(4);
    expect(fake.requests.filter((call) => call.operation === "SubmitJob")).toHaveLength(4);
    expect(await jobCount(batch)).toBe(0);
    // One of the five is left: the next call meets it, the one after runs.
    const output = await batch.send(new SubmitJobCommand(submit));
    expect(output.$metadata.attempts).toBe(2);
    expect(await jobCount(batch)).toBe(1);
  });

  test("the client's plain maxAttempts setting, with the SDK's default strategy and backoff, is honoured too", async () => {
    const fake = await ready();
    const batch = new BatchClient({ region: "us-east-1", credentials, requestHandler: fake, maxAttempts: 2 });
    fake.failNext("DescribeJobQueues", { error: "ServiceUnavailable", times: 2 });
    const error = await failure(batch.send(new DescribeJobQueuesCommand({})));
    expect(error.name).toBe("ServiceUnavailable");
    expect((error.$metadata as { attempts?: number }).attempts).toBe(2);
  });

  test.each([
    ["ThrottlingException", 400, "client", "Rate exceeded"],
    ["TooManyRequestsException", 429, "client", "Too Many Requests"],
    ["ServerException", 500, "server", "Internal server error"],
    ["ServiceUnavailable", 503, "server", "Service Unavailable"],
  ])("%s answers %i and is retried until attempts run out", async (type, status, fault, message) => {
    const fake = await ready();
    const batch = client(fake);
    fake.failNext("DescribeJobQueues", { error: type, times: 3 });
    const error = await failure(batch.send(new DescribeJobQueuesCommand({})));
    expect(error.name).toBe(type);
    expect(error.message).toBe(message);
    expect(error.$fault).toBe(fault);
    expect(error.$metadata?.httpStatusCode).toBe(status);
    expect((error.$metadata as { attempts?: number }).attempts).toBe(3);
    expect(error.$metadata?.requestId).toBe(fake.requests[fake.requests.length - 1].requestId);
  });

  test("a non-retryable error is answered once: the SDK does not retry it", async () => {
    const fake = await ready();
    const batch = client(fake);
    fake.failNext("*", { error: "AccessDeniedException", status: 403, message: "User: arn:aws:iam::000000000000:user/ci is not authorized to perform: batch:SubmitJob", times: 3 });
    const error = await failure(batch.send(new SubmitJobCommand(submit)));
    expect(error).toBeInstanceOf(BatchServiceException);
    expect(error.name).toBe("AccessDeniedException");
    expect(error.message).toContain("not authorized to perform: batch:SubmitJob");
    expect(error.$metadata?.httpStatusCode).toBe(403);
    expect((error.$metadata as { attempts?: number }).attempts).toBe(1);
    // A ClientException is not retried either.
    fake.clearFaults();
    fake.failNext("SubmitJob", { error: "ClientException", message: "injected" });
    const client400 = await failure(batch.send(new SubmitJobCommand(submit)));
    expect(client400.name).toBe("ClientException");
    expect((client400.$metadata as { attempts?: number }).attempts).toBe(1);
  });

  test("a dropped connection and a truncated body are retried by the SDK as it retries them over a socket", async () => {
    const fake = await ready();
    const batch = client(fake);
    fake.failNext("SubmitJob", { connection: "drop" });
    const dropped = await batch.send(new SubmitJobCommand(submit));
    expect(dropped.$metadata.attempts).toBe(2);
    fake.failNext("SubmitJob", { connection: "truncate", times: 3 });
    const truncated = await failure(batch.send(new SubmitJobCommand(submit)));
    expect(truncated.message).toContain("aborted");
    expect((truncated.$metadata as { attempts?: number }).attempts).toBe(3);
    expect(fake.requests.filter((call) => call.operation === "SubmitJob").map((call) => call.error?.type)).toEqual([
      "ConnectionDropped",
      undefined,
      "TruncatedBody",
      "TruncatedBody",
      "TruncatedBody",
    ]);
    expect(await jobCount(batch)).toBe(1);
  });

  test("a fault matches by operation name, command class, input predicate or every operation, in the order added", async () => {
    const fake = await ready();
    const batch = client(fake, {}, 1);
    fake.failNext((input) => input.jobName === "big", { error: "ServerException", times: 2 });
    expect((await batch.send(new SubmitJobCommand(submit))).jobId).toBeDefined();
    expect((await failure(batch.send(new SubmitJobCommand({ ...submit, jobName: "big" })))).name).toBe("ServerException");
    fake.failNext(["DescribeJobQueues", "ListJobs"], { error: "TooManyRequestsException", times: 2 });
    expect((await failure(batch.send(new ListJobsCommand({ jobQueue: "jq" })))).name).toBe("TooManyRequestsException");
    fake.failNext("*", { error: "ThrottlingException" });
    // The predicate's second use comes first, then the list's last, then the catch-all.
    expect((await failure(batch.send(new SubmitJobCommand({ ...submit, jobName: "big" })))).name).toBe("ServerException");
    expect((await failure(batch.send(new DescribeJobQueuesCommand({})))).name).toBe("TooManyRequestsException");
    expect((await failure(batch.send(new DescribeJobQueuesCommand({})))).name).toBe("ThrottlingException");
    expect((await batch.send(new DescribeJobQueuesCommand({}))).jobQueues).toHaveLength(1);
  });

  test("a probability applies until cleared, and the same seed draws the same calls", async () => {
    const pattern = async () => {
      const fake = await ready({ seed: "faults" });
      const batch = client(fake, {}, 1);
      fake.failNext("DescribeJobQueues", { error: "ServiceUnavailable", probability: 0.5 });
      const outcomes: string[] = [];
      for (let i = 0; i < 40; i++) outcomes.push(await batch.send(new DescribeJobQueuesCommand({})).then(() => "ok", (error: Error) => error.name));
      fake.clearFaults();
      outcomes.push(await batch.send(new DescribeJobQueuesCommand({})).then(() => "ok", (error: Error) => error.name));
      return outcomes;
    };
    const first = await pattern();
    expect(await pattern()).toEqual(first);
    expect(first).toContain("ok");
    expect(first).toContain("ServiceUnavailable");
    expect(first[first.length - 1]).toBe("ok");
  });

  test("latency passes in real time while the manual clock stands still, then the call runs as usual", async () => {
    const fake = await ready();
    const batch = client(fake, {}, 1);
    const before = fake.now();
    fake.failNext("SubmitJob", { latencyMs: 30 });
    const output = await batch.send(new SubmitJobCommand(submit));
    expect(output.jobId).toBeDefined();
    expect(fake.now()).toBe(before);
    expect(await jobCount(batch)).toBe(1);
  });

  test("the SDK's abort signal cuts a latency short, and the call then never runs", async () => {
    const fake = await ready();
    const batch = client(fake, {}, 1);
    fake.failNext("SubmitJob", { latencyMs: 600_000 });
    const error = await failure(batch.send(new SubmitJobCommand(submit), { abortSignal: AbortSignal.timeout(20) }));
    expect(error.name).toBe("AbortError");
    const call = fake.requests.find((c) => c.operation === "SubmitJob");
    expect(call?.error?.type).toBe("AbortError");
    expect(await jobCount(batch)).toBe(0);
  });

  test("an error fault may wait before it answers", async () => {
    const fake = await ready();
    const batch = client(fake, {}, 1);
    fake.failNext("SubmitJob", { error: "ServerException", latencyMs: 10 });
    expect((await failure(batch.send(new SubmitJobCommand(submit)))).name).toBe("ServerException");
  });

  test("CloudWatch Logs calls on the same wire meet faults by their logs: operation name", async () => {
    const fake = await ready();
    const logs = new CloudWatchLogsClient({ region: "us-east-1", credentials, requestHandler: fake, retryStrategy: new ConfiguredRetryStrategy(3, () => 1) });
    fake.failNext("logs:DescribeLogGroups", "ThrottlingException");
    const output = await logs.send(new DescribeLogGroupsCommand({}));
    expect(output.$metadata.attempts).toBe(2);
    expect(fake.requests.filter((call) => call.operation === "logs:DescribeLogGroups").map((call) => call.error?.type)).toEqual(["ThrottlingException", undefined]);
  });

  test("bad faults are refused with a clear message, and reset() clears the faults", async () => {
    const fake = await ready();
    expect(() => fake.failNext("SubmitJob", { error: "ServerException", times: 0 })).toThrow("times must be a whole number of 1 or more");
    expect(() => fake.failNext("SubmitJob", { error: "ServerException", probability: 2 })).toThrow("probability must be between 0 and 1");
    expect(() => fake.failNext("SubmitJob", { error: "X", status: 200 })).toThrow("HTTP error status");
    expect(() => fake.failNext("SubmitJob", {} as never)).toThrow("names an error, a latencyMs or a connection fault");
    fake.failNext("*", "ServerException");
    fake.reset();
    await fake.provision({ jobQueues: ["jq"], jobDefinitions: ["work"] });
    expect((await client(fake, {}, 1).send(new DescribeJobQueuesCommand({}))).jobQueues).toHaveLength(1);
  });
});
