import { parseBatchArn } from "./arn";
import { ServiceJobIndex } from "./service-job-index";
import { JobIndex } from "./job-index";
import { JobDefinitionTable } from "./job-definition-table";
import { LogStore } from "./log-store";
import { partitionKey, type Partition } from "./partition";
import type {
  ComputeEnvironmentRecord,
  ConsumableResourceRecord,
  JobQueueRecord,
  QuotaShareRecord,
  SchedulingPolicyRecord,
  ServiceEnvironmentRecord,
  Taggable,
} from "./records";
import { ResourceTable } from "./resource-table";

export type { JobRecord } from "./job-record";

/** All Batch state of one account in one region. Knows nothing of HTTP. */
export class BatchStore {
  /** The last creation sequence given out; a snapshot saves and restores it. */
  sequence = 0;
  readonly computeEnvironments: ResourceTable<ComputeEnvironmentRecord>;
  readonly jobQueues: ResourceTable<JobQueueRecord>;
  readonly schedulingPolicies: ResourceTable<SchedulingPolicyRecord>;
  readonly consumableResources: ResourceTable<ConsumableResourceRecord>;
  readonly serviceEnvironments: ResourceTable<ServiceEnvironmentRecord>;
  /** Keyed by `<queue>/quota-share/<share>`, the resource part of the quota share's ARN. */
  readonly quotaShares: ResourceTable<QuotaShareRecord>;
  readonly jobDefinitions: JobDefinitionTable;
  readonly jobs = new JobIndex();
  /** vCPUs taken on each compute environment by STARTING and RUNNING jobs. */
  readonly usedVcpus = new Map<string, number>();
  /** SubmitJob's call-rate bucket, when a rate quota is set: tokens left and when they were counted. */
  submitJobBucket: { tokens: number; at: number } | undefined = undefined;
  /** Compute environments that cannot get instances, by name, with the statusReason their RUNNABLE jobs show. */
  readonly capacityShortages = new Map<string, string>();
  readonly serviceJobs = new ServiceJobIndex();
  /** CloudWatch Logs of this account and region: where jobs' output goes and the Logs operations read. */
  readonly logs = new LogStore();

  constructor(readonly partition: Partition) {
    this.computeEnvironments = new ResourceTable(partition, "compute-environment");
    this.jobQueues = new ResourceTable(partition, "job-queue");
    this.schedulingPolicies = new ResourceTable(partition, "scheduling-policy");
    this.consumableResources = new ResourceTable(partition, "consumable-resource");
    this.serviceEnvironments = new ResourceTable(partition, "service-environment");
    this.quotaShares = new ResourceTable(partition, "job-queue");
    this.jobDefinitions = new JobDefinitionTable(partition);
  }

  nextSequence(): number {
    return ++this.sequence;
  }

  /** The taggable resource an ARN names, or undefined. Array children and MNP nodes are not taggable. */
  findTaggable(arn: string): Taggable | undefined {
    const parsed = parseBatchArn(arn);
    if (!parsed || partitionKey(parsed.partition) !== partitionKey(this.partition)) return undefined;
    const { kind, resource } = parsed;
    switch (kind) {
      case "compute-environment":
        return this.computeEnvironments.find(resource)?.detail;
      case "job-queue":
        return resource.includes("/quota-share/") ? this.quotaShares.find(resource)?.detail : this.jobQueues.find(resource)?.detail;
      case "job-definition":
        return /:\d+$/.test(resource) ? this.jobDefinitions.find(resource)?.detail : undefined;
      case "scheduling-policy":
        return this.schedulingPolicies.find(resource)?.detail;
      case "consumable-resource":
        return this.consumableResources.find(resource)?.detail;
      case "service-environment":
        return this.serviceEnvironments.find(resource)?.detail;
      case "service-job":
        return this.serviceJobs.get(resource)?.detail;
      case "job":
        return /[:#]/.test(resource) ? undefined : this.jobs.get(resource);
      default:
        return undefined;
    }
  }
}

/** The stores of every partition, made on first use. */
export class Partitions {
  private readonly stores = new Map<string, BatchStore>();
  /** The store found last: most calls and engine events are for the same partition as the one before. */
  private last?: BatchStore;

  get(partition: Partition): BatchStore {
    const last = this.last;
    if (last !== undefined && last.partition.accountId === partition.accountId && last.partition.region === partition.region) return last;
    const store = this.find(partition);
    this.last = store;
    return store;
  }

  private find(partition: Partition): BatchStore {
    const key = partitionKey(partition);
    let store = this.stores.get(key);
    if (!store) {
      store = new BatchStore(partition);
      this.stores.set(key, store);
    }
    return store;
  }

  all(): IterableIterator<BatchStore> {
    return this.stores.values();
  }

  clear(): void {
    this.stores.clear();
    this.last = undefined;
  }
}
