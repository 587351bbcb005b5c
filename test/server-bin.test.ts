import { createServer } from "node:net";
import { CLI, control, run, startServerProcess, type ServerProcess } from "./clients/server-process";
import { batchRequest, parseResponses, rawConnection } from "./clients/raw-http";
import { parseArguments } from "../src/server/flags";

// The compiled `parlel-batch` bin as `npx parlel-batch` runs it: its flags, PORT and --host, and how it
// shuts down on SIGINT and SIGTERM. Every test starts its own process and ends it.

const started: ServerProcess[] = [];

async function start(args: string[], options?: Parameters<typeof startServerProcess>[1]): Promise<ServerProcess> {
  const server = await startServerProcess(args, options);
  started.push(server);
  return server;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((server) => server.stop()));
});

/** A Batch operation over plain HTTP, as any language's SDK sends it. */
async function batch(url: string, operation: string, input: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(`${url}/v1/${operation.toLowerCase()}`, { method: "POST", body: JSON.stringify(input), headers: { "content-type": "application/json" } });
  return { status: response.status, json: await response.json() };
}

/** Runs the bin to its end, for flags it must refuse. */
function runBin(...args: string[]) {
  return run(process.execPath, [CLI, ...args], { PATH: process.env.PATH }, 60_000);
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}

/** A port nothing listens on right now, from the kernel. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

const FARGATE = { type: "FARGATE", maxvCpus: 8, subnets: ["subnet-1"], securityGroupIds: ["sg-1"] };
const STEP = {
  jobDefinitionName: "step",
  type: "container",
  platformCapabilities: ["FARGATE"],
  containerProperties: { image: "busybox", resourceRequirements: [{ type: "VCPU", value: "1" }, { type: "MEMORY", value: "2048" }], executionRoleArn: "arn:aws:iam::000000000000:role/exec" },
};

/** Compute environment `ce`, queue `etl` and job definition `step`, on a server with no transition time. */
async function createQueue(url: string): Promise<void> {
  expect((await batch(url, "CreateComputeEnvironment", { computeEnvironmentName: "ce", type: "MANAGED", computeResources: FARGATE })).status).toBe(200);
  expect((await batch(url, "CreateJobQueue", { jobQueueName: "etl", priority: 1, computeEnvironmentOrder: [{ order: 1, computeEnvironment: "ce" }] })).status).toBe(200);
  expect((await batch(url, "RegisterJobDefinition", STEP)).status).toBe(200);
}

