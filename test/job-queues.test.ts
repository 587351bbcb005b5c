import {
  BatchClient,
  ClientException,
  CreateComputeEnvironmentCommand,
  CreateJobQueueCommand,
  type CreateJobQueueCommandInput,
  CreateSchedulingPolicyCommand,
  CreateServiceEnvironmentCommand,
  DeleteComputeEnvironmentCommand,
  DeleteJobQueueCommand,
  DescribeComputeEnvironmentsCommand,
  DescribeJobQueuesCommand,
  GetJobQueueSnapshotCommand,
  RegisterJobDefinitionCommand,
  SubmitJobCommand,
  TagResourceCommand,
  UpdateComputeEnvironmentCommand,
  UpdateJobQueueCommand,
  paginateDescribeJobQueues,
} from "@aws-sdk/client-batch";
import { failure, setup } from "./helpers";

const ACCOUNT = "000000000000";
const ceArn = (name: string) => `arn:aws:batch:us-east-1:${ACCOUNT}:compute-environment/${name}`;
const queueArn = (name: string) => `arn:aws:batch:us-east-1:${ACCOUNT}:job-queue/${name}`;

const SPOT_FLEET_ROLE = `arn:aws:iam::${ACCOUNT}:role/AmazonEC2SpotFleetTaggingRole`;
const ec2 = (name: string, type: "EC2" | "SPOT" = "EC2") =>
  new CreateComputeEnvironmentCommand({
    computeEnvironmentName: name,
    type: "MANAGED",
    computeResources: { type, maxvCpus: 16, subnets: ["subnet-1"], instanceRole: "ecsInstanceRole", minvCpus: 0, instanceTypes: ["optimal"], ...(type === "SPOT" ? { spotIamFleetRole: SPOT_FLEET_ROLE } : {}) },
  });
const fargate = (name: string, type: "FARGATE" | "FARGATE_SPOT" = "FARGATE") =>
  new CreateComputeEnvironmentCommand({ computeEnvironmentName: name, type: "MANAGED", computeResources: { type, maxvCpus: 4, subnets: ["subnet-1"] } });
const unmanaged = (name: string) =>
  new CreateComputeEnvironmentCommand({ computeEnvironmentName: name, type: "UNMANAGED", serviceRole: `arn:aws:iam::${ACCOUNT}:role/batch` });
const eks = (name: string) =>
  new CreateComputeEnvironmentCommand({
    computeEnvironmentName: name,
    type: "MANAGED",
    computeResources: { type: "EC2", maxvCpus: 16, subnets: ["subnet-1"], instanceRole: "ecsInstanceRole", minvCpus: 0, instanceTypes: ["optimal"] },
    eksConfiguration: { eksClusterArn: `arn:aws:eks:us-east-1:${ACCOUNT}:cluster/k8s`, kubernetesNamespace: "batch" },
  });

const queue = (name: string, computeEnvironments: string[], extra: Partial<CreateJobQueueCommandInput> = {}) =>
  new CreateJobQueueCommand({
    jobQueueName: name,
    priority: 1,
    computeEnvironmentOrder: computeEnvironments.map((computeEnvironment, i) => ({ order: i + 1, computeEnvironment })),
    ...extra,
  });

async function describeQueue(batch: BatchClient, name: string) {
  const { jobQueues } = await batch.send(new DescribeJobQueuesCommand({ jobQueues: [name] }));
  return jobQueues![0];
}

async function queueNames(batch: BatchClient): Promise<string[]> {
  const { jobQueues } = await batch.send(new DescribeJobQueuesCommand({}));
  return jobQueues!.map((jq) => jq.jobQueueName!);
}

async function fairsharePolicy(batch: BatchClient, name: string): Promise<string> {
  return (await batch.send(new CreateSchedulingPolicyCommand({ name, fairsharePolicy: { shareDistribution: [{ shareIdentifier: "a" }] } }))).arn!;
}

async function serviceEnvironment(batch: BatchClient, name: string): Promise<string> {
  const created = await batch.send(
    new CreateServiceEnvironmentCommand({ serviceEnvironmentName: name, serviceEnvironmentType: "SAGEMAKER_TRAINING", capacityLimits: [{ maxCapacity: 1, capacityUnit: "NUM_INSTANCES" }] }),
  );
  return created.serviceEnvironmentArn!;
}

