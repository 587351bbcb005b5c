import type { BatchService } from "./service";
import type { Partition } from "./state/partition";

export interface ProvisionOptions {
  /** Where to create the resources. Default: the fake's default account, region us-east-1. */
  region?: string;
  accountId?: string;
  /** The compute environment's name. Default `parlel-ce`. */
  computeEnvironment?: string;
  /** Its `maxvCpus`. Default 256. */
  maxvCpus?: number;
  jobQueues?: string[];
  /** Names of container job definitions that run `echo hello` with 1 vCPU and 512 MiB. */
  jobDefinitions?: string[];
}

export interface Provisioned {
  computeEnvironmentArn: string;
  jobQueueArns: Record<string, string>;
  jobDefinitionArns: Record<string, string>;
}

/** Creates resources through the operations themselves, so they obey every rule a real call does. */
export async function provision(service: BatchService, options: ProvisionOptions): Promise<Provisioned> {
  const partition: Partition = {
    accountId: options.accountId ?? service.defaultAccountId,
    region: options.region ?? service.defaultRegion,
  };
  const call = (operation: string, input: Record<string, unknown>) => service.call(operation, input, partition, service.newRequestId(), { record: false });
  const computeEnvironmentName = options.computeEnvironment ?? "parlel-ce";
  const store = service.partitions.get(partition);
  const existing = store.computeEnvironments.find(computeEnvironmentName);
  const computeEnvironmentArn = existing
    ? existing.arn
    : ((await call("CreateComputeEnvironment", {
        computeEnvironmentName,
        type: "MANAGED",
        state: "ENABLED",
        computeResources: { type: "EC2", minvCpus: 0, maxvCpus: options.maxvCpus ?? 256, instanceTypes: ["optimal"], subnets: ["subnet-parlel"], securityGroupIds: ["sg-parlel"], instanceRole: "ecsInstanceRole" },
      })).computeEnvironmentArn as string);
  const jobQueueArns: Record<string, string> = {};
  for (const jobQueueName of options.jobQueues ?? []) {
    const output = await call("CreateJobQueue", {
      jobQueueName,
      priority: 1,
      state: "ENABLED",
      computeEnvironmentOrder: [{ order: 1, computeEnvironment: computeEnvironmentArn }],
    });
    jobQueueArns[jobQueueName] = output.jobQueueArn as string;
  }
  const jobDefinitionArns: Record<string, string> = {};
  for (const jobDefinitionName of options.jobDefinitions ?? []) {
    const output = await call("RegisterJobDefinition", {
      jobDefinitionName,
      type: "container",
      containerProperties: {
        image: "public.ecr.aws/docker/library/busybox:latest",
        command: ["echo", "hello"],
        resourceRequirements: [
          { type: "VCPU", value: "1" },
          { type: "MEMORY", value: "512" },
        ],
      },
    });
    jobDefinitionArns[jobDefinitionName] = output.jobDefinitionArn as string;
  }
  return { computeEnvironmentArn, jobQueueArns, jobDefinitionArns };
}
