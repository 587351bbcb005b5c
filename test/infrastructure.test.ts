import { BatchClient, CreateJobQueueCommand, SubmitJobCommand } from "@aws-sdk/client-batch";
import { fakeBatch } from "../src";
import { control } from "./clients/server-process";
import { engine, helpers } from "./engine-helpers";

// Infrastructure failures, the ones every Batch retry strategy exists for: lost hosts, tasks that fail to
// start, containers killed for memory, and compute environments that cannot get capacity.

const HOUR = 3_600_000;
const HOST_LOST = /^Host EC2 \(instance i-[0-9a-f]{17}\) terminated\.$/;

describe("interruptHost", () => {
  test("ends running attempts with the host's statusReason and no exit code; evaluateOnExit on Host EC2* retries", async () => {
    const { fake, submit, describe } = await engine();
    fake.onJob({ jobName: "spot" }, { durationMs: HOUR });
    const jobId = await submit({
      jobName: "spot",
      retryStrategy: { attempts: 3, evaluateOnExit: [{ onStatusReason: "Host EC2*", action: "RETRY" }, { onReason: "*", action: "EXIT" }] },
    });
    const interrupted = await fake.interruptHost("parlel-ce");
    expect(interrupted).toEqual([jobId]);
    const retried = await describe(jobId);
    expect(retried.status).toBe("RUNNING");
    expect(retried.attempts).toHaveLength(1);
    expect(retried.attempts![0].statusReason).toMatch(HOST_LOST);
    expect(retried.attempts![0].container?.exitCode).toBeUndefined();
    expect(retried.attempts![0].container?.reason).toBeUndefined();
    await fake.advance(HOUR);
    const done = await describe(jobId);
    expect(done.status).toBe("SUCCEEDED");
    expect(done.attempts!.map((attempt) => attempt.statusReason)).toEqual([retried.attempts![0].statusReason, "Essential container in task exited"]);
  });

  test("with no attempt left the job fails with the host's reason at job level, without an exit code", async () => {
    const { fake, submit, describe } = await engine();
    fake.onJob({ jobName: "spot" }, { durationMs: HOUR });
    const jobId = await submit({ jobName: "spot" });
    await fake.interruptHost("arn:aws:batch:us-east-1:000000000000:compute-environment/parlel-ce");
    const job = await describe(jobId);
    expect(job.status).toBe("FAILED");
    expect(job.statusReason).toMatch(HOST_LOST);
    expect(job.container?.exitCode).toBeUndefined();
    expect(fake.events.filter((event) => event.detail.jobId === jobId).pop()?.detail.statusReason).toBe(job.statusReason);
  });

  test("an evaluateOnExit EXIT on Host EC2* fails the job even with attempts left; jobs limits which attempts end", async () => {
    const { fake, submit, status } = await engine();
    fake.onJob({ jobName: /^spot/ }, { durationMs: HOUR });
    const strict = await submit({ jobName: "spot-strict", retryStrategy: { attempts: 5, evaluateOnExit: [{ onStatusReason: "Host EC2*", action: "EXIT" }] } });
    const spared = await submit({ jobName: "spot-spared" });
    expect(await fake.interruptHost("parlel-ce", { jobs: [strict] })).toEqual([strict]);
    expect(await status(strict, spared)).toEqual(["FAILED", "RUNNING"]);
    await expect(fake.interruptHost("no-such-ce")).rejects.toThrow("interruptHost(): no compute environment no-such-ce.");
  });
});

describe("start failures and OOM", () => {
  test("CannotPullContainerError: the task fails to start, the reason goes to container.reason, no exit code, never RUNNING", async () => {
    const { fake, submit, describe } = await engine();
    const reason = "CannotPullContainerError: Error response from daemon: manifest for busybox:nope not found";
    fake.onJob({ jobName: "pull" }, { reason });
    const jobId = await submit({ jobName: "pull" });
    const job = await describe(jobId);
    expect(job.status).toBe("FAILED");
    expect(job.statusReason).toBe("Task failed to start");
    expect(job.container?.reason).toBe(reason);
    expect(job.container?.exitCode).toBeUndefined();
    expect(job.attempts).toHaveLength(1);
    expect(job.attempts![0]).toMatchObject({ statusReason: "Task failed to start", container: { reason } });
    expect(job.attempts![0].startedAt).toBeUndefined();
    expect(fake.events.filter((event) => event.detail.jobId === jobId).map((event) => event.detail.status)).toEqual(["PENDING", "RUNNABLE", "STARTING", "FAILED"]);
  });

  test("ResourceInitializationError is retried by AWS's own example rule, onStatusReason Task failed to start", async () => {
    const { fake, submit, describe } = await engine();
    fake.onJob({ jobName: "secrets" }, (_job, attempt) => (attempt === 1 ? { reason: "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed" } : {}));
    const jobId = await submit({ jobName: "secrets", retryStrategy: { attempts: 2, evaluateOnExit: [{ onStatusReason: "Task failed to start", action: "RETRY" }] } });
    const job = await describe(jobId);
    expect(job.status).toBe("SUCCEEDED");
    expect(job.attempts!.map((attempt) => attempt.statusReason)).toEqual(["Task failed to start", "Essential container in task exited"]);
    expect(job.attempts![0].container?.reason).toMatch(/^ResourceInitializationError: /);
  });

  test("OutOfMemoryError exits 137 with the reason in container.reason, unless the outcome names another exit code", async () => {
    const { fake, submit, describe } = await engine();
    fake.onJob({ jobName: "oom" }, { reason: "OutOfMemoryError: Container killed due to memory usage", durationMs: 1000 });
    fake.onJob({ jobName: "oom-1" }, { reason: "OutOfMemoryError: Container killed due to memory usage", exitCode: 1 });
    const oom = await submit({ jobName: "oom", retryStrategy: { attempts: 2, evaluateOnExit: [{ onExitCode: "137", action: "EXIT" }] } });
    await fake.advance(1000);
    const job = await describe(oom);
    expect(job).toMatchObject({ status: "FAILED", statusReason: "Essential container in task exited", container: { exitCode: 137, reason: "OutOfMemoryError: Container killed due to memory usage" } });
    expect(job.attempts).toHaveLength(1);
    expect((await describe(await submit({ jobName: "oom-1" }))).container?.exitCode).toBe(1);
  });
});

