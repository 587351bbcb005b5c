import { BatchClient, DescribeJobsCommand, ListJobsCommand, RegisterJobDefinitionCommand, SubmitJobCommand } from "@aws-sdk/client-batch";
import { Agent, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import type { Socket } from "node:net";
import { fakeBatch, type FakeBatch } from "../src";
import type { RunningServer } from "../src/server/http-server";
import { batchRequest, parseResponses, rawConnection } from "./clients/raw-http";

// Server mode over real sockets: the control endpoints, and how the HTTP adapter copes with clients that
// send the wrong thing, too much, too slowly, or hang up. Everything listens on 127.0.0.1 only.

let fake: FakeBatch;
let server: RunningServer;
/** The real JS SDK, over HTTP to the server rather than in-process. */
let batch: BatchClient;
let queueArn: string;
const connections: Socket[] = [];

beforeAll(async () => {
  fake = fakeBatch({ clock: "manual", startTime: Date.UTC(2026, 0, 1), seed: "server" });
  server = await fake.listen({ port: 0 });
  server.server.on("connection", (socket: Socket) => connections.push(socket));
  batch = new BatchClient({ endpoint: server.url, region: "us-east-1", credentials: { accessKeyId: "parlel", secretAccessKey: "parlel" }, maxAttempts: 1 });
});

// Cleanup only: that close() stops listening is a test of its own ("close() lets a request in flight finish ...").
afterAll(async () => {
  batch.destroy();
  await server.close();
});

beforeEach(async () => {
  fake.reset();
  queueArn = (await fake.provision({ jobQueues: ["etl"], jobDefinitions: ["step"] })).jobQueueArns.etl;
});

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: any;
  reusedSocket: boolean;
}

/** One HTTP request with node:http; every answer must state its exact length. */
async function call(method: string, path: string, options: { body?: string | Buffer; headers?: Record<string, string>; agent?: Agent } = {}): Promise<Answer> {
  const answer = await new Promise<Answer>((resolve, reject) => {
    const headers = { ...(options.body !== undefined ? { "content-type": "application/json" } : {}), ...options.headers };
    const req = httpRequest(server.url + path, { method, headers, agent: options.agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: text === "" ? undefined : JSON.parse(text), reusedSocket: req.reusedSocket });
      });
    });
    req.on("error", reject);
    req.end(options.body);
  });
  expect(answer.headers["content-length"]).toBe(String(Buffer.byteLength(answer.text)));
  return answer;
}

const post = (path: string, body?: unknown, agent?: Agent) => call("POST", path, { body: body === undefined ? undefined : JSON.stringify(body), agent });
const submitBody = (jobName: string) => JSON.stringify({ jobName, jobQueue: "etl", jobDefinition: "step" });

async function jobCount(): Promise<number> {
  return (await call("GET", "/_parlel/health")).json.counts.jobs;
}

async function describeJob(jobId: string) {
  return (await batch.send(new DescribeJobsCommand({ jobs: [jobId] }))).jobs?.[0];
}

