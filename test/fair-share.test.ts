import {
  CreateSchedulingPolicyCommand,
  GetJobQueueSnapshotCommand,
  ListJobsCommand,
  UpdateComputeEnvironmentCommand,
  UpdateSchedulingPolicyCommand,
  type FairsharePolicy,
} from "@aws-sdk/client-batch";
import { computeEnvironment, definition, helpers, queue } from "./engine-helpers";
import { failure, setup } from "./helpers";

const MINUTE = 60_000;

/** A manual-clock fake with one EC2 compute environment of `maxvCpus`, a fair-share queue `fq` on it, and a 1-vCPU definition `one`. */
async function fairShare(maxvCpus: number, policy: FairsharePolicy) {
  const context = setup({ clock: "manual", startTime: Date.UTC(2026, 0, 1) });
  const { batch } = context;
  await computeEnvironment(batch, "ce", maxvCpus);
  await definition(batch, "one", 1);
  const { arn } = await batch.send(new CreateSchedulingPolicyCommand({ name: "fair", fairsharePolicy: policy }));
  await queue(batch, "fq", 1, ["ce"], arn);
  const { submit, describe, status } = helpers(batch);
  const submitTo = (shareIdentifier: string, extra: Record<string, unknown> = {}) => submit({ jobQueue: "fq", jobDefinition: "one", shareIdentifier, ...extra });
  const succeeded = async () => {
    const { jobSummaryList } = await batch.send(new ListJobsCommand({ jobQueue: "fq", jobStatus: "SUCCEEDED", maxResults: 1000 }));
    return jobSummaryList!;
  };
  return { ...context, policyArn: arn!, submitTo, describe, status, succeeded };
}

/** How many jobs of each share, by job id, are among `jobIds`. */
function countByShare(jobIds: string[], shares: Record<string, string[]>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [share, ids] of Object.entries(shares)) counts[share] = ids.filter((id) => jobIds.includes(id)).length;
  return counts;
}