describe("flags for the fake's options", () => {
  test("--resource-transition-ms, --delays and --job-retention-ms shape what a client sees on the manual clock", async () => {
    const server = await start(["--clock", "manual", "--resource-transition-ms", "2000", "--delays", "submittedMs=1000,startingMs=500", "--job-retention-ms=60000"]);
    const advance = async (ms: number) => expect((await control(server.url, "POST", "/_parlel/advance", { ms })).status).toBe(200);
    await batch(server.url, "CreateComputeEnvironment", { computeEnvironmentName: "ce", type: "MANAGED", computeResources: FARGATE });
    const environment = async () => (await batch(server.url, "DescribeComputeEnvironments", { computeEnvironments: ["ce"] })).json.computeEnvironments[0].status;
    expect(await environment()).toBe("CREATING");
    await advance(2000);
    expect(await environment()).toBe("VALID");
    await batch(server.url, "CreateJobQueue", { jobQueueName: "etl", priority: 1, computeEnvironmentOrder: [{ order: 1, computeEnvironment: "ce" }] });
    await advance(2000);
    await batch(server.url, "RegisterJobDefinition", STEP);
    const { jobId } = (await batch(server.url, "SubmitJob", { jobName: "one", jobQueue: "etl", jobDefinition: "step" })).json;
    const job = async () => (await batch(server.url, "DescribeJobs", { jobs: [jobId] })).json.jobs[0]?.status;
    const seen = [await job()];
    for (const ms of [1000, 500, 59_999, 1]) {
      await advance(ms);
      seen.push(await job());
    }
    // SUBMITTED for 1 s, STARTING for 0.5 s, then gone 60 s after it finished.
    expect(seen).toEqual(["SUBMITTED", "STARTING", "SUCCEEDED", "SUCCEEDED", undefined]);
  }, 90_000);

  test("--max-body-bytes refuses larger bodies with 413, and the flag's default is 1 MiB", async () => {
    const server = await start(["--max-body-bytes", "2048"]);
    const big = await batch(server.url, "SubmitJob", { jobName: "big", jobQueue: "etl", jobDefinition: "step", parameters: { blob: "x".repeat(3000) } });
    expect(big).toEqual({ status: 413, json: { __type: "ClientException", message: "The request body is larger than 2048 bytes, the most parlel-batch accepts." } });
    const small = await batch(server.url, "SubmitJob", { jobName: "small", jobQueue: "etl", jobDefinition: "step", parameters: { blob: "x".repeat(1000) } });
    expect(small).toEqual({ status: 400, json: { __type: "ClientException", message: "JobQueue etl not found." } });
    const plain = await start([]);
    const twoMiB = await batch(plain.url, "SubmitJob", { jobName: "big", jobQueue: "etl", jobDefinition: "step", parameters: { blob: "x".repeat(2 * 1024 * 1024) } });
    expect(twoMiB.json.message).toBe("The request body is larger than 1048576 bytes, the most parlel-batch accepts.");
  }, 90_000);

  test("values the flags cannot take are refused with a message that says why", () => {
    const refusals: [string[], string][] = [
      [["--job-retention-ms", "1h"], '--job-retention-ms takes a whole number of milliseconds from 0 to 8640000000000000, got "1h".'],
      [["--job-retention-ms=-5"], '--job-retention-ms takes a whole number of milliseconds from 0 to 8640000000000000, got "-5".'],
      [["--resource-transition-ms", "1e309"], '--resource-transition-ms takes a whole number of milliseconds from 0 to 8640000000000000, got "1e309".'],
      [["--resource-transition-ms", "8640000000000001"], '--resource-transition-ms takes a whole number of milliseconds from 0 to 8640000000000000, got "8640000000000001".'],
      [["--delays", "submitted=1000"], '--delays takes submittedMs=MS,pendingMs=MS,startingMs=MS (any of them, comma-separated): "submitted" is not one of them.'],
      [["--delays", "startingMs"], '--delays takes submittedMs=MS,pendingMs=MS,startingMs=MS (any of them, comma-separated), got "startingMs".'],
      [["--delays", "pendingMs=soon"], '--delays pendingMs takes a whole number of milliseconds from 0 to 8640000000000000, got "soon".'],
      [["--max-body-bytes", "0"], '--max-body-bytes takes a whole number of bytes from 1 to 1073741824, got "0".'],
      [["--max-body-bytes", "1.5"], '--max-body-bytes takes a whole number of bytes from 1 to 1073741824, got "1.5".'],
      [["--max-output-bytes", "4MiB"], '--max-output-bytes takes a whole number of bytes, 0 or more, got "4MiB".'],
      [["--record-requests", "-1"], '--record-requests takes a whole number of calls, 0 or more, got "-1".'],
      [["--stop-grace-ms", "5s"], '--stop-grace-ms takes a whole number of milliseconds from 0 to 8640000000000000, got "5s".'],
      [["--clock", "fast"], '--clock is real or manual, got "fast".'],
      [["--port", "70000"], '--port must be a port number from 0 to 65535, got "70000".'],
      [["--max-body-bytes"], "--max-body-bytes needs a value: --max-body-bytes N"],
    ];
    for (const [args, message] of refusals) expect(() => parseArguments(args, {})).toThrow(new Error(message));
    expect(() => parseArguments(["--job-retention", "5"], {})).toThrow(/^Unknown option --job-retention\nUsage: parlel-batch/);
    expect(() => parseArguments([], { PORT: "http" })).toThrow(new Error('PORT must be a port number from 0 to 65535, got "http".'));
    // What the flags can take, as the fake's and the server's options.
    expect(parseArguments(["--delays", "startingMs=500", "--job-retention-ms=0", "--max-body-bytes", "1"], { PORT: "4800" })).toEqual({
      fake: { delays: { startingMs: 500 }, jobRetentionMs: 0, maxBodyBytes: 1, recordRequests: 10_000 },
      listen: { port: 4800 },
    });
  });

  test("the bin stops with exit code 1 and the message on stderr, before it listens", async () => {
    const ran = await runBin("--delays", "submitted=1000");
    expect([ran.code, ran.stdout, ran.stderr.trim()]).toEqual([1, "", '--delays takes submittedMs=MS,pendingMs=MS,startingMs=MS (any of them, comma-separated): "submitted" is not one of them.']);
    const port = await run(process.execPath, [CLI], { PATH: process.env.PATH, PORT: "http" }, 60_000);
    expect([port.code, port.stderr.trim()]).toEqual([1, 'PORT must be a port number from 0 to 65535, got "http".']);
  }, 120_000);

  test("--help lists every flag and exits 0", async () => {
    const help = await runBin("--help");
    expect(help.code).toBe(0);
    for (const flag of ["--port N", "--host H", "--clock real|manual", "--seed S", "--account ID", "--region R", "--job-retention-ms MS", "--resource-transition-ms MS", "--delays submittedMs=MS,pendingMs=MS,startingMs=MS", "--max-body-bytes N", "--record-requests N", "--executor scripted|process|sandbox", "--work-dir DIR", "--allow-path DIR", "--stop-grace-ms MS", "--max-output-bytes N"]) {
      expect(help.stdout).toContain(`  ${flag}\n`);
    }
  }, 90_000);
});