describe("control endpoints", () => {
  test("GET /_parlel/health reports the clock and what the fake holds", async () => {
    await batch.send(new SubmitJobCommand({ jobName: "one", jobQueue: "etl", jobDefinition: "step" }));
    const health = await call("GET", "/_parlel/health");
    expect(health.status).toBe(200);
    expect(health.headers["content-type"]).toBe("application/json");
    expect(health.json).toEqual({
      status: "ok",
      service: "parlel-batch",
      version: expect.any(String),
      clock: "manual",
      now: Date.UTC(2026, 0, 1),
      counts: { computeEnvironments: 1, jobQueues: 1, jobs: 1, jobsByStatus: { SUCCEEDED: 1 }, requests: 1 },
    });
  });

  test("POST /_parlel/reset clears resources, jobs and recorded requests", async () => {
    await batch.send(new SubmitJobCommand({ jobName: "one", jobQueue: "etl", jobDefinition: "step" }));
    const reset = await post("/_parlel/reset");
    expect(reset).toMatchObject({ status: 200, json: { status: "reset" } });
    expect((await call("GET", "/_parlel/health")).json.counts).toEqual({ computeEnvironments: 0, jobQueues: 0, jobs: 0, jobsByStatus: {}, requests: 0 });
    const queues = await post("/v1/describejobqueues", {});
    expect(queues.json).toEqual({ jobQueues: [] });
  });

  test("POST /_parlel/advance moves the manual clock through a running attempt", async () => {
    await post("/_parlel/outcomes", { match: { jobName: "long" }, outcome: { durationMs: 60_000 } });
    const { jobId } = await batch.send(new SubmitJobCommand({ jobName: "long", jobQueue: "etl", jobDefinition: "step" }));
    expect((await describeJob(jobId!))?.status).toBe("RUNNING");
    const advanced = await post("/_parlel/advance", { ms: 59_999 });
    expect(advanced).toMatchObject({ status: 200, json: { now: Date.UTC(2026, 0, 1) + 59_999 } });
    expect((await describeJob(jobId!))?.status).toBe("RUNNING");
    await post("/_parlel/advance", { ms: 1 });
    expect((await describeJob(jobId!))?.status).toBe("SUCCEEDED");
  });

  test("POST /_parlel/advance refuses bad durations, one past the range of a Date, and a real clock", async () => {
    for (const body of [{}, { ms: -1 }, { ms: "5" }, { seconds: 5 }]) {
      const refused = await post("/_parlel/advance", body);
      expect(refused.status).toBe(400);
      expect(refused.json.message).toMatch(/ms|Unknown field seconds/);
    }
    for (const ms of [1e308, 8.64e15]) {
      const refused = await post("/_parlel/advance", { ms });
      expect(refused.status).toBe(400);
      expect(refused.json.message).toBe(
        `Advancing ${ms} ms would move the clock past +275760-09-13T00:00:00.000Z, the latest time a JavaScript Date can hold: the clock is at 2026-01-01T00:00:00.000Z, so it can advance at most ${8.64e15 - Date.UTC(2026, 0, 1)} ms.`,
      );
    }
    // Nothing moved: a job submitted now lives, and the clock still advances.
    expect((await call("GET", "/_parlel/health")).json.now).toBe(Date.UTC(2026, 0, 1));
    const { jobId } = await batch.send(new SubmitJobCommand({ jobName: "after", jobQueue: "etl", jobDefinition: "step" }));
    expect((await describeJob(jobId!))?.status).toBe("SUCCEEDED");
    expect((await post("/_parlel/advance", { ms: 1000 })).json).toEqual({ now: Date.UTC(2026, 0, 1) + 1000 });
    const realTime = await fakeBatch().listen({ port: 0 });
    try {
      const refused = await fetch(`${realTime.url}/_parlel/advance`, { method: "POST", body: '{"ms": 1000}' });
      expect(refused.status).toBe(409);
      expect(await refused.json()).toEqual({ message: "POST /_parlel/advance needs the manual clock: start parlel-batch with --clock manual." });
    } finally {
      await realTime.close();
    }
  });

  test("POST /_parlel/outcomes with a string or a regex matcher decides the exit code", async () => {
    expect((await post("/_parlel/outcomes", { match: { jobName: "load" }, outcome: { exitCode: 3, reason: "disk full" } })).json).toEqual({ rules: 1 });
    expect((await post("/_parlel/outcomes", { match: { jobName: { regex: "^TRANSFORM-", flags: "i" } }, outcome: { exitCode: 4 } })).json).toEqual({ rules: 2 });
    const submit = async (jobName: string) => (await batch.send(new SubmitJobCommand({ jobName, jobQueue: "etl", jobDefinition: "step" }))).jobId!;
    const [load, loader, transform, other] = [await submit("load"), await submit("loader"), await submit("transform-7"), await submit("other")];
    expect((await describeJob(load))?.container).toMatchObject({ exitCode: 3, reason: "disk full" });
    expect((await describeJob(load))?.status).toBe("FAILED");
    // A string matches the whole name, not a prefix.
    expect((await describeJob(loader))?.container?.exitCode).toBe(0);
    expect((await describeJob(transform))?.container?.exitCode).toBe(4);
    expect((await describeJob(other))?.status).toBe("SUCCEEDED");
  });

  test("POST /_parlel/outcomes with a list gives each attempt its own outcome", async () => {
    await post("/_parlel/outcomes", { match: { jobQueue: "etl" }, outcome: [{ exitCode: 1 }, { exitCode: 0 }] });
    const { jobId } = await batch.send(new SubmitJobCommand({ jobName: "flaky", jobQueue: "etl", jobDefinition: "step", retryStrategy: { attempts: 3 } }));
    const job = await describeJob(jobId!);
    expect(job?.status).toBe("SUCCEEDED");
    expect(job?.attempts?.map((attempt) => attempt.container?.exitCode)).toEqual([1, 0]);
  });

  test("POST /_parlel/outcomes refuses rules it cannot read, and adds none of them", async () => {
    const refusals: [unknown, RegExp][] = [
      [{ match: { jobName: 5 }, outcome: {} }, /match.jobName must be a string or \{"regex"/],
      [{ match: { jobname: "x" } }, /Unknown match field jobname/],
      [{ match: { jobName: { regex: "(" } } }, /match.jobName: Invalid regular expression/],
      [{ outcome: { exitCode: "1" } }, /"outcome".exitCode must be an integer/],
      [{ outcome: { exit: 1 } }, /unknown field exit/],
      [{ outcome: [] }, /at least one entry/],
      [{ matcher: {} }, /Unknown field matcher/],
      [[1, 2], /must be a JSON object/],
    ];
    for (const [body, message] of refusals) {
      const refused = await post("/_parlel/outcomes", body);
      expect(refused.status).toBe(400);
      expect(refused.json.message).toMatch(message);
    }
    expect(fake.service.engine.outcomes.size).toBe(0);
    expect((await call("DELETE", "/_parlel/outcomes")).json).toEqual({ rules: 0 });
  });

  test("GET /_parlel/requests lists the calls, optionally of one operation", async () => {
    const { jobId } = await batch.send(new SubmitJobCommand({ jobName: "one", jobQueue: "etl", jobDefinition: "step" }));
    await describeJob(jobId!);
    await batch.send(new SubmitJobCommand({ jobName: "two", jobQueue: "nope", jobDefinition: "step" })).catch(() => undefined);
    const all = (await call("GET", "/_parlel/requests")).json.requests;
    expect(all.map((r: { operation: string }) => r.operation)).toEqual(["SubmitJob", "DescribeJobs", "SubmitJob"]);
    const submits = (await call("GET", "/_parlel/requests?operation=SubmitJob")).json.requests;
    expect(submits).toEqual([
      expect.objectContaining({ operation: "SubmitJob", input: { jobName: "one", jobQueue: "etl", jobDefinition: "step" }, output: expect.objectContaining({ jobId }) }),
      expect.objectContaining({ operation: "SubmitJob", error: { type: "ClientException", message: "JobQueue nope not found." } }),
    ]);
  });

  test("GET /_parlel/jobs/{id}/logs returns the lines an outcome wrote", async () => {
    await post("/_parlel/outcomes", { outcome: { logs: "extracting\nloaded 42 rows\n" } });
    const { jobId } = await batch.send(new SubmitJobCommand({ jobName: "one", jobQueue: "etl", jobDefinition: "step" }));
    expect((await call("GET", `/_parlel/jobs/${jobId}/logs`)).json).toEqual({ jobId, logs: ["extracting", "loaded 42 rows"] });
    const missing = await call("GET", "/_parlel/jobs/no-such-job/logs");
    expect(missing).toMatchObject({ status: 404, json: { message: "No job no-such-job." } });
  });

  test("GET /_parlel/jobs/{id}/logs?from=N returns the lines from the N-th on, across attempts; outcome lines may be {message, afterMs}", async () => {
    await post("/_parlel/outcomes", { outcome: [{ exitCode: 1, logs: ["first try"] }, { logs: ["second try", { message: "done", afterMs: 0 }] }] });
    await batch.send(new RegisterJobDefinitionCommand({ jobDefinitionName: "retried", type: "container", retryStrategy: { attempts: 2 }, containerProperties: { image: "busybox", command: ["run"], vcpus: 1, memory: 512 } }));
    const { jobId } = await batch.send(new SubmitJobCommand({ jobName: "one", jobQueue: "etl", jobDefinition: "retried" }));
    expect((await call("GET", `/_parlel/jobs/${jobId}/logs?from=1`)).json).toEqual({ jobId, from: 1, logs: ["second try", "done"] });
    expect((await call("GET", `/_parlel/jobs/${jobId}/logs?from=9`)).json).toEqual({ jobId, from: 9, logs: [] });
    expect(await call("GET", `/_parlel/jobs/${jobId}/logs?from=-1`)).toMatchObject({ status: 400, json: { message: "from must be a line number (0 or more), got -1." } });
    const bad = await post("/_parlel/outcomes", { outcome: { logs: [{ message: "x", afterMs: -5 }] } });
    expect(bad.status).toBe(400);
  });

  test("fake.logs() agrees with GET /_parlel/jobs/{id}/logs: lines for a job, an error for an unknown job", async () => {
    const { jobId } = await batch.send(new SubmitJobCommand({ jobName: "quiet", jobQueue: "etl", jobDefinition: "step" }));
    expect(fake.logs(jobId!)).toEqual([]);
    expect((await call("GET", `/_parlel/jobs/${jobId}/logs`)).json).toEqual({ jobId, logs: [] });
    expect(() => fake.logs("no-such-job")).toThrow("logs(): no job no-such-job");
    expect(await call("GET", "/_parlel/jobs/no-such-job/logs")).toMatchObject({ status: 404, json: { message: "No job no-such-job." } });
  });

  test("GET /_parlel/jobs/{id}/logs finds an array child by its encoded id", async () => {
    await post("/_parlel/outcomes", { outcome: { logs: ["child"] } });
    const { jobId } = await batch.send(new SubmitJobCommand({ jobName: "fan", jobQueue: "etl", jobDefinition: "step", arrayProperties: { size: 2 } }));
    expect((await call("GET", `/_parlel/jobs/${encodeURIComponent(`${jobId}:1`)}/logs`)).json).toEqual({ jobId: `${jobId}:1`, logs: ["child"] });
  });

  test("POST /_parlel/jobs/{id}/complete ends a running attempt with the outcome given", async () => {
    await post("/_parlel/outcomes", { outcome: { durationMs: 3_600_000 } });
    const { jobId } = await batch.send(new SubmitJobCommand({ jobName: "one", jobQueue: "etl", jobDefinition: "step" }));
    expect((await describeJob(jobId!))?.status).toBe("RUNNING");
    const completed = await post(`/_parlel/jobs/${jobId}/complete`, { exitCode: 2, reason: "stopped by test", logs: ["bye"] });
    expect(completed).toMatchObject({ status: 200, json: { jobId, status: "FAILED" } });
    expect((await describeJob(jobId!))?.container).toMatchObject({ exitCode: 2, reason: "stopped by test" });
    expect((await call("GET", `/_parlel/jobs/${jobId}/logs`)).json.logs).toEqual(["bye"]);
    const again = await post(`/_parlel/jobs/${jobId}/complete`, {});
    expect(again).toMatchObject({ status: 409, json: { message: `Job ${jobId} is FAILED; only a STARTING or RUNNING job can be completed.` } });
    expect((await post("/_parlel/jobs/nope/complete", {})).status).toBe(404);
    expect((await post(`/_parlel/jobs/${jobId}/complete`, { exitCode: 1.5 })).status).toBe(400);
  });

  test("an unknown control path is 404 and a wrong method is 405 with Allow", async () => {
    expect(await call("GET", "/_parlel/nothing")).toMatchObject({ status: 404, json: { message: expect.stringContaining("No control endpoint GET /_parlel/nothing") } });
    const wrong = await call("GET", "/_parlel/reset");
    expect(wrong).toMatchObject({ status: 405, json: { message: "/_parlel/reset takes POST, not GET." } });
    expect(wrong.headers.allow).toBe("POST");
    expect((await call("GET", "/_parlel/health")).json.counts.jobQueues).toBe(1);
  });
});

describe("requests the server refuses", () => {
  afterEach(async () => {
    // None of the refused requests may have changed anything.
    expect(await jobCount()).toBe(0);
    expect((await batch.send(new ListJobsCommand({ jobQueue: "etl", jobStatus: "SUCCEEDED" }))).jobSummaryList).toEqual([]);
  });

  test("malformed JSON is a 400 ClientException that says so", async () => {
    const answer = await call("POST", "/v1/submitjob", { body: '{"jobName": "x", ', headers: { "content-type": "application/json" } });
    expect(answer.status).toBe(400);
    expect(answer.headers["x-amzn-errortype"]).toBe("ClientException");
    expect(answer.json.__type).toBe("ClientException");
    expect(answer.json.message).toMatch(/^The request body is not valid JSON: /);
    expect((await post("/v1/submitjob", [submitBody("x")])).json).toEqual({ __type: "ClientException", message: "The request body must be a JSON object." });
  });

  test("a body that is not JSON by its Content-Type is a 415 ClientException", async () => {
    const answer = await call("POST", "/v1/submitjob", { body: submitBody("x"), headers: { "content-type": "text/plain" } });
    expect(answer).toMatchObject({ status: 415, json: { __type: "ClientException", message: "Content-Type text/plain is not supported: Batch requests are application/json." } });
  });

  test("a body over 1 MiB is a 413, and the kept-alive connection still serves the next request", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const huge = JSON.stringify({ jobName: "big", jobQueue: "etl", jobDefinition: "step", parameters: { blob: "x".repeat(2 * 1024 * 1024) } });
      const refused = await call("POST", "/v1/submitjob", { body: huge, agent });
      expect(refused.status).toBe(413);
      expect(refused.json).toEqual({ __type: "ClientException", message: "The request body is larger than 1048576 bytes, the most parlel-batch accepts." });
      const next = await call("POST", "/v1/describejobqueues", { body: "{}", agent });
      expect(next.status).toBe(200);
      expect(next.reusedSocket).toBe(true);
    } finally {
      agent.destroy();
    }
  });

  test("a client that announces an oversized body with Expect: 100-continue is refused before sending it", async () => {
    const answer = await new Promise<{ status: number; continued: boolean }>((resolve, reject) => {
      let continued = false;
      const req = httpRequest(`${server.url}/v1/submitjob`, { method: "POST", agent: false, headers: { "content-type": "application/json", "content-length": String(5 * 1024 * 1024), expect: "100-continue" } });
      req.on("continue", () => {
        continued = true;
      });
      req.on("response", (res) => {
        res.resume();
        res.on("end", () => {
          req.destroy();
          resolve({ status: res.statusCode ?? 0, continued });
        });
      });
      req.on("error", reject);
      req.flushHeaders();
    });
    expect(answer).toEqual({ status: 413, continued: false });
  });

  test("an unknown path is 404 and a wrong method 405, as modelled errors", async () => {
    const unknown = await post("/v1/launchrocket", {});
    expect(unknown).toMatchObject({ status: 404, json: { __type: "UnknownOperationException", message: "No Batch operation is bound to POST /v1/launchrocket." } });
    const wrongMethod = await call("GET", "/v1/submitjob");
    expect(wrongMethod).toMatchObject({ status: 405, json: { __type: "MethodNotAllowedException", message: "/v1/submitjob takes POST, not GET." } });
    expect(wrongMethod.headers["x-amzn-errortype"]).toBe("MethodNotAllowedException");
  });
});

