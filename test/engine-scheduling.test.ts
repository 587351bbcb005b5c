import {
  CreateSchedulingPolicyCommand,
  GetJobQueueSnapshotCommand,
  CreateJobQueueCommand,
  CreateConsumableResourceCommand,
  CreateComputeEnvironmentCommand,
  DescribeConsumableResourceCommand,
  UpdateComputeEnvironmentCommand,
  UpdateJobQueueCommand,
} from "@aws-sdk/client-batch";
import { setup } from "./helpers";
import { computeEnvironment, definition, engine, helpers, queue } from "./engine-helpers";

async function cluster(maxvCpus: number) {
  const context = setup({ clock: "manual", startTime: 0 });
  await computeEnvironment(context.batch, "ce", maxvCpus);
  await definition(context.batch, "one", 1);
  await definition(context.batch, "two", 2);
  return { ...context, ...helpers(context.batch) };
}

describe("scheduling", () => {
  test("jobs run only within maxvCpus; the rest wait RUNNABLE, first in, first out", async () => {
    const { fake, batch, submit, status } = await cluster(2);
    await queue(batch, "jq", 1, ["ce"]);
    fake.onJob({}, { durationMs: 1000 });
    const jobs = [];
    for (let i = 0; i < 4; i++) jobs.push(await submit({ jobName: `j${i}`, jobDefinition: "one" }));
    expect(await status(...jobs)).toEqual(["RUNNING", "RUNNING", "RUNNABLE", "RUNNABLE"]);
    await fake.advance(1000);
    expect(await status(...jobs)).toEqual(["SUCCEEDED", "SUCCEEDED", "RUNNING", "RUNNING"]);
  });

  test("an UNMANAGED environment's capacity is its unmanagedvCpus, unlimited when 0", async () => {
    const { fake, batch, submit, status } = await cluster(256);
    const serviceRole = "arn:aws:iam::000000000000:role/batch";
    await batch.send(new CreateComputeEnvironmentCommand({ computeEnvironmentName: "own", type: "UNMANAGED", unmanagedvCpus: 2, serviceRole }));
    await batch.send(new CreateComputeEnvironmentCommand({ computeEnvironmentName: "open", type: "UNMANAGED", serviceRole }));
    await queue(batch, "limited", 1, ["own"]);
    await queue(batch, "unlimited", 1, ["open"]);
    fake.onJob({}, { durationMs: 1000 });
    const limited = [];
    for (let i = 0; i < 3; i++) limited.push(await submit({ jobQueue: "limited", jobDefinition: "one" }));
    expect(await status(...limited)).toEqual(["RUNNING", "RUNNING", "RUNNABLE"]);
    const unlimited = [];
    for (let i = 0; i < 300; i++) unlimited.push(await submit({ jobQueue: "unlimited", jobDefinition: "two" }));
    expect(new Set(await status(...unlimited.slice(0, 100)))).toEqual(new Set(["RUNNING"]));
    expect(new Set(await status(...unlimited.slice(200)))).toEqual(new Set(["RUNNING"]));
    // Raising unmanagedvCpus makes room at once.
    await batch.send(new UpdateComputeEnvironmentCommand({ computeEnvironment: "own", unmanagedvCpus: 3 }));
    expect(await status(...limited)).toEqual(["RUNNING", "RUNNING", "RUNNING"]);
  });

  test("a job that can never fit gets AWS's statusReason while the environment is full, in FIFO and fair-share queues", async () => {
    const { fake, batch, submit, describe, status } = await cluster(1);
    const { arn } = await batch.send(new CreateSchedulingPolicyCommand({ name: "fair", fairsharePolicy: {} }));
    await queue(batch, "jq", 1, ["ce"]);
    await queue(batch, "fq", 2, ["ce"], arn);
    fake.onJob({}, { durationMs: 60_000 });
    const running = await submit({ jobDefinition: "one" });
    const waiting = await submit({ jobDefinition: "one" });
    expect(await status(running, waiting)).toEqual(["RUNNING", "RUNNABLE"]);
    const tooLarge = await submit({ jobDefinition: "two" });
    const tooLargeShared = await submit({ jobQueue: "fq", jobDefinition: "two", shareIdentifier: "a" });
    for (const jobId of [tooLarge, tooLargeShared]) {
      expect(await describe(jobId)).toMatchObject({ status: "RUNNABLE", statusReason: expect.stringMatching(/^MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE/) });
    }
    expect((await describe(waiting)).statusReason).toBeUndefined();
  });

  test("a job that can never fit waits RUNNABLE with AWS's statusReason", async () => {
    const { batch, submit, describe } = await cluster(1);
    await queue(batch, "jq", 1, ["ce"]);
    const jobId = await submit({ jobDefinition: "two" });
    expect(await describe(jobId)).toMatchObject({ status: "RUNNABLE", statusReason: expect.stringMatching(/^MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE/) });
  });

  test("queues sharing a compute environment are served in priority order", async () => {
    const { fake, batch, submit, status } = await cluster(1);
    await queue(batch, "low", 1, ["ce"]);
    await queue(batch, "high", 10, ["ce"]);
    fake.onJob({}, { durationMs: 1000 });
    const blocker = await submit({ jobQueue: "low", jobDefinition: "one" });
    const low = await submit({ jobQueue: "low", jobDefinition: "one" });
    const high = await submit({ jobQueue: "high", jobDefinition: "one" });
    expect(await status(blocker, low, high)).toEqual(["RUNNING", "RUNNABLE", "RUNNABLE"]);
    await fake.advance(1000);
    expect(await status(low, high)).toEqual(["RUNNABLE", "RUNNING"]);
  });

  test("a DISABLED compute environment takes no new placements; jobs move on when it is enabled", async () => {
    const { batch, submit, status } = await cluster(4);
    await queue(batch, "jq", 1, ["ce"]);
    await batch.send(new UpdateComputeEnvironmentCommand({ computeEnvironment: "ce", state: "DISABLED" }));
    const jobId = await submit({ jobDefinition: "one" });
    expect(await status(jobId)).toEqual(["RUNNABLE"]);
    await batch.send(new UpdateComputeEnvironmentCommand({ computeEnvironment: "ce", state: "ENABLED" }));
    expect(await status(jobId)).toEqual(["SUCCEEDED"]);
  });

  test("compute environments are tried in order: the next one takes what the first cannot", async () => {
    const { fake, batch, submit } = await cluster(1);
    await computeEnvironment(batch, "spill", 1);
    await queue(batch, "jq", 1, ["ce", "spill"]);
    const seen: string[] = [];
    fake.onJob({}, (job) => (seen.push(job.computeEnvironment), { durationMs: 1000 }));
    await submit({ jobDefinition: "one" });
    await submit({ jobDefinition: "one" });
    expect(seen).toEqual(["ce", "spill"]);
  });

  test("fair share: the share with the lower weight gets more, and higher schedulingPriority goes first", async () => {
    const { fake, batch, submit, describe } = await cluster(3);
    const { arn } = await batch.send(new CreateSchedulingPolicyCommand({ name: "fair", fairsharePolicy: { shareDistribution: [{ shareIdentifier: "gold", weightFactor: 0.5 }, { shareIdentifier: "bronze", weightFactor: 1 }] } }));
    await queue(batch, "fq", 1, ["ce"], arn);
    fake.onJob({}, { durationMs: 1000 });
    await submit({ jobQueue: "fq", jobDefinition: "one", shareIdentifier: "bronze" });
    await batch.send(new UpdateComputeEnvironmentCommand({ computeEnvironment: "ce", state: "DISABLED" }));
    const bronze = [await submit({ jobQueue: "fq", jobDefinition: "one", shareIdentifier: "bronze" }), await submit({ jobQueue: "fq", jobDefinition: "one", shareIdentifier: "bronze" })];
    const gold = [
      await submit({ jobQueue: "fq", jobDefinition: "one", shareIdentifier: "gold", schedulingPriorityOverride: 1 }),
      await submit({ jobQueue: "fq", jobDefinition: "one", shareIdentifier: "gold", schedulingPriorityOverride: 5 }),
    ];
    await fake.advance(1000);
    await batch.send(new UpdateComputeEnvironmentCommand({ computeEnvironment: "ce", state: "ENABLED" }));
    const placed = await Promise.all([...bronze, ...gold].map(async (id) => (await describe(id)).status));
    // Three slots: gold (weight 0.5) gets two of them, the higher-priority gold job among them; bronze gets one.
    expect(placed).toEqual(["RUNNING", "RUNNABLE", "RUNNING", "RUNNING"]);
  });

  test("fair-share queues need a shareIdentifier", async () => {
    const { batch, submit } = await cluster(3);
    const { arn } = await batch.send(new CreateSchedulingPolicyCommand({ name: "fair", fairsharePolicy: {} }));
    await queue(batch, "fq", 1, ["ce"], arn);
    await expect(submit({ jobQueue: "fq", jobDefinition: "one" })).rejects.toThrow("shareIdentifier must be specified.");
  });

  test("jobStateTimeLimitActions cancel a job stuck at the head of the queue", async () => {
    const { fake, batch, submit, describe } = await cluster(1);
    await batch.send(new CreateJobQueueCommand({
      jobQueueName: "jq",
      priority: 1,
      computeEnvironmentOrder: [{ order: 1, computeEnvironment: "ce" }],
      jobStateTimeLimitActions: [{ reason: "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE", state: "RUNNABLE", maxTimeSeconds: 600, action: "CANCEL" }],
    }));
    const jobId = await submit({ jobDefinition: "two" });
    await fake.advance(599_000);
    expect((await describe(jobId)).status).toBe("RUNNABLE");
    await fake.advance(1000);
    expect(await describe(jobId)).toMatchObject({ status: "FAILED", statusReason: "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE" });
  });

  test("GetJobQueueSnapshot shows the front of the queue in dispatch order", async () => {
    const { fake, batch, submit } = await cluster(1);
    await queue(batch, "jq", 1, ["ce"]);
    fake.onJob({}, { durationMs: 1000 });
    await submit({ jobDefinition: "one" });
    await fake.advance(10);
    const second = await submit({ jobDefinition: "one" });
    await fake.advance(10);
    const third = await submit({ jobDefinition: "one" });
    const snapshot = await batch.send(new GetJobQueueSnapshotCommand({ jobQueue: "jq" }));
    expect(snapshot.frontOfQueue!.jobs!.map((j) => j.jobArn)).toEqual([second, third].map((id) => `arn:aws:batch:us-east-1:000000000000:job/${id}`));
    expect(snapshot.frontOfQueue!.jobs![0].earliestTimeAtPosition).toBe(10);
  });

  test("consumable resources are taken while a job runs and given back after", async () => {
    const { fake, batch, submit } = await cluster(8);
    await queue(batch, "jq", 1, ["ce"]);
    await batch.send(new CreateConsumableResourceCommand({ consumableResourceName: "licenses", totalQuantity: 1 }));
    fake.onJob({}, { durationMs: 1000 });
    const consumable = { consumableResourcePropertiesOverride: { consumableResourceList: [{ consumableResource: "licenses", quantity: 1 }] } };
    const first = await submit({ jobDefinition: "one", ...consumable });
    const second = await submit({ jobDefinition: "one", ...consumable });
    const { status } = helpers(batch);
    expect(await status(first, second)).toEqual(["RUNNING", "RUNNABLE"]);
    expect(await batch.send(new DescribeConsumableResourceCommand({ consumableResource: "licenses" }))).toMatchObject({ inUseQuantity: 1, availableQuantity: 0 });
    await fake.advance(1000);
    expect(await status(first, second)).toEqual(["SUCCEEDED", "RUNNING"]);
  });

  test("a disabled queue keeps serving the jobs it already has", async () => {
    const { fake, batch, submit, status } = await engine({ maxvCpus: 1 });
    fake.onJob({}, { durationMs: 1000 });
    const first = await submit();
    const second = await submit();
    await batch.send(new UpdateJobQueueCommand({ jobQueue: "jq", state: "DISABLED" }));
    await fake.advance(1000);
    expect(await status(first, second)).toEqual(["SUCCEEDED", "RUNNING"]);
  });
});
