import { CancelJobCommand, DescribeJobsCommand, ListJobsCommand, RegisterJobDefinitionCommand, TagResourceCommand, TerminateJobCommand } from "@aws-sdk/client-batch";
import { fakeBatch } from "../src";
import { engine } from "./engine-helpers";

describe("the job lifecycle on the manual clock", () => {
  test("phase delays show every state a poller can see, with virtual timestamps", async () => {
    const start = Date.UTC(2026, 0, 1);
    const { fake, submit, describe } = await engine({ delays: { submittedMs: 1000, pendingMs: 1000, startingMs: 1000 } });
    fake.onJob({}, { durationMs: 5000 });
    const jobId = await submit();
    const seen: string[] = [];
    for (let i = 0; i < 5; i++) {
      seen.push((await describe(jobId)).status!);
      await fake.advance(1000);
    }
    seen.push((await describe(jobId)).status!);
    await fake.advance(4000);
    const job = await describe(jobId);
    seen.push(job.status!);
    // RUNNABLE lasts no time when the compute environment has room: the job is placed at once.
    expect(seen).toEqual(["SUBMITTED", "PENDING", "STARTING", "RUNNING", "RUNNING", "RUNNING", "SUCCEEDED"]);
    expect(job.createdAt).toBe(start);
    expect(job.startedAt).toBe(start + 3000);
    expect(job.stoppedAt).toBe(start + 8000);
    expect(job.attempts).toEqual([
      expect.objectContaining({ startedAt: start + 3000, stoppedAt: start + 8000, statusReason: "Essential container in task exited", container: expect.objectContaining({ exitCode: 0 }) }),
    ]);
  });

  test("a job that runs straight through in its SubmitJob looks exactly like one that took every step", async () => {
    // An onJob rule that exits 0 at once sends every job through the timeline and the scheduler;
    // without rules a plain job that fits is run directly. Both must leave the same jobs behind.
    const run = async (withRule: boolean) => {
      const context = await engine({ seed: 7, maxvCpus: 2 });
      if (withRule) context.fake.onJob({}, { exitCode: 0 });
      const ids = [
        await context.submit({ jobName: "plain", tags: { team: "a" } }),
        await context.submit({ jobName: "timed", timeout: { attemptDurationSeconds: 60 } }),
        await context.submit({ jobName: "too-big", containerOverrides: { resourceRequirements: [{ type: "VCPU", value: "4" }] } }),
        await context.submit({ jobName: "after-a-waiting-one" }),
      ];
      const snapshot = async () => ({
        jobs: (await context.batch.send(new DescribeJobsCommand({ jobs: ids }))).jobs,
        succeeded: (await context.batch.send(new ListJobsCommand({ jobQueue: "jq", jobStatus: "SUCCEEDED" }))).jobSummaryList,
        runnable: (await context.batch.send(new ListJobsCommand({ jobQueue: "jq", jobStatus: "RUNNABLE" }))).jobSummaryList,
      });
      const first = await snapshot();
      await context.fake.advance(24 * 60 * 60 * 1000);
      return { first, later: await snapshot() };
    };
    const straight = await run(false);
    const stepped = await run(true);
    expect(straight).toEqual(stepped);
    expect(straight.first.jobs!.map((job) => job.status)).toEqual(["SUCCEEDED", "SUCCEEDED", "RUNNABLE", "SUCCEEDED"]);
    expect(straight.first.jobs![0]).toMatchObject({ attempts: [expect.objectContaining({ container: expect.objectContaining({ exitCode: 0 }) })] });
    expect(straight.later.succeeded).toEqual([]);
  });

  test("a poller that asks twice between changes sees every change: engine steps, complete(), tags, cancel, retention", async () => {
    const { fake, batch, submit, describe } = await engine({ maxvCpus: 2 });
    fake.onJob({ jobName: /^(long|waiting)$/ }, { durationMs: 60_000 });
    // Each look is taken twice: the second answer comes from views already confirmed for that moment.
    const look = async (jobId: string) => {
      await describe(jobId);
      return describe(jobId);
    };
    const long = await submit({ jobName: "long" });
    const waiting = await submit({ jobName: "waiting", containerOverrides: { resourceRequirements: [{ type: "VCPU", value: "2" }] } });
    expect((await look(long)).status).toBe("RUNNING");
    expect(await look(waiting)).toMatchObject({ status: "RUNNABLE" });
    await batch.send(new TagResourceCommand({ resourceArn: (await look(long)).jobArn!, tags: { team: "x" } }));
    expect((await look(long)).tags).toEqual({ team: "x" });
    await fake.complete(long, { exitCode: 3 });
    expect(await look(long)).toMatchObject({ status: "FAILED", container: { exitCode: 3 } });
    expect((await look(waiting)).status).toBe("RUNNING");
    await fake.advance(60_000);
    expect((await look(waiting)).status).toBe("SUCCEEDED");
    const big = await submit({ jobName: "big", containerOverrides: { resourceRequirements: [{ type: "VCPU", value: "4" }] } });
    expect((await look(big)).statusReason).toMatch(/^MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE/);
    await batch.send(new CancelJobCommand({ jobId: big, reason: "not needed" }));
    expect(await look(big)).toMatchObject({ status: "FAILED", statusReason: "not needed" });
    await fake.advance(24 * 60 * 60 * 1000);
    expect((await batch.send(new DescribeJobsCommand({ jobs: [long, waiting, big] }))).jobs).toEqual([]);
  });

  test("a job with a duration stays RUNNING that long; nothing moves until the clock does", async () => {
    const { fake, submit, describe } = await engine();
    fake.onJob({ jobName: "hour" }, { durationMs: 3_600_000 });
    const jobId = await submit({ jobName: "hour" });
    expect((await describe(jobId)).status).toBe("RUNNING");
    await fake.advance(3_599_999);
    expect((await describe(jobId)).status).toBe("RUNNING");
    await fake.advance(1);
    expect((await describe(jobId)).status).toBe("SUCCEEDED");
  });

  test("onJob: later rules win; strings, RegExps and predicates match; functions see the resolved job", async () => {
    const { fake, submit, describe } = await engine();
    const seen: { attempt: number; environment: Record<string, string>; command: string[] }[] = [];
    fake.onJob({ jobName: /^etl-/ }, { exitCode: 3, reason: "first rule" });
    fake.onJob({ jobName: "etl-b" }, { exitCode: 4 });
    fake.onJob((job) => job.parameters.mode === "async", async (job, attempt) => {
      seen.push({ attempt, environment: job.environment, command: job.command });
      return { exitCode: 0, logs: ["line 1", "line 2"] };
    });
    const a = await submit({ jobName: "etl-a" });
    const b = await submit({ jobName: "etl-b" });
    const c = await submit({ jobName: "other", parameters: { mode: "async" } });
    expect((await describe(a)).container).toMatchObject({ exitCode: 3, reason: "first rule" });
    expect((await describe(b)).container).toMatchObject({ exitCode: 4 });
    expect((await describe(c)).status).toBe("SUCCEEDED");
    expect(seen).toHaveLength(1);
    expect(seen[0].attempt).toBe(1);
    expect(seen[0].command).toEqual(["echo", "hello"]);
    expect(seen[0].environment).toMatchObject({ AWS_BATCH_JOB_ID: c, AWS_BATCH_JQ_NAME: "jq", AWS_BATCH_CE_NAME: "parlel-ce", AWS_BATCH_JOB_ATTEMPT: "1" });
    expect(fake.logs(c)).toEqual(["line 1", "line 2"]);
  });

  test("complete() ends a running attempt now with the outcome given", async () => {
    const { fake, submit, describe } = await engine();
    fake.onJob({}, { durationMs: 1_000_000 });
    const jobId = await submit();
    await fake.complete(jobId, { exitCode: 2, reason: "forced" });
    expect(await describe(jobId)).toMatchObject({ status: "FAILED", container: { exitCode: 2, reason: "forced" } });
    await expect(fake.complete(jobId)).rejects.toThrow(/is FAILED, not RUNNING/);
  });

  test("terminal jobs expire after the retention period", async () => {
    const { fake, batch, submit } = await engine({ jobRetentionMs: 60_000 });
    const jobId = await submit();
    const list = async () => (await batch.send(new ListJobsCommand({ jobQueue: "jq", jobStatus: "SUCCEEDED" }))).jobSummaryList!.map((j) => j.jobId);
    expect(await list()).toEqual([jobId]);
    await fake.advance(59_999);
    expect(await list()).toEqual([jobId]);
    await fake.advance(1);
    expect(await list()).toEqual([]);
  });

  test("jobs expire in the order they finished, each its retention period after it stopped, array children with their parent", async () => {
    const { fake, batch, submit, describe } = await engine({ jobRetentionMs: 60_000 });
    const list = async () => (await batch.send(new ListJobsCommand({ jobQueue: "jq", jobStatus: "SUCCEEDED" }))).jobSummaryList!.map((j) => j.jobId);
    const first = await submit({ jobName: "first" });
    await fake.advance(20_000);
    const array = await submit({ jobName: "array", arrayProperties: { size: 2 } });
    await fake.advance(0);
    const children = async () => (await batch.send(new ListJobsCommand({ arrayJobId: array, jobStatus: "SUCCEEDED" }))).jobSummaryList!.length;
    expect(await children()).toBe(2);
    await fake.advance(20_000);
    const third = await submit({ jobName: "third" });
    expect((await describe(array)).status).toBe("SUCCEEDED");
    expect(await list()).toEqual([first, array, third]);

    await fake.advance(20_000); // 60 s after the first stopped
    expect(await list()).toEqual([array, third]);
    await fake.advance(20_000); // 60 s after the array job stopped
    expect(await list()).toEqual([third]);
    expect(await children()).toBe(0);
    expect((await batch.send(new DescribeJobsCommand({ jobs: [`${array}:0`, array] }))).jobs).toEqual([]);
    await fake.advance(19_999);
    expect(await list()).toEqual([third]);
    await fake.advance(1);
    expect(await list()).toEqual([]);

    // A job that finishes after the line emptied starts it again.
    const late = await submit({ jobName: "late" });
    await fake.advance(60_000);
    expect(await list()).not.toContain(late);
  });

  test("a multi-node job's nodes expire with it", async () => {
    const { fake, batch, submit } = await engine({ jobRetentionMs: 60_000 });
    await batch.send(new RegisterJobDefinitionCommand({
      jobDefinitionName: "mnp",
      type: "multinode",
      nodeProperties: { numNodes: 2, mainNode: 0, nodeRangeProperties: [{ targetNodes: "0:", container: { image: "busybox", command: ["mpirun"], resourceRequirements: [{ type: "VCPU", value: "1" }, { type: "MEMORY", value: "512" }] } }] },
    }));
    const jobId = await submit({ jobDefinition: "mnp" });
    await fake.advance(0);
    const nodes = [`${jobId}#0`, `${jobId}#1`];
    expect((await batch.send(new DescribeJobsCommand({ jobs: nodes }))).jobs!.map((job) => job.status)).toEqual(["SUCCEEDED", "SUCCEEDED"]);
    await fake.advance(60_000);
    expect((await batch.send(new DescribeJobsCommand({ jobs: [jobId, ...nodes] }))).jobs).toEqual([]);
    expect((await batch.send(new ListJobsCommand({ multiNodeJobId: jobId, jobStatus: "SUCCEEDED" }))).jobSummaryList).toEqual([]);
  });

  test("a seed makes job ids and request ids the same from run to run", async () => {
    const run = async () => {
      const fake = fakeBatch({ clock: "manual", startTime: 0, seed: 42 });
      const { helpers } = await import("./engine-helpers");
      const { BatchClient } = await import("@aws-sdk/client-batch");
      const batch = new BatchClient({ region: "us-east-1", credentials: { accessKeyId: "a", secretAccessKey: "b" }, requestHandler: fake });
      await fake.provision({ jobQueues: ["jq"], jobDefinitions: ["work"] });
      const id = await helpers(batch).submit();
      return [id, fake.requests[0].requestId];
    };
    const first = await run();
    expect(await run()).toEqual(first);
    expect(first[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  test("reset() clears rules and state and sets the clock back to the start", async () => {
    const { fake, batch, submit } = await engine({ startTime: 1000 });
    fake.onJob({}, { exitCode: 9 });
    await submit();
    await fake.advance(5000);
    fake.reset();
    expect(fake.now()).toBe(1000);
    await fake.provision({ jobQueues: ["jq"], jobDefinitions: ["work"] });
    const jobId = await submit();
    const { jobSummaryList } = await batch.send(new ListJobsCommand({ jobQueue: "jq", jobStatus: "SUCCEEDED" }));
    expect(jobSummaryList!.map((j) => j.jobId)).toEqual([jobId]);
  });

  test("advance() refuses to leave the range of a Date, and the clock and jobs stay as they were", async () => {
    const { fake, submit, describe } = await engine();
    const start = fake.now();
    const before = await submit({ jobName: "before" });
    for (const ms of [1e308, Number.MAX_VALUE, 8.64e15]) {
      await expect(fake.advance(ms)).rejects.toThrow(
        `Advancing ${ms} ms would move the clock past +275760-09-13T00:00:00.000Z, the latest time a JavaScript Date can hold: the clock is at 2026-01-01T00:00:00.000Z, so it can advance at most ${8.64e15 - start} ms.`,
      );
    }
    await expect(fake.advance(Infinity)).rejects.toThrow("advance() takes a duration of 0 or more milliseconds, got Infinity.");
    expect(fake.now()).toBe(start);
    // Jobs submitted after a refused advance live as long as ever, and the clock still moves.
    const after = await submit({ jobName: "after" });
    expect((await describe(after)).status).toBe("SUCCEEDED");
    expect((await describe(before)).status).toBe("SUCCEEDED");
    await fake.advance(1000);
    expect(fake.now()).toBe(start + 1000);
    // Up to the last instant a Date can hold is allowed; a step beyond it is not.
    await fake.advance(8.64e15 - fake.now());
    expect(new Date(fake.now()).toISOString()).toBe("+275760-09-13T00:00:00.000Z");
    await expect(fake.advance(1)).rejects.toThrow(/can advance at most 0 ms/);
  });

  test("a manual clock's startTime must be a time a Date can hold", () => {
    expect(() => fakeBatch({ clock: "manual", startTime: 1e308 })).toThrow("The manual clock's startTime must be epoch milliseconds a JavaScript Date can hold (±8640000000000000), got 1e+308.");
    expect(() => fakeBatch({ clock: "manual", startTime: Number.NaN })).toThrow(/got NaN/);
  });
});

describe("dependencies", () => {
  test("a dependent job waits PENDING, then runs when its dependency succeeds", async () => {
    const { fake, submit, status } = await engine();
    fake.onJob({ jobName: "first" }, { durationMs: 1000 });
    const first = await submit({ jobName: "first" });
    const second = await submit({ jobName: "second", dependsOn: [{ jobId: first }] });
    expect(await status(first, second)).toEqual(["RUNNING", "PENDING"]);
    await fake.advance(1000);
    expect(await status(first, second)).toEqual(["SUCCEEDED", "SUCCEEDED"]);
  });

  test("when a dependency fails, the job fails with 'Dependent Job failed' and never runs", async () => {
    const { fake, submit, describe } = await engine();
    fake.onJob({ jobName: "first" }, { durationMs: 1000, exitCode: 1 });
    const first = await submit({ jobName: "first" });
    const second = await submit({ jobName: "second", dependsOn: [{ jobId: first }] });
    const third = await submit({ jobName: "third", dependsOn: [{ jobId: second }] });
    await fake.advance(1000);
    for (const jobId of [second, third]) {
      const job = await describe(jobId);
      expect(job).toMatchObject({ status: "FAILED", statusReason: "Dependent Job failed" });
      expect(job.attempts).toEqual([]);
      expect(job.startedAt).toBeUndefined();
    }
  });
});

describe("retries and timeouts", () => {
  test("a failed attempt goes back to RUNNABLE while attempts remain", async () => {
    const { fake, submit, describe } = await engine();
    fake.onJob({}, (_job, attempt) => ({ exitCode: attempt < 3 ? 1 : 0, durationMs: 100 }));
    const jobId = await submit({ retryStrategy: { attempts: 3 } });
    await fake.advance(100);
    expect((await describe(jobId)).attempts).toHaveLength(1);
    await fake.advance(200);
    const job = await describe(jobId);
    expect(job.status).toBe("SUCCEEDED");
    expect(job.attempts!.map((a) => a.container!.exitCode)).toEqual([1, 1, 0]);
    // Each attempt ran as its own ECS task, with its own log stream; the job shows the last one's.
    const tasks = job.attempts!.map((a) => a.container!.taskArn!);
    expect(tasks).toEqual(tasks.map(() => expect.stringMatching(/^arn:aws:ecs:us-east-1:000000000000:task\/parlel-ce_Batch\/[0-9a-f]{32}$/)));
    expect(new Set(tasks).size).toBe(3);
    const streams = job.attempts!.map((a) => a.container!.logStreamName!);
    expect(streams).toEqual(tasks.map((task) => `${job.jobDefinition!.split("/")[1].split(":")[0]}/default/${task.slice(-32)}`));
    expect(job.container).toMatchObject({ taskArn: tasks[2], logStreamName: streams[2] });
  });

  test("evaluateOnExit: the first match decides; EXIT stops retrying; no match retries", async () => {
    const { fake, submit, describe } = await engine();
    fake.onJob({ jobName: "oom" }, { exitCode: 137, reason: "OutOfMemoryError: Container killed" });
    fake.onJob({ jobName: "other" }, (_job, attempt) => ({ exitCode: attempt === 1 ? 2 : 0 }));
    const evaluateOnExit = [
      { onReason: "OutOfMemoryError*", action: "EXIT" as const },
      { onExitCode: "13*", action: "RETRY" as const },
    ];
    const oom = await submit({ jobName: "oom", retryStrategy: { attempts: 5, evaluateOnExit } });
    const other = await submit({ jobName: "other", retryStrategy: { attempts: 5, evaluateOnExit } });
    expect(await describe(oom)).toMatchObject({ status: "FAILED" });
    expect((await describe(oom)).attempts).toHaveLength(1);
    expect((await describe(other)).attempts!.map((a) => a.container!.exitCode)).toEqual([2, 0]);
  });

  test("an evaluateOnExit RETRY match still stops at the attempts cap", async () => {
    const { fake, submit, describe } = await engine();
    fake.onJob({}, { exitCode: 3, durationMs: 100 });
    const jobId = await submit({ retryStrategy: { attempts: 2, evaluateOnExit: [{ onExitCode: "3", action: "RETRY" }] } });
    await fake.advance(100);
    expect((await describe(jobId)).status).toBe("RUNNING");
    await fake.advance(100);
    const job = await describe(jobId);
    expect(job).toMatchObject({ status: "FAILED", statusReason: "Essential container in task exited", container: { exitCode: 3 } });
    expect(job.attempts!.map((attempt) => attempt.container!.exitCode)).toEqual([3, 3]);
    // Nothing more happens later: the cap holds.
    await fake.advance(10_000);
    expect((await describe(jobId)).attempts).toHaveLength(2);
  });

  test("a terminated attempt records exit code 143, a timed-out one 137", async () => {
    const { fake, batch, submit, describe } = await engine();
    fake.onJob({}, { durationMs: 120_000 });
    const terminated = await submit({ jobName: "terminated" });
    const timedOut = await submit({ jobName: "timed-out", timeout: { attemptDurationSeconds: 60 } });
    await fake.advance(1000);
    await batch.send(new TerminateJobCommand({ jobId: terminated, reason: "stop it" }));
    await fake.advance(59_000);
    const stopped = await describe(terminated);
    expect(stopped).toMatchObject({ status: "FAILED", statusReason: "stop it", isTerminated: true, container: { exitCode: 143 } });
    expect(stopped.attempts).toEqual([expect.objectContaining({ statusReason: "stop it", container: expect.objectContaining({ exitCode: 143 }) })]);
    const killed = await describe(timedOut);
    expect(killed).toMatchObject({ status: "FAILED", statusReason: "Job attempt duration exceeded timeout", isTerminated: false, container: { exitCode: 137 } });
    expect(killed.attempts).toEqual([
      expect.objectContaining({ statusReason: "Job attempt duration exceeded timeout", container: expect.objectContaining({ exitCode: 137 }) }),
    ]);
  });

  test("an attempt that exceeds its timeout fails and is not retried", async () => {
    const { fake, submit, describe } = await engine();
    fake.onJob({}, { durationMs: 120_000 });
    const jobId = await submit({ timeout: { attemptDurationSeconds: 60 }, retryStrategy: { attempts: 3 } });
    await fake.advance(60_000);
    const job = await describe(jobId);
    expect(job).toMatchObject({ status: "FAILED", statusReason: "Job attempt duration exceeded timeout" });
    expect(job.attempts).toHaveLength(1);
  });

  test("cancelled and terminated jobs are not retried", async () => {
    const { fake, batch, submit, describe } = await engine();
    fake.onJob({}, { durationMs: 10_000 });
    const jobId = await submit({ retryStrategy: { attempts: 3 } });
    await batch.send(new TerminateJobCommand({ jobId, reason: "stop" }));
    await fake.advance(20_000);
    expect(await describe(jobId)).toMatchObject({ status: "FAILED", statusReason: "stop", isTerminated: true });
  });
});

describe("tags", () => {
  test("propagateTags with more than 50 job and definition tags together fails the job before it runs", async () => {
    const { batch, submit, describe } = await engine();
    const { RegisterJobDefinitionCommand } = await import("@aws-sdk/client-batch");
    const tags = (prefix: string, n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, "v"]));
    await batch.send(new RegisterJobDefinitionCommand({
      jobDefinitionName: "tagged",
      type: "container",
      tags: tags("d", 30),
      containerProperties: { image: "busybox", resourceRequirements: [{ type: "VCPU", value: "1" }, { type: "MEMORY", value: "64" }] },
    }));
    const failing = await submit({ jobDefinition: "tagged", tags: tags("j", 21), propagateTags: true });
    const fine = await submit({ jobDefinition: "tagged", tags: tags("j", 21) });
    const job = await describe(failing);
    expect(job).toMatchObject({ status: "FAILED", statusReason: expect.stringMatching(/exceed the limit of 50/) });
    expect(job.attempts).toEqual([]);
    expect((await describe(fine)).status).toBe("SUCCEEDED");
  });
});

describe("cancel and terminate of a STARTING job", () => {
  test("CancelJob leaves a STARTING job alone; it goes on to run and succeed", async () => {
    const { fake, batch, submit, describe } = await engine({ delays: { startingMs: 1000 } });
    fake.onJob({}, { durationMs: 5000 });
    const jobId = await submit();
    expect((await describe(jobId)).status).toBe("STARTING");
    const answer = await batch.send(new CancelJobCommand({ jobId, reason: "too late" }));
    expect(answer.$metadata.httpStatusCode).toBe(200);
    expect(await describe(jobId)).toMatchObject({ status: "STARTING", isCancelled: false });
    await fake.advance(1000);
    expect((await describe(jobId)).status).toBe("RUNNING");
    await fake.advance(5000);
    expect(await describe(jobId)).toMatchObject({ status: "SUCCEEDED", statusReason: "Essential container in task exited", isCancelled: false });
  });

  test("TerminateJob fails a STARTING job with the reason, it never runs, and its vCPUs go to the next job", async () => {
    const { fake, batch, submit, describe, status } = await engine({ maxvCpus: 1, delays: { startingMs: 1000 } });
    fake.onJob({}, { durationMs: 5000 });
    const starting = await submit({ jobName: "starting" });
    const waiting = await submit({ jobName: "waiting" });
    expect(await status(starting, waiting)).toEqual(["STARTING", "RUNNABLE"]);
    await batch.send(new TerminateJobCommand({ jobId: starting, reason: "stop it" }));
    const stopped = await describe(starting);
    expect(stopped).toMatchObject({ status: "FAILED", statusReason: "stop it", isTerminated: true, isCancelled: false });
    // Only attempts that reached RUNNING are recorded.
    expect(stopped.attempts).toEqual([]);
    expect(stopped.startedAt).toBeUndefined();
    expect(await status(waiting)).toEqual(["STARTING"]);
    await fake.advance(1000);
    expect(await status(starting, waiting)).toEqual(["FAILED", "RUNNING"]);
    expect((await describe(starting)).attempts).toEqual([]);
  });
});
