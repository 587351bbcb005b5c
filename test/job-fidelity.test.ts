import { ClientException, CreateComputeEnvironmentCommand, CreateJobQueueCommand, DescribeJobsCommand, ListJobsCommand, RegisterJobDefinitionCommand, TerminateJobCommand } from "@aws-sdk/client-batch";
import { computeEnvironment, engine } from "./engine-helpers";
import { failure } from "./helpers";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const IPV4 = /^10\.0\.\d{1,3}\.\d{1,3}$/;

describe("where an attempt ran: containerInstanceArn and networkInterfaces", () => {
  test("an EC2 job's attempts name their container instance, and no network interface", async () => {
    const { fake, submit, describe } = await engine({ seed: 3 });
    fake.onJob({}, (_job, attempt) => ({ exitCode: attempt < 2 ? 1 : 0 }));
    const jobId = await submit({ retryStrategy: { attempts: 2 } });
    const job = await describe(jobId);
    expect(job.status).toBe("SUCCEEDED");
    const instances = job.attempts!.map((attempt) => attempt.container!.containerInstanceArn);
    for (const arn of instances) expect(arn).toMatch(/^arn:aws:ecs:us-east-1:000000000000:container-instance\/parlel-ce_Batch\/[0-9a-f]{32}$/);
    expect(job.attempts!.map((attempt) => attempt.container!.networkInterfaces)).toEqual([undefined, undefined]);
    // The job's container shows its last attempt's instance, as it does its task.
    expect(job.container!.containerInstanceArn).toBe(instances[1]);
    // The same seed gives the same instances.
    const again = await engine({ seed: 3 });
    again.fake.onJob({}, (_job, attempt) => ({ exitCode: attempt < 2 ? 1 : 0 }));
    const twin = await again.describe(await again.submit({ retryStrategy: { attempts: 2 } }));
    expect(twin.attempts!.map((attempt) => attempt.container!.containerInstanceArn)).toEqual(instances);
  });

  test("a Fargate job's attempts carry their network interface, and no container instance", async () => {
    const { batch, submit, describe } = await engine({ seed: 5 });
    await computeEnvironment(batch, "fargate", 4, "FARGATE");
    await batch.send(new CreateJobQueueCommand({ jobQueueName: "fq", priority: 1, computeEnvironmentOrder: [{ order: 1, computeEnvironment: "fargate" }] }));
    await batch.send(new RegisterJobDefinitionCommand({
      jobDefinitionName: "serverless",
      type: "container",
      platformCapabilities: ["FARGATE"],
      containerProperties: {
        image: "busybox",
        command: ["true"],
        resourceRequirements: [{ type: "VCPU", value: "0.25" }, { type: "MEMORY", value: "512" }],
        executionRoleArn: "arn:aws:iam::000000000000:role/exec",
        networkConfiguration: { assignPublicIp: "ENABLED" },
      },
    }));
    const job = await describe(await submit({ jobQueue: "fq", jobDefinition: "serverless" }));
    expect(job.status).toBe("SUCCEEDED");
    const container = job.attempts![0].container!;
    expect(container.containerInstanceArn).toBeUndefined();
    expect(container.networkInterfaces).toEqual([{ attachmentId: expect.stringMatching(UUID), privateIpv4Address: expect.stringMatching(IPV4) }]);
    expect(job.container!.networkInterfaces).toEqual(container.networkInterfaces);
    expect(job.container!.containerInstanceArn).toBeUndefined();
  });

  test("a job that never ran has neither", async () => {
    const { batch, submit } = await engine();
    const jobId = await submit({ containerOverrides: { resourceRequirements: [{ type: "VCPU", value: "1000" }] } });
    const { jobs } = await batch.send(new DescribeJobsCommand({ jobs: [jobId] }));
    expect(jobs![0].status).toBe("RUNNABLE");
    expect(jobs![0].container!.containerInstanceArn).toBeUndefined();
    expect(jobs![0].container!.networkInterfaces).toBeUndefined();
  });
});

