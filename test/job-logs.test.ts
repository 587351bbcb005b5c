import { RegisterJobDefinitionCommand } from "@aws-sdk/client-batch";
import { engine } from "./engine-helpers";
import type { FakeBatch } from "../src";

/** The events of one stream, read from the partition's log store (the Logs API reads the same store). */
function streamEvents(fake: FakeBatch, group: string, stream: string) {
  const store = fake.service.partitions.get(fake.defaultPartition);
  return store.logs.group(group)?.stream(stream)?.events.map(({ timestamp, message }) => ({ timestamp, message }));
}

describe("job logs in the state layer", () => {
  test("an outcome's logs go to the attempt's stream in /aws/batch/job, named as DescribeJobs says", async () => {
    const { fake, submit, describe } = await engine();
    fake.onJob({}, { logs: "extracting\nloaded 42 rows\n" });
    const jobId = await submit();
    const job = await describe(jobId);
    expect(job.container?.logStreamName).toMatch(/^work\/default\/[0-9a-f]{32}$/);
    expect(streamEvents(fake, "/aws/batch/job", job.container!.logStreamName!)).toEqual([
      { timestamp: fake.now(), message: "extracting" },
      { timestamp: fake.now(), message: "loaded 42 rows" },
    ]);
    expect(fake.logs(jobId)).toEqual(["extracting", "loaded 42 rows"]);
  });

  test("each attempt writes to a stream of its own; fake.logs joins them in order", async () => {
    const { fake, batch, submit, describe } = await engine();
    await batch.send(new RegisterJobDefinitionCommand({ jobDefinitionName: "retried", type: "container", retryStrategy: { attempts: 2 }, containerProperties: { image: "busybox", command: ["run"], vcpus: 1, memory: 512 } }));
    fake.onJob({}, (_job, attempt) => ({ exitCode: attempt === 1 ? 1 : 0, logs: [`attempt ${attempt}`] }));
    const jobId = await submit({ jobDefinition: "retried" });
    const job = await describe(jobId);
    expect(job.status).toBe("SUCCEEDED");
    const [first, second] = job.attempts!.map((attempt) => attempt.container!.logStreamName!);
    expect(first).not.toBe(second);
    expect(streamEvents(fake, "/aws/batch/job", first)?.map((e) => e.message)).toEqual(["attempt 1"]);
    expect(streamEvents(fake, "/aws/batch/job", second)?.map((e) => e.message)).toEqual(["attempt 2"]);
    expect(fake.logs(jobId)).toEqual(["attempt 1", "attempt 2"]);
  });

  test("a stream is made with its attempt's first line: a job that prints nothing has none", async () => {
    const { fake, submit, describe } = await engine();
    const job = await describe(await submit());
    expect(job.container!.logStreamName).toMatch(/^work\/default\//);
    expect(streamEvents(fake, "/aws/batch/job", job.container!.logStreamName!)).toBeUndefined();
    expect(fake.logs(job.jobId!)).toEqual([]);
  });

  test("logConfiguration's awslogs-group and awslogs-stream-prefix choose the group and the stream name", async () => {
    const { fake, batch, submit, describe } = await engine();
    await batch.send(new RegisterJobDefinitionCommand({
      jobDefinitionName: "custom",
      type: "container",
      containerProperties: { image: "busybox", command: ["run"], vcpus: 1, memory: 512, logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "/my/pipeline", "awslogs-stream-prefix": "etl" } } },
    }));
    fake.onJob({}, { logs: ["hello"] });
    const job = await describe(await submit({ jobDefinition: "custom" }));
    expect(job.container?.logStreamName).toMatch(/^etl\/default\/[0-9a-f]{32}$/);
    expect(streamEvents(fake, "/my/pipeline", job.container!.logStreamName!)?.map((e) => e.message)).toEqual(["hello"]);
    expect(fake.service.partitions.get(fake.defaultPartition).logs.group("/aws/batch/job")).toBeUndefined();
  });

  test("lines with afterMs arrive over time on the manual clock, all before the job is terminal", async () => {
    const { fake, submit, describe } = await engine();
    fake.onJob({}, { durationMs: 60_000, logs: ["starting", { message: "half way", afterMs: 30_000 }, { message: "last words", afterMs: 90_000 }] });
    const jobId = await submit();
    const start = fake.now();
    expect(fake.logs(jobId)).toEqual(["starting"]);
    await fake.advance(29_999);
    expect(fake.logs(jobId)).toEqual(["starting"]);
    await fake.advance(1);
    expect(fake.logs(jobId)).toEqual(["starting", "half way"]);
    await fake.advance(30_000);
    const job = await describe(jobId);
    expect(job.status).toBe("SUCCEEDED");
    expect(streamEvents(fake, "/aws/batch/job", job.container!.logStreamName!)).toEqual([
      { timestamp: start, message: "starting" },
      { timestamp: start + 30_000, message: "half way" },
      { timestamp: start + 60_000, message: "last words" },
    ]);
  });

  test("a terminated attempt never writes the lines still to come", async () => {
    const { fake, submit, describe } = await engine();
    fake.onJob({}, { durationMs: 60_000, logs: ["starting", { message: "later", afterMs: 30_000 }] });
    const jobId = await submit();
    const { job, store } = fake.service.findJob(jobId)!;
    fake.service.engine.terminate(store, job, "stop");
    await fake.advance(60_000);
    expect((await describe(jobId)).status).toBe("FAILED");
    expect(fake.logs(jobId)).toEqual(["starting"]);
  });

  test("engine.writeLog appends to the running attempt's stream, with the timestamp given or now", async () => {
    const { fake, submit, describe } = await engine({ delays: { submittedMs: 1000 } });
    fake.onJob({}, { durationMs: 60_000 });
    const jobId = await submit();
    const { job, store } = fake.service.findJob(jobId)!;
    expect(fake.service.engine.writeLog(store, job, "too early")).toBe(false);
    await fake.advance(1000);
    expect(fake.service.engine.writeLog(store, job, "line one")).toBe(true);
    expect(fake.service.engine.writeLog(store, job, "stamped earlier", fake.now() - 500)).toBe(true);
    const running = await describe(jobId);
    expect(running.status).toBe("RUNNING");
    expect(streamEvents(fake, "/aws/batch/job", running.container!.logStreamName!)).toEqual([
      { timestamp: fake.now() - 500, message: "stamped earlier" },
      { timestamp: fake.now(), message: "line one" },
    ]);
    expect(fake.logs(jobId)).toEqual(["stamped earlier", "line one"]);
  });

  test("streams leave with their job when it expires", async () => {
    const { fake, submit, describe } = await engine({ jobRetentionMs: 60_000 });
    fake.onJob({}, { logs: ["bye"] });
    const jobId = await submit();
    const stream = (await describe(jobId)).container!.logStreamName!;
    expect(streamEvents(fake, "/aws/batch/job", stream)).toHaveLength(1);
    await fake.advance(60_000);
    expect(streamEvents(fake, "/aws/batch/job", stream)).toBeUndefined();
  });

  test("an array job's children write to streams of their own, gone when the array expires", async () => {
    const { fake, submit } = await engine({ jobRetentionMs: 60_000 });
    fake.onJob({}, (job) => ({ logs: [`child ${job.arrayIndex}`] }));
    const jobId = await submit({ arrayProperties: { size: 3 } });
    expect([0, 1, 2].map((i) => fake.logs(`${jobId}:${i}`))).toEqual([["child 0"], ["child 1"], ["child 2"]]);
    expect(fake.service.partitions.get(fake.defaultPartition).logs.group("/aws/batch/job")?.size).toBe(3);
    await fake.advance(60_000);
    expect(fake.service.partitions.get(fake.defaultPartition).logs.group("/aws/batch/job")?.size).toBe(0);
  });
});
