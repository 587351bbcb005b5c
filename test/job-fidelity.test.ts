import { CreateJobQueueCommand, DescribeJobsCommand, RegisterJobDefinitionCommand } from "@aws-sdk/client-batch";
import { computeEnvironment, engine } from "./engine-helpers";

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