describe("where it listens", () => {
  test("PORT in the environment sets the port when --port is not given, and --port wins over it", async () => {
    const port = await freePort();
    const fromEnvironment = await start([], { anyPort: false, env: { ...process.env, PORT: String(port) } });
    expect(fromEnvironment.url).toBe(`http://127.0.0.1:${port}`);
    expect((await control(fromEnvironment.url, "GET", "/_parlel/health")).json.status).toBe("ok");
    const overridden = await start([], { env: { ...process.env, PORT: String(port) } });
    expect(portOf(overridden.url)).not.toBe(port);
  }, 90_000);

  test("--host binds that address only", async () => {
    // Any 127.x.y.z address is the loopback on Linux; listening on 127.0.0.2 leaves 127.0.0.1 unserved.
    const server = await start(["--host", "127.0.0.2"]);
    const port = portOf(server.url);
    expect(server.url).toBe(`http://127.0.0.2:${port}`);
    expect((await control(server.url, "GET", "/_parlel/health")).json.status).toBe("ok");
    await expect(fetch(`http://127.0.0.1:${port}/_parlel/health`)).rejects.toMatchObject({ cause: { code: "ECONNREFUSED" } });
  }, 90_000);

  test("a --host it cannot listen on is refused with the reason", async () => {
    const ran = await runBin("--host", "192.0.2.1", "--port", "0");
    expect(ran.code).toBe(1);
    expect(ran.stderr.trim()).toMatch(/^Cannot listen on 192\.0\.2\.1 port 0: listen EADDRNOTAVAIL/);
  }, 90_000);
});

describe("shutdown", () => {
  test("SIGINT stops it cleanly: exit code 0, and it says so", async () => {
    const server = await start([]);
    expect(await server.stop("SIGINT")).toEqual({ code: 0, signal: null });
    expect(server.output()).toContain("SIGINT: shutting down");
    expect(server.output()).toContain("parlel-batch stopped");
  }, 90_000);

  test("a client stalled mid-body does not hold SIGINT's shutdown past the 3 s drain, and its request never runs", async () => {
    const server = await start(["--clock", "manual"]);
    const request = batchRequest("CreateJobQueue", { jobQueueName: "never", priority: 1, computeEnvironmentOrder: [] });
    const stalled = rawConnection(portOf(server.url), request.slice(0, -10));
    await stalled.connected;
    // The server has the headers once it answers on another connection after them.
    expect((await control(server.url, "GET", "/_parlel/health")).status).toBe(200);
    expect(await server.stop("SIGINT")).toEqual({ code: 0, signal: null });
    // Cut without an answer: the server never had the whole request.
    expect(await stalled.closed).toBe("");
    expect(server.output()).toContain("parlel-batch stopped");
  }, 90_000);

  test("SIGTERM under keep-alive load: every request sent before or as it begins is answered, and no connection is reset", async () => {
    const server = await start(["--clock", "manual"]);
    await createQueue(server.url);
    const port = portOf(server.url);
    const submit = (jobName: string) => batchRequest("SubmitJob", { jobName, jobQueue: "etl", jobDefinition: "step" });
    // 20 keep-alive connections with one answered request each, idle now as the server sees them.
    const idle = Array.from({ length: 20 }, (_, i) => rawConnection(port, submit(`first-${i}`)));
    expect((await Promise.all(idle.map((client) => client.responses(1)))).map((answers) => answers[0].status)).toEqual(Array(20).fill(200));
    // 5 connections with a request in flight: headers and part of the body, after one answered request
    // shows the server has accepted the connection.
    const inFlight = Array.from({ length: 5 }, (_, i) => rawConnection(port, submit(`before-${i}`)));
    await Promise.all(inFlight.map((client) => client.responses(1)));
    await Promise.all(inFlight.map((client, i) => new Promise((resolve) => client.socket.write(submit(`in-flight-${i}`).slice(0, -5), resolve))));
    // As the signal goes out, each idle connection sends its next request and the bodies in flight follow. Whether
    // the server reads a request before or after the signal, it answers it: with Connection: close once
    // shutting down, and a connection left idle is then closed between requests.
    const exited = server.stop("SIGTERM");
    idle.forEach((client, i) => client.socket.write(submit(`second-${i}`)));
    inFlight.forEach((client, i) => client.socket.write(submit(`in-flight-${i}`).slice(-5)));
    await Promise.all([...idle, ...inFlight].map((client) => client.closed));
    expect(await exited).toEqual({ code: 0, signal: null });
    const answered = [...idle, ...inFlight].map((client) => ({ error: client.error()?.code, answers: parseResponses(client.received()) }));
    for (const [i, client] of answered.entries()) {
      const expected = i < 20 ? [`first-${i}`, `second-${i}`] : [`before-${i - 20}`, `in-flight-${i - 20}`];
      // Each answer is for its own request: the client knows each job was made.
      expect(client.answers.map((answer) => [answer.status, answer.json.jobName])).toEqual(expected.map((jobName) => [200, jobName]));
      expect(client.error).toBeUndefined();
    }
    // Stopped: a new connection is refused before anything is sent.
    await expect(fetch(`${server.url}/_parlel/health`)).rejects.toMatchObject({ cause: { code: "ECONNREFUSED" } });
  }, 90_000);
});
