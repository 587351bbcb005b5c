import { DescribeJobsCommand, ListJobsCommand, SubmitJobCommand } from "@aws-sdk/client-batch";
import { request as httpRequest } from "node:http";
import "../src/jest";
import { fakeBatch, type FakeBatch } from "../src";
import type { RunningServer } from "../src/server/http-server";
import { startServerProcess } from "./clients/server-process";
import { setup } from "./helpers";

// The request log: what fake.requests and GET /_parlel/requests keep and return, and how reading them
// stays bounded however many calls were made or however hostile one of them was.

async function http(url: string, method: string, path: string, body?: string): Promise<{ status: number; text: string; json: any }> {
  return new Promise((done, fail) => {
    const request = httpRequest(`${url}${path}`, { method, headers: body === undefined ? {} : { "content-type": "application/json" } }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        const text = Buffer.concat(chunks).toString();
        done({ status: response.statusCode ?? 0, text, json: text === "" ? undefined : JSON.parse(text) });
      });
    });
    request.on("error", fail);
    request.end(body);
  });
}

/** Records `count` quick calls (ListJobs of an empty queue) without going through a client. */
async function recordCalls(fake: FakeBatch, count: number, operation = "ListJobs", input: Record<string, unknown> = { jobQueue: "jq" }) {
  for (let i = 0; i < count; i++) await fake.service.call(operation, input, fake.defaultPartition, `request-${i}`).catch(() => undefined);
}

describe("fake.requests in-process", () => {
  test("keeps the latest recordRequests calls; a matcher whose answer needs the calls let go says so instead of guessing", async () => {
    const { fake, batch } = setup({ recordRequests: 3 });
    await fake.provision({ jobQueues: ["jq"], jobDefinitions: ["echo"] });
    for (const jobName of ["a", "b", "c", "d", "e"]) await batch.send(new SubmitJobCommand({ jobName, jobQueue: "jq", jobDefinition: "echo" }));
    expect(fake.requests.map((r) => r.input.jobName)).toEqual(["c", "d", "e"]);
    expect(fake.requests).toHaveLength(3);
    expect(JSON.parse(JSON.stringify(fake.requests)).map((r: { input: { jobName: string } }) => r.input.jobName)).toEqual(["c", "d", "e"]);
    expect([...fake.requests].map((r) => r.input.jobName)).toEqual(["c", "d", "e"]);

    expect(fake).toHaveReceivedCommandWith(SubmitJobCommand, { jobName: "e" });
    expect(fake).toHaveReceivedNthCommandWith(5, SubmitJobCommand, { jobName: "e" });
    expect(() => expect(fake).toHaveReceivedCommandTimes(SubmitJobCommand, 5)).toThrow(/let go of its 2 earliest calls \(it keeps the latest 3\)/);
    expect(() => expect(fake).toHaveReceivedCommandWith(SubmitJobCommand, { jobName: "a" })).toThrow(/recordRequests/);
    expect(() => expect(fake).toHaveReceivedNthCommandWith(1, SubmitJobCommand, { jobName: "a" })).toThrow(/cannot tell/);

    fake.clearRequests();
    expect(fake.requests).toHaveLength(0);
    expect(fake).not.toHaveReceivedAnyCommand();
    await batch.send(new SubmitJobCommand({ jobName: "f", jobQueue: "jq", jobDefinition: "echo" }));
    expect(fake).toHaveReceivedCommandTimes(SubmitJobCommand, 1);
    // Clearing the log left the jobs alone.
    expect((await batch.send(new ListJobsCommand({ jobQueue: "jq", jobStatus: "SUCCEEDED" }))).jobSummaryList).toHaveLength(6);
  });

  test("with recordRequests: 0 nothing is kept, and matchers refuse to answer", async () => {
    const { fake, batch } = setup({ recordRequests: 0 });
    await batch.send(new DescribeJobsCommand({ jobs: ["x"] }));
    expect(fake.requests).toEqual([]);
    expect(fake).toHaveReceivedAnyCommand();
    expect(() => expect(fake).toHaveReceivedCommand(DescribeJobsCommand)).toThrow(/let go of its 1 earliest calls/);
  });

  test("a record cannot be changed through what reading it returns, nor can the log", async () => {
    const { fake, batch } = setup();
    await fake.provision({ jobQueues: ["jq"], jobDefinitions: ["echo"] });
    const { jobId } = await batch.send(new SubmitJobCommand({ jobName: "a", jobQueue: "jq", jobDefinition: "echo", tags: { team: "x" } }));
    await batch.send(new DescribeJobsCommand({ jobs: [jobId!] }));
    const [submit, describe] = fake.requests;
    (submit.input.tags as Record<string, string>).team = "changed";
    (submit.output as Record<string, string>).jobId = "changed";
    ((describe.output as { jobs: { status: string }[] }).jobs[0]).status = "FAILED";
    expect(fake.requests[0]).toMatchObject({ input: { tags: { team: "x" } }, output: { jobId } });
    expect(fake.requests[1].output).toMatchObject({ jobs: [{ status: "SUCCEEDED" }] });
    expect(() => {
      (fake.requests[0] as { operation: string }).operation = "x";
    }).toThrow(TypeError);
    expect(() => {
      (fake.requests as unknown[]).push({});
    }).toThrow(TypeError);
    expect(fake.requests[0]).toBe(fake.requests[0]);
    expect(fake.requests.indexOf(fake.requests[1])).toBe(1);
  });

  test("provision()'s own calls are not recorded", async () => {
    const { fake } = setup();
    await fake.provision({ jobQueues: ["jq"], jobDefinitions: ["echo"] });
    expect(fake.requests).toHaveLength(0);
    expect(fake).not.toHaveReceivedAnyCommand();
  });
});

