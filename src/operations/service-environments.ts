import type { CapacityLimit, ServiceEnvironmentDetail } from "@aws-sdk/client-batch";
import { batchArn } from "../state/arn";
import type { ServiceEnvironmentRecord } from "../state/records";
import type { BatchStore } from "../state/store";
import type { OperationContext, OperationGroup } from "./context";
import { clientError } from "./errors";
import { describeResources } from "./listing";
import { checkListLength, checkNameIsFree, checkResourceName, checkTags, checkDeletable, checkNotBeingModified, mustFindResource } from "./rules";

const MAX_SERVICE_ENVIRONMENTS = 50;

export const serviceEnvironmentOperations: OperationGroup<
  "CreateServiceEnvironment" | "DescribeServiceEnvironments" | "UpdateServiceEnvironment" | "DeleteServiceEnvironment"
> = {
  CreateServiceEnvironment(input, context) {
    const { store, partition, requestId } = context;
    const name = input.serviceEnvironmentName;
    checkResourceName(name);
    checkTags(input.tags);
    checkCapacityLimits(input.capacityLimits);
    checkNameIsFree(store.serviceEnvironments, name, { max: MAX_SERVICE_ENVIRONMENTS, of: "service environments", requestId });
    const arn = batchArn(partition, "service-environment", name);
    const detail: ServiceEnvironmentDetail = {
      serviceEnvironmentName: name,
      serviceEnvironmentArn: arn,
      serviceEnvironmentType: input.serviceEnvironmentType,
      state: input.state ?? "ENABLED",
      status: "CREATING",
      capacityLimits: input.capacityLimits.map((limit) => ({ ...limit })),
      tags: input.tags ?? {},
    };
    store.serviceEnvironments.add({ sequence: store.nextSequence(), name, arn, detail });
    context.engine.beginTransition(store, "serviceEnvironments", name, "CREATING");
    return { serviceEnvironmentName: name, serviceEnvironmentArn: arn };
  },

  DescribeServiceEnvironments(input, { store }) {
    return describeResources("serviceEnvironments", store.serviceEnvironments, input.serviceEnvironments, input);
  },

  UpdateServiceEnvironment(input, context) {
    const { store } = context;
    const record = mustFindServiceEnvironment(store, input.serviceEnvironment, context);
    const detail = record.detail;
    checkNotBeingModified(detail.status, "update");
    if (input.capacityLimits !== undefined) checkCapacityLimits(input.capacityLimits);
    // Every check passed: only now change the record.
    if (input.state) detail.state = input.state;
    if (input.capacityLimits) detail.capacityLimits = input.capacityLimits.map((limit) => ({ ...limit }));
    context.engine.beginTransition(store, "serviceEnvironments", record.name, "UPDATING");
    return { serviceEnvironmentName: record.name, serviceEnvironmentArn: record.arn };
  },

  DeleteServiceEnvironment(input, context) {
    const { store } = context;
    const record = mustFindServiceEnvironment(store, input.serviceEnvironment, context);
    checkDeletable("ServiceEnvironment", record.name, record.detail);
    for (const queue of store.jobQueues.values()) {
      const order = queue.detail.serviceEnvironmentOrder ?? [];
      if (order.some((entry) => store.serviceEnvironments.find(entry.serviceEnvironment ?? "") === record)) {
        throw clientError("Cannot delete, found existing JobQueue relationship");
      }
    }
    context.engine.beginTransition(store, "serviceEnvironments", record.name, "DELETING");
    return {};
  },
};

/** Finds a service environment by name or ARN, or fails the way AWS does for other resources: echoing the ARN. */
export function mustFindServiceEnvironment(store: BatchStore, identifier: string, context: Pick<OperationContext, "partition">): ServiceEnvironmentRecord {
  return mustFindResource(store.serviceEnvironments, identifier, context.partition);
}

/** At least one limit, each a positive capacity of a named unit (NUM_INSTANCES or an instance type), no unit twice. */
function checkCapacityLimits(limits: CapacityLimit[]): void {
  checkListLength(limits, 50, "capacityLimits", 1);
  const units = new Set<string>();
  limits.forEach((limit, i) => {
    const path = `capacityLimits[${i}]`;
    if (limit.maxCapacity === undefined) throw clientError(`${path}.maxCapacity must be specified.`);
    if (!Number.isSafeInteger(limit.maxCapacity) || limit.maxCapacity < 1) {
      throw clientError(`${path}.maxCapacity must be a positive integer, got ${limit.maxCapacity}.`);
    }
    if (!limit.capacityUnit) throw clientError(`${path}.capacityUnit must be specified.`);
    if (units.has(limit.capacityUnit)) throw clientError(`capacityLimits has more than one limit for the capacity unit ${limit.capacityUnit}.`);
    units.add(limit.capacityUnit);
  });
}
