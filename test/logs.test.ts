import { RegisterJobDefinitionCommand } from "@aws-sdk/client-batch";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  InvalidParameterException,
  paginateFilterLogEvents,
  paginateGetLogEvents,
  ResourceNotFoundException,
  type GetLogEventsCommandInput,
} from "@aws-sdk/client-cloudwatch-logs";
import { engine } from "./engine-helpers";
import { failure } from "./helpers";
import type { FakeBatch } from "../src";
import "../src/jest";

function logsClient(fake: FakeBatch, region = "us-east-1") {
  return new CloudWatchLogsClient({ region, credentials: { accessKeyId: "parlel", secretAccessKey: "parlel" }, requestHandler: fake });
}

/** A manual-clock fake with a Batch client and a Logs client on the same handler. */
async function setup(options: Parameters<typeof engine>[0] = {}) {
  const context = await engine(options);
  const logs = logsClient(context.fake);
  const streamOf = async (jobId: string) => (await context.describe(jobId)).container!.logStreamName!;
  const get = async (input: Partial<GetLogEventsCommandInput> & { logStreamName: string }) => logs.send(new GetLogEventsCommand({ logGroupName: "/aws/batch/job", ...input }));
  return { ...context, logs, streamOf, get };
}

const messages = (events: { message?: string }[] | undefined) => (events ?? []).map((event) => event.message ?? "");