describe("GET /_parlel/requests", () => {
  let fake: FakeBatch;
  let server: RunningServer;

  beforeAll(async () => {
    fake = fakeBatch({ clock: "manual", seed: "request-log" });
    server = await fake.listen({ port: 0 });
  });

  afterAll(() => server.close());

  beforeEach(async () => {
    fake.reset();
    await fake.provision({ jobQueues: ["jq"], jobDefinitions: ["echo"] });
  });

  const get = async (path: string) => http(server.url, "GET", path);

  test("answers a page of at most `limit` calls, oldest first, and `nextSince` leads through the rest", async () => {
    await recordCalls(fake, 2_500);
    const first = await get("/_parlel/requests");
    expect(first.status).toBe(200);
    expect(first.json.requests).toHaveLength(1_000);
    expect(first.json).toMatchObject({ dropped: 0, nextSince: 1_000 });
    expect(first.json.requests[0]).toEqual({ sequence: 1, operation: "ListJobs", input: { jobQueue: "jq" }, output: { jobSummaryList: [] }, partition: fake.defaultPartition, requestId: "request-0", at: expect.any(Number) });

    const sequences: number[] = [];
    for (let since: number | undefined = 0; since !== undefined; ) {
      const page = await get(`/_parlel/requests?limit=700&since=${since}`);
      expect(page.json.requests.length).toBeLessThanOrEqual(700);
      sequences.push(...page.json.requests.map((r: { sequence: number }) => r.sequence));
      since = page.json.nextSince;
    }
    expect(sequences).toEqual(Array.from({ length: 2_500 }, (_, i) => i + 1));
    expect((await get("/_parlel/requests?since=2500")).json).toEqual({ requests: [], dropped: 0 });
  });

  test("pages of one operation skip the others, and a page of Describe answers is their JSON as sent", async () => {
    const { jobId } = await fake.service.call("SubmitJob", { jobName: "a", jobQueue: "jq", jobDefinition: "echo" }, fake.defaultPartition, "submit");
    await recordCalls(fake, 5, "DescribeJobs", { jobs: [jobId] });
    await recordCalls(fake, 5, "ListJobs");
    const page = await get("/_parlel/requests?operation=DescribeJobs&limit=3");
    expect(page.json.requests.map((r: { sequence: number }) => r.sequence)).toEqual([2, 3, 4]);
    expect(page.json.nextSince).toBe(4);
    expect(page.json.requests[0].output.jobs[0]).toMatchObject({ jobId, status: "SUCCEEDED" });
    const rest = await get(`/_parlel/requests?operation=DescribeJobs&since=${page.json.nextSince}`);
    expect(rest.json.requests.map((r: { sequence: number }) => r.sequence)).toEqual([5, 6]);
    expect(rest.json.nextSince).toBeUndefined();
  });

  test("refuses a limit or since that is not a whole number in range", async () => {
    for (const query of ["limit=0", "limit=10001", "limit=abc", "since=-1", "since=1.5"]) {
      const answer = await get(`/_parlel/requests?${query}`);
      expect(answer.status).toBe(400);
      expect(answer.json.message).toMatch(/must be a whole number from/);
    }
  });

  test("DELETE clears the log alone; sequences go on counting", async () => {
    await recordCalls(fake, 3);
    expect((await http(server.url, "DELETE", "/_parlel/requests")).json).toEqual({ requests: 0 });
    expect((await get("/_parlel/requests")).json).toEqual({ requests: [], dropped: 0 });
    expect((await get("/_parlel/health")).json.counts).toMatchObject({ jobQueues: 1, requests: 0 });
    await recordCalls(fake, 1);
    expect((await get("/_parlel/requests")).json.requests.map((r: { sequence: number }) => r.sequence)).toEqual([4]);
  });

  test("a body nested 100,000 deep is refused, and every later read of the log still answers", async () => {
    const deep = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
    // Over the size the log keeps of a body, and under it but too deep to show.
    for (const depth of [100_000, 20_000]) {
      const refused = await http(server.url, "POST", "/v1/submitjob", `{"jobName":${deep(depth)},"jobQueue":"jq","jobDefinition":"echo"}`);
      expect(refused.status).toBe(400);
    }
    const accepted = await http(server.url, "POST", "/v1/describejobs", `{"jobs":[],"unknownMember":${deep(20_000)}}`);
    expect(accepted.status).toBe(200);

    const page = await get("/_parlel/requests");
    expect(page.status).toBe(200);
    expect(page.json.requests.map((r: { input: Record<string, string> }) => r.input)).toEqual([
      { "parlel:omitted": "a request body of 200051 bytes; the log keeps bodies of up to 65536" },
      { "parlel:omitted": "an input nested more than 100 levels deep" },
      { "parlel:omitted": "an input nested more than 100 levels deep" },
    ]);
    expect(page.json.requests[0].error.type).toBe("ClientException");
    expect(JSON.parse(JSON.stringify(fake.requests)).map((r: { operation: string }) => r.operation)).toEqual(["SubmitJob", "SubmitJob", "DescribeJobs"]);
    expect(fake.requests[2].input).toEqual({ "parlel:omitted": "an input nested more than 100 levels deep" });
    expect(() => expect(fake).toHaveReceivedCommandWith(SubmitJobCommand, { jobName: "x" })).toThrow(/parlel:omitted/);
  });
});

describe("parlel-batch --record-requests", () => {
  test("sets how many calls the server keeps; a value that is not a whole number stops it with a message", async () => {
    const server = await startServerProcess(["--record-requests", "2"]);
    try {
      for (let i = 0; i < 3; i++) await http(server.url, "POST", "/v1/describejobs", JSON.stringify({ jobs: [`job-${i}`] }));
      const page = (await http(server.url, "GET", "/_parlel/requests")).json;
      expect(page.requests.map((r: { sequence: number; input: unknown }) => [r.sequence, r.input])).toEqual([
        [2, { jobs: ["job-1"] }],
        [3, { jobs: ["job-2"] }],
      ]);
      expect(page.dropped).toBe(1);
    } finally {
      await server.stop();
    }
    await expect(startServerProcess(["--record-requests", "lots"])).rejects.toThrow('--record-requests takes a whole number of calls, 0 or more, got "lots".');
  }, 60_000);
});
