import * as sdk from "@aws-sdk/client-batch";
import { CloudWatchLogsClient, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { fakeBatch, type FakeBatch } from "../src";

const ALICE = { accessKeyId: "AKIAALICE", secretAccessKey: "a", accountId: "111111111111" };
const BOB = { accessKeyId: "AKIABOB", secretAccessKey: "b", accountId: "222222222222" };
const ARN = "arn:aws:batch:us-east-1:111111111111";

type Transport = { fake: FakeBatch; endpoint?: string };

/** A client of the fake: in-process, or over HTTP when the fake listens. */
function clientOf(transport: Transport, credentials: { accessKeyId: string; secretAccessKey: string }): sdk.BatchClient {
  const connection = transport.endpoint ? { endpoint: transport.endpoint } : { requestHandler: transport.fake };
  return new sdk.BatchClient({ region: "us-east-1", credentials, maxAttempts: 1, ...connection });
}

const payload = JSON.stringify({ TrainingJobName: "t", ResourceConfig: { InstanceType: "ml.m5.large", InstanceCount: 1 } });

/** Alice's world: one of every resource, a job and a service job. */
async function alicesWorld(alice: sdk.BatchClient) {
  await alice.send(new sdk.CreateComputeEnvironmentCommand({ computeEnvironmentName: "ce", type: "MANAGED", computeResources: { type: "FARGATE", maxvCpus: 4, subnets: ["s"] } }));
  const { arn: policyArn } = await alice.send(new sdk.CreateSchedulingPolicyCommand({ name: "policy", fairsharePolicy: {} }));
  await alice.send(new sdk.CreateJobQueueCommand({ jobQueueName: "jq", priority: 1, computeEnvironmentOrder: [{ order: 1, computeEnvironment: "ce" }] }));
  await alice.send(new sdk.RegisterJobDefinitionCommand({ jobDefinitionName: "jd", type: "container", platformCapabilities: ["FARGATE"], containerProperties: { image: "busybox", resourceRequirements: [{ type: "VCPU", value: "1" }, { type: "MEMORY", value: "2048" }], executionRoleArn: "arn:aws:iam::111111111111:role/x" } }));
  await alice.send(new sdk.RegisterJobDefinitionCommand({ jobDefinitionName: "alices", type: "container", containerProperties: { image: "busybox", vcpus: 1, memory: 512 } }));
  await alice.send(new sdk.CreateConsumableResourceCommand({ consumableResourceName: "licence", totalQuantity: 5 }));
  await alice.send(new sdk.CreateServiceEnvironmentCommand({ serviceEnvironmentName: "se", serviceEnvironmentType: "SAGEMAKER_TRAINING", capacityLimits: [{ maxCapacity: 4, capacityUnit: "NUM_INSTANCES" }] }));
  await alice.send(new sdk.CreateJobQueueCommand({ jobQueueName: "training", priority: 1, serviceEnvironmentOrder: [{ order: 1, serviceEnvironment: "se" }] }));
  const { quotaShareArn } = await alice.send(new sdk.CreateQuotaShareCommand({ quotaShareName: "qs", jobQueue: "training", capacityLimits: [{ maxCapacity: 2, capacityUnit: "NUM_INSTANCES" }], resourceSharingConfiguration: { strategy: "RESERVE" }, preemptionConfiguration: { inSharePreemption: "DISABLED" } }));
  const { jobId } = await alice.send(new sdk.SubmitJobCommand({ jobName: "job", jobQueue: "jq", jobDefinition: "jd" }));
  const { jobId: serviceJobId } = await alice.send(new sdk.SubmitServiceJobCommand({ jobName: "train", jobQueue: "training", serviceJobType: "SAGEMAKER_TRAINING", serviceRequestPayload: payload }));
  return { policyArn: policyArn!, quotaShareArn: quotaShareArn!, jobId: jobId!, serviceJobId: serviceJobId! };
}

/** Everything Alice can see, to check that nothing Bob did changed it. */
async function snapshotOf(alice: sdk.BatchClient, world: Awaited<ReturnType<typeof alicesWorld>>) {
  const strip = <T extends { $metadata?: unknown }>({ $metadata: _metadata, ...output }: T) => output;
  return {
    environments: strip(await alice.send(new sdk.DescribeComputeEnvironmentsCommand({}))),
    queues: strip(await alice.send(new sdk.DescribeJobQueuesCommand({}))),
    definitions: strip(await alice.send(new sdk.DescribeJobDefinitionsCommand({}))),
    policies: strip(await alice.send(new sdk.DescribeSchedulingPoliciesCommand({ arns: [world.policyArn] }))),
    resources: strip(await alice.send(new sdk.DescribeConsumableResourceCommand({ consumableResource: "licence" }))),
    serviceEnvironments: strip(await alice.send(new sdk.DescribeServiceEnvironmentsCommand({}))),
    quotaShare: strip(await alice.send(new sdk.DescribeQuotaShareCommand({ quotaShareArn: world.quotaShareArn }))),
    jobs: strip(await alice.send(new sdk.DescribeJobsCommand({ jobs: [world.jobId] }))),
    serviceJob: strip(await alice.send(new sdk.DescribeServiceJobCommand({ jobId: world.serviceJobId }))),
    tags: strip(await alice.send(new sdk.ListTagsForResourceCommand({ resourceArn: `${ARN}:job-queue/jq` }))),
  };
}

type World = Awaited<ReturnType<typeof alicesWorld>>;
type Outcome = "not found" | "empty" | "no effect";

/** Every operation that names a resource, a job or an ARN, as Bob calls it on Alice's things. */
const calls: [string, (w: World) => { command: object; expect: Outcome; empty?: (output: Record<string, unknown>) => unknown }][] = [
  ["DescribeComputeEnvironments", () => ({ command: new sdk.DescribeComputeEnvironmentsCommand({ computeEnvironments: [`${ARN}:compute-environment/ce`, "ce"] }), expect: "empty", empty: (o) => o.computeEnvironments })],
  ["UpdateComputeEnvironment", () => ({ command: new sdk.UpdateComputeEnvironmentCommand({ computeEnvironment: `${ARN}:compute-environment/ce`, state: "DISABLED" }), expect: "not found" })],
  ["DeleteComputeEnvironment", () => ({ command: new sdk.DeleteComputeEnvironmentCommand({ computeEnvironment: `${ARN}:compute-environment/ce` }), expect: "not found" })],
  ["CreateJobQueue", () => ({ command: new sdk.CreateJobQueueCommand({ jobQueueName: "mine", priority: 1, computeEnvironmentOrder: [{ order: 1, computeEnvironment: `${ARN}:compute-environment/ce` }] }), expect: "not found" })],
  ["DescribeJobQueues", () => ({ command: new sdk.DescribeJobQueuesCommand({ jobQueues: [`${ARN}:job-queue/jq`, `${ARN}:job-queue/training`, "training"] }), expect: "empty", empty: (o) => o.jobQueues })],
  ["UpdateJobQueue", () => ({ command: new sdk.UpdateJobQueueCommand({ jobQueue: `${ARN}:job-queue/jq`, state: "DISABLED" }), expect: "not found" })],
  ["DeleteJobQueue", () => ({ command: new sdk.DeleteJobQueueCommand({ jobQueue: `${ARN}:job-queue/jq` }), expect: "not found" })],
  ["GetJobQueueSnapshot", () => ({ command: new sdk.GetJobQueueSnapshotCommand({ jobQueue: `${ARN}:job-queue/jq` }), expect: "not found" })],
  ["DescribeJobDefinitions", () => ({ command: new sdk.DescribeJobDefinitionsCommand({ jobDefinitions: [`${ARN}:job-definition/jd:1`] }), expect: "empty", empty: (o) => o.jobDefinitions })],
  ["DescribeJobDefinitions by a name only Alice has", () => ({ command: new sdk.DescribeJobDefinitionsCommand({ jobDefinitionName: "alices" }), expect: "empty", empty: (o) => o.jobDefinitions })],
  ["DeregisterJobDefinition", () => ({ command: new sdk.DeregisterJobDefinitionCommand({ jobDefinition: `${ARN}:job-definition/jd:1` }), expect: "not found" })],
  ["SubmitJob to Alice's queue", () => ({ command: new sdk.SubmitJobCommand({ jobName: "x", jobQueue: `${ARN}:job-queue/jq`, jobDefinition: "jd" }), expect: "not found" })],
  ["SubmitJob with Alice's definition", () => ({ command: new sdk.SubmitJobCommand({ jobName: "x", jobQueue: "jq", jobDefinition: `${ARN}:job-definition/jd:1` }), expect: "not found" })],
  ["SubmitJob depending on Alice's job", (w) => ({ command: new sdk.SubmitJobCommand({ jobName: "x", jobQueue: "jq", jobDefinition: "jd", dependsOn: [{ jobId: w.jobId }] }), expect: "not found" })],
  ["DescribeJobs", (w) => ({ command: new sdk.DescribeJobsCommand({ jobs: [w.jobId] }), expect: "empty", empty: (o) => o.jobs })],
  ["ListJobs by Alice's queue", () => ({ command: new sdk.ListJobsCommand({ jobQueue: `${ARN}:job-queue/jq` }), expect: "not found" })],
  ["ListJobs of Alice's array", (w) => ({ command: new sdk.ListJobsCommand({ arrayJobId: w.jobId }), expect: "empty", empty: (o) => o.jobSummaryList })],
  ["CancelJob", (w) => ({ command: new sdk.CancelJobCommand({ jobId: w.jobId, reason: "r" }), expect: "no effect" })],
  ["TerminateJob", (w) => ({ command: new sdk.TerminateJobCommand({ jobId: w.jobId, reason: "r" }), expect: "no effect" })],
  ["CancelJobs", (w) => ({ command: new sdk.CancelJobsCommand({ jobs: [w.jobId], reason: "r" } as never), expect: "no effect" })],
  ["TerminateJobs", (w) => ({ command: new sdk.TerminateJobsCommand({ jobs: [w.jobId], reason: "r" } as never), expect: "no effect" })],
  ["DescribeSchedulingPolicies", (w) => ({ command: new sdk.DescribeSchedulingPoliciesCommand({ arns: [w.policyArn] }), expect: "empty", empty: (o) => o.schedulingPolicies })],
  ["UpdateSchedulingPolicy", (w) => ({ command: new sdk.UpdateSchedulingPolicyCommand({ arn: w.policyArn, fairsharePolicy: { shareDecaySeconds: 60 } }), expect: "not found" })],
  ["DeleteSchedulingPolicy", (w) => ({ command: new sdk.DeleteSchedulingPolicyCommand({ arn: w.policyArn }), expect: "not found" })],
  ["CreateJobQueue with Alice's policy", (w) => ({ command: new sdk.CreateJobQueueCommand({ jobQueueName: "mine", priority: 1, schedulingPolicyArn: w.policyArn, computeEnvironmentOrder: [{ order: 1, computeEnvironment: "bobs" }] }), expect: "not found" })],
  ["DescribeConsumableResource", () => ({ command: new sdk.DescribeConsumableResourceCommand({ consumableResource: `${ARN}:consumable-resource/licence` }), expect: "not found" })],
  ["UpdateConsumableResource", () => ({ command: new sdk.UpdateConsumableResourceCommand({ consumableResource: `${ARN}:consumable-resource/licence`, operation: "SET", quantity: 1 }), expect: "not found" })],
  ["DeleteConsumableResource", () => ({ command: new sdk.DeleteConsumableResourceCommand({ consumableResource: `${ARN}:consumable-resource/licence` }), expect: "not found" })],
  ["ListJobsByConsumableResource", () => ({ command: new sdk.ListJobsByConsumableResourceCommand({ consumableResource: `${ARN}:consumable-resource/licence` }), expect: "not found" })],
  ["DescribeServiceEnvironments", () => ({ command: new sdk.DescribeServiceEnvironmentsCommand({ serviceEnvironments: [`${ARN}:service-environment/se`, "se"] }), expect: "empty", empty: (o) => o.serviceEnvironments })],
  ["UpdateServiceEnvironment", () => ({ command: new sdk.UpdateServiceEnvironmentCommand({ serviceEnvironment: `${ARN}:service-environment/se`, state: "DISABLED" }), expect: "not found" })],
  ["DeleteServiceEnvironment", () => ({ command: new sdk.DeleteServiceEnvironmentCommand({ serviceEnvironment: `${ARN}:service-environment/se` }), expect: "not found" })],
  ["DescribeQuotaShare", (w) => ({ command: new sdk.DescribeQuotaShareCommand({ quotaShareArn: w.quotaShareArn }), expect: "not found" })],
  ["UpdateQuotaShare", (w) => ({ command: new sdk.UpdateQuotaShareCommand({ quotaShareArn: w.quotaShareArn, state: "DISABLED" }), expect: "not found" })],
  ["DeleteQuotaShare", (w) => ({ command: new sdk.DeleteQuotaShareCommand({ quotaShareArn: w.quotaShareArn }), expect: "not found" })],
  ["ListQuotaShares", () => ({ command: new sdk.ListQuotaSharesCommand({ jobQueue: `${ARN}:job-queue/training` }), expect: "not found" })],
  ["CreateQuotaShare on Alice's queue", () => ({ command: new sdk.CreateQuotaShareCommand({ quotaShareName: "mine", jobQueue: `${ARN}:job-queue/training`, capacityLimits: [{ maxCapacity: 1, capacityUnit: "NUM_INSTANCES" }], resourceSharingConfiguration: { strategy: "RESERVE" }, preemptionConfiguration: { inSharePreemption: "DISABLED" } }), expect: "not found" })],
  ["SubmitServiceJob to Alice's queue", () => ({ command: new sdk.SubmitServiceJobCommand({ jobName: "x", jobQueue: `${ARN}:job-queue/training`, serviceJobType: "SAGEMAKER_TRAINING", serviceRequestPayload: payload }), expect: "not found" })],
  ["DescribeServiceJob", (w) => ({ command: new sdk.DescribeServiceJobCommand({ jobId: w.serviceJobId }), expect: "not found" })],
  ["ListServiceJobs by Alice's queue", () => ({ command: new sdk.ListServiceJobsCommand({ jobQueue: `${ARN}:job-queue/training` }), expect: "not found" })],
  ["UpdateServiceJob", (w) => ({ command: new sdk.UpdateServiceJobCommand({ jobId: w.serviceJobId, schedulingPriority: 5 } as never), expect: "not found" })],
  ["TerminateServiceJob", (w) => ({ command: new sdk.TerminateServiceJobCommand({ jobId: w.serviceJobId, reason: "r" }), expect: "no effect" })],
  ["TerminateServiceJobs", (w) => ({ command: new sdk.TerminateServiceJobsCommand({ jobs: [w.serviceJobId], reason: "r" } as never), expect: "no effect" })],
  ["TagResource", () => ({ command: new sdk.TagResourceCommand({ resourceArn: `${ARN}:job-queue/jq`, tags: { owner: "bob" } }), expect: "not found" })],
  ["UntagResource", () => ({ command: new sdk.UntagResourceCommand({ resourceArn: `${ARN}:job-queue/jq`, tagKeys: ["owner"] }), expect: "not found" })],
  ["ListTagsForResource", () => ({ command: new sdk.ListTagsForResourceCommand({ resourceArn: `${ARN}:job-queue/jq` }), expect: "not found" })],
  ["TagResource on Alice's job", (w) => ({ command: new sdk.TagResourceCommand({ resourceArn: `${ARN}:job/${w.jobId}`, tags: { owner: "bob" } }), expect: "not found" })],
];

describe.each(["in-process", "over HTTP"])("account isolation (%s): each configured key belongs to its account", (mode) => {
  let fake: FakeBatch;
  let server: { url: string; close(): Promise<void> } | undefined;
  let alice: sdk.BatchClient;
  let bob: sdk.BatchClient;
  let world: World;
  let before: Awaited<ReturnType<typeof snapshotOf>>;

  beforeAll(async () => {
    fake = fakeBatch({ clock: "manual", credentials: [ALICE, BOB] });
    server = mode === "over HTTP" ? await fake.listen({ port: 0 }) : undefined;
    const transport = { fake, endpoint: server?.url };
    alice = clientOf(transport, ALICE);
    bob = clientOf(transport, BOB);
    world = await alicesWorld(alice);
    // Bob has a queue and a definition of the same names, so a bare name resolves in his own account.
    await bob.send(new sdk.CreateComputeEnvironmentCommand({ computeEnvironmentName: "bobs", type: "MANAGED", computeResources: { type: "FARGATE", maxvCpus: 4, subnets: ["s"] } }));
    await bob.send(new sdk.CreateJobQueueCommand({ jobQueueName: "jq", priority: 1, computeEnvironmentOrder: [{ order: 1, computeEnvironment: "bobs" }] }));
    await bob.send(new sdk.RegisterJobDefinitionCommand({ jobDefinitionName: "jd", type: "container", platformCapabilities: ["FARGATE"], containerProperties: { image: "busybox", resourceRequirements: [{ type: "VCPU", value: "1" }, { type: "MEMORY", value: "2048" }], executionRoleArn: "arn:aws:iam::222222222222:role/x" } }));
    before = await snapshotOf(alice, world);
  });

  afterAll(async () => {
    alice.destroy();
    bob.destroy();
    await server?.close();
  });

  test("Alice's resources carry her account in their ARNs", () => {
    expect(before.queues.jobQueues?.map((q) => q.jobQueueArn)).toEqual([`${ARN}:job-queue/jq`, `${ARN}:job-queue/training`]);
  });

  test.each(calls)("%s from Bob's account finds nothing of Alice's", async (_name, make) => {
    const { command, expect: outcome, empty } = make(world);
    const result = await bob.send(command as never).then(
      (output: unknown) => ({ output: output as Record<string, unknown> }),
      (error: Error) => ({ error }),
    );
    if (outcome === "not found") {
      expect("error" in result && result.error.name).toBe("ClientException");
      expect("error" in result && result.error.message).toMatch(/not found|does not exist|not exist|Unknown|No job definition|is not|not ACTIVE/i);
    } else if (outcome === "empty") {
      expect("output" in result && empty!(result.output)).toEqual([]);
    } else {
      expect("output" in result).toBe(true);
    }
  });

  test("nothing Bob did changed anything of Alice's", async () => {
    expect(await snapshotOf(alice, world)).toEqual(before);
  });

  test("Alice's job logs are invisible to Bob through CloudWatch Logs", async () => {
    const logsOf = (credentials: { accessKeyId: string; secretAccessKey: string }) =>
      new CloudWatchLogsClient({ region: "us-east-1", credentials, maxAttempts: 1, ...(server ? { endpoint: server.url } : { requestHandler: fake }) });
    const { jobs } = await alice.send(new sdk.DescribeJobsCommand({ jobs: [world.jobId] }));
    const logStreamName = jobs?.[0]?.container?.logStreamName;
    const aliceLogs = logsOf(ALICE);
    const bobLogs = logsOf(BOB);
    expect(logStreamName).toEqual(expect.any(String));
    const read = { logGroupName: "/aws/batch/job", logStreamName: logStreamName as string };
    // A stream is made with its attempt's first line (see the README): Alice's job writes one.
    const found = fake.service.findJob(world.jobId)!;
    fake.service.engine.writeLog(found.store, found.job, "alice's line");
    await expect(aliceLogs.send(new GetLogEventsCommand({ ...read, startFromHead: true }))).resolves.toMatchObject({ events: [{ message: "alice's line" }] });
    const error = await bobLogs.send(new GetLogEventsCommand(read)).then(() => undefined, (e: Error) => e);
    expect(error?.name).toBe("ResourceNotFoundException");
    aliceLogs.destroy();
    bobLogs.destroy();
  });

  test("Bob's listings show only his own resources", async () => {
    const { jobQueues } = await bob.send(new sdk.DescribeJobQueuesCommand({}));
    expect(jobQueues?.map((q) => q.jobQueueArn)).toEqual(["arn:aws:batch:us-east-1:222222222222:job-queue/jq"]);
  });
});
