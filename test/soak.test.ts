import { spawn, type ChildProcess } from "node:child_process";
import { connect, type Socket } from "node:net";
import { resolve } from "node:path";
import { CLI } from "./clients/server-process";

// A soak of server mode: `parlel-batch` (the CLI, with its defaults) answers 300,000 mixed calls over
// keep-alive connections, and its heap, measured after garbage collection, stays flat once warm; then a
// read of the request log still answers a bounded page. Calls go as raw pipelined HTTP, which costs the
// client little, so the server's own cost sets the pace.

const PROBE = resolve(__dirname, "fixtures/heap-probe.cjs");
const ROUNDS = 12;
const CALLS_PER_ROUND = 25_000;
const CONNECTIONS = 8;
const PIPELINE = 32;
/** The growth allowed after warm-up. Before the request log was bounded, each call kept 0.4-2.4 KB: 300+ MB here. */
const HEAP_GROWTH_BOUND = 32 * 1024 * 1024;
const DAY_MS = 24 * 60 * 60 * 1000;

interface Server {
  url: string;
  port: number;
  child: ChildProcess;
  heap(): Promise<number>;
}

function startServer(): Promise<Server> {
  const child = spawn(process.execPath, ["--expose-gc", "-r", PROBE, CLI, "--port", "0", "--clock", "manual"], { stdio: ["ignore", "pipe", "pipe", "ipc"] });
  let output = "";
  return new Promise((done, fail) => {
    child.once("exit", (code) => fail(new Error(`parlel-batch exited (${code}) before listening:\n${output}`)));
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:(\d+))/.exec(output);
      if (!match) return;
      child.stdout?.off("data", collect);
      const heap = () =>
        new Promise<number>((answer) => {
          child.once("message", (message: { heapUsed: number }) => answer(message.heapUsed));
          child.send("heap");
        });
      done({ url: match[1], port: Number(match[2]), child, heap });
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
  });
}

interface Response {
  status: number;
  body: Buffer;
}

/** One keep-alive connection that sends requests without waiting, and pairs answers with them in order. */
class Connection {
  private buffer: Buffer = Buffer.alloc(0);
  private readonly waiting: ((response: Response) => void)[] = [];

  private constructor(private readonly socket: Socket) {
    socket.on("data", (chunk: Buffer) => this.received(chunk));
  }

  static open(port: number): Promise<Connection> {
    return new Promise((done, fail) => {
      const socket = connect(port, "127.0.0.1", () => done(new Connection(socket)));
      socket.once("error", fail);
    });
  }

  send(method: string, path: string, body = ""): Promise<Response> {
    const length = Buffer.byteLength(body);
    this.socket.write(`${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n${body}`);
    return new Promise((answer) => this.waiting.push(answer));
  }

  close(): void {
    this.socket.end();
  }

  private received(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const end = this.buffer.indexOf("\r\n\r\n");
      if (end < 0) return;
      const head = this.buffer.subarray(0, end).toString("latin1");
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
      if (this.buffer.length < end + 4 + length) return;
      const body = this.buffer.subarray(end + 4, end + 4 + length);
      this.buffer = this.buffer.subarray(end + 4 + length);
      this.waiting.shift()?.({ status: Number(head.slice(9, 12)), body });
    }
  }
}

/**
 * Drives `calls` mixed calls, as a poller does: SubmitJob, DescribeJobs of the latest 20 ids, and ListJobs of RUNNING
 * jobs (none: jobs run straight through on the manual clock), 2:2:1. Returns how many failed.
 */
async function drive(connections: Connection[], calls: number, recentIds: string[]): Promise<number> {
  let failures = 0;
  let sent = 0;
  const submit = JSON.stringify({ jobName: "soak", jobQueue: "jq", jobDefinition: "work" });
  const list = JSON.stringify({ jobQueue: "jq", jobStatus: "RUNNING" });
  const one = (i: number, connection: Connection): Promise<void> => {
    const kind = i % 5;
    if (kind < 2) {
      return connection.send("POST", "/v1/submitjob", submit).then((response) => {
        if (response.status !== 200) failures++;
        else {
          recentIds.push((JSON.parse(response.body.toString()) as { jobId: string }).jobId);
          if (recentIds.length > 20) recentIds.shift();
        }
      });
    }
    const [path, body] = kind < 4 ? ["/v1/describejobs", JSON.stringify({ jobs: recentIds.length > 0 ? recentIds : ["none"] })] : ["/v1/listjobs", list];
    return connection.send("POST", path, body).then((response) => {
      if (response.status !== 200) failures++;
    });
  };
  await Promise.all(
    connections.map(async (connection) => {
      while (sent < calls) {
        const batch: Promise<void>[] = [];
        for (let j = 0; j < PIPELINE && sent < calls; j++) batch.push(one(sent++, connection));
        await Promise.all(batch);
      }
    }),
  );
  return failures;
}

