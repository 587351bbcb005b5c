import { ListJobsCommand } from "@aws-sdk/client-batch";
import type { BatchJobStateChangeEvent } from "../src";
import { definition, engine, helpers } from "./engine-helpers";
import { setup } from "./helpers";

// "Batch Job State Change" events and waitFor, through the real BatchClient.

const HOUR = 3_600_000;

describe("state-change events", () => {
  test("each status a job enters after SUBMITTED gives one event in EventBridge's shape, its detail the DescribeJobs view then", async () => {
    const { fake, submit, describe } = await engine();
    fake.onJob({ jobName: "nightly" }, { durationMs: HOUR });
    const jobId = await submit({ jobName: "nightly" });
    const running = await describe(jobId);
    await fake.advance(HOUR);
    const succeeded = await describe(jobId);
    const events = fake.events.filter((event) => event.detail.jobId === jobId);
    expect(events.map((event) => event.detail.status)).toEqual(["PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED"]);
    const [first] = events;
    expect(first).toMatchObject({ version: "0", "detail-type": "Batch Job State Change", source: "aws.batch", account: "000000000000", region: "us-east-1", resources: [running.jobArn] });
    expect(first.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(events.map((event) => event.id)).size).toBe(5);
    expect(first.time).toBe("2026-01-01T00:00:00Z");
    expect(events[4].time).toBe("2026-01-01T01:00:00Z");
    // The detail is the job as DescribeJobs showed it at that moment.
    expect(events[3].detail).toEqual(running);
    expect(events[3].detail.stoppedAt).toBeUndefined();
    expect(events[4].detail).toEqual(succeeded);
    expect(first.detail.jobQueue).toBe(running.jobQueue);
    expect(first.detail.attempts).toEqual([]);
  });

  test("a retried attempt gives another RUNNABLE event, and the failure's exit code is in the last detail", async () => {
    const { fake, submit } = await engine();
    fake.onJob({ jobName: "flaky" }, { exitCode: 3, durationMs: 1000 });
    const jobId = await submit({ jobName: "flaky", retryStrategy: { attempts: 2 } });
    await fake.advance(5000);
    const events = fake.events.filter((event) => event.detail.jobId === jobId);
    expect(events.map((event) => event.detail.status)).toEqual(["PENDING", "RUNNABLE", "STARTING", "RUNNING", "RUNNABLE", "STARTING", "RUNNING", "FAILED"]);
    expect(events[4].detail.statusReason).toBe("Essential container in task exited");
    expect(events[4].detail.attempts).toHaveLength(1);
    expect(events[7].detail.container?.exitCode).toBe(3);
    expect(events[7].detail.attempts).toHaveLength(2);
  });

  test("onEvent feeds each event to a listener, as EventBridge would feed a Lambda, until it is removed", async () => {
    const { fake, submit } = await engine();
    fake.onJob({ jobName: /^bad/ }, { exitCode: 1 });
    const failedJobs: string[] = [];
    const seen: BatchJobStateChangeEvent[] = [];
    // A handler written for the rule {"source":["aws.batch"],"detail-type":["Batch Job State Change"],"detail":{"status":["FAILED"]}}.
    const handler = async (event: BatchJobStateChangeEvent) => {
      if (event.source === "aws.batch" && event["detail-type"] === "Batch Job State Change" && event.detail.status === "FAILED") failedJobs.push(event.detail.jobName!);
    };
    const stop = fake.onEvent((event) => {
      seen.push(event);
      void handler(event);
    });
    await submit({ jobName: "good" });
    const bad = await submit({ jobName: "bad-1" });
    expect(failedJobs).toEqual(["bad-1"]);
    expect(seen.filter((event) => event.detail.jobId === bad).map((event) => event.detail.status)).toEqual(["PENDING", "RUNNABLE", "STARTING", "RUNNING", "FAILED"]);
    stop();
    await submit({ jobName: "bad-2" });
    expect(failedJobs).toEqual(["bad-1"]);
    expect(fake.events.some((event) => event.detail.jobName === "bad-2")).toBe(true);
  });

  test("array children and their parent each have their own events", async () => {
    const { fake, submit } = await engine();
    const parentId = await submit({ arrayProperties: { size: 2 } });
    const byJob = (id: string) => fake.events.filter((event) => event.detail.jobId === id).map((event) => event.detail.status);
    expect(byJob(parentId)).toEqual(["PENDING", "SUCCEEDED"]);
    expect(byJob(`${parentId}:0`)).toEqual(["PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED"]);
    expect(byJob(`${parentId}:1`)).toEqual(["PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED"]);
    const last = fake.events.filter((event) => event.detail.jobId === parentId).pop()!;
    expect(last.detail.arrayProperties?.statusSummary?.SUCCEEDED).toBe(2);
    expect(fake.events.find((event) => event.detail.jobId === `${parentId}:1`)!.resources).toEqual([`${last.resources[0]}:1`]);
  });

  test("events are bounded by maxEvents (the newest kept), and maxEvents 0 keeps none while listeners still hear them", async () => {
    const bounded = await engine({ maxEvents: 3 });
    await bounded.submit({ jobName: "a" });
    await bounded.submit({ jobName: "b" });
    expect(bounded.fake.events.map((event) => `${event.detail.jobName} ${event.detail.status}`)).toEqual(["b STARTING", "b RUNNING", "b SUCCEEDED"]);
    const none = await engine({ maxEvents: 0 });
    const heard: string[] = [];
    none.fake.onEvent((event) => heard.push(event.detail.status!));
    await none.submit();
    expect(none.fake.events).toEqual([]);
    expect(heard).toEqual(["PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED"]);
  });

  test("events carry the account and region of the job's partition, and reset() forgets them", async () => {
    const { fake, batch } = setup({ region: "eu-west-1", accessKeyId: "123456789012" });
    await fake.provision({ jobQueues: ["jq"], jobDefinitions: ["work"], region: "eu-west-1", accountId: "123456789012" });
    await helpers(batch).submit();
    expect(fake.events[0]).toMatchObject({ account: "123456789012", region: "eu-west-1" });
    expect(fake.events[0].resources[0]).toMatch(/^arn:aws:batch:eu-west-1:123456789012:job\//);
    fake.reset();
    expect(fake.events).toEqual([]);
  });
});

describe("waitFor", () => {
  test("on the manual clock it moves time until the job is there, and resolves with its DescribeJobs view", async () => {
    const { fake, submit, describe } = await engine();
    fake.onJob({ jobName: "nightly" }, { durationMs: HOUR });
    const start = fake.now();
    const jobId = await submit({ jobName: "nightly" });
    const job = await fake.waitFor(jobId, ["SUCCEEDED", "FAILED"]);
    expect(job.status).toBe("SUCCEEDED");
    expect(fake.now()).toBe(start + HOUR);
    expect(job).toEqual(await describe(jobId));
    // Already there: it resolves at once, and time stands still.
    expect((await fake.waitFor(jobId, "SUCCEEDED")).stoppedAt).toBe(start + HOUR);
    expect(fake.now()).toBe(start + HOUR);
  });

  test("it rejects, naming the job, when the job can no longer reach the status", async () => {
    const { fake, submit } = await engine();
    fake.onJob({ jobName: "broken" }, { exitCode: 2, durationMs: 1000 });
    const jobId = await submit({ jobName: "broken" });
    await expect(fake.waitFor(jobId, "SUCCEEDED")).rejects.toThrow(`waitFor(): job ${jobId} is FAILED (Essential container in task exited) and can no longer reach SUCCEEDED.`);
    const done = await submit({ jobName: "fine" });
    await expect(fake.waitFor(done, "RUNNING")).rejects.toThrow(`job ${done} is SUCCEEDED`);
    await expect(fake.waitFor("no-such-job", "RUNNING")).rejects.toThrow("waitFor(): no job no-such-job.");
  });

  test("on the manual clock it rejects when nothing scheduled can move the job on", async () => {
    const { fake, batch, submit } = await engine({ maxvCpus: 2 });
    await definition(batch, "huge", 4);
    const jobId = await submit({ jobDefinition: "huge" });
    await expect(fake.waitFor(jobId, "RUNNING")).rejects.toThrow(`waitFor(): job ${jobId} is RUNNABLE (MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE`);
  });

  test("a change made beside the wait (complete) ends it", async () => {
    const { fake, submit } = await engine();
    fake.onJob({ jobName: "forever" }, { durationMs: 1e12 });
    const jobId = await submit({ jobName: "forever" });
    const waiting = fake.waitFor(jobId, "SUCCEEDED");
    await fake.complete(jobId, { exitCode: 0 });
    expect((await waiting).status).toBe("SUCCEEDED");
  });

  test("on the real clock it waits in real time for what falls due", async () => {
    const { fake, batch } = setup();
    await fake.provision({ jobQueues: ["jq"], jobDefinitions: ["work"] });
    fake.onJob({ jobName: "short" }, { durationMs: 50 });
    const jobId = await helpers(batch).submit({ jobName: "short" });
    const job = await fake.waitFor(jobId, "SUCCEEDED", { timeoutMs: 20_000 });
    expect(job.status).toBe("SUCCEEDED");
    expect(job.stoppedAt! - job.startedAt!).toBeGreaterThanOrEqual(50);
    const listed = await batch.send(new ListJobsCommand({ jobQueue: "jq", jobStatus: "SUCCEEDED" }));
    expect(listed.jobSummaryList!.map((summary) => summary.jobId)).toEqual([jobId]);
  }, 30_000);

  test("timeoutMs ends a wait that is still open, and reset() ends every wait", async () => {
    const { fake, batch } = setup();
    await fake.provision({ jobQueues: ["jq"], jobDefinitions: ["work"] });
    fake.onJob({ jobName: "long" }, { durationMs: HOUR });
    const jobId = await helpers(batch).submit({ jobName: "long" });
    await expect(fake.waitFor(jobId, "SUCCEEDED", { timeoutMs: 30 })).rejects.toThrow(`waitFor(): job ${jobId} is RUNNING, not SUCCEEDED, after 30 ms.`);
    const waiting = fake.waitFor(jobId, "SUCCEEDED");
    await new Promise((done) => setTimeout(done, 10));
    fake.reset();
    await expect(waiting).rejects.toThrow("the fake was reset");
  });
});
