import type {
  ComputeEnvironmentDetail,
  ComputeEnvironmentOrder,
  FrontOfQueueJobSummary,
  GetJobQueueSnapshotResponse,
  JobQueueDetail,
  JobQueueType,
  JobStateTimeLimitAction,
  ServiceEnvironmentOrder,
} from "@aws-sdk/client-batch";
import { batchArn } from "../state/arn";
import type { JobQueueRecord } from "../state/records";
import type { BatchStore } from "../state/store";
import { dispatchOrder, fairsharePolicyOf } from "../state/scheduler";
import { mustFind as mustFindComputeEnvironment } from "./compute-environments";
import type { OperationContext, OperationGroup, OperationOutput } from "./context";
import { clientError } from "./errors";
import { describeResources } from "./listing";
import { checkListLength, checkNotEmpty, checkRange, checkNameIsFree, checkResourceName, checkTags, checkDeletable, checkNotBeingModified, mustFindResource } from "./rules";
import { mustFindSchedulingPolicy } from "./scheduling-policies";

const MAX_SERVICE_ENVIRONMENTS_PER_QUEUE = 1;
const FRONT_OF_QUEUE_SIZE = 100;

/** What a queue is attached to, once checked: the orders with ARNs in place of names, and the queue type they imply. */
interface Attachment {
  computeEnvironmentOrder: ComputeEnvironmentOrder[];
  serviceEnvironmentOrder?: ServiceEnvironmentOrder[];
  jobQueueType: JobQueueType;
}

export const jobQueueOperations: OperationGroup<"CreateJobQueue" | "DescribeJobQueues" | "UpdateJobQueue" | "DeleteJobQueue" | "GetJobQueueSnapshot"> = {
  CreateJobQueue(input, context) {
    const { store, partition, requestId } = context;
    const name = input.jobQueueName;
    checkResourceName(name);
    checkTags(input.tags);
    checkNameIsFree(store.jobQueues, name, { max: context.quotas.jobQueues, of: "job queues", requestId });
    checkPriority(input.priority);
    const attachment = checkAttachment(store, context, input.computeEnvironmentOrder, input.serviceEnvironmentOrder);
    if (input.jobQueueType && input.jobQueueType !== attachment.jobQueueType) {
      throw clientError(`jobQueueType ${input.jobQueueType} does not match the queue's environments, which need jobQueueType ${attachment.jobQueueType}.`);
    }
    if (input.schedulingPolicyArn !== undefined) mustFindSchedulingPolicy(store, input.schedulingPolicyArn);
    checkTimeLimitActions(input.jobStateTimeLimitActions, attachment.jobQueueType);
    const arn = batchArn(partition, "job-queue", name);
    const detail: JobQueueDetail = {
      jobQueueName: name,
      jobQueueArn: arn,
      state: input.state ?? "ENABLED",
      schedulingPolicyArn: input.schedulingPolicyArn,
      status: "CREATING",
      statusReason: "JobQueue creating",
      priority: input.priority,
      computeEnvironmentOrder: attachment.computeEnvironmentOrder,
      serviceEnvironmentOrder: attachment.serviceEnvironmentOrder,
      jobQueueType: attachment.jobQueueType,
      tags: input.tags ?? {},
      jobStateTimeLimitActions: (input.jobStateTimeLimitActions ?? []).map((action) => ({ ...action })),
    };
    store.jobQueues.add({ sequence: store.nextSequence(), name, arn, detail });
    context.engine.beginTransition(store, "jobQueues", name, "CREATING");
    return { jobQueueName: name, jobQueueArn: arn };
  },

  DescribeJobQueues(input, { store }) {
    return describeResources("jobQueues", store.jobQueues, input.jobQueues, input);
  },

  UpdateJobQueue(input, context) {
    const { store } = context;
    const record = mustFindJobQueue(store, input.jobQueue, context);
    const detail = record.detail;
    checkNotBeingModified(detail.status, "update");
    checkPriority(input.priority);
    const attachment = updatedAttachment(store, context, detail, input.computeEnvironmentOrder, input.serviceEnvironmentOrder);
    if (input.schedulingPolicyArn !== undefined) checkPolicyReplacement(store, detail, input.schedulingPolicyArn);
    checkTimeLimitActions(input.jobStateTimeLimitActions, detail.jobQueueType);
    // Every check passed: only now change the record.
    if (input.state) detail.state = input.state;
    if (input.priority !== undefined) detail.priority = input.priority;
    if (input.schedulingPolicyArn !== undefined) detail.schedulingPolicyArn = input.schedulingPolicyArn;
    if (attachment) {
      detail.computeEnvironmentOrder = attachment.computeEnvironmentOrder;
      detail.serviceEnvironmentOrder = attachment.serviceEnvironmentOrder;
    }
    if (input.jobStateTimeLimitActions) detail.jobStateTimeLimitActions = input.jobStateTimeLimitActions.map((action) => ({ ...action }));
    context.engine.beginTransition(store, "jobQueues", record.name, "UPDATING");
    return { jobQueueName: record.name, jobQueueArn: record.arn };
  },

  DeleteJobQueue(input, context) {
    const { store } = context;
    const record = mustFindJobQueue(store, input.jobQueue, context);
    checkDeletable("JobQueue", record.name, record.detail);
    // The job engine will terminate the jobs left in the queue here (AWS does about 16 a second).
    // Quota shares of the queue are left to the quota share operations.
    context.engine.beginTransition(store, "jobQueues", record.name, "DELETING");
    return {};
  },

  GetJobQueueSnapshot(input, context) {
    const record = mustFindJobQueue(context.store, input.jobQueue, context);
    return snapshot(context.store, record, context.now);
  },
};