describe("eksPropertiesOverride", () => {
  async function eksQueue() {
    const context = await engine();
    const { batch } = context;
    await batch.send(new CreateComputeEnvironmentCommand({
      computeEnvironmentName: "eks",
      type: "MANAGED",
      computeResources: { type: "EC2", maxvCpus: 16, minvCpus: 0, subnets: ["s"], instanceRole: "r", instanceTypes: ["optimal"] },
      eksConfiguration: { eksClusterArn: "arn:aws:eks:us-east-1:000000000000:cluster/k8s", kubernetesNamespace: "batch" },
    }));
    await batch.send(new CreateJobQueueCommand({ jobQueueName: "kq", priority: 1, computeEnvironmentOrder: [{ order: 1, computeEnvironment: "eks" }] }));
    await batch.send(new RegisterJobDefinitionCommand({
      jobDefinitionName: "pod",
      type: "container",
      eksProperties: {
        podProperties: {
          metadata: { labels: { app: "etl" } },
          containers: [
            { name: "main", image: "busybox", command: ["sleep"], args: ["1"], env: [{ name: "STAGE", value: "dev" }, { name: "KEEP", value: "yes" }], resources: { limits: { cpu: "1", memory: "1024Mi" } } },
            { name: "sidecar", image: "envoy", command: ["envoy"] },
          ],
        },
      },
    }));
    return context;
  }

  test("the override's command, args, image, env, resources and labels replace or merge into the definition's, as containerOverrides do", async () => {
    const { fake, submit, describe } = await eksQueue();
    const seen: { command: string[]; stage?: string }[] = [];
    fake.onJob({ jobDefinition: "pod" }, (job) => {
      seen.push({ command: job.command, stage: job.environment.STAGE });
      return { exitCode: 0 };
    });
    const jobId = await submit({
      jobQueue: "kq",
      jobDefinition: "pod",
      eksPropertiesOverride: {
        podProperties: {
          metadata: { labels: { run: "42" } },
          containers: [
            { name: "sidecar", image: "envoy:v2" },
            { name: "main", command: ["python"], args: ["task.py", "--day", "1"], env: [{ name: "STAGE", value: "prod" }, { name: "EXTRA", value: "1" }], resources: { limits: { memory: "2048Mi" }, requests: { cpu: "500m" } } },
          ],
        },
      },
    });
    const pod = (await describe(jobId)).eksProperties!.podProperties!;
    expect(pod.metadata).toEqual({ labels: { app: "etl", run: "42" } });
    expect(pod.containers![0]).toMatchObject({
      name: "main",
      image: "busybox",
      command: ["python"],
      args: ["task.py", "--day", "1"],
      env: [{ name: "STAGE", value: "prod" }, { name: "KEEP", value: "yes" }, { name: "EXTRA", value: "1" }],
      resources: { limits: { cpu: "1", memory: "2048Mi" }, requests: { cpu: "500m" } },
    });
    expect(pod.containers![1]).toMatchObject({ name: "sidecar", image: "envoy:v2", command: ["envoy"] });
    // The attempt runs the overridden command, with the overridden environment.
    expect(seen).toEqual([{ command: ["python", "task.py", "--day", "1"], stage: "prod" }]);
    // Other jobs of the definition keep its pod.
    const plain = (await describe(await submit({ jobQueue: "kq", jobDefinition: "pod" }))).eksProperties!.podProperties!;
    expect(plain.containers![0]).toMatchObject({ command: ["sleep"], args: ["1"], env: [{ name: "STAGE", value: "dev" }, { name: "KEEP", value: "yes" }] });
    expect(plain.metadata).toEqual({ labels: { app: "etl" } });
  });

  test("an unnamed override takes the container at its position; one that matches nothing, or a reserved variable, is refused", async () => {
    const { batch, submit, describe } = await eksQueue();
    const jobId = await submit({ jobQueue: "kq", jobDefinition: "pod", eksPropertiesOverride: { podProperties: { containers: [{ command: ["echo", "hi"] }] } } });
    expect((await describe(jobId)).eksProperties!.podProperties!.containers![0].command).toEqual(["echo", "hi"]);
    const unknown = await failure(submit({ jobQueue: "kq", jobDefinition: "pod", eksPropertiesOverride: { podProperties: { containers: [{ name: "nope", command: ["x"] }] } } }));
    expect(unknown).toBeInstanceOf(ClientException);
    expect(unknown.message).toBe("eksPropertiesOverride.podProperties.containers[0] overrides nothing: the job definition has no container named nope.");
    const reserved = await failure(submit({ jobQueue: "kq", jobDefinition: "pod", eksPropertiesOverride: { podProperties: { containers: [{ env: [{ name: "AWS_BATCH_X", value: "1" }] }] } } }));
    expect(reserved.message).toBe("Environment variable AWS_BATCH_X uses the reserved prefix AWS_BATCH.");
    const { jobSummaryList } = await batch.send(new ListJobsCommand({ jobQueue: "kq", jobStatus: "SUCCEEDED" }));
    expect(jobSummaryList).toHaveLength(1);
  });
});

