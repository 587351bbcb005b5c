import type { ComputeEnvironmentDetail, ComputeResource, ComputeResourceUpdate } from "@aws-sdk/client-batch";
import { batchArn } from "../state/arn";
import { arnPartition } from "../state/partition";
import type { BatchStore } from "../state/store";
import type { ComputeEnvironmentRecord } from "../state/records";
import type { OperationContext, OperationGroup } from "./context";
import { clientError, executionError } from "./errors";
import { describeResources } from "./listing";
import { checkRange, checkNameIsFree, checkResourceName, checkTags, checkDeletable, checkNotBeingModified, mustFindResource } from "./rules";

const FARGATE_TYPES = new Set(["FARGATE", "FARGATE_SPOT"]);

export const computeEnvironmentOperations: OperationGroup<
  "CreateComputeEnvironment" | "DescribeComputeEnvironments" | "UpdateComputeEnvironment" | "DeleteComputeEnvironment"
> = {
  CreateComputeEnvironment(input, context) {
    const { store, partition, requestId } = context;
    const name = input.computeEnvironmentName;
    checkResourceName(name);
    checkTags(input.tags);
    checkNameIsFree(store.computeEnvironments, name, { max: context.quotas.computeEnvironments, of: "compute environments", requestId });
    if (input.type === "MANAGED") {
      if (!input.computeResources) throw clientError("computeResources must be specified for a MANAGED compute environment.");
      if (input.unmanagedvCpus !== undefined) throw clientError("unmanagedvCpus can only be specified for an UNMANAGED compute environment.");
      checkInstanceRequirements(input.computeResources, requestId);
      checkComputeResources(input.computeResources);
    } else {
      if (input.computeResources) throw clientError("computeResources cannot be specified for an UNMANAGED compute environment.");
      if (!input.serviceRole) throw clientError("serviceRole must be specified for an UNMANAGED compute environment.");
      checkRange(input.unmanagedvCpus, 0, 1_000_000, "unmanagedvCpus");
    }
    const arn = batchArn(partition, "compute-environment", name);
    const detail: ComputeEnvironmentDetail = {
      computeEnvironmentName: name,
      computeEnvironmentArn: arn,
      ecsClusterArn: `arn:${arnPartition(partition.region)}:ecs:${partition.region}:${partition.accountId}:cluster/${name}_Batch_${context.ids.uuid()}`,
      tags: input.tags ?? {},
      type: input.type,
      state: input.state ?? "ENABLED",
      status: "CREATING",
      statusReason: "ComputeEnvironment creating",
      computeResources: input.computeResources && withDefaults(input.computeResources),
      unmanagedvCpus: input.type === "UNMANAGED" ? (input.unmanagedvCpus ?? 0) : undefined,
      serviceRole: input.serviceRole ?? `arn:${arnPartition(partition.region)}:iam::${partition.accountId}:role/aws-service-role/batch.amazonaws.com/AWSServiceRoleForBatch`,
      updatePolicy: { terminateJobsOnUpdate: false, jobExecutionTimeoutMinutes: 30 },
      containerOrchestrationType: input.eksConfiguration ? "EKS" : "ECS",
      eksConfiguration: input.eksConfiguration,
      uuid: context.ids.uuid(),
      context: input.context,
      ecsSettings: input.ecsSettings,
    };
    store.computeEnvironments.add({ sequence: store.nextSequence(), name, arn, detail });
    context.engine.beginTransition(store, "computeEnvironments", name, "CREATING");
    return { computeEnvironmentName: name, computeEnvironmentArn: arn };
  },

  DescribeComputeEnvironments(input, { store }) {
    return describeResources("computeEnvironments", store.computeEnvironments, input.computeEnvironments, input);
  },

  UpdateComputeEnvironment(input, context) {
    const { store } = context;
    const record = mustFind(store, input.computeEnvironment, context);
    const detail = record.detail;
    checkNotBeingModified(detail.status, "update");
    if (input.unmanagedvCpus !== undefined && detail.type !== "UNMANAGED") {
      throw clientError("unmanagedvCpus can only be specified for an UNMANAGED compute environment.");
    }
    if (input.computeResources && detail.type !== "MANAGED") {
      throw clientError("computeResources can only be updated on a MANAGED compute environment.");
    }
    const computeResources = input.computeResources && detail.computeResources
      ? updatedComputeResources(detail.computeResources, input.computeResources)
      : detail.computeResources;
    if (input.computeResources && computeResources) checkComputeResources(computeResources);
    checkRange(input.updatePolicy?.jobExecutionTimeoutMinutes, 1, 360, "updatePolicy.jobExecutionTimeoutMinutes");
    // Every check passed: only now change the record.
    if (input.state) detail.state = input.state;
    if (input.unmanagedvCpus !== undefined) detail.unmanagedvCpus = input.unmanagedvCpus;
    if (input.serviceRole) detail.serviceRole = input.serviceRole;
    if (input.updatePolicy) detail.updatePolicy = { ...detail.updatePolicy, ...input.updatePolicy };
    if (input.context !== undefined) detail.context = input.context;
    if (input.ecsSettings) detail.ecsSettings = input.ecsSettings;
    detail.computeResources = computeResources;
    context.engine.beginTransition(store, "computeEnvironments", record.name, "UPDATING");
    return { computeEnvironmentName: record.name, computeEnvironmentArn: record.arn };
  },

  DeleteComputeEnvironment(input, context) {
    const { store } = context;
    const record = mustFind(store, input.computeEnvironment, context);
    checkDeletable("ComputeEnvironment", record.name, record.detail);
    for (const queue of store.jobQueues.values()) {
      if (queue.detail.computeEnvironmentOrder?.some((entry) => entry.computeEnvironment === record.arn)) {
        throw clientError("Cannot delete, found existing JobQueue relationship");
      }
    }
    context.engine.beginTransition(store, "computeEnvironments", record.name, "DELETING");
    return {};
  },
};