/** Finds a job queue by name or ARN. SubmitJob and ListJobs phrase their own not-found messages. */
export function findJobQueue(store: BatchStore, identifier: string): JobQueueRecord | undefined {
  return store.jobQueues.find(identifier);
}

/** Finds a job queue by name or ARN, or fails the way AWS does for Update/Delete: echoing the ARN. */
export function mustFindJobQueue(store: BatchStore, identifier: string, context: Pick<OperationContext, "partition">): JobQueueRecord {
  return mustFindResource(store.jobQueues, identifier, context.partition);
}

function checkPriority(priority: number | undefined): void {
  checkRange(priority, 0, 1000, "priority");
}

/** Checks the environments a new queue is attached to, and works out the queue type they imply. */
function checkAttachment(
  store: BatchStore,
  context: OperationContext,
  computeEnvironmentOrder: ComputeEnvironmentOrder[] | undefined,
  serviceEnvironmentOrder: ServiceEnvironmentOrder[] | undefined,
): Attachment {
  const computeEnvironments = computeEnvironmentOrder ?? [];
  const serviceEnvironments = serviceEnvironmentOrder ?? [];
  if (computeEnvironments.length > 0 && serviceEnvironments.length > 0) {
    throw clientError("A job queue can't have both a serviceEnvironmentOrder and a computeEnvironmentOrder.");
  }
  if (serviceEnvironments.length > 0) return checkServiceEnvironmentOrder(store, context, serviceEnvironments);
  if (computeEnvironments.length === 0) {
    throw clientError("computeEnvironmentOrder must have between 1 and 3 entries, unless serviceEnvironmentOrder is specified.");
  }
  return checkComputeEnvironmentOrder(store, context, computeEnvironments);
}

