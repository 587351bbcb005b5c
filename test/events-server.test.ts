import { BatchClient, SubmitJobCommand } from "@aws-sdk/client-batch";
import { request as httpRequest, type ClientRequest } from "node:http";
import { fakeBatch, type FakeBatch } from "../src";
import type { RunningServer } from "../src/server/http-server";
import { control } from "./clients/server-process";

// State-change events in server mode: GET /_parlel/events as a Server-Sent Events stream and as JSON pages.

let fake: FakeBatch;
let server: RunningServer;
let batch: BatchClient;

beforeAll(async () => {
  fake = fakeBatch({ clock: "manual", startTime: Date.UTC(2026, 0, 1) });
  server = await fake.listen({ port: 0 });
  batch = new BatchClient({ endpoint: server.url, region: "us-east-1", credentials: { accessKeyId: "parlel", secretAccessKey: "parlel" }, maxAttempts: 1 });
});

afterAll(async () => {
  batch.destroy();
  await server.close();
});

beforeEach(async () => {
  fake.reset();
  await fake.provision({ jobQueues: ["jq"], jobDefinitions: ["work"] });
});

interface Received {
  id: string;
  data: any;
}

/** Opens the event stream and collects its events until `enough` says so. */
function openStream(path: string, headers: Record<string, string> = {}) {
  const received: Received[] = [];
  let request!: ClientRequest;
  let wake: () => void = () => {};
  const opened = new Promise<{ status: number; type: string | undefined }>((resolve, reject) => {
    request = httpRequest(server.url + path, { headers: { accept: "text/event-stream", ...headers }, agent: false }, (response) => {
      let buffer = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        buffer += chunk;
        for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const id = /^id: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (id !== undefined && data !== undefined) received.push({ id, data: JSON.parse(data) });
        }
        wake();
      });
      resolve({ status: response.statusCode ?? 0, type: response.headers["content-type"] });
    });
    request.on("error", reject);
    request.end();
  });
  const until = async (enough: (events: Received[]) => boolean) => {
    while (!enough(received)) await new Promise<void>((done) => (wake = done));
    return received;
  };
  return { opened, until, close: () => request.destroy() };
}

describe("GET /_parlel/events", () => {
  test("streams each state change as a Server-Sent Event, numbered, with the EventBridge envelope as data", async () => {
    const stream = openStream("/_parlel/events");
    expect(await stream.opened).toEqual({ status: 200, type: "text/event-stream; charset=utf-8" });
    const { jobId } = await batch.send(new SubmitJobCommand({ jobName: "streamed", jobQueue: "jq", jobDefinition: "work" }));
    const events = await stream.until((got) => got.some((event) => event.data.detail.status === "SUCCEEDED"));
    expect(events.map((event) => event.data.detail.status)).toEqual(["PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED"]);
    expect(events.every((event) => event.data.detail.jobId === jobId && event.data.source === "aws.batch" && event.data["detail-type"] === "Batch Job State Change")).toBe(true);
    const ids = events.map((event) => Number(event.id));
    expect(ids).toEqual([ids[0], ids[0] + 1, ids[0] + 2, ids[0] + 3, ids[0] + 4]);
    stream.close();
  });

  test("Last-Event-ID (or ?after=) replays the kept events after it first", async () => {
    await batch.send(new SubmitJobCommand({ jobName: "before", jobQueue: "jq", jobDefinition: "work" }));
    const page = await control(server.url, "GET", "/_parlel/events");
    expect(page.json.events.map((event: any) => event.detail.status)).toEqual(["PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED"]);
    const third = page.json.nextAfter - 2;
    const stream = openStream("/_parlel/events", { "last-event-id": String(third) });
    await stream.opened;
    const replayed = await stream.until((got) => got.length >= 2);
    expect(replayed.map((event) => event.data.detail.status)).toEqual(["RUNNING", "SUCCEEDED"]);
    stream.close();
    const after = openStream(`/_parlel/events?after=${page.json.nextAfter - 1}`);
    await after.opened;
    expect((await after.until((got) => got.length >= 1)).map((event) => event.data.detail.status)).toEqual(["SUCCEEDED"]);
    after.close();
  });

  test("as JSON, a page of the kept events after a sequence number, for polling", async () => {
    const first = await control(server.url, "GET", "/_parlel/events");
    await batch.send(new SubmitJobCommand({ jobName: "polled", jobQueue: "jq", jobDefinition: "work" }));
    const page = await control(server.url, "GET", `/_parlel/events?after=${first.json.nextAfter}`);
    expect(page.status).toBe(200);
    expect(page.json.events.map((event: any) => `${event.detail.jobName} ${event.detail.status}`)).toEqual(["polled PENDING", "polled RUNNABLE", "polled STARTING", "polled RUNNING", "polled SUCCEEDED"]);
    expect(page.json.nextAfter).toBe(first.json.nextAfter + 5);
    const empty = await control(server.url, "GET", `/_parlel/events?after=${page.json.nextAfter}`);
    expect(empty.json).toEqual({ events: [], nextAfter: page.json.nextAfter });
    expect((await control(server.url, "GET", "/_parlel/events?after=x")).status).toBe(400);
  });

  test("with a control token, the stream needs it like every control endpoint", async () => {
    const own = fakeBatch();
    const running = await own.listen({ port: 0, controlToken: "secret" });
    const open = (headers: Record<string, string>) =>
      new Promise<{ status: number; type: string | undefined }>((resolve, reject) => {
        const request = httpRequest(`${running.url}/_parlel/events`, { headers: { accept: "text/event-stream", ...headers }, agent: false }, (response) => {
          resolve({ status: response.statusCode ?? 0, type: response.headers["content-type"] });
          request.destroy();
        });
        request.on("error", (error) => (request.destroyed ? undefined : reject(error)));
        request.end();
      });
    try {
      expect((await open({})).status).toBe(401);
      expect(await open({ authorization: "Bearer secret" })).toEqual({ status: 200, type: "text/event-stream; charset=utf-8" });
    } finally {
      await running.close();
    }
  });

  test("closing the server ends open streams at once", async () => {
    const own = fakeBatch();
    const running = await own.listen({ port: 0 });
    const ended = new Promise<void>((resolve, reject) => {
      const request = httpRequest(`${running.url}/_parlel/events`, { headers: { accept: "text/event-stream" }, agent: false }, (response) => {
        response.resume();
        response.on("end", resolve);
        void running.close();
      });
      request.on("error", reject);
      request.end();
    });
    await ended;
    expect(running.server.listening).toBe(false);
  });
});