async function control(connection: Connection, method: string, path: string, body?: unknown): Promise<{ status: number; bytes: number; json: any }> {
  const response = await connection.send(method, path, body === undefined ? "" : JSON.stringify(body));
  return { status: response.status, bytes: response.body.byteLength, json: JSON.parse(response.body.toString()) };
}

test(`server mode soak: ${ROUNDS * CALLS_PER_ROUND} mixed calls keep the heap within ${HEAP_GROWTH_BOUND / 1024 / 1024} MB of its size after warm-up, and the request log still answers a bounded page`, async () => {
  const server = await startServer();
  const connections = await Promise.all(Array.from({ length: CONNECTIONS }, () => Connection.open(server.port)));
  try {
    const [controller] = connections;
    await control(controller, "POST", "/v1/createcomputeenvironment", { computeEnvironmentName: "ce", type: "MANAGED", computeResources: { type: "FARGATE", maxvCpus: 4096, subnets: ["s"] } });
    await control(controller, "POST", "/v1/createjobqueue", { jobQueueName: "jq", priority: 1, computeEnvironmentOrder: [{ order: 1, computeEnvironment: "ce" }] });
    const registered = await control(controller, "POST", "/v1/registerjobdefinition", {
      jobDefinitionName: "work",
      type: "container",
      platformCapabilities: ["FARGATE"],
      containerProperties: { image: "busybox", command: ["true"], resourceRequirements: [{ type: "VCPU", value: "0.25" }, { type: "MEMORY", value: "512" }], executionRoleArn: "arn:aws:iam::000000000000:role/run" },
    });
    expect(registered.status).toBe(200);

    const recentIds: string[] = [];
    const heaps: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      expect(await drive(connections, CALLS_PER_ROUND, recentIds)).toBe(0);
      // A day passes on the manual clock: the jobs this round finished expire, as they would on AWS.
      expect((await control(controller, "POST", "/_parlel/advance", { ms: DAY_MS + 1 })).status).toBe(200);
      heaps.push(await server.heap());
    }
    // The first two rounds warm up: the request log fills (10,000 calls) and the job views' cache fills.
    const warm = heaps[1];
    const growth = Math.max(...heaps.slice(2)) - warm;
    expect({ withinBound: growth < HEAP_GROWTH_BOUND, growth, heaps }).toMatchObject({ withinBound: true });

    // The log kept the latest 10,000 calls (the server's default; the advances are not recorded), and reading
    // it answers one bounded page: at most `limit` calls, ending soon after 8 MiB, with the cursor to go on.
    const health = await control(controller, "GET", "/_parlel/health");
    expect(health.json.counts.requests).toBe(10_000);
    const page = await control(controller, "GET", "/_parlel/requests");
    expect(page.status).toBe(200);
    expect(page.json.requests.length).toBeGreaterThan(0);
    expect(page.json.requests.length).toBeLessThanOrEqual(1_000);
    expect(page.bytes).toBeLessThan(9 * 1024 * 1024);
    expect(page.json.dropped).toBe(3 + ROUNDS * CALLS_PER_ROUND - 10_000);
    expect(page.json.nextSince).toBe(page.json.requests.at(-1).sequence);
    const lists = await control(controller, "GET", "/_parlel/requests?operation=ListJobs&limit=50");
    expect(lists.json.requests).toHaveLength(50);
    expect(lists.json.requests.every((r: { operation: string }) => r.operation === "ListJobs")).toBe(true);
  } finally {
    for (const connection of connections) connection.close();
    server.child.kill("SIGTERM");
  }
}, 600_000);