describe("the HTTP connection", () => {
  test("GET and DELETE on the tag routes need no body", async () => {
    const path = `/v1/tags/${encodeURIComponent(queueArn)}`;
    expect(await post(path, { tags: { team: "data", tier: "gold" } })).toMatchObject({ status: 200, json: {} });
    const listed = await call("GET", path);
    expect(listed).toMatchObject({ status: 200, json: { tags: { team: "data", tier: "gold" } } });
    const untagged = await call("DELETE", `${path}?tagKeys=team`);
    expect(untagged).toMatchObject({ status: 200, text: "{}" });
    expect((await call("GET", path)).json).toEqual({ tags: { tier: "gold" } });
    // Some clients leave the ARN's slash raw in the path.
    expect((await call("GET", `/v1/tags/${queueArn}`)).json).toEqual({ tags: { tier: "gold" } });
  });

  test("a keep-alive agent sends many requests over one socket", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const before = connections.length;
    try {
      const answers = [];
      for (let i = 0; i < 5; i++) answers.push(await post("/v1/describejobqueues", {}, agent));
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
      expect(answers.map((answer) => answer.reusedSocket)).toEqual([false, true, true, true, true]);
      expect(connections.length - before).toBe(1);
    } finally {
      agent.destroy();
    }
  });

  test("request targets with dot segments or in absolute form reach the same operation", async () => {
    const ask = async (target: string) => {
      const client = rawClient(`POST ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`);
      return client.closed;
    };
    for (const target of ["/v1/x/../describejobqueues", "/v1/./describejobqueues", "/v1/x/%2e%2e/describejobqueues", `${server.url}/v1/describejobqueues`]) {
      const answer = await ask(target);
      expect(answer).toMatch(/^HTTP\/1.1 200 OK\r\n/);
      expect(answer).toContain('"jobQueues":[');
    }
    expect(await ask("/v1/x/../launchrocket")).toContain("No Batch operation is bound to POST /v1/launchrocket.");
  });

  test("a client that stalls mid-body does not hold up others, and is answered once it finishes", async () => {
    const body = submitBody("slow");
    const slow = rawClient(`POST /v1/submitjob HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 20)}`);
    await slow.connected;
    const others = await Promise.all(Array.from({ length: 10 }, (_, i) => post("/v1/submitjob", { jobName: `quick-${i}`, jobQueue: "etl", jobDefinition: "step" })));
    expect(others.map((answer) => answer.status)).toEqual(Array(10).fill(200));
    expect(slow.received()).toBe("");
    slow.socket.end(body.slice(20));
    const answer = await slow.closed;
    expect(answer).toMatch(/^HTTP\/1.1 200 OK\r\n/);
    expect(answer).toContain('"jobName":"slow"');
    expect(await jobCount()).toBe(11);
  });

  test("a client that hangs up mid-body changes nothing and the server keeps serving", async () => {
    const body = submitBody("aborted");
    const requestsBefore = fake.requests.length;
    const aborted = rawClient(`POST /v1/submitjob HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 30)}`);
    await aborted.connected;
    const serverSide = await aborted.serverSocket;
    aborted.socket.destroy();
    await new Promise((resolve) => serverSide.once("close", resolve));
    expect(fake.requests.length).toBe(requestsBefore);
    expect(await jobCount()).toBe(0);
    expect((await post("/v1/submitjob", JSON.parse(submitBody("after")))).json.jobName).toBe("after");
  });

  test("close() lets a request in flight finish, then stops listening", async () => {
    const other = fakeBatch({ clock: "manual" });
    await other.provision({ jobQueues: ["etl"], jobDefinitions: ["step"] });
    const running = await other.listen({ port: 0 });
    const body = submitBody("last");
    const received = new Promise((resolve) => running.server.once("request", resolve));
    const client = rawClient(`POST /v1/submitjob HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 20)}`, running);
    await received;
    const closing = running.close();
    expect(running.server.listening).toBe(false);
    client.socket.end(body.slice(20));
    const answer = await client.closed;
    expect(answer).toMatch(/^HTTP\/1.1 200 OK\r\n/);
    expect(answer).toMatch(/\r\nconnection: close\r\n/i);
    await closing;
    expect(other.requests.map((request) => request.input.jobName)).toEqual(["last"]);
    await expect(fetch(`${running.url}/_parlel/health`)).rejects.toThrow();
  });

  test("a burst of 5 clients × 40 concurrent calls: each answer is for its own request", async () => {
    // Jobs to describe during the burst, one per describing call.
    const seeded = new Map<string, string>();
    for (let i = 0; i < 100; i++) {
      const { jobId } = await batch.send(new SubmitJobCommand({ jobName: `seed-${i}`, jobQueue: "etl", jobDefinition: "step" }));
      seeded.set(jobId!, `seed-${i}`);
    }
    const seedIds = [...seeded.keys()];
    const agents = Array.from({ length: 5 }, () => new Agent({ keepAlive: true, maxSockets: 40 }));
    try {
      const calls = agents.flatMap((agent, client) =>
        Array.from({ length: 40 }, async (_, i) => {
          if (i % 2 === 0) {
            const jobName = `burst-${client}-${i}`;
            const answer = await post("/v1/submitjob", { jobName, jobQueue: "etl", jobDefinition: "step" }, agent);
            return { status: answer.status, expected: jobName, got: answer.json.jobName };
          }
          const jobId = seedIds[client * 20 + (i - 1) / 2];
          const answer = await post("/v1/describejobs", { jobs: [jobId] }, agent);
          return { status: answer.status, expected: `${jobId} ${seeded.get(jobId)}`, got: `${answer.json.jobs?.[0]?.jobId} ${answer.json.jobs?.[0]?.jobName}` };
        }),
      );
      const answers = await Promise.all(calls);
      expect(answers.filter((answer) => answer.status !== 200)).toEqual([]);
      expect(answers.filter((answer) => answer.got !== answer.expected)).toEqual([]);
    } finally {
      agents.forEach((agent) => agent.destroy());
    }
    expect(await jobCount()).toBe(200);
    const names = fake.service.partitions.get(fake.defaultPartition).jobs;
    expect(new Set([...names.values()].map((job) => job.jobName)).size).toBe(200);
  }, 30_000);
});