describe("CreateJobQueue", () => {
  test("returns the ARN; describe shows a VALID, ENABLED, healthy ECS queue whose compute environments are ARNs", async () => {
    const { batch } = setup();
    await batch.send(ec2("ce1"));
    await batch.send(ec2("ce2", "SPOT"));
    const created = await batch.send(queue("jq", ["ce1", ceArn("ce2")], { priority: 10, tags: { team: "a" } }));
    expect(created).toMatchObject({ jobQueueName: "jq", jobQueueArn: queueArn("jq") });
    expect(await describeQueue(batch, "jq")).toEqual({
      jobQueueName: "jq",
      jobQueueArn: queueArn("jq"),
      state: "ENABLED",
      status: "VALID",
      statusReason: "JobQueue Healthy",
      priority: 10,
      computeEnvironmentOrder: [
        { order: 1, computeEnvironment: ceArn("ce1") },
        { order: 2, computeEnvironment: ceArn("ce2") },
      ],
      jobQueueType: "ECS",
      tags: { team: "a" },
      jobStateTimeLimitActions: [],
    });
  });

  test("fake.provision creates queues on its compute environment", async () => {
    const { fake, batch } = setup();
    const provisioned = await fake.provision({ jobQueues: ["first", "second"] });
    expect(provisioned.jobQueueArns).toEqual({ first: queueArn("first"), second: queueArn("second") });
    expect(await describeQueue(batch, "second")).toMatchObject({ status: "VALID", computeEnvironmentOrder: [{ order: 1, computeEnvironment: ceArn("parlel-ce") }] });
  });

  test("the queue type follows the compute environments: ECS for EC2 and UNMANAGED, ECS_FARGATE for Fargate, EKS for EKS", async () => {
    const { batch } = setup();
    await batch.send(unmanaged("own"));
    await batch.send(fargate("f"));
    await batch.send(fargate("fs", "FARGATE_SPOT"));
    await batch.send(eks("k"));
    await batch.send(queue("on-own", ["own"]));
    await batch.send(queue("on-fargate", ["f", "fs"]));
    await batch.send(queue("on-eks", ["k"], { jobQueueType: "EKS" }));
    const { jobQueues } = await batch.send(new DescribeJobQueuesCommand({}));
    expect(jobQueues!.map((jq) => [jq.jobQueueName, jq.jobQueueType])).toEqual([
      ["on-own", "ECS"],
      ["on-fargate", "ECS_FARGATE"],
      ["on-eks", "EKS"],
    ]);
  });

  test("EC2 and Fargate compute environments can't be mixed, nor ECS and EKS, and a contradicting jobQueueType is refused", async () => {
    const { batch } = setup();
    await batch.send(ec2("e"));
    await batch.send(unmanaged("u"));
    await batch.send(fargate("f"));
    await batch.send(eks("k"));
    expect((await failure(batch.send(queue("q", ["e", "f"])))).message).toMatch(/EC2 and Fargate compute environments can't be mixed/);
    expect((await failure(batch.send(queue("q", ["u", "f"])))).message).toMatch(/EC2 and Fargate compute environments can't be mixed/);
    expect((await failure(batch.send(queue("q", ["e", "k"])))).message).toBe(
      "All compute environments of a job queue must be of one kind; these would need the job queue types ECS and EKS.",
    );
    expect((await failure(batch.send(queue("q", ["f"], { jobQueueType: "ECS" })))).message).toBe(
      "jobQueueType ECS does not match the queue's environments, which need jobQueueType ECS_FARGATE.",
    );
    expect(await queueNames(batch)).toEqual([]);
  });

  test("computeEnvironmentOrder must hold 1 to 3 existing, VALID, distinct compute environments with unique orders", async () => {
    const { batch } = setup();
    for (const name of ["a", "b", "c", "d"]) await batch.send(ec2(name));
    const none = await failure(batch.send(queue("q", [])));
    expect(none).toBeInstanceOf(ClientException);
    expect(none.message).toBe("computeEnvironmentOrder must have between 1 and 3 entries, unless serviceEnvironmentOrder is specified.");
    expect((await failure(batch.send(new CreateJobQueueCommand({ jobQueueName: "q", priority: 1 })))).message).toMatch(/computeEnvironmentOrder must have between 1 and 3 entries/);
    expect((await failure(batch.send(queue("q", ["a", "b", "c", "d"])))).message).toBe("computeEnvironmentOrder must have between 1 and 3 entries, got 4.");
    expect((await failure(batch.send(queue("q", ["a", "missing"])))).message).toBe(`ComputeEnvironment ${ceArn("missing")} does not exist`);
    const otherRegion = "arn:aws:batch:eu-west-1:000000000000:compute-environment/a";
    expect((await failure(batch.send(queue("q", [otherRegion])))).message).toBe(`ComputeEnvironment ${otherRegion} does not exist`);
    expect((await failure(batch.send(queue("q", ["a", ceArn("a")])))).message).toBe(`computeEnvironmentOrder lists ComputeEnvironment ${ceArn("a")} more than once.`);
    const sameOrder = await failure(
      batch.send(new CreateJobQueueCommand({ jobQueueName: "q", priority: 1, computeEnvironmentOrder: [{ order: 1, computeEnvironment: "a" }, { order: 1, computeEnvironment: "b" }] })),
    );
    expect(sameOrder.message).toBe("computeEnvironmentOrder has more than one entry with order 1; each order must be unique.");
    expect(await queueNames(batch)).toEqual([]);
  });

  test("a compute environment still CREATING can't be attached until it is VALID", async () => {
    const { fake, batch } = setup({ clock: "manual", resourceTransitionMs: 1000 });
    await batch.send(ec2("ce"));
    const early = await failure(batch.send(queue("q", ["ce"])));
    expect(early.message).toMatch(/must be (created and )?valid before attaching/);
    expect(early.message).toBe(`ComputeEnvironment ${ceArn("ce")} must be valid before attaching to a JobQueue; its status is CREATING.`);
    await fake.advance(1000);
    await batch.send(queue("q", ["ce"]));
    expect((await describeQueue(batch, "q")).status).toBe("CREATING");
    await fake.advance(1000);
    expect(await describeQueue(batch, "q")).toMatchObject({ status: "VALID", statusReason: "JobQueue Healthy" });
  });

  test("name, priority, tags, duplicates and the 50-queue quota are checked", async () => {
    const { batch } = setup();
    await batch.send(ec2("ce"));
    expect((await failure(batch.send(queue("bad name", ["ce"])))).message).toBe("Provided name bad name is not supported pattern[a-zA-Z_0-9-]{1,128}");
    expect((await failure(batch.send(queue("q", ["ce"], { priority: -1 })))).message).toBe("priority must be an integer between 0 and 1000, got -1.");
    expect((await failure(batch.send(queue("q", ["ce"], { tags: { "aws:x": "y" } })))).message).toMatch(/reserved prefix aws:/);
    const missingPriority = await failure(batch.send(new CreateJobQueueCommand({ jobQueueName: "q", computeEnvironmentOrder: [{ order: 1, computeEnvironment: "ce" }] } as never)));
    expect(missingPriority.message).toBe("priority must be specified.");
    await batch.send(queue("q", ["ce"]));
    expect((await failure(batch.send(queue("q", ["ce"])))).message).toBe("Object already exists");
    for (let i = 1; i < 50; i++) await batch.send(queue(`q${i}`, ["ce"]));
    const overQuota = await failure(batch.send(queue("q50", ["ce"])));
    expect(overQuota.message).toMatch(/^Error executing request, Exception : Maximum number of job queues \(50\) reached, RequestId: [0-9a-f-]{36}$/);
    expect(await queueNames(batch)).toHaveLength(50);
  });

  test("schedulingPolicyArn must name an existing policy of this account and region, by ARN", async () => {
    const { fake, batch } = setup();
    await batch.send(ec2("ce"));
    const policy = await fairsharePolicy(batch, "fair");
    await batch.send(queue("fq", ["ce"], { schedulingPolicyArn: policy }));
    expect((await describeQueue(batch, "fq")).schedulingPolicyArn).toBe(policy);
    expect((await failure(batch.send(queue("q", ["ce"], { schedulingPolicyArn: "fair" })))).message).toBe("SchedulingPolicy fair does not exist");
    const elsewhere = new BatchClient({ region: "us-west-2", credentials: { accessKeyId: "parlel", secretAccessKey: "parlel" }, requestHandler: fake });
    const westPolicy = await fairsharePolicy(elsewhere, "west");
    expect((await failure(batch.send(queue("q", ["ce"], { schedulingPolicyArn: westPolicy })))).message).toBe(`SchedulingPolicy ${westPolicy} does not exist`);
    expect(await queueNames(batch)).toEqual(["fq"]);
  });

  test("jobStateTimeLimitActions are stored, and need 600-86400 seconds, a reason and CANCEL on ECS queues", async () => {
    const { batch } = setup();
    await batch.send(ec2("ce"));
    const action = { reason: "stuck", state: "RUNNABLE" as const, maxTimeSeconds: 600, action: "CANCEL" as const };
    await batch.send(queue("q", ["ce"], { jobStateTimeLimitActions: [action] }));
    expect((await describeQueue(batch, "q")).jobStateTimeLimitActions).toEqual([action]);
    const tooShort = await failure(batch.send(queue("q2", ["ce"], { jobStateTimeLimitActions: [{ ...action, maxTimeSeconds: 599 }] })));
    expect(tooShort.message).toBe("jobStateTimeLimitActions[0].maxTimeSeconds must be an integer between 600 and 86400, got 599.");
    const tooLong = await failure(batch.send(queue("q2", ["ce"], { jobStateTimeLimitActions: [{ ...action, maxTimeSeconds: 86_401 }] })));
    expect(tooLong.message).toMatch(/between 600 and 86400, got 86401/);
    const terminate = await failure(batch.send(queue("q2", ["ce"], { jobStateTimeLimitActions: [{ ...action, action: "TERMINATE" }] })));
    expect(terminate.message).toBe("jobStateTimeLimitActions[0].action must be CANCEL for a job queue of type ECS, got TERMINATE.");
    const noReason = await failure(batch.send(queue("q2", ["ce"], { jobStateTimeLimitActions: [{ ...action, reason: "" }] })));
    expect(noReason.message).toBe("jobStateTimeLimitActions[0].reason must not be empty.");
    const badState = await failure(batch.send(queue("q2", ["ce"], { jobStateTimeLimitActions: [{ ...action, state: "RUNNING" as never }] })));
    expect(badState.message).toMatch(/Invalid value RUNNING for jobStateTimeLimitActions\[0\]\.state/);
    expect(await queueNames(batch)).toEqual(["q"]);
  });

  test("a queue on a service environment is SAGEMAKER_TRAINING and can't also have compute environments", async () => {
    const { batch } = setup();
    await batch.send(ec2("ce"));
    const sm = await serviceEnvironment(batch, "sm");
    await serviceEnvironment(batch, "sm2");
    const action = { reason: "stuck", state: "RUNNABLE" as const, maxTimeSeconds: 600, action: "TERMINATE" as const };
    await batch.send(new CreateJobQueueCommand({ jobQueueName: "sq", priority: 1, serviceEnvironmentOrder: [{ order: 1, serviceEnvironment: "sm" }], jobStateTimeLimitActions: [action] }));
    expect(await describeQueue(batch, "sq")).toMatchObject({
      jobQueueType: "SAGEMAKER_TRAINING",
      computeEnvironmentOrder: [],
      serviceEnvironmentOrder: [{ order: 1, serviceEnvironment: sm }],
      jobStateTimeLimitActions: [action],
    });
    const both = await failure(
      batch.send(queue("q", ["ce"], { serviceEnvironmentOrder: [{ order: 1, serviceEnvironment: "sm" }] })),
    );
    expect(both.message).toBe("A job queue can't have both a serviceEnvironmentOrder and a computeEnvironmentOrder.");
    const two = await failure(
      batch.send(new CreateJobQueueCommand({ jobQueueName: "q", priority: 1, serviceEnvironmentOrder: [{ order: 1, serviceEnvironment: "sm" }, { order: 2, serviceEnvironment: "sm2" }] })),
    );
    expect(two.message).toBe("serviceEnvironmentOrder must have between 1 and 1 entries, got 2.");
    const missing = await failure(batch.send(new CreateJobQueueCommand({ jobQueueName: "q", priority: 1, serviceEnvironmentOrder: [{ order: 1, serviceEnvironment: "nope" }] })));
    expect(missing.message).toBe(`ServiceEnvironment arn:aws:batch:us-east-1:${ACCOUNT}:service-environment/nope does not exist`);
    const cancel = await failure(
      batch.send(new CreateJobQueueCommand({ jobQueueName: "q", priority: 1, serviceEnvironmentOrder: [{ order: 1, serviceEnvironment: "sm" }], jobStateTimeLimitActions: [{ ...action, action: "CANCEL" }] })),
    );
    expect(cancel.message).toBe("jobStateTimeLimitActions[0].action must be TERMINATE for a job queue of type SAGEMAKER_TRAINING, got CANCEL.");
    expect(await queueNames(batch)).toEqual(["sq"]);
  });

  test("a service environment still CREATING can't be attached", async () => {
    const { fake, batch } = setup({ clock: "manual", resourceTransitionMs: 1000 });
    const arn = await serviceEnvironment(batch, "sm");
    const busy = await failure(batch.send(new CreateJobQueueCommand({ jobQueueName: "q", priority: 1, serviceEnvironmentOrder: [{ order: 1, serviceEnvironment: arn }] })));
    expect(busy.message).toBe(`ServiceEnvironment ${arn} must be valid before attaching to a JobQueue; its status is CREATING.`);
    await fake.advance(1000);
    await batch.send(new CreateJobQueueCommand({ jobQueueName: "q", priority: 1, serviceEnvironmentOrder: [{ order: 1, serviceEnvironment: arn }] }));
  });
});

describe("DescribeJobQueues", () => {
  test("finds queues by name or ARN in request order, leaves unknown ones out, and returns copies", async () => {
    const { fake, batch } = setup();
    await fake.provision({ jobQueues: ["a", "b"] });
    const { jobQueues } = await batch.send(new DescribeJobQueuesCommand({ jobQueues: ["b", "nope", queueArn("a"), "a"] }));
    expect(jobQueues!.map((jq) => jq.jobQueueName)).toEqual(["b", "a"]);
    jobQueues![0].computeEnvironmentOrder!.length = 0;
    expect((await describeQueue(batch, "b")).computeEnvironmentOrder).toHaveLength(1);
    expect((await batch.send(new DescribeJobQueuesCommand({ jobQueues: ["nope"] }))).jobQueues).toEqual([]);
  });

  test("a repeated Describe shows every change: update, tags, status, deletion; recorded outputs stay as answered", async () => {
    const { fake, batch } = setup({ clock: "manual", resourceTransitionMs: 1000 });
    await batch.send(unmanaged("ce"));
    await fake.advance(1000);
    await batch.send(queue("q", ["ce"]));
    expect(await describeQueue(batch, "q")).toMatchObject({ status: "CREATING", priority: 1, tags: {} });
    await fake.advance(1000);
    expect(await describeQueue(batch, "q")).toMatchObject({ status: "VALID", priority: 1 });
    await batch.send(new UpdateJobQueueCommand({ jobQueue: "q", priority: 7 }));
    expect(await describeQueue(batch, "q")).toMatchObject({ status: "UPDATING", priority: 7 });
    await fake.advance(1000);
    await batch.send(new TagResourceCommand({ resourceArn: queueArn("q"), tags: { team: "render" } }));
    const tagged = await describeQueue(batch, "q");
    expect(tagged).toMatchObject({ status: "VALID", priority: 7, tags: { team: "render" } });

    // The recorded output is a copy: changing it changes neither the store nor later answers.
    const recorded = fake.requests.filter((r) => r.operation === "DescribeJobQueues").at(-1)!.output as { jobQueues: { priority: number; tags: Record<string, string> }[] };
    expect(recorded.jobQueues[0]).toMatchObject({ priority: 7, tags: { team: "render" } });
    recorded.jobQueues[0].priority = 99;
    recorded.jobQueues[0].tags.team = "changed";
    expect(await describeQueue(batch, "q")).toEqual(tagged);

    await batch.send(new UpdateJobQueueCommand({ jobQueue: "q", state: "DISABLED" }));
    await fake.advance(1000);
    await batch.send(new DeleteJobQueueCommand({ jobQueue: "q" }));
    await fake.advance(1000);
    expect((await batch.send(new DescribeJobQueuesCommand({ jobQueues: ["q"] }))).jobQueues).toEqual([]);
  });

  test("pages with maxResults and nextToken, and the paginator walks every page", async () => {
    const { fake, batch } = setup();
    const names = ["q0", "q1", "q2", "q3", "q4"];
    await fake.provision({ jobQueues: names });
    const first = await batch.send(new DescribeJobQueuesCommand({ maxResults: 2 }));
    expect(first.jobQueues!.map((jq) => jq.jobQueueName)).toEqual(["q0", "q1"]);
    expect(first.nextToken).toBeTruthy();
    const seen: string[] = [];
    const pageSizes: number[] = [];
    for await (const page of paginateDescribeJobQueues({ client: batch, pageSize: 2 }, {})) {
      seen.push(...page.jobQueues!.map((jq) => jq.jobQueueName!));
      pageSizes.push(page.jobQueues!.length);
    }
    expect(seen).toEqual(names);
    expect(pageSizes).toEqual([2, 2, 1]);
    expect((await failure(batch.send(new DescribeJobQueuesCommand({ maxResults: 101 })))).message).toBe("maxResults must be an integer between 1 and 100, got 101.");
    expect((await failure(batch.send(new DescribeJobQueuesCommand({ jobQueues: Array.from({ length: 101 }, (_, i) => `q${i}`) })))).message).toBe(
      "jobQueues can have at most 100 entries, got 101.",
    );
  });
});

describe("UpdateJobQueue", () => {
  test("changes state, priority, compute environments and time limit actions, passing through UPDATING", async () => {
    const { fake, batch } = setup({ clock: "manual", resourceTransitionMs: 500 });
    await batch.send(ec2("a"));
    await batch.send(ec2("b"));
    await fake.advance(500);
    await batch.send(queue("q", ["a"]));
    await fake.advance(500);
    const action = { reason: "stuck", state: "RUNNABLE" as const, maxTimeSeconds: 3600, action: "CANCEL" as const };
    const updated = await batch.send(
      new UpdateJobQueueCommand({
        jobQueue: queueArn("q"),
        state: "DISABLED",
        priority: 5,
        computeEnvironmentOrder: [{ order: 1, computeEnvironment: "b" }, { order: 2, computeEnvironment: ceArn("a") }],
        jobStateTimeLimitActions: [action],
      }),
    );
    expect(updated).toMatchObject({ jobQueueName: "q", jobQueueArn: queueArn("q") });
    expect((await describeQueue(batch, "q")).status).toBe("UPDATING");
    const busy = await failure(batch.send(new UpdateJobQueueCommand({ jobQueue: "q", priority: 6 })));
    expect(busy.message).toBe("Cannot update, resource is being modified");
    await fake.advance(500);
    expect(await describeQueue(batch, "q")).toMatchObject({
      state: "DISABLED",
      status: "VALID",
      statusReason: "JobQueue Healthy",
      priority: 5,
      computeEnvironmentOrder: [
        { order: 1, computeEnvironment: ceArn("b") },
        { order: 2, computeEnvironment: ceArn("a") },
      ],
      jobStateTimeLimitActions: [action],
    });
  });

  test("an unknown queue echoes its ARN, and bad changes are refused without changing anything", async () => {
    const { batch } = setup();
    await batch.send(ec2("e"));
    await batch.send(fargate("f"));
    await batch.send(queue("q", ["e"], { priority: 3 }));
    expect((await failure(batch.send(new UpdateJobQueueCommand({ jobQueue: "nope", priority: 1 })))).message).toBe(`JobQueue ${queueArn("nope")} does not exist`);
    expect((await failure(batch.send(new UpdateJobQueueCommand({ jobQueue: queueArn("nope"), priority: 1 })))).message).toBe(`JobQueue ${queueArn("nope")} does not exist`);
    const empty = await failure(batch.send(new UpdateJobQueueCommand({ jobQueue: "q", state: "DISABLED", computeEnvironmentOrder: [] })));
    expect(empty.message).toBe("computeEnvironmentOrder must have between 1 and 3 entries, got 0.");
    const toFargate = await failure(batch.send(new UpdateJobQueueCommand({ jobQueue: "q", state: "DISABLED", computeEnvironmentOrder: [{ order: 1, computeEnvironment: "f" }] })));
    expect(toFargate.message).toBe("JobQueue q has jobQueueType ECS; it cannot be attached to compute environments that need jobQueueType ECS_FARGATE.");
    const missing = await failure(batch.send(new UpdateJobQueueCommand({ jobQueue: "q", state: "DISABLED", computeEnvironmentOrder: [{ order: 1, computeEnvironment: "gone" }] })));
    expect(missing.message).toBe(`ComputeEnvironment ${ceArn("gone")} does not exist`);
    const serviceOrder = await failure(batch.send(new UpdateJobQueueCommand({ jobQueue: "q", serviceEnvironmentOrder: [{ order: 1, serviceEnvironment: "sm" }] })));
    expect(serviceOrder.message).toBe("serviceEnvironmentOrder cannot be specified for JobQueue q, which uses compute environments.");
    const badAction = await failure(
      batch.send(new UpdateJobQueueCommand({ jobQueue: "q", state: "DISABLED", jobStateTimeLimitActions: [{ reason: "r", state: "RUNNABLE", maxTimeSeconds: 10, action: "CANCEL" }] })),
    );
    expect(badAction.message).toMatch(/maxTimeSeconds must be an integer between 600 and 86400/);
    expect((await failure(batch.send(new UpdateJobQueueCommand({ jobQueue: "q", state: "DISABLED", priority: 1001 })))).message).toMatch(/^priority must be an integer/);
    expect(await describeQueue(batch, "q")).toMatchObject({ state: "ENABLED", priority: 3, computeEnvironmentOrder: [{ order: 1, computeEnvironment: ceArn("e") }], jobStateTimeLimitActions: [] });
  });

  test("a FIFO queue can never get a scheduling policy", async () => {
    const { batch } = setup();
    await batch.send(ec2("ce"));
    const policy = await fairsharePolicy(batch, "fair");
    await batch.send(queue("fifo", ["ce"]));
    const error = await failure(batch.send(new UpdateJobQueueCommand({ jobQueue: "fifo", schedulingPolicyArn: policy })));
    expect(error.message).toBe("JobQueue fifo was created without a scheduling policy; a scheduling policy can't be added to a FIFO job queue.");
    expect((await describeQueue(batch, "fifo")).schedulingPolicyArn).toBeUndefined();
  });

  test("a fair-share queue's policy can be replaced by another fair-share policy, but not removed or swapped for a quota share policy", async () => {
    const { batch } = setup();
    await batch.send(ec2("ce"));
    const first = await fairsharePolicy(batch, "first");
    const second = await fairsharePolicy(batch, "second");
    const quota = (await batch.send(new CreateSchedulingPolicyCommand({ name: "quota", quotaSharePolicy: { idleResourceAssignmentStrategy: "FIFO" } }))).arn!;
    await batch.send(queue("fair", ["ce"], { schedulingPolicyArn: first }));
    await batch.send(new UpdateJobQueueCommand({ jobQueue: "fair", schedulingPolicyArn: second }));
    expect((await describeQueue(batch, "fair")).schedulingPolicyArn).toBe(second);
    const removed = await failure(batch.send(new UpdateJobQueueCommand({ jobQueue: "fair", schedulingPolicyArn: "" })));
    expect(removed.message).toBe("The scheduling policy of JobQueue fair can be replaced but can't be removed.");
    const unknown = await failure(batch.send(new UpdateJobQueueCommand({ jobQueue: "fair", schedulingPolicyArn: `${first}-gone` })));
    expect(unknown.message).toBe(`SchedulingPolicy ${first}-gone does not exist`);
    const swapped = await failure(batch.send(new UpdateJobQueueCommand({ jobQueue: "fair", schedulingPolicyArn: quota })));
    expect(swapped.message).toMatch(/can only be replaced by a policy of the same type/);
    expect((await describeQueue(batch, "fair")).schedulingPolicyArn).toBe(second);
  });

  test("a SAGEMAKER_TRAINING queue takes no compute environments", async () => {
    const { batch } = setup();
    await batch.send(ec2("ce"));
    await serviceEnvironment(batch, "sm");
    await batch.send(new CreateJobQueueCommand({ jobQueueName: "sq", priority: 1, serviceEnvironmentOrder: [{ order: 1, serviceEnvironment: "sm" }] }));
    const error = await failure(batch.send(new UpdateJobQueueCommand({ jobQueue: "sq", computeEnvironmentOrder: [{ order: 1, computeEnvironment: "ce" }] })));
    expect(error.message).toBe("computeEnvironmentOrder cannot be specified for JobQueue sq, which uses service environments.");
    await batch.send(new UpdateJobQueueCommand({ jobQueue: "sq", priority: 7 }));
    expect(await describeQueue(batch, "sq")).toMatchObject({ priority: 7, jobQueueType: "SAGEMAKER_TRAINING" });
  });
});

describe("DeleteJobQueue", () => {
  test("requires DISABLED, goes DELETING, then the queue is gone and its compute environment can be deleted", async () => {
    const { fake, batch } = setup({ clock: "manual", resourceTransitionMs: 100 });
    await batch.send(ec2("ce"));
    await fake.advance(100);
    await batch.send(queue("q", ["ce"]));
    const creating = await failure(batch.send(new DeleteJobQueueCommand({ jobQueue: "q" })));
    expect(creating.message).toBe("Cannot delete, resource is being modified");
    await fake.advance(100);
    const enabled = await failure(batch.send(new DeleteJobQueueCommand({ jobQueue: "q" })));
    expect(enabled.message).toBe("Cannot delete, JobQueue q is in ENABLED state. Disable it first.");
    await batch.send(new UpdateJobQueueCommand({ jobQueue: "q", state: "DISABLED" }));
    await fake.advance(100);
    await batch.send(new DeleteJobQueueCommand({ jobQueue: queueArn("q") }));
    expect((await describeQueue(batch, "q")).status).toBe("DELETING");
    const again = await failure(batch.send(new DeleteJobQueueCommand({ jobQueue: "q" })));
    expect(again.message).toMatch(/resource is being modified/);
    await fake.advance(100);
    expect(await queueNames(batch)).toEqual([]);
    await batch.send(new UpdateComputeEnvironmentCommand({ computeEnvironment: "ce", state: "DISABLED" }));
    await fake.advance(100);
    await batch.send(new DeleteComputeEnvironmentCommand({ computeEnvironment: "ce" }));
    await fake.advance(100);
    expect((await batch.send(new DescribeComputeEnvironmentsCommand({}))).computeEnvironments).toEqual([]);
  });

  test("an unknown queue echoes its ARN", async () => {
    const { batch } = setup();
    const error = await failure(batch.send(new DeleteJobQueueCommand({ jobQueue: "nope" })));
    expect(error).toBeInstanceOf(ClientException);
    expect(error.message).toBe(`JobQueue ${queueArn("nope")} does not exist`);
  });
});

describe("GetJobQueueSnapshot", () => {
  test("an idle FIFO queue has an empty front of queue stamped with the current time, and no utilization", async () => {
    const { fake, batch } = setup({ clock: "manual", startTime: 1_700_000_000_000 });
    await fake.provision({ jobQueues: ["q"] });
    await fake.advance(5000);
    const result = await batch.send(new GetJobQueueSnapshotCommand({ jobQueue: "q" }));
    expect(result.frontOfQueue).toEqual({ jobs: [], lastUpdatedAt: 1_700_000_005_000 });
    expect(result.queueUtilization).toBeUndefined();
  });

  test("a fair-share queue also reports its utilization", async () => {
    const { batch } = setup();
    await batch.send(ec2("ce"));
    const policy = await fairsharePolicy(batch, "fair");
    await batch.send(queue("fq", ["ce"], { schedulingPolicyArn: policy }));
    const result = await batch.send(new GetJobQueueSnapshotCommand({ jobQueue: queueArn("fq") }));
    expect(result.queueUtilization).toMatchObject({
      fairshareUtilization: { activeShareCount: 0, topCapacityUtilization: [] },
      totalCapacityUsage: [{ capacityUnit: "VCPU", quantity: 0 }],
    });
  });

  test("lists the first 100 RUNNABLE jobs of the queue in order, leaving out running jobs and other queues", async () => {
    const { fake, batch } = setup({ clock: "manual", startTime: 1_000_000 });
    await fake.provision({ jobQueues: ["q", "other"], jobDefinitions: ["small"], maxvCpus: 2 });
    // Needs more vCPUs than the compute environment has, so it stays RUNNABLE.
    await batch.send(
      new RegisterJobDefinitionCommand({
        jobDefinitionName: "big",
        type: "container",
        containerProperties: { image: "busybox", resourceRequirements: [{ type: "VCPU", value: "4" }, { type: "MEMORY", value: "512" }] },
      }),
    );
    const submit = async (jobName: string, jobQueue: string, jobDefinition: string) =>
      (await batch.send(new SubmitJobCommand({ jobName, jobQueue, jobDefinition }))).jobArn!;
    const waiting: string[] = [];
    for (let i = 0; i < 101; i++) {
      waiting.push(await submit(`big${i}`, "q", "big"));
      await fake.advance(10);
    }
    await submit("small", "q", "small");
    await submit("elsewhere", "other", "big");
    await fake.advance(60_000);
    const { frontOfQueue } = await batch.send(new GetJobQueueSnapshotCommand({ jobQueue: "q" }));
    expect(frontOfQueue!.jobs).toHaveLength(100);
    expect(frontOfQueue!.jobs!.map((job) => job.jobArn)).toEqual(waiting.slice(0, 100));
    expect(frontOfQueue!.jobs![0].earliestTimeAtPosition).toBe(1_000_000);
    expect(frontOfQueue!.lastUpdatedAt).toBe(fake.now());
  });

  test("an unknown queue echoes its ARN", async () => {
    const { batch } = setup();
    const error = await failure(batch.send(new GetJobQueueSnapshotCommand({ jobQueue: "nope" })));
    expect(error.message).toBe(`JobQueue ${queueArn("nope")} does not exist`);
  });
});