describe("fair-share scheduling", () => {
  test("a share with a quarter of the weight overtakes an earlier share once that share has built up usage", async () => {
    const { fake, submitTo, succeeded } = await fairShare(1, { shareDecaySeconds: 600, shareDistribution: [{ shareIdentifier: "A", weightFactor: 0.25 }, { shareIdentifier: "B", weightFactor: 1 }] });
    fake.onJob({}, { durationMs: MINUTE });
    const b: string[] = [];
    const a: string[] = [];
    for (let i = 0; i < 8; i++) b.push(await submitTo("B"));
    for (let i = 0; i < 8; i++) a.push(await submitTo("A"));
    await fake.advance(5 * MINUTE);
    const done = (await succeeded()).map((job) => job.jobId!);
    expect(done).toHaveLength(5);
    // B's first job ran before A's jobs existed; then A, with a quarter of B's weight, runs four to B's one.
    expect(countByShare(done, { A: a, B: b })).toEqual({ A: 4, B: 1 });
  });

  test.each([
    [0.25, 4],
    [0.5, 2],
  ])("on a saturated environment a share of weight %p gets %p times the capacity of a share of weight 1", async (weight, ratio) => {
    const { fake, submitTo, succeeded } = await fairShare(1, { shareDecaySeconds: 3600, shareDistribution: [{ shareIdentifier: "light", weightFactor: weight }, { shareIdentifier: "heavy", weightFactor: 1 }] });
    fake.onJob({}, { durationMs: MINUTE });
    const light: string[] = [];
    const heavy: string[] = [];
    for (let i = 0; i < 60; i++) {
      heavy.push(await submitTo("heavy"));
      light.push(await submitTo("light"));
    }
    await fake.advance(60 * MINUTE);
    const counts = countByShare((await succeeded()).map((job) => job.jobId!), { light, heavy });
    expect(counts.light + counts.heavy).toBe(60);
    expect(counts.light / counts.heavy).toBeGreaterThan(ratio * 0.8);
    expect(counts.light / counts.heavy).toBeLessThan(ratio * 1.25);
  });

  test.each([
    [600, "old"],
    [604_800, "recent"],
  ])("an idle share's usage decays: with shareDecaySeconds %p the next job comes from the %s share", async (shareDecaySeconds, first) => {
    const { fake, batch, submitTo, describe } = await fairShare(1, { shareDecaySeconds });
    fake.onJob({}, { durationMs: MINUTE });
    // "old" runs ten minutes of work, then everything is idle for an hour; then "recent" runs one minute.
    for (let i = 0; i < 10; i++) await submitTo("old");
    await fake.advance(70 * MINUTE);
    await submitTo("recent");
    await fake.advance(MINUTE);
    // Both wait until the environment is enabled again, so the scheduler chooses between them.
    await batch.send(new UpdateComputeEnvironmentCommand({ computeEnvironment: "ce", state: "DISABLED" }));
    const fromRecent = await submitTo("recent");
    const fromOld = await submitTo("old");
    await batch.send(new UpdateComputeEnvironmentCommand({ computeEnvironment: "ce", state: "ENABLED" }));
    const running = (await describe(first === "old" ? fromOld : fromRecent)).status;
    const waiting = (await describe(first === "old" ? fromRecent : fromOld)).status;
    // With a short window the old usage has decayed below the recent one's; with a week's window it has not.
    expect([running, waiting]).toEqual(["RUNNING", "RUNNABLE"]);
  });

  test("within a share, the higher scheduling priority goes first, and the override beats the definition's", async () => {
    const { fake, batch, submitTo, describe } = await fairShare(1, {});
    await definition(batch, "urgent", 1, { schedulingPriority: 7 });
    fake.onJob({}, { durationMs: MINUTE });
    await batch.send(new UpdateComputeEnvironmentCommand({ computeEnvironment: "ce", state: "DISABLED" }));
    const low = await submitTo("s", { schedulingPriorityOverride: 1 });
    const fromDefinition = await submitTo("s", { jobDefinition: "urgent" });
    const overridden = await submitTo("s", { jobDefinition: "urgent", schedulingPriorityOverride: 2 });
    const high = await submitTo("s", { schedulingPriorityOverride: 9 });
    await batch.send(new UpdateComputeEnvironmentCommand({ computeEnvironment: "ce", state: "ENABLED" }));
    const order: string[] = [];
    for (let i = 0; i < 4; i++) {
      for (const id of [low, fromDefinition, overridden, high]) if ((await describe(id)).status === "RUNNING") order.push(id);
      await fake.advance(MINUTE);
    }
    expect(order).toEqual([high, fromDefinition, overridden, low]);
  });

  test("a job too large for the free vCPUs is passed over for smaller ones, keeps its place, and runs when room frees", async () => {
    const { fake, batch, submitTo, status } = await fairShare(4, {});
    await definition(batch, "three", 3);
    fake.onJob({}, { durationMs: MINUTE });
    fake.onJob({ jobName: "long" }, { durationMs: 10 * MINUTE });
    const running = await submitTo("A", { jobDefinition: "three", jobName: "long" });
    const large = await submitTo("A", { jobDefinition: "three", jobName: "large" });
    const small = [await submitTo("B"), await submitTo("B")];
    // One vCPU is free: B's first small job backfills it, and the large job waits at the front of share A.
    expect(await status(running, large, ...small)).toEqual(["RUNNING", "RUNNABLE", "RUNNING", "RUNNABLE"]);
    await fake.advance(MINUTE);
    expect(await status(running, large, ...small)).toEqual(["RUNNING", "RUNNABLE", "SUCCEEDED", "RUNNING"]);
    await fake.advance(9.5 * MINUTE);
    expect(await status(running, large)).toEqual(["SUCCEEDED", "RUNNING"]);
    await fake.advance(MINUTE);
    expect(await status(large)).toEqual(["SUCCEEDED"]);
  });

  test("the jobs one pass chooses by turns start at one instant in the order they were submitted", async () => {
    const { fake, batch, submitTo } = await fairShare(4, { shareDecaySeconds: 600 });
    fake.onJob({}, { durationMs: MINUTE });
    await batch.send(new UpdateComputeEnvironmentCommand({ computeEnvironment: "ce", state: "DISABLED" }));
    const a = [await submitTo("A"), await submitTo("A"), await submitTo("A")];
    const b = [await submitTo("B"), await submitTo("B"), await submitTo("B")];
    await batch.send(new UpdateComputeEnvironmentCommand({ computeEnvironment: "ce", state: "ENABLED" }));
    // Four vCPUs, taken by turns: A, B, A, B. They start in submission order, A's two first.
    const starting = fake.events.filter((event) => event.detail.status === "STARTING").map((event) => event.detail.jobId);
    expect(starting).toEqual([a[0], a[1], b[0], b[1]]);
    const { jobSummaryList } = await batch.send(new ListJobsCommand({ jobQueue: "fq", jobStatus: "RUNNABLE" }));
    expect(jobSummaryList!.map((job) => job.jobId).sort()).toEqual([a[2], b[2]].sort());
  });

  test("computeReservation holds capacity back for shares that are not active yet", async () => {
    const { fake, batch, submitTo, status } = await fairShare(4, { computeReservation: 50 });
    fake.onJob({}, { durationMs: 10 * MINUTE });
    const first = [await submitTo("A"), await submitTo("A"), await submitTo("A"), await submitTo("A")];
    // One active share: (50/100)^1 of the 4 vCPUs is reserved, so A runs on 2.
    expect(await status(...first)).toEqual(["RUNNING", "RUNNING", "RUNNABLE", "RUNNABLE"]);
    const newcomer = await submitTo("B");
    // Two active shares: (50/100)^2 is reserved, so 3 vCPUs are usable, and the newcomer B takes the third.
    expect(await status(newcomer, ...first)).toEqual(["RUNNING", "RUNNING", "RUNNING", "RUNNABLE", "RUNNABLE"]);
    const { queueUtilization } = await batch.send(new GetJobQueueSnapshotCommand({ jobQueue: "fq" }));
    expect(queueUtilization?.totalCapacityUsage).toEqual([{ capacityUnit: "VCPU", quantity: 3 }]);
  });

  test("a 501st active share identifier is refused until a share becomes inactive", async () => {
    const { fake, batch, submitTo, status } = await fairShare(1, { shareDecaySeconds: 600 });
    fake.onJob({}, { durationMs: MINUTE });
    await batch.send(new UpdateComputeEnvironmentCommand({ computeEnvironment: "ce", state: "DISABLED" }));
    const ids: string[] = [];
    for (let i = 0; i < 500; i++) ids.push(await submitTo(`share${i}`));
    const refused = await failure(submitTo("share500"));
    expect(refused.name).toBe("ClientException");
    expect(refused.message).toBe(
      "Job queue fq already has 500 active share identifiers, the most a fair-share job queue allows; a job with the new share identifier share500 cannot be submitted until one of them is inactive.",
    );
    // An active share still takes jobs.
    await expect(submitTo("share7")).resolves.toEqual(expect.any(String));
    // Once share0's only job is done and its decay window has passed, it is no longer active.
    await batch.send(new UpdateComputeEnvironmentCommand({ computeEnvironment: "ce", state: "ENABLED" }));
    await fake.advance(MINUTE);
    expect(await status(ids[0])).toEqual(["SUCCEEDED"]);
    await expect(failure(submitTo("share500"))).resolves.toHaveProperty("name", "ClientException");
    await fake.advance(10 * MINUTE);
    await expect(submitTo("share500")).resolves.toEqual(expect.any(String));
  });

  test("UpdateSchedulingPolicy's new weights apply to later placements", async () => {
    const { fake, batch, policyArn, submitTo, succeeded } = await fairShare(1, { shareDecaySeconds: 3600, shareDistribution: [{ shareIdentifier: "A", weightFactor: 1 }, { shareIdentifier: "B", weightFactor: 1 }] });
    fake.onJob({}, { durationMs: MINUTE });
    const a: string[] = [];
    const b: string[] = [];
    for (let i = 0; i < 30; i++) {
      a.push(await submitTo("A"));
      b.push(await submitTo("B"));
    }
    await fake.advance(20 * MINUTE);
    const before = countByShare((await succeeded()).map((job) => job.jobId!), { A: a, B: b });
    expect(before).toEqual({ A: 10, B: 10 });
    await batch.send(new UpdateSchedulingPolicyCommand({ arn: policyArn, fairsharePolicy: { shareDecaySeconds: 3600, shareDistribution: [{ shareIdentifier: "A", weightFactor: 0.1 }, { shareIdentifier: "B", weightFactor: 1 }] } }));
    await fake.advance(20 * MINUTE);
    const after = countByShare((await succeeded()).map((job) => job.jobId!), { A: a, B: b });
    // In the second 20 minutes A, now a tenth of B's weight, takes most of the environment.
    expect(after.A - before.A).toBeGreaterThanOrEqual(16);
  });

  test("GetJobQueueSnapshot reports the vCPUs in use, the shares using them, and the front of the queue in dispatch order", async () => {
    const { fake, batch, submitTo } = await fairShare(4, { shareDistribution: [{ shareIdentifier: "gold", weightFactor: 0.5 }] });
    fake.onJob({}, { durationMs: 10 * MINUTE });
    const bronze = [await submitTo("bronze"), await submitTo("bronze"), await submitTo("bronze")];
    const gold = [await submitTo("gold")];
    const waiting = [await submitTo("bronze"), await submitTo("gold", { schedulingPriorityOverride: 1 }), await submitTo("gold", { schedulingPriorityOverride: 3 })];
    const snapshot = await batch.send(new GetJobQueueSnapshotCommand({ jobQueue: "fq" }));
    expect(snapshot.queueUtilization).toEqual({
      totalCapacityUsage: [{ capacityUnit: "VCPU", quantity: 4 }],
      fairshareUtilization: {
        activeShareCount: 2,
        topCapacityUtilization: [
          { shareIdentifier: "bronze", capacityUsage: [{ capacityUnit: "VCPU", quantity: 3 }] },
          { shareIdentifier: "gold", capacityUsage: [{ capacityUnit: "VCPU", quantity: 1 }] },
        ],
      },
      lastUpdatedAt: fake.now(),
    });
    expect(bronze.length + gold.length).toBe(4);
    // gold uses less for its weight, so its jobs come first, the higher priority first; then bronze.
    const arns = snapshot.frontOfQueue!.jobs!.map((job) => job.jobArn!.split("/").pop());
    expect(arns).toEqual([waiting[2], waiting[1], waiting[0]]);
  });
});