/** Finds a compute environment by name or ARN, or fails the way AWS does: echoing the ARN. */
export function mustFind(store: BatchStore, identifier: string, context: OperationContext): ComputeEnvironmentRecord {
  return mustFindResource(store.computeEnvironments, identifier, context.partition);
}

/**
 * What AWS refuses when an EC2 or SPOT environment is created without it (reference §2.5): the instance role
 * the model calls required for EC2 instance types, `minvCpus`, and for SPOT on the BEST_FIT strategy (the
 * default) the Spot Fleet role. Checked in that order, with the texts AWS answers (see the README's notes).
 */
function checkInstanceRequirements(resources: ComputeResource, requestId: string): void {
  if (resources.type !== "EC2" && resources.type !== "SPOT") return;
  if (resources.instanceRole === undefined) throw executionError("Instance role is required.", requestId);
  if (resources.minvCpus === undefined) throw executionError("Resource minvCpus is required.", requestId);
  const bestFit = (resources.allocationStrategy ?? "BEST_FIT") === "BEST_FIT";
  if (resources.type === "SPOT" && bestFit && resources.spotIamFleetRole === undefined) {
    throw executionError("compute resource spotIamFleetRole is required.", requestId);
  }
}

function checkComputeResources(resources: ComputeResource): void {
  const fargate = FARGATE_TYPES.has(resources.type ?? "");
  checkRange(resources.maxvCpus, 0, 1_000_000, "computeResources.maxvCpus");
  checkRange(resources.minvCpus, 0, 1_000_000, "computeResources.minvCpus");
  checkRange(resources.desiredvCpus, 0, 1_000_000, "computeResources.desiredvCpus");
  if (fargate) {
    for (const field of ["minvCpus", "desiredvCpus", "instanceTypes", "instanceRole", "allocationStrategy", "imageId", "ec2KeyPair", "bidPercentage"] as const) {
      if (resources[field] !== undefined) throw clientError(`computeResources.${field} is not supported for ${resources.type} compute environments.`);
    }
    return;
  }
  const min = resources.minvCpus ?? 0;
  const max = resources.maxvCpus ?? 0;
  if (min > max) throw clientError(`computeResources.minvCpus (${min}) cannot be greater than maxvCpus (${max}).`);
  if (resources.desiredvCpus !== undefined && (resources.desiredvCpus < min || resources.desiredvCpus > max)) {
    throw clientError(`computeResources.desiredvCpus (${resources.desiredvCpus}) must be between minvCpus (${min}) and maxvCpus (${max}).`);
  }
  checkRange(resources.bidPercentage, 0, 100, "computeResources.bidPercentage");
}

function withDefaults(resources: ComputeResource): ComputeResource {
  if (FARGATE_TYPES.has(resources.type ?? "")) return { ...resources };
  return {
    ...resources,
    allocationStrategy: resources.allocationStrategy ?? "BEST_FIT",
    minvCpus: resources.minvCpus ?? 0,
    desiredvCpus: resources.desiredvCpus ?? resources.minvCpus ?? 0,
  };
}

function updatedComputeResources(current: ComputeResource, update: ComputeResourceUpdate): ComputeResource {
  const merged: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(update)) {
    if (value !== undefined && key !== "updateToLatestImageVersion") merged[key] = value;
  }
  return merged as unknown as ComputeResource;
}
