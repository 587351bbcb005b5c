import {
  CreateComputeEnvironmentCommand,
  CreateJobQueueCommand,
  DescribeJobsCommand,
  RegisterJobDefinitionCommand,
  SubmitJobCommand,
  type BatchClient,
  type JobDetail,
  type SubmitJobCommandInput,
} from "@aws-sdk/client-batch";
import { setup } from "./helpers";
import type { FakeBatchOptions } from "../src";

/** A manual-clock fake with a compute environment of `maxvCpus`, queue `jq` and definition `work` (1 vCPU). */
export async function engine(options: FakeBatchOptions & { maxvCpus?: number } = {}) {
  const context = setup({ clock: "manual", startTime: Date.UTC(2026, 0, 1), ...options });
  await context.fake.provision({ jobQueues: ["jq"], jobDefinitions: ["work"], maxvCpus: options.maxvCpus ?? 256 });
  return { ...context, ...helpers(context.batch) };
}

export function helpers(batch: BatchClient) {
  const submit = async (input: Partial<SubmitJobCommandInput> = {}) =>
    (await batch.send(new SubmitJobCommand({ jobName: "job", jobQueue: "jq", jobDefinition: "work", ...input }))).jobId!;
  const describe = async (jobId: string): Promise<JobDetail> => {
    const { jobs } = await batch.send(new DescribeJobsCommand({ jobs: [jobId] }));
    if (!jobs?.[0]) throw new Error(`job ${jobId} not found`);
    return jobs[0];
  };
  const status = async (...jobIds: string[]) => (await batch.send(new DescribeJobsCommand({ jobs: jobIds }))).jobs!.map((job) => job.status);
  return { submit, describe, status };
}

export async function computeEnvironment(batch: BatchClient, name: string, maxvCpus: number, type: "EC2" | "FARGATE" = "EC2") {
  await batch.send(new CreateComputeEnvironmentCommand({ computeEnvironmentName: name, type: "MANAGED", computeResources: { type, maxvCpus, subnets: ["s"], ...(type === "EC2" ? { instanceRole: "r", minvCpus: 0, instanceTypes: ["optimal"] } : {}) } }));
}

export async function queue(batch: BatchClient, name: string, priority: number, computeEnvironments: string[], schedulingPolicyArn?: string) {
  await batch.send(new CreateJobQueueCommand({ jobQueueName: name, priority, schedulingPolicyArn, computeEnvironmentOrder: computeEnvironments.map((ce, i) => ({ order: i + 1, computeEnvironment: ce })) }));
}

export async function definition(batch: BatchClient, name: string, vcpus: number, extra: Record<string, unknown> = {}) {
  await batch.send(new RegisterJobDefinitionCommand({
    jobDefinitionName: name,
    type: "container",
    containerProperties: { image: "busybox", command: ["run"], resourceRequirements: [{ type: "VCPU", value: String(vcpus) }, { type: "MEMORY", value: "512" }] },
    ...extra,
  }));
}
