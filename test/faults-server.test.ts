import { BatchClient, DescribeJobQueuesCommand, ListJobsCommand, SubmitJobCommand } from "@aws-sdk/client-batch";
import { ConfiguredRetryStrategy } from "@smithy/core/retry";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { fakeBatch, type FakeBatch } from "../src";
import type { RunningServer } from "../src/server/http-server";
import { control } from "./clients/server-process";
import { failure } from "./helpers";

// API faults in server mode, set through POST /_parlel/faults and met by the JS SDK over real sockets.

let fake: FakeBatch;
let server: RunningServer;

beforeAll(async () => {
  fake = fakeBatch({ clock: "manual", startTime: Date.UTC(2026, 0, 1) });
  server = await fake.listen({ port: 0 });
});

afterAll(async () => {
  await server.close();
});

beforeEach(async () => {
  fake.reset();
  await fake.provision({ jobQueues: ["jq"], jobDefinitions: ["work"] });
});

function client(attempts = 3, requestTimeout?: number): BatchClient {
  return new BatchClient({
    endpoint: server.url,
    region: "us-east-1",
    credentials: { accessKeyId: "parlel", secretAccessKey: "parlel" },
    retryStrategy: new ConfiguredRetryStrategy(attempts, () => 1),
    ...(requestTimeout === undefined ? {} : { requestHandler: new NodeHttpHandler({ requestTimeout, throwOnRequestTimeout: true }) }),
  });
}

const submit = { jobName: "nightly", jobQueue: "jq", jobDefinition: "work" };

async function jobCount(batch: BatchClient): Promise<number> {
  return (await batch.send(new ListJobsCommand({ jobQueue: "jq", jobStatus: "SUCCEEDED" }))).jobSummaryList!.length;
}

describe("POST /_parlel/faults", () => {
  test("a throttled SubmitJob is retried by the SDK over HTTP and succeeds", async () => {
    const added = await control(server.url, "POST", "/_parlel/faults", { match: "SubmitJob", fault: "TooManyRequestsException" });
    expect(added.status).toBe(200);
    expect(added.json.faults).toEqual([{ match: "SubmitJob", error: "TooManyRequestsException", remaining: 1 }]);
    const batch = client();
    const output = await batch.send(new SubmitJobCommand(submit));
    expect(output.$metadata.attempts).toBe(2);
    expect(await jobCount(batch)).toBe(1);
    const recorded = (await control(server.url, "GET", "/_parlel/requests?operation=SubmitJob")).json.requests;
    expect(recorded.map((call: { error?: { type: string } }) => call.error?.type ?? "ok")).toEqual(["TooManyRequestsException", "ok"]);
    batch.destroy();
  });

  test("a dropped connection and a truncated body are retried by the SDK", async () => {
    const batch = client();
    await control(server.url, "POST", "/_parlel/faults", { match: { operation: "SubmitJob" }, fault: { connection: "drop" } });
    expect((await batch.send(new SubmitJobCommand(submit))).$metadata.attempts).toBe(2);
    await control(server.url, "POST", "/_parlel/faults", { match: "DescribeJobQueues", fault: { connection: "truncate", times: 2 } });
    const output = await batch.send(new DescribeJobQueuesCommand({}));
    expect(output.$metadata.attempts).toBe(3);
    expect(output.jobQueues).toHaveLength(1);
    expect(await jobCount(batch)).toBe(1);
    batch.destroy();
  });

  test("latency makes the SDK's requestTimeout fire, and the call it cut short never runs", async () => {
    const batch = client(1, 200);
    await control(server.url, "POST", "/_parlel/faults", { match: "SubmitJob", fault: { latencyMs: 600_000 } });
    const error = await failure(batch.send(new SubmitJobCommand(submit)));
    expect(error.name).toBe("TimeoutError");
    expect(error.message).toContain("200");
    // The server saw the client go and stopped waiting; the call is recorded as aborted.
    for (let i = 0; i < 100 && fake.requests.find((call) => call.operation === "SubmitJob")?.error === undefined; i++) await new Promise((done) => setTimeout(done, 20));
    expect(fake.requests.find((call) => call.operation === "SubmitJob")?.error?.type).toBe("AbortError");
    expect(await jobCount(client())).toBe(0);
    batch.destroy();
  }, 30_000);

  test("an input match, GET to list, DELETE to clear, and bad bodies refused", async () => {
    await control(server.url, "POST", "/_parlel/faults", { match: { operation: "SubmitJob", input: { jobName: "big" } }, fault: { error: "ServerException", probability: 1 } });
    const batch = client(2);
    expect((await batch.send(new SubmitJobCommand(submit))).$metadata.attempts).toBe(1);
    expect((await failure(batch.send(new SubmitJobCommand({ ...submit, jobName: "big" })))).name).toBe("ServerException");
    expect((await control(server.url, "GET", "/_parlel/faults")).json.faults).toHaveLength(1);
    expect((await control(server.url, "DELETE", "/_parlel/faults")).json).toEqual({ faults: [] });
    expect((await batch.send(new SubmitJobCommand({ ...submit, jobName: "big" }))).jobId).toBeDefined();
    const missing = await control(server.url, "POST", "/_parlel/faults", { match: "SubmitJob" });
    expect(missing.status).toBe(400);
    expect(missing.json.message).toContain('takes {"match"');
    const unknownField = await control(server.url, "POST", "/_parlel/faults", { fault: { error: "X", often: 2 } });
    expect(unknownField.status).toBe(400);
    expect(unknownField.json.message).toContain("unknown field often");
    const badTimes = await control(server.url, "POST", "/_parlel/faults", { fault: { error: "X", times: -1 } });
    expect(badTimes.status).toBe(400);
    expect(badTimes.json.message).toContain("times must be a whole number");
    batch.destroy();
  });
});