/** For an update, only the order that is given changes, and it may not change what kind of queue this is. */
function updatedAttachment(
  store: BatchStore,
  context: OperationContext,
  queue: JobQueueDetail,
  computeEnvironmentOrder: ComputeEnvironmentOrder[] | undefined,
  serviceEnvironmentOrder: ServiceEnvironmentOrder[] | undefined,
): Attachment | undefined {
  const serviceQueue = queue.jobQueueType === "SAGEMAKER_TRAINING";
  if (computeEnvironmentOrder && computeEnvironmentOrder.length > 0 && serviceQueue) {
    throw clientError(`computeEnvironmentOrder cannot be specified for JobQueue ${queue.jobQueueName}, which uses service environments.`);
  }
  if (serviceEnvironmentOrder && serviceEnvironmentOrder.length > 0 && !serviceQueue) {
    throw clientError(`serviceEnvironmentOrder cannot be specified for JobQueue ${queue.jobQueueName}, which uses compute environments.`);
  }
  const given = serviceQueue ? serviceEnvironmentOrder : computeEnvironmentOrder;
  if (given === undefined) return undefined;
  const attachment = serviceQueue
    ? checkServiceEnvironmentOrder(store, context, given as ServiceEnvironmentOrder[])
    : checkComputeEnvironmentOrder(store, context, given as ComputeEnvironmentOrder[]);
  if (attachment.jobQueueType !== queue.jobQueueType) {
    throw clientError(
      `JobQueue ${queue.jobQueueName} has jobQueueType ${queue.jobQueueType}; it cannot be attached to compute environments that need jobQueueType ${attachment.jobQueueType}.`,
    );
  }
  return attachment;
}

function checkComputeEnvironmentOrder(store: BatchStore, context: OperationContext, order: ComputeEnvironmentOrder[]): Attachment {
  checkListLength(order, context.quotas.computeEnvironmentsPerJobQueue, "computeEnvironmentOrder", 1);
  checkUniqueOrders(order.map((entry) => entry.order), "computeEnvironmentOrder");
  const resolved: ComputeEnvironmentOrder[] = [];
  const types = new Set<JobQueueType>();
  for (const entry of order) {
    // Model validation has already made sure required members are present.
    const record = mustFindComputeEnvironment(store, entry.computeEnvironment as string, context);
    if (resolved.some((other) => other.computeEnvironment === record.arn)) {
      throw clientError(`computeEnvironmentOrder lists ComputeEnvironment ${record.arn} more than once.`);
    }
    if (record.detail.status !== "VALID") {
      throw clientError(`ComputeEnvironment ${record.arn} must be valid before attaching to a JobQueue; its status is ${record.detail.status}.`);
    }
    types.add(queueTypeFor(record.detail));
    resolved.push({ order: entry.order, computeEnvironment: record.arn });
  }
  if (types.size > 1) throw clientError(mixedTypesMessage(types));
  const [jobQueueType] = types;
  return { computeEnvironmentOrder: resolved, jobQueueType };
}

function checkServiceEnvironmentOrder(store: BatchStore, context: OperationContext, order: ServiceEnvironmentOrder[]): Attachment {
  checkListLength(order, MAX_SERVICE_ENVIRONMENTS_PER_QUEUE, "serviceEnvironmentOrder", 1);
  checkUniqueOrders(order.map((entry) => entry.order), "serviceEnvironmentOrder");
  const resolved: ServiceEnvironmentOrder[] = [];
  for (const entry of order) {
    const record = mustFindResource(store.serviceEnvironments, entry.serviceEnvironment as string, context.partition);
    if (record.detail.status !== "VALID") {
      throw clientError(`ServiceEnvironment ${record.arn} must be valid before attaching to a JobQueue; its status is ${record.detail.status}.`);
    }
    resolved.push({ order: entry.order, serviceEnvironment: record.arn });
  }
  return { computeEnvironmentOrder: [], serviceEnvironmentOrder: resolved, jobQueueType: "SAGEMAKER_TRAINING" };
}

function checkUniqueOrders(orders: (number | undefined)[], path: string): void {
  orders.forEach((order, i) => {
    checkRange(order, 0, 2_147_483_647, `${path}[${i}].order`);
    if (orders.indexOf(order) !== i) throw clientError(`${path} has more than one entry with order ${order}; each order must be unique.`);
  });
}

/** The queue type a compute environment needs. UNMANAGED environments run ECS jobs on the user's EC2 instances. */
function queueTypeFor(computeEnvironment: ComputeEnvironmentDetail): JobQueueType {
  if (computeEnvironment.containerOrchestrationType === "EKS") return "EKS";
  switch (computeEnvironment.computeResources?.type) {
    case "FARGATE":
    case "FARGATE_SPOT":
      return "ECS_FARGATE";
    case "ECS_MANAGED_INSTANCES":
      return "ECS_MANAGED_INSTANCES";
    default:
      return "ECS";
  }
}