describe("capacity", () => {
  test("a compute environment without capacity holds RUNNABLE jobs with CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY until healed", async () => {
    const { fake, submit, describe } = await engine();
    await fake.failCapacity("parlel-ce", { instanceType: "c5.xlarge" });
    const jobId = await submit();
    await fake.advance(HOUR);
    const waiting = await describe(jobId);
    expect(waiting.status).toBe("RUNNABLE");
    expect(waiting.statusReason).toBe("CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY - Service cannot fulfill the capacity requested for instance type c5.xlarge");
    await fake.healCapacity("parlel-ce");
    const ran = await describe(jobId);
    expect(ran.status).toBe("SUCCEEDED");
    expect(ran.statusReason).toBe("Essential container in task exited");
  });

  test("jobStateTimeLimitActions cancels a job held for capacity after maxTimeSeconds", async () => {
    const { fake, batch, describe } = await engine();
    await batch.send(
      new CreateJobQueueCommand({
        jobQueueName: "limited",
        priority: 1,
        computeEnvironmentOrder: [{ order: 1, computeEnvironment: "parlel-ce" }],
        jobStateTimeLimitActions: [{ reason: "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY", state: "RUNNABLE", maxTimeSeconds: 600, action: "CANCEL" }],
      }),
    );
    await fake.failCapacity("parlel-ce");
    const { jobId } = await batch.send(new SubmitJobCommand({ jobName: "held", jobQueue: "limited", jobDefinition: "work" }));
    await fake.advance(599_000);
    expect((await describe(jobId!)).status).toBe("RUNNABLE");
    await fake.advance(1000);
    const job = await describe(jobId!);
    expect(job.status).toBe("FAILED");
    expect(job.statusReason).toContain("CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY");
  });
});

describe("infrastructure failures over HTTP", () => {
  test("outcome reasons, POST …/interrupt and POST …/capacity drive the same failures for other languages", async () => {
    const fake = fakeBatch({ clock: "manual", startTime: Date.UTC(2026, 0, 1) });
    const server = await fake.listen({ port: 0 });
    const batch = new BatchClient({ endpoint: server.url, region: "us-east-1", credentials: { accessKeyId: "parlel", secretAccessKey: "parlel" }, maxAttempts: 1 });
    try {
      await fake.provision({ jobQueues: ["jq"], jobDefinitions: ["work"] });
      const { submit, describe } = helpers(batch);
      await control(server.url, "POST", "/_parlel/outcomes", { match: { jobName: "pull" }, outcome: { reason: "CannotPullContainerError: pull access denied", exitCode: null } });
      await control(server.url, "POST", "/_parlel/outcomes", { match: { jobName: "spot" }, outcome: { durationMs: HOUR } });
      const pull = await submit({ jobName: "pull" });
      expect(await describe(pull)).toMatchObject({ status: "FAILED", statusReason: "Task failed to start", container: { reason: "CannotPullContainerError: pull access denied" } });
      const spot = await submit({ jobName: "spot" });
      const interrupted = await control(server.url, "POST", "/_parlel/compute-environments/parlel-ce/interrupt", { jobs: [spot] });
      expect(interrupted).toEqual({ status: 200, json: { interrupted: [spot] } });
      expect((await describe(spot)).statusReason).toMatch(HOST_LOST);
      expect((await control(server.url, "POST", "/_parlel/compute-environments/parlel-ce/capacity", { available: false })).json).toEqual({ computeEnvironment: "parlel-ce", available: false });
      const held = await submit({ jobName: "held" });
      expect((await describe(held)).statusReason).toMatch(/^CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY - /);
      await control(server.url, "POST", "/_parlel/compute-environments/parlel-ce/capacity", { available: true });
      expect((await describe(held)).status).toBe("SUCCEEDED");
      expect((await control(server.url, "POST", "/_parlel/compute-environments/nope/interrupt")).status).toBe(404);
      expect((await control(server.url, "POST", "/_parlel/compute-environments/parlel-ce/capacity", { available: "no" })).status).toBe(400);
    } finally {
      batch.destroy();
      await server.close();
    }
  });
});