describe("shutdown", () => {
  async function otherServer() {
    const other = fakeBatch({ clock: "manual" });
    await other.provision({ jobQueues: ["etl"], jobDefinitions: ["step"] });
    return { other, running: await other.listen({ port: 0 }) };
  }

  test("requests sent on idle keep-alive connections just as close() begins are answered with Connection: close, not reset", async () => {
    const { other, running } = await otherServer();
    const clients = Array.from({ length: 20 }, (_, i) => rawClient(submitRequest(`first-${i}`), running));
    expect((await Promise.all(clients.map((client) => client.responses(1)))).map((answers) => answers[0].status)).toEqual(Array(20).fill(200));
    // Every connection is idle now, as the server sees it, and each client sends its next request.
    clients.forEach((client, i) => client.socket.write(submitRequest(`second-${i}`)));
    const closing = running.close();
    await Promise.all(clients.map((client) => client.closed));
    await closing;
    for (const [i, client] of clients.entries()) {
      expect(client.error()).toBeUndefined();
      const answers = parseResponses(client.received());
      expect(answers.map((answer) => [answer.status, answer.json.jobName])).toEqual([
        [200, `first-${i}`],
        [200, `second-${i}`],
      ]);
      expect(answers[1].headers.connection).toBe("close");
    }
    expect(other.requests.length).toBe(40);
  }, 30_000);

  test("a connection that stays idle through close() is closed cleanly, not reset", async () => {
    const { running } = await otherServer();
    const client = rawClient(submitRequest("only"), running);
    expect((await client.responses(1))[0].status).toBe(200);
    const closing = running.close();
    expect(await client.closed).toMatch(/^HTTP\/1.1 200 OK\r\n/);
    expect(client.error()).toBeUndefined();
    await closing;
  }, 30_000);

  test("a client that pipelines during shutdown gets an answer for every request that ran, the last with Connection: close", async () => {
    const { other, running } = await otherServer();
    const client = rawClient(submitRequest("in-flight").slice(0, -5), running);
    await new Promise((resolve) => running.server.once("request", resolve));
    const closing = running.close();
    // The rest of the body and, in the same write, two more requests. Whichever the server reads before it
    // answers with Connection: close, it runs and answers; any after that answer it must not run.
    client.socket.write(submitRequest("in-flight").slice(-5) + submitRequest("pipelined-1") + submitRequest("pipelined-2"));
    await client.closed;
    await closing;
    const answers = parseResponses(client.received());
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    expect(answers[0].json.jobName).toBe("in-flight");
    expect(answers[answers.length - 1].headers.connection).toBe("close");
    expect(other.requests.map((request) => request.input.jobName)).toEqual(answers.map((answer) => answer.json.jobName));
  }, 30_000);

  test("after the 3 s grace, a request read in full is answered 503 and one still arriving is cut without running", async () => {
    const { other, running } = await otherServer();
    // An outcome function that never settles holds its SubmitJob's answer.
    other.onJob({ jobName: "held" }, () => new Promise(() => undefined));
    const held = rawClient(submitRequest("held"), running);
    await new Promise((resolve) => running.server.once("request", resolve));
    const arriving = rawClient(submitRequest("arriving").slice(0, -10), running);
    await new Promise((resolve) => running.server.once("request", resolve));
    await running.close();
    expect(await arriving.closed).toBe("");
    const [answer] = await held.responses(1);
    expect(answer).toMatchObject({ status: 503, headers: { connection: "close", "x-amzn-errortype": "ServerException" } });
    expect(answer.json).toEqual({ __type: "ServerException", message: "parlel-batch shut down before this request finished (it waited 3000 ms for it); the request may have taken effect." });
    expect(other.requests.map((request) => request.input.jobName)).toEqual(["held"]);
  }, 30_000);
});

