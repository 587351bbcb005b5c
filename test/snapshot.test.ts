import {
  SubmitJobCommand,
  BatchClient,
  CancelJobCommand,
  CreateConsumableResourceCommand,
  CreateJobQueueCommand,
  CreateQuotaShareCommand,
  CreateSchedulingPolicyCommand,
  CreateServiceEnvironmentCommand,
  DeregisterJobDefinitionCommand,
  DescribeComputeEnvironmentsCommand,
  DescribeConsumableResourceCommand,
  DescribeJobDefinitionsCommand,
  DescribeJobQueuesCommand,
  DescribeJobsCommand,
  DescribeQuotaShareCommand,
  DescribeSchedulingPoliciesCommand,
  DescribeServiceEnvironmentsCommand,
  DescribeServiceJobCommand,
  GetJobQueueSnapshotCommand,
  ListJobsByConsumableResourceCommand,
  ListJobsCommand,
  ListServiceJobsCommand,
  ListTagsForResourceCommand,
  RegisterJobDefinitionCommand,
  SubmitServiceJobCommand,
  TagResourceCommand,
  type JobStatus,
} from "@aws-sdk/client-batch";
import { CloudWatchLogsClient, DescribeLogStreamsCommand, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { computeEnvironment, definition, helpers, queue } from "./engine-helpers";
import { failure } from "./helpers";
import { fakeBatch, type FakeBatch, type Snapshot } from "../src";

const MINUTE = 60_000;
const START = Date.UTC(2026, 0, 1);
const STATUSES: JobStatus[] = ["SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED", "FAILED"];
const payload = JSON.stringify({ TrainingJobName: "train", RoleArn: "arn:aws:iam::000000000000:role/SageMakerRole", ResourceConfig: { InstanceType: "ml.m5.large", InstanceCount: 1, VolumeSizeInGB: 30 } });

function clients(fake: FakeBatch) {
  const credentials = { accessKeyId: "parlel", secretAccessKey: "parlel" };
  return {
    batch: new BatchClient({ region: "us-east-1", credentials, requestHandler: fake }),
    logs: new CloudWatchLogsClient({ region: "us-east-1", credentials, requestHandler: fake }),
  };
}

/** The outcomes a team's suite would set on every fake it makes from the shared world. */
function rules(fake: FakeBatch): void {
  fake.onJob({ jobName: /^long/ }, { durationMs: 10 * MINUTE, logs: [{ message: "started" }, { message: "half-way", afterMs: 5 * MINUTE }, { message: "done", afterMs: 10 * MINUTE }] });
  fake.onJob({ jobName: "flaky" }, (_job, attempt) => ({ exitCode: attempt < 2 ? 1 : 0, reason: `attempt ${attempt}`, logs: `attempt ${attempt}` }));
  fake.onJob({ jobDefinition: "mnp" }, { durationMs: 3 * MINUTE });
  fake.onJob({ jobName: /^training/ }, { durationMs: 30 * MINUTE });
}

/**
 * A world with every kind of thing: environments, queues (FIFO, fair share, quota shares), definitions with
 * revisions, a scheduling policy, a consumable resource, a service environment, tags, and jobs of every
 * shape in every status: done, failed after retries, running with its end still to come, waiting for
 * capacity, waiting for a dependency, arrays, multi-node, service jobs.
 */
async function buildWorld() {
  const fake = fakeBatch({ clock: "manual", startTime: START, seed: 7 });
  rules(fake);
  const { batch } = clients(fake);
  const { submit } = helpers(batch);
  await computeEnvironment(batch, "ce", 16);
  await queue(batch, "jq", 1, ["ce"]);
  await definition(batch, "work", 1);
  await definition(batch, "work", 2);
  await definition(batch, "old", 1);
  await batch.send(new DeregisterJobDefinitionCommand({ jobDefinition: "old:1" }));
  await definition(batch, "heavy", 6);
  await batch.send(new RegisterJobDefinitionCommand({
    jobDefinitionName: "mnp",
    type: "multinode",
    nodeProperties: { numNodes: 2, mainNode: 0, nodeRangeProperties: [{ targetNodes: "0:", container: { image: "busybox", command: ["mpirun"], resourceRequirements: [{ type: "VCPU", value: "1" }, { type: "MEMORY", value: "512" }] } }] },
  }));
  const { arn: fairArn } = await batch.send(new CreateSchedulingPolicyCommand({ name: "fair", fairsharePolicy: { shareDecaySeconds: 600, shareDistribution: [{ shareIdentifier: "A", weightFactor: 0.5 }] }, tags: { team: "data" } }));
  await queue(batch, "fq", 2, ["ce"], fairArn);
  await batch.send(new CreateConsumableResourceCommand({ consumableResourceName: "licenses", totalQuantity: 3, resourceType: "REPLENISHABLE" }));
  const { jobQueueArn } = (await batch.send(new DescribeJobQueuesCommand({ jobQueues: ["jq"] }))).jobQueues![0];
  await batch.send(new TagResourceCommand({ resourceArn: jobQueueArn!, tags: { owner: "ops" } }));

  await batch.send(new CreateServiceEnvironmentCommand({ serviceEnvironmentName: "env", serviceEnvironmentType: "SAGEMAKER_TRAINING", capacityLimits: [{ maxCapacity: 1, capacityUnit: "ml.m5.large" }] }));
  const { arn: quotaArn } = await batch.send(new CreateSchedulingPolicyCommand({ name: "quota", quotaSharePolicy: { idleResourceAssignmentStrategy: "FIFO" } }));
  await batch.send(new CreateJobQueueCommand({ jobQueueName: "training", priority: 1, schedulingPolicyArn: quotaArn, serviceEnvironmentOrder: [{ order: 1, serviceEnvironment: "env" }] }));
  await batch.send(new CreateQuotaShareCommand({ quotaShareName: "research", jobQueue: "training", capacityLimits: [{ maxCapacity: 1, capacityUnit: "ml.m5.large" }], resourceSharingConfiguration: { strategy: "RESERVE" }, preemptionConfiguration: { inSharePreemption: "DISABLED" } }));
  const serviceJobIds: string[] = [];
  for (const name of ["training-1", "training-2"]) {
    serviceJobIds.push((await batch.send(new SubmitServiceJobCommand({ jobName: name, jobQueue: "training", serviceJobType: "SAGEMAKER_TRAINING", serviceRequestPayload: payload, quotaShareName: "research", tags: { run: name } }))).jobId!);
  }

  const done = await submit({ jobName: "quick", tags: { kind: "quick" } });
  const flaky = await submit({ jobName: "flaky", retryStrategy: { attempts: 3 } });
  const failed = await submit({ jobName: "flaky", retryStrategy: { attempts: 1 } });
  const long = await submit({ jobName: "long-1", consumableResourcePropertiesOverride: { consumableResourceList: [{ consumableResource: "licenses", quantity: 2 }] } });
  const dependent = await submit({ jobName: "after-long", dependsOn: [{ jobId: long }] });
  const array = await submit({ jobName: "long-array", arrayProperties: { size: 3 } });
  const multinode = await submit({ jobName: "cluster", jobDefinition: "mnp" });
  const shared = [await submit({ jobName: "long-a", jobQueue: "fq", shareIdentifier: "A" }), await submit({ jobName: "long-b", jobQueue: "fq", shareIdentifier: "B" })];
  await fake.advance(2 * MINUTE);
  // 12 of the 16 vCPUs are taken: this one waits RUNNABLE.
  const waiting = await submit({ jobName: "long-waiting", jobDefinition: "heavy" });
  const cancelled = await submit({ jobName: "cancelled", dependsOn: [{ jobId: long }] });
  await batch.send(new CancelJobCommand({ jobId: cancelled, reason: "not needed" }));
  await fake.advance(MINUTE);
  const jobIds = { done, flaky, failed, long, dependent, array, multinode, shared, waiting, cancelled };
  return { fake, jobIds, serviceJobIds };
}

/** Everything a user can read back, through the real clients. */
async function view(fake: FakeBatch, jobIds: string[], serviceJobIds: string[]) {
  const { batch, logs } = clients(fake);
  const strip = <T extends { $metadata?: unknown }>(output: T) => {
    const { $metadata: _metadata, ...rest } = output;
    return rest;
  };
  const listings: Record<string, unknown> = {};
  for (const jobQueue of ["jq", "fq"]) {
    for (const jobStatus of STATUSES) listings[`${jobQueue}/${jobStatus}`] = strip(await batch.send(new ListJobsCommand({ jobQueue, jobStatus })));
  }
  const jobs = strip(await batch.send(new DescribeJobsCommand({ jobs: jobIds })));
  const children: Record<string, unknown> = {};
  for (const job of jobs.jobs ?? []) {
    if (job.arrayProperties?.size) children[job.jobId!] = strip(await batch.send(new ListJobsCommand({ arrayJobId: job.jobId, jobStatus: job.status === "SUCCEEDED" ? "SUCCEEDED" : "RUNNING" })));
    if (job.nodeProperties) children[job.jobId!] = strip(await batch.send(new ListJobsCommand({ multiNodeJobId: job.jobId })));
  }
  const streams = await logs.send(new DescribeLogStreamsCommand({ logGroupName: "/aws/batch/job" }));
  const events: Record<string, unknown> = {};
  for (const stream of streams.logStreams ?? []) {
    events[stream.logStreamName!] = strip(await logs.send(new GetLogEventsCommand({ logGroupName: "/aws/batch/job", logStreamName: stream.logStreamName!, startFromHead: true })));
  }
  const queueArns = (await batch.send(new DescribeJobQueuesCommand({}))).jobQueues!.map((q) => q.jobQueueArn!);
  return {
    now: fake.now(),
    computeEnvironments: strip(await batch.send(new DescribeComputeEnvironmentsCommand({}))),
    jobQueues: strip(await batch.send(new DescribeJobQueuesCommand({}))),
    jobDefinitions: strip(await batch.send(new DescribeJobDefinitionsCommand({}))),
    schedulingPolicies: strip(await batch.send(new DescribeSchedulingPoliciesCommand({ arns: [`arn:aws:batch:us-east-1:000000000000:scheduling-policy/fair`, `arn:aws:batch:us-east-1:000000000000:scheduling-policy/quota`] }))),
    consumableResource: strip(await batch.send(new DescribeConsumableResourceCommand({ consumableResource: "licenses" }))),
    byConsumableResource: strip(await batch.send(new ListJobsByConsumableResourceCommand({ consumableResource: "licenses" }))),
    serviceEnvironments: strip(await batch.send(new DescribeServiceEnvironmentsCommand({}))),
    quotaShare: strip(await batch.send(new DescribeQuotaShareCommand({ quotaShareArn: `${queueArns.find((arn) => arn.endsWith("/training"))}/quota-share/research` }))),
    serviceJobs: [strip(await batch.send(new ListServiceJobsCommand({ jobQueue: "training" }))), ...(await Promise.all(serviceJobIds.map(async (jobId) => strip(await batch.send(new DescribeServiceJobCommand({ jobId }))))))],
    tags: await Promise.all(queueArns.map(async (resourceArn) => strip(await batch.send(new ListTagsForResourceCommand({ resourceArn }))))),
    fairShare: strip(await batch.send(new GetJobQueueSnapshotCommand({ jobQueue: "fq" }))),
    listings,
    jobs,
    children,
    logStreams: strip(streams),
    events,
  };
}

describe("fake.snapshot() and fakeBatch({ state })", () => {
  test("a snapshot through JSON restores a fake that answers every read as the original does, and its jobs in flight finish at their times", async () => {
    const { fake, jobIds, serviceJobIds } = await buildWorld();
    const ids = Object.values(jobIds).flat();
    const before = await view(fake, ids, serviceJobIds);
    // The world has what the test claims: each status it is meant to show.
    const status = Object.fromEntries(before.jobs.jobs!.map((job) => [job.jobName, job.status]));
    expect(status).toMatchObject({ quick: "SUCCEEDED", flaky: "FAILED", "long-1": "RUNNING", "after-long": "PENDING", "long-array": "PENDING", cluster: "SUCCEEDED", "long-waiting": "RUNNABLE", cancelled: "PENDING" });
    expect(before.jobs.jobs!.filter((job) => job.jobName === "flaky").map((job) => job.attempts!.length).sort()).toEqual([1, 2]);
    expect(before.serviceJobs.slice(1).map((job) => (job as { status?: string }).status)).toEqual(["RUNNING", "RUNNABLE"]);

    const snapshot = JSON.parse(JSON.stringify(fake.snapshot())) as Snapshot;
    const restored = fakeBatch({ clock: "manual", state: snapshot });
    rules(restored);
    expect(await view(restored, ids, serviceJobIds)).toEqual(before);

    // Time goes on the same way on both: the running job ends at its time, what waited runs, logs arrive.
    for (const each of [fake, restored]) await each.advance(8 * MINUTE);
    const later = await view(fake, ids, serviceJobIds);
    expect(later.jobs.jobs!.find((job) => job.jobId === jobIds.long)).toMatchObject({ status: "SUCCEEDED", stoppedAt: START + 10 * MINUTE });
    expect(await view(restored, ids, serviceJobIds)).toEqual(later);
    for (const each of [fake, restored]) await each.advance(60 * MINUTE);
    const end = await view(fake, ids, serviceJobIds);
    expect(end.jobs.jobs!.map((job) => job.status)).not.toContain("RUNNING");
    expect(await view(restored, ids, serviceJobIds)).toEqual(end);
  }, 60_000);

  test("jobs submitted after a restore get ids of their own, and two fakes from one snapshot share nothing", async () => {
    const { fake, jobIds, serviceJobIds } = await buildWorld();
    const ids = Object.values(jobIds).flat();
    const snapshot = fake.snapshot();
    const frozen = JSON.stringify(snapshot);
    // Same seed: only the restored generator state keeps its ids from repeating the world's.
    const first = fakeBatch({ seed: 7, state: snapshot });
    const second = fakeBatch({ state: snapshot });
    expect(first.now()).toBe(fake.now());
    const { batch } = clients(first);
    const { submit, describe } = helpers(batch);
    const fresh = await submit({ jobName: "new" });
    expect(ids).not.toContain(fresh);
    // No id the world gave out (jobs, environments, request ids) comes again.
    const seen = JSON.stringify(snapshot) + JSON.stringify(fake.requests.map((request) => request.requestId));
    for (const id of [fresh, first.requests[first.requests.length - 1].requestId]) expect(seen).not.toContain(id);
    expect(await describe(fresh)).toMatchObject({ status: "SUCCEEDED", createdAt: fake.now() });
    await batch.send(new CancelJobCommand({ jobId: jobIds.waiting, reason: "changed my mind" }));
    await batch.send(new TagResourceCommand({ resourceArn: (await describe(jobIds.done)).jobArn!, tags: { extra: "yes" } }));
    await first.advance(60 * MINUTE);
    // Neither the snapshot nor the other fake saw any of it.
    expect(JSON.stringify(snapshot)).toBe(frozen);
    expect(await view(second, ids, serviceJobIds)).toEqual(await view(fakeBatch({ state: JSON.parse(frozen) as Snapshot }), ids, serviceJobIds));
    const other = helpers(clients(second).batch);
    expect(await other.status(jobIds.waiting, jobIds.long)).toEqual(["RUNNABLE", "RUNNING"]);
    expect((await other.describe(jobIds.done)).tags).toEqual({ kind: "quick" });
    expect((await clients(second).batch.send(new DescribeJobsCommand({ jobs: [fresh] }))).jobs).toEqual([]);
  }, 60_000);

  test("an attempt running at the snapshot goes on writing to its own log stream once restored", async () => {
    const fake = fakeBatch({ clock: "manual" });
    const { batch } = clients(fake);
    await fake.provision({ jobQueues: ["q"], jobDefinitions: ["d"] });
    fake.onJob({}, { durationMs: MINUTE, logs: ["first", { afterMs: MINUTE / 2, message: "second" }] });
    const { jobId } = await batch.send(new SubmitJobCommand({ jobName: "talks", jobQueue: "q", jobDefinition: "d" }));
    await fake.advance(1000);
    expect(fake.logs(jobId!)).toEqual(["first"]);
    const restored = fakeBatch({ clock: "manual", state: JSON.parse(JSON.stringify(fake.snapshot())) as Snapshot });
    await restored.advance(2 * MINUTE);
    expect(restored.logs(jobId!)).toEqual(["first", "second"]);
    const job = await helpers(clients(restored).batch).describe(jobId!);
    expect(job.status).toBe("SUCCEEDED");
    expect(job.attempts).toHaveLength(1);
  });

  test("a restored fake's snapshot is the snapshot it was made from", async () => {
    const { fake } = await buildWorld();
    const snapshot = fake.snapshot();
    const again = fakeBatch({ clock: "manual", state: snapshot }).snapshot();
    expect(withoutPositions(again)).toEqual(withoutPositions(snapshot));
  }, 60_000);

  test("a job definition's revisions go on from the snapshot's, deregistered ones included", async () => {
    const { fake } = await buildWorld();
    const restored = fakeBatch({ state: fake.snapshot() });
    const { batch } = clients(restored);
    expect((await batch.send(new RegisterJobDefinitionCommand({ jobDefinitionName: "old", type: "container", containerProperties: { image: "busybox", vcpus: 1, memory: 512 } }))).revision).toBe(2);
    expect((await batch.send(new RegisterJobDefinitionCommand({ jobDefinitionName: "work", type: "container", containerProperties: { image: "busybox", vcpus: 1, memory: 512 } }))).revision).toBe(3);
  }, 60_000);

  test("a value that is not a snapshot is refused with a clear Error", () => {
    expect(() => fakeBatch({ state: {} as Snapshot })).toThrow('fakeBatch({ state }): not a parlel-batch snapshot (from fake.snapshot()): its format is undefined, not "parlel-batch-snapshot".');
    expect(() => fakeBatch({ state: "{}" as unknown as Snapshot })).toThrow("not a parlel-batch snapshot (from fake.snapshot()): got string");
    const snapshot = fakeBatch().snapshot();
    expect(() => fakeBatch({ state: { ...snapshot, version: 2 as 1 } })).toThrow("version 2 is not supported");
    expect(() => fakeBatch({ state: { ...snapshot, partitions: [{ partition: { accountId: "1" } }] } as unknown as Snapshot })).toThrow("partitions[0].partition has no accountId and region");
  });

  test("a snapshot whose records contradict each other is refused, naming what is wrong", async () => {
    const { fake } = await buildWorld();
    const snapshot = fake.snapshot();
    const broken = JSON.parse(JSON.stringify(snapshot)) as Snapshot & { partitions: { runnable: string[] }[] };
    broken.partitions[0].runnable.push("no-such-job");
    expect(() => fakeBatch({ state: broken })).toThrow("fakeBatch({ state }): the snapshot is malformed: it names a job no-such-job that it does not hold");
  }, 60_000);
});

function withoutPositions(snapshot: Snapshot): unknown {
  return JSON.parse(JSON.stringify(snapshot), (key, value: unknown) => (key === "listingPosition" ? undefined : value));
}
