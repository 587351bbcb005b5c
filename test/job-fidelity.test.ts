import { ClientException, CreateComputeEnvironmentCommand, CreateJobQueueCommand, DescribeJobsCommand, ListJobsCommand, RegisterJobDefinitionCommand } from "@aws-sdk/client-batch";
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