describe("slow clients", () => {
  // Short limits prove the mechanism without slow tests; the defaults are checked against the README below.
  let slow: RunningServer;
  let slowFake: FakeBatch;

  beforeAll(async () => {
    slowFake = fakeBatch({ clock: "manual" });
    await slowFake.provision({ jobQueues: ["etl"], jobDefinitions: ["step"] });
    slow = await slowFake.listen({ port: 0, headersTimeoutMs: 300, requestTimeoutMs: 1_000 });
  });

  afterAll(() => slow.close());

  /** Sends `first`, then `drip` every 50 ms until the server closes the connection; resolves with what came back. */
  function trickle(first: string, drip: string): Promise<string> {
    const client = rawClient(first, slow);
    // Only once the first bytes are on their way: a drip queued before the socket connects would go first.
    let dripping: NodeJS.Timeout | undefined;
    void client.connected.then(() => {
      dripping = setInterval(() => client.socket.writable && client.socket.write(drip), 50);
    });
    return client.closed.finally(() => clearInterval(dripping));
  }

  test("a connection that sends nothing is answered 408 and closed", async () => {
    const client = rawClient("", slow);
    expect(await client.closed).toBe("HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n");
  }, 20_000);

  test("headers that keep trickling in are cut with 408, and the request never runs", async () => {
    const answer = await trickle("POST /v1/submitjob HTTP/1.1\r\nHost: 127.0.0.1\r\n", "X-Slow: a\r\n");
    expect(answer).toMatch(/^HTTP\/1.1 408 Request Timeout\r\n/);
    expect(slowFake.requests).toEqual([]);
  }, 20_000);

  test("a body sent a byte at a time is cut with 408 once the request limit passes, and never runs", async () => {
    const body = submitBody("dripped");
    const answer = await trickle(`POST /v1/submitjob HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${1000 + body.length}\r\n\r\n${body}`, " ");
    expect(answer).toMatch(/^HTTP\/1.1 408 Request Timeout\r\n/);
    expect(slowFake.requests).toEqual([]);
  }, 20_000);

  test("a keep-alive connection between requests is not cut by the first request's limit", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const ask = () =>
        new Promise<{ status: number; reused: boolean }>((resolve, reject) => {
          const req = httpRequest(`${slow.url}/_parlel/health`, { agent }, (res) => {
            res.resume();
            res.on("end", () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket }));
          });
          req.on("error", reject);
          req.end();
        });
      expect(await ask()).toEqual({ status: 200, reused: false });
      // Longer than the 300 ms headers limit, shorter than the 5 s keep-alive limit.
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(await ask()).toEqual({ status: 200, reused: true });
    } finally {
      agent.destroy();
    }
  }, 20_000);

  test("the limits default to what the README says: 10 s for headers, 30 s per request", async () => {
    const running = await fakeBatch().listen({ port: 0 });
    try {
      expect(running.timeouts).toEqual({ headersMs: 10_000, requestMs: 30_000, keepAliveMs: 5_000, closeGraceMs: 3_000 });
      // node:http enforces these two itself.
      expect([running.server.headersTimeout, running.server.requestTimeout, running.server.keepAliveTimeout]).toEqual([10_000, 30_000, 5_000]);
    } finally {
      await running.close();
    }
    expect(slow.timeouts).toMatchObject({ headersMs: 300, requestMs: 1_000 });
  });

  test("limits that make no sense are refused", async () => {
    await expect(fakeBatch().listen({ port: 0, headersTimeoutMs: 0 })).rejects.toThrow("listen(): headersTimeoutMs must be a whole number of milliseconds, 1 or more, got 0.");
    await expect(fakeBatch().listen({ port: 0, requestTimeoutMs: 1.5 })).rejects.toThrow(/requestTimeoutMs must be a whole number/);
    await expect(fakeBatch().listen({ port: 0, headersTimeoutMs: 5_000, requestTimeoutMs: 1_000 })).rejects.toThrow("listen(): headersTimeoutMs (5000) cannot be longer than requestTimeoutMs (1000).");
  });
});

/** A raw TCP client, for requests node:http would not send: half a body, then a stall or a hang-up. */
function rawClient(firstBytes: string, target: RunningServer = server) {
  const seen = connections.length;
  const client = rawConnection(target.port, firstBytes);
  const serverSocket = new Promise<Socket>((resolve) => {
    const check = () => (connections.length > seen ? resolve(connections[connections.length - 1]) : server.server.once("connection", () => setImmediate(check)));
    check();
  });
  return { ...client, serverSocket };
}

const submitRequest = (jobName: string) => batchRequest("SubmitJob", JSON.parse(submitBody(jobName)));