function mixedTypesMessage(types: Set<JobQueueType>): string {
  if (types.has("ECS") && types.has("ECS_FARGATE")) {
    return "All compute environments of a job queue must be either EC2 (EC2 or SPOT) or Fargate (FARGATE or FARGATE_SPOT); EC2 and Fargate compute environments can't be mixed.";
  }
  return `All compute environments of a job queue must be of one kind; these would need the job queue types ${[...types].join(" and ")}.`;
}

/** A queue without a policy is FIFO for good; a queue with one can swap it for another of the same kind, never drop it. */
function checkPolicyReplacement(store: BatchStore, queue: JobQueueDetail, schedulingPolicyArn: string): void {
  if (!queue.schedulingPolicyArn) {
    throw clientError(`JobQueue ${queue.jobQueueName} was created without a scheduling policy; a scheduling policy can't be added to a FIFO job queue.`);
  }
  if (schedulingPolicyArn === "") {
    throw clientError(`The scheduling policy of JobQueue ${queue.jobQueueName} can be replaced but can't be removed.`);
  }
  const replacement = mustFindSchedulingPolicy(store, schedulingPolicyArn).detail;
  const current = store.schedulingPolicies.find(queue.schedulingPolicyArn)?.detail;
  if (current && Boolean(current.quotaSharePolicy) !== Boolean(replacement.quotaSharePolicy)) {
    throw clientError(`The scheduling policy of JobQueue ${queue.jobQueueName} can only be replaced by a policy of the same type (fair-share or quota share).`);
  }
}

function checkTimeLimitActions(actions: JobStateTimeLimitAction[] | undefined, jobQueueType: JobQueueType | undefined): void {
  const expected = jobQueueType === "SAGEMAKER_TRAINING" ? "TERMINATE" : "CANCEL";
  (actions ?? []).forEach((action, i) => {
    const path = `jobStateTimeLimitActions[${i}]`;
    checkNotEmpty(action.reason as string, `${path}.reason`);
    checkRange(action.maxTimeSeconds, 600, 86_400, `${path}.maxTimeSeconds`);
    if (action.action !== expected) {
      throw clientError(`${path}.action must be ${expected} for a job queue of type ${jobQueueType}, got ${action.action}.`);
    }
  });
}

/** The front of the queue in dispatch order, and for a fair-share queue the capacity its shares use now. */
function snapshot(store: BatchStore, queue: JobQueueRecord, now: number): OperationOutput<"GetJobQueueSnapshot"> {
  const jobs = frontOfQueue(store, queue, now);
  const result: Omit<GetJobQueueSnapshotResponse, "$metadata"> = { frontOfQueue: { jobs, lastUpdatedAt: now } };
  if (fairsharePolicyOf(store, queue.name)) {
    const fairShare = store.jobs.fairShareIn(queue.name);
    const { activeShareCount, top } = fairShare.utilization();
    result.queueUtilization = {
      fairshareUtilization: {
        activeShareCount,
        topCapacityUtilization: top.map(({ shareIdentifier, vcpus }) => ({ shareIdentifier, capacityUsage: [{ capacityUnit: "VCPU", quantity: vcpus }] })),
      },
      totalCapacityUsage: [{ capacityUnit: "VCPU", quantity: fairShare.runningVcpus }],
      lastUpdatedAt: now,
    };
  }
  return result;
}

/** Up to the first 100 RUNNABLE jobs of a queue, in the order the scheduler would take them. */
function frontOfQueue(store: BatchStore, queue: JobQueueRecord, now: number): FrontOfQueueJobSummary[] {
  const jobs: FrontOfQueueJobSummary[] = [];
  for (const job of dispatchOrder(store, queue, now)) {
    if (jobs.length === FRONT_OF_QUEUE_SIZE) break;
    jobs.push({ jobArn: job.jobArn, earliestTimeAtPosition: job.statusSince });
  }
  return jobs;
}