describe("CloudWatch Logs through its own SDK, on the same fakeBatch() handler", () => {
  test("GetLogEvents reads a job's lines from the stream DescribeJobs names, with timestamps and ingestion times", async () => {
    const { fake, submit, streamOf, get } = await setup();
    fake.onJob({}, { logs: "extracting\nloaded 42 rows\n" });
    const jobId = await submit();
    const output = await get({ logStreamName: await streamOf(jobId), startFromHead: true });
    expect(output.events).toEqual([
      { timestamp: fake.now(), message: "extracting", ingestionTime: fake.now() },
      { timestamp: fake.now(), message: "loaded 42 rows", ingestionTime: fake.now() },
    ]);
    expect(output.nextForwardToken).toMatch(/^f\/\d{56}\/s$/);
    expect(output.nextBackwardToken).toMatch(/^b\/\d{56}\/s$/);
    expect(fake.logs(jobId)).toEqual(messages(output.events));
  });

  test("a follower polls with the forward token while a running job's lines arrive, until the token stops changing", async () => {
    const { fake, submit, streamOf, get, status } = await setup();
    fake.onJob({}, { durationMs: 60_000, logs: ["starting", { message: "10 s in", afterMs: 10_000 }, { message: "20 s in", afterMs: 20_000 }, { message: "done", afterMs: 60_000 }] });
    const jobId = await submit();
    const logStreamName = await streamOf(jobId);
    const seen: string[] = [];
    let page = await get({ logStreamName, startFromHead: true });
    seen.push(...messages(page.events));
    let token = page.nextForwardToken!;
    expect(seen).toEqual(["starting"]);
    // Nothing new: the same token comes back, and no events.
    page = await get({ logStreamName, nextToken: token });
    expect(page.events).toEqual([]);
    expect(page.nextForwardToken).toBe(token);
    for (const step of [10_000, 10_000, 40_000]) {
      await fake.advance(step);
      page = await get({ logStreamName, nextToken: token });
      expect(page.nextForwardToken).not.toBe(token);
      seen.push(...messages(page.events));
      token = page.nextForwardToken!;
    }
    expect(seen).toEqual(["starting", "10 s in", "20 s in", "done"]);
    expect(await status(jobId)).toEqual(["SUCCEEDED"]);
    expect((await get({ logStreamName, nextToken: token })).nextForwardToken).toBe(token);
  });

  test("lines appended through engine.writeLog while the job runs reach a follower", async () => {
    const { fake, submit, streamOf, get } = await setup();
    fake.onJob({}, { durationMs: 60_000, logs: ["started"] });
    const jobId = await submit();
    const logStreamName = await streamOf(jobId);
    const first = await get({ logStreamName, startFromHead: true });
    expect(messages(first.events)).toEqual(["started"]);
    const { store, job } = fake.service.findJob(jobId)!;
    fake.service.engine.writeLog(store, job, "hello from the process");
    const next = await get({ logStreamName, nextToken: first.nextForwardToken });
    expect(messages(next.events)).toEqual(["hello from the process"]);
  });

  test("the SDK's GetLogEvents paginator with stopOnSameToken reads a finished stream to its end", async () => {
    const { fake, submit, streamOf, logs } = await setup();
    fake.onJob({}, { logs: Array.from({ length: 25 }, (_, i) => `line ${i}`) });
    const logStreamName = await streamOf(await submit());
    const read: string[] = [];
    for await (const page of paginateGetLogEvents({ client: logs, pageSize: 10, stopOnSameToken: true }, { logGroupName: "/aws/batch/job", logStreamName, startFromHead: true })) {
      read.push(...messages(page.events).map(String));
    }
    expect(read).toEqual(Array.from({ length: 25 }, (_, i) => `line ${i}`));
  });

  test("startFromHead, limit, startTime/endTime and the backward token", async () => {
    const { fake, submit, streamOf, get } = await setup();
    fake.onJob({}, { durationMs: 5_000, logs: [0, 1, 2, 3, 4, 5].map((i) => ({ message: `t${i}`, afterMs: i * 1000 })) });
    const jobId = await submit();
    const start = fake.now();
    await fake.advance(5_000);
    const logStreamName = await streamOf(jobId);
    // From the tail by default: the latest events, still in time order.
    const tail = await get({ logStreamName, limit: 2 });
    expect(messages(tail.events)).toEqual(["t4", "t5"]);
    const earlier = await get({ logStreamName, limit: 2, nextToken: tail.nextBackwardToken });
    expect(messages(earlier.events)).toEqual(["t2", "t3"]);
    const head = await get({ logStreamName, limit: 2, startFromHead: true });
    expect(messages(head.events)).toEqual(["t0", "t1"]);
    // startTime inclusive, endTime exclusive.
    const range = await get({ logStreamName, startFromHead: true, startTime: start + 1000, endTime: start + 3000 });
    expect(messages(range.events)).toEqual(["t1", "t2"]);
    // With endTime, a forward reader stops even on a stream that still grows.
    const bounded = await get({ logStreamName, startTime: start + 1000, endTime: start + 3000, nextToken: range.nextForwardToken });
    expect(bounded.events).toEqual([]);
    expect(bounded.nextForwardToken).toBe(range.nextForwardToken);
    // At the head, going back finds nothing and returns the same backward token.
    const before = await get({ logStreamName, nextToken: head.nextBackwardToken });
    expect(before.events).toEqual([]);
    expect(before.nextBackwardToken).toBe(head.nextBackwardToken);
  });

  test("each attempt's stream holds its own lines", async () => {
    const { fake, batch, submit, describe, get } = await setup();
    await batch.send(new RegisterJobDefinitionCommand({ jobDefinitionName: "retried", type: "container", retryStrategy: { attempts: 2 }, containerProperties: { image: "busybox", command: ["run"], vcpus: 1, memory: 512 } }));
    fake.onJob({}, (_job, attempt) => ({ exitCode: attempt === 1 ? 1 : 0, logs: [`attempt ${attempt}`] }));
    const job = await describe(await submit({ jobDefinition: "retried" }));
    const read = await Promise.all(job.attempts!.map(async (attempt) => messages((await get({ logStreamName: attempt.container!.logStreamName!, startFromHead: true })).events)));
    expect(read).toEqual([["attempt 1"], ["attempt 2"]]);
  });

  test("a custom awslogs-group and awslogs-stream-prefix are where the lines are read", async () => {
    const { fake, batch, submit, describe, logs } = await setup();
    await batch.send(new RegisterJobDefinitionCommand({
      jobDefinitionName: "custom",
      type: "container",
      containerProperties: { image: "busybox", command: ["run"], vcpus: 1, memory: 512, logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "/my/pipeline", "awslogs-stream-prefix": "etl" } } },
    }));
    fake.onJob({}, { logs: ["custom line"] });
    const { container } = await describe(await submit({ jobDefinition: "custom" }));
    expect(container!.logStreamName).toMatch(/^etl\/default\/[0-9a-f]{32}$/);
    const output = await logs.send(new GetLogEventsCommand({ logGroupIdentifier: "/my/pipeline", logStreamName: container!.logStreamName!, startFromHead: true }));
    expect(messages(output.events)).toEqual(["custom line"]);
  });

  test("unknown groups and streams are ResourceNotFoundException with CloudWatch Logs' texts", async () => {
    const { fake, submit, get, logs } = await setup();
    fake.onJob({}, { logs: ["x"] });
    await submit();
    const stream = await failure(get({ logStreamName: "no/such/stream" }));
    expect(stream).toBeInstanceOf(ResourceNotFoundException);
    expect(stream.message).toBe("The specified log stream does not exist.");
    expect(stream.$metadata?.httpStatusCode).toBe(400);
    const group = await failure(logs.send(new GetLogEventsCommand({ logGroupName: "/no/such/group", logStreamName: "x" })));
    expect(group).toBeInstanceOf(ResourceNotFoundException);
    expect(group.message).toBe("The specified log group does not exist.");
    const described = await failure(logs.send(new DescribeLogStreamsCommand({ logGroupName: "/no/such/group" })));
    expect(described.message).toBe("The specified log group does not exist.");
    expect(fake.requests.filter((r) => r.operation === "logs:GetLogEvents").map((r) => r.error?.type)).toEqual(["ResourceNotFoundException", "ResourceNotFoundException"]);
  });

  test("bad input is InvalidParameterException in AWS's validation wording", async () => {
    const { fake, submit, streamOf, get, logs } = await setup();
    fake.onJob({}, { logs: ["x"] });
    const logStreamName = await streamOf(await submit());
    const limit = await failure(get({ logStreamName, limit: 10001 }));
    expect(limit).toBeInstanceOf(InvalidParameterException);
    expect(limit.message).toBe("1 validation error detected: Value '10001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000");
    expect((await failure(get({ logStreamName, nextToken: "f/123/s" }))).message).toBe("The specified nextToken is invalid.");
    const both = await failure(logs.send(new GetLogEventsCommand({ logGroupName: "/aws/batch/job", logGroupIdentifier: "/aws/batch/job", logStreamName })));
    expect(both).toBeInstanceOf(InvalidParameterException);
    const arn = await failure(logs.send(new GetLogEventsCommand({ logGroupIdentifier: "arn:aws:logs:us-east-1:000000000000:log-group:/aws/batch/job:*", logStreamName })));
    expect(arn.message).toBe("1 validation error detected: Value at 'logGroupIdentifier' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w#+=/:,.@-]*");
    const order = await failure(logs.send(new DescribeLogStreamsCommand({ logGroupName: "/aws/batch/job", orderBy: "LastEventTime", logStreamNamePrefix: "work/" })));
    expect(order.message).toBe("Cannot order by LastEventTime with a logStreamNamePrefix.");
    const missing = await failure(logs.send(new GetLogEventsCommand({ logGroupName: "/aws/batch/job" } as GetLogEventsCommandInput)));
    expect(missing.message).toBe("1 validation error detected: Value null at 'logStreamName' failed to satisfy constraint: Member must not be null");
  });

  test("a group's ARN (without :*) works as logGroupIdentifier", async () => {
    const { fake, submit, streamOf, logs } = await setup();
    fake.onJob({}, { logs: ["by arn"] });
    const logStreamName = await streamOf(await submit());
    const { logGroups } = await logs.send(new DescribeLogGroupsCommand({}));
    const output = await logs.send(new GetLogEventsCommand({ logGroupIdentifier: logGroups![0].logGroupArn, logStreamName, startFromHead: true }));
    expect(messages(output.events)).toEqual(["by arn"]);
  });

  test("other Logs operations answer a clear not-implemented error", async () => {
    const { fake, logs } = await setup();
    const error = await failure(logs.send(new CreateLogGroupCommand({ logGroupName: "/mine" })));
    expect(error.name).toBe("UnknownOperationException");
    expect(error.message).toMatch(/does not implement the CloudWatch Logs operation CreateLogGroup/);
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(fake).toHaveReceivedCommand(CreateLogGroupCommand);
  });

  test("FilterLogEvents interleaves the streams of a group by time, with a filter pattern and pages", async () => {
    const { fake, submit, streamOf, logs } = await setup();
    fake.onJob({ jobName: "a" }, { durationMs: 3_000, logs: [{ message: "a ERROR one" }, { message: "a info", afterMs: 1000 }, { message: "a ERROR two", afterMs: 2000 }] });
    fake.onJob({ jobName: "b" }, { durationMs: 3_000, logs: [{ message: "b info", afterMs: 500 }, { message: "b ERROR three", afterMs: 1500 }] });
    const a = await submit({ jobName: "a" });
    const b = await submit({ jobName: "b" });
    await fake.advance(3_000);
    const all = await logs.send(new FilterLogEventsCommand({ logGroupName: "/aws/batch/job" }));
    expect(messages(all.events)).toEqual(["a ERROR one", "b info", "a info", "b ERROR three", "a ERROR two"]);
    expect(all.nextToken).toBeUndefined();
    expect(all.events![0]).toMatchObject({ logStreamName: await streamOf(a), eventId: expect.stringMatching(/^\d{56}$/) });
    const errors = await logs.send(new FilterLogEventsCommand({ logGroupName: "/aws/batch/job", filterPattern: "ERROR -two" }));
    expect(messages(errors.events)).toEqual(["a ERROR one", "b ERROR three"]);
    const either = await logs.send(new FilterLogEventsCommand({ logGroupName: "/aws/batch/job", filterPattern: '?"ERROR three" ?info' }));
    expect(messages(either.events)).toEqual(["b info", "a info", "b ERROR three"]);
    const onlyB = await logs.send(new FilterLogEventsCommand({ logGroupName: "/aws/batch/job", logStreamNames: [await streamOf(b)] }));
    expect(messages(onlyB.events)).toEqual(["b info", "b ERROR three"]);
    const pages: string[][] = [];
    for await (const page of paginateFilterLogEvents({ client: logs, pageSize: 2 }, { logGroupName: "/aws/batch/job" })) pages.push(messages(page.events).map(String));
    expect(pages.flat()).toEqual(messages(all.events));
    expect(pages[0]).toHaveLength(2);
    const unknown = await failure(logs.send(new FilterLogEventsCommand({ logGroupName: "/aws/batch/job", logStreamNames: ["nope"] })));
    expect(unknown.message).toBe("The specified log stream does not exist.");
    const json = await failure(logs.send(new FilterLogEventsCommand({ logGroupName: "/aws/batch/job", filterPattern: '{ $.level = "error" }' })));
    expect(json).toBeInstanceOf(InvalidParameterException);
  });

  test("DescribeLogStreams lists a group's streams by name or by last event time, with pages", async () => {
    const { fake, submit, streamOf, logs } = await setup();
    fake.onJob({}, { logs: ["x"] });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push(await submit());
      await fake.advance(1000);
    }
    const names = await Promise.all(ids.map(streamOf));
    const byName = await logs.send(new DescribeLogStreamsCommand({ logGroupName: "/aws/batch/job" }));
    expect(byName.logStreams!.map((s) => s.logStreamName)).toEqual([...names].sort());
    expect(byName.logStreams![0]).toMatchObject({ arn: expect.stringMatching(/^arn:aws:logs:us-east-1:000000000000:log-group:\/aws\/batch\/job:log-stream:work\/default\//), storedBytes: 0 });
    const newest = await logs.send(new DescribeLogStreamsCommand({ logGroupName: "/aws/batch/job", orderBy: "LastEventTime", descending: true, limit: 1 }));
    expect(newest.logStreams!.map((s) => s.logStreamName)).toEqual([names[2]]);
    expect(newest.logStreams![0]).toMatchObject({ firstEventTimestamp: fake.now() - 1000, lastEventTimestamp: fake.now() - 1000 });
    const second = await logs.send(new DescribeLogStreamsCommand({ logGroupName: "/aws/batch/job", orderBy: "LastEventTime", descending: true, limit: 1, nextToken: newest.nextToken }));
    expect(second.logStreams!.map((s) => s.logStreamName)).toEqual([names[1]]);
    const prefixed = await logs.send(new DescribeLogStreamsCommand({ logGroupName: "/aws/batch/job", logStreamNamePrefix: names[0] }));
    expect(prefixed.logStreams!.map((s) => s.logStreamName)).toEqual([names[0]]);
  });

  test("DescribeLogGroups lists the groups jobs wrote to", async () => {
    const { fake, batch, submit, logs } = await setup();
    await batch.send(new RegisterJobDefinitionCommand({
      jobDefinitionName: "custom",
      type: "container",
      containerProperties: { image: "busybox", command: ["run"], vcpus: 1, memory: 512, logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "/my/pipeline" } } },
    }));
    fake.onJob({}, { logs: ["hello"] });
    await submit();
    await submit({ jobDefinition: "custom" });
    const { logGroups } = await logs.send(new DescribeLogGroupsCommand({}));
    expect(logGroups).toEqual([
      { logGroupName: "/aws/batch/job", creationTime: fake.now(), metricFilterCount: 0, arn: "arn:aws:logs:us-east-1:000000000000:log-group:/aws/batch/job:*", logGroupArn: "arn:aws:logs:us-east-1:000000000000:log-group:/aws/batch/job", storedBytes: 5, logGroupClass: "STANDARD" },
      { logGroupName: "/my/pipeline", creationTime: fake.now(), metricFilterCount: 0, arn: "arn:aws:logs:us-east-1:000000000000:log-group:/my/pipeline:*", logGroupArn: "arn:aws:logs:us-east-1:000000000000:log-group:/my/pipeline", storedBytes: 5, logGroupClass: "STANDARD" },
    ]);
    expect((await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/my" }))).logGroups!.map((g) => g.logGroupName)).toEqual(["/my/pipeline"]);
    expect((await logs.send(new DescribeLogGroupsCommand({ logGroupNamePattern: "batch" }))).logGroups).toEqual([{ logGroupName: "/aws/batch/job", creationTime: fake.now(), arn: "arn:aws:logs:us-east-1:000000000000:log-group:/aws/batch/job:*" }]);
    const first = await logs.send(new DescribeLogGroupsCommand({ limit: 1 }));
    const next = await logs.send(new DescribeLogGroupsCommand({ limit: 1, nextToken: first.nextToken }));
    expect([...first.logGroups!, ...next.logGroups!].map((g) => g.logGroupName)).toEqual(["/aws/batch/job", "/my/pipeline"]);
    expect(next.nextToken).toBeUndefined();
    expect((await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/none" }))).logGroups).toEqual([]);
  });

  test("logs live in the job's account and region", async () => {
    const { fake, submit, streamOf } = await setup();
    fake.onJob({}, { logs: ["east"] });
    const logStreamName = await streamOf(await submit());
    const west = logsClient(fake, "eu-west-1");
    const error = await failure(west.send(new GetLogEventsCommand({ logGroupName: "/aws/batch/job", logStreamName })));
    expect(error.message).toBe("The specified log group does not exist.");
  });

  test("Logs calls are recorded as logs:<Operation>, and the matchers know Logs commands", async () => {
    const { fake, logs } = await setup();
    await logs.send(new DescribeLogGroupsCommand({}));
    expect(fake.requests.map((r) => r.operation)).toContain("logs:DescribeLogGroups");
    expect(fake).toHaveReceivedCommandWith(DescribeLogGroupsCommand, {});
    expect(fake).not.toHaveReceivedCommand(GetLogEventsCommand);
  });
});