describe("multi-node jobs: nodePropertyOverrides and the nodes' attempts", () => {
  async function multinode() {
    const context = await engine({ seed: 11 });
    await context.batch.send(new RegisterJobDefinitionCommand({
      jobDefinitionName: "mpi",
      type: "multinode",
      parameters: { input: "s3://bucket/default" },
      nodeProperties: {
        numNodes: 3,
        mainNode: 0,
        nodeRangeProperties: [{
          targetNodes: "0:",
          container: { image: "mpi", command: ["echo", "placeholder"], environment: [{ name: "ROLE", value: "none" }], resourceRequirements: [{ type: "VCPU", value: "1" }, { type: "MEMORY", value: "512" }] },
        }],
      },
    }));
    return context;
  }

  test("each override's containerOverrides apply to its node range: command, environment, resources, instance type", async () => {
    const { fake, batch, submit, describe } = await multinode();
    const seen: Record<number, { command: string[]; role: string; vcpus: number; memory: number }> = {};
    fake.onJob({ jobDefinition: "mpi" }, (job) => {
      seen[job.nodeIndex!] = { command: job.command, role: job.environment.ROLE, vcpus: job.vcpus, memory: job.memory };
      return { exitCode: 0 };
    });
    const jobId = await submit({
      jobDefinition: "mpi",
      parameters: { input: "s3://bucket/today" },
      nodeOverrides: {
        nodePropertyOverrides: [
          { targetNodes: "0:0", containerOverrides: { command: ["python", "main.py", "Ref::input"], environment: [{ name: "ROLE", value: "main" }], instanceType: "c5.4xlarge" } },
          { targetNodes: "1:2", containerOverrides: { command: ["python", "worker.py"], environment: [{ name: "ROLE", value: "worker" }], resourceRequirements: [{ type: "VCPU", value: "4" }, { type: "MEMORY", value: "8192" }] } },
        ],
      },
    });
    expect(seen).toEqual({
      0: { command: ["python", "main.py", "s3://bucket/today"], role: "main", vcpus: 1, memory: 512 },
      1: { command: ["python", "worker.py"], role: "worker", vcpus: 4, memory: 8192 },
      2: { command: ["python", "worker.py"], role: "worker", vcpus: 4, memory: 8192 },
    });
    const { jobs } = await batch.send(new DescribeJobsCommand({ jobs: [`${jobId}#0`, `${jobId}#1`, `${jobId}#2`] }));
    expect(jobs!.map((node) => [node.container!.command, node.container!.environment, node.container!.instanceType])).toEqual([
      [["python", "main.py", "s3://bucket/today"], [{ name: "ROLE", value: "main" }], "c5.4xlarge"],
      [["python", "worker.py"], [{ name: "ROLE", value: "worker" }], undefined],
      [["python", "worker.py"], [{ name: "ROLE", value: "worker" }], undefined],
    ]);
    expect(jobs![1].container!.resourceRequirements).toEqual([{ type: "VCPU", value: "4" }, { type: "MEMORY", value: "8192" }]);
    expect((await describe(jobId)).status).toBe("SUCCEEDED");
  });

  test("the job takes the vCPUs of all its nodes as overridden: it waits for room for 9, not 3", async () => {
    const { batch, submit, status } = await engine({ maxvCpus: 8 });
    await batch.send(new RegisterJobDefinitionCommand({
      jobDefinitionName: "mpi",
      type: "multinode",
      nodeProperties: { numNodes: 3, mainNode: 0, nodeRangeProperties: [{ targetNodes: "0:", container: { image: "mpi", command: ["run"], resourceRequirements: [{ type: "VCPU", value: "1" }, { type: "MEMORY", value: "512" }] } }] },
    }));
    const small = await submit({ jobDefinition: "mpi" });
    const big = await submit({ jobDefinition: "mpi", nodeOverrides: { nodePropertyOverrides: [{ targetNodes: "1:", containerOverrides: { resourceRequirements: [{ type: "VCPU", value: "4" }] } }] } });
    expect(await status(small, big)).toEqual(["SUCCEEDED", "RUNNABLE"]);
  });

  test("an override's node range must lie within the job's nodes", async () => {
    const { submit } = await multinode();
    const error = await failure(submit({ jobDefinition: "mpi", nodeOverrides: { nodePropertyOverrides: [{ targetNodes: "1:5", containerOverrides: { command: ["x"] } }] } }));
    expect(error).toBeInstanceOf(ClientException);
    expect(error.message).toBe("nodeOverrides.nodePropertyOverrides[0].targetNodes 1:5 must lie within nodes 0 to 2.");
  });

  test("every node that ran keeps its attempt and exit code when the job ends", async () => {
    const { fake, batch, submit, describe } = await multinode();
    // Node 1 ends with the main node, node 2 outlives it and is stopped when the main node exits.
    fake.onJob({ jobDefinition: "mpi" }, (job) => ({ exitCode: 0, durationMs: job.nodeIndex === 2 ? 60_000 : 1_000 }));
    const jobId = await submit({ jobDefinition: "mpi" });
    await fake.advance(1_000);
    expect((await describe(jobId)).status).toBe("SUCCEEDED");
    const { jobs } = await batch.send(new DescribeJobsCommand({ jobs: [`${jobId}#0`, `${jobId}#1`, `${jobId}#2`] }));
    expect(jobs!.map((node) => [node.status, node.attempts!.length, node.attempts![0]?.container?.exitCode, node.container!.exitCode])).toEqual([
      ["SUCCEEDED", 1, 0, 0],
      ["SUCCEEDED", 1, 0, 0],
      ["SUCCEEDED", 1, 143, 143],
    ]);
    for (const node of jobs!) {
      expect(node.attempts![0]).toMatchObject({ startedAt: fake.now() - 1_000, stoppedAt: fake.now() });
      expect(node.attempts![0].container!.networkInterfaces![0].privateIpv4Address).toBe(`10.0.0.${node.nodeDetails!.nodeIndex! + 10}`);
      expect(node.attempts![0].container!.taskArn).toMatch(/^arn:aws:ecs:us-east-1:000000000000:task\/parlel-ce_Batch\/[0-9a-f]{32}$/);
    }
  });

  test("without rules, every node exits 0 with the main node, and a terminated job's nodes record exit code 143", async () => {
    const { fake, batch, submit } = await multinode();
    const finished = await submit({ jobDefinition: "mpi" });
    const nodes = (jobId: string) => batch.send(new DescribeJobsCommand({ jobs: [`${jobId}#0`, `${jobId}#1`, `${jobId}#2`] }));
    expect((await nodes(finished)).jobs!.map((node) => [node.status, node.attempts!.map((attempt) => attempt.container!.exitCode)])).toEqual([
      ["SUCCEEDED", [0]],
      ["SUCCEEDED", [0]],
      ["SUCCEEDED", [0]],
    ]);
    fake.onJob({ jobDefinition: "mpi" }, { durationMs: 60_000 });
    const stopped = await submit({ jobDefinition: "mpi" });
    await batch.send(new TerminateJobCommand({ jobId: stopped, reason: "enough" }));
    expect((await nodes(stopped)).jobs!.map((node) => [node.status, node.statusReason, node.attempts!.map((attempt) => attempt.container!.exitCode)])).toEqual([
      ["FAILED", "enough", [143]],
      ["FAILED", "enough", [143]],
      ["FAILED", "enough", [143]],
    ]);
  });
});
