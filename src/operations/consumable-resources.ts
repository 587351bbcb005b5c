import type { ConsumableResourceProperties, ConsumableResourceSummary, KeyValuesPair, ListJobsByConsumableResourceSummary } from "@aws-sdk/client-batch";
import { batchArn } from "../state/arn";
import { decodeCursor, encodeToken, paginate } from "../state/pagination";
import type { JobRecord } from "../state/job-record";
import type { ConsumableResourceRecord } from "../state/records";
import { clientTokens, fingerprint } from "../state/service-jobs";
import type { BatchStore } from "../state/store";
import type { OperationContext, OperationGroup } from "./context";
import { clientError } from "./errors";
import { checkMaxResults, checkNotEmpty, checkNameIsFree, checkResourceName, checkTags, copy, matchesNameFilter, mustFindResource } from "./rules";

const MAX_CONSUMABLE_RESOURCES = 50_000;
const RESOURCE_TYPES = ["REPLENISHABLE", "NON_REPLENISHABLE"];
const UPDATE_OPERATIONS = ["SET", "ADD", "REMOVE"];
const JOB_STATUSES = ["SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED", "FAILED"];

interface UpdateResult {
  consumableResourceName: string;
  consumableResourceArn: string;
  totalQuantity: number;
}

export const consumableResourceOperations: OperationGroup<
  | "CreateConsumableResource"
  | "DescribeConsumableResource"
  | "ListConsumableResources"
  | "UpdateConsumableResource"
  | "DeleteConsumableResource"
  | "ListJobsByConsumableResource"
> = {
  CreateConsumableResource(input, context) {
    const { store, partition, requestId } = context;
    const name = input.consumableResourceName;
    checkResourceName(name);
    checkTags(input.tags);
    const totalQuantity = input.totalQuantity ?? 0;
    checkQuantity(totalQuantity, "totalQuantity");
    const resourceType = input.resourceType ?? "REPLENISHABLE";
    checkOneOf(resourceType, RESOURCE_TYPES, "resourceType");
    checkNameIsFree(store.consumableResources, name, { max: MAX_CONSUMABLE_RESOURCES, of: "consumable resources", requestId });
    const arn = batchArn(partition, "consumable-resource", name);
    store.consumableResources.add({
      sequence: store.nextSequence(),
      name,
      arn,
      detail: {
        consumableResourceName: name,
        consumableResourceArn: arn,
        totalQuantity,
        inUseQuantity: 0,
        availableQuantity: totalQuantity,
        resourceType,
        createdAt: context.now,
        tags: input.tags ?? {},
      },
    });
    return { consumableResourceName: name, consumableResourceArn: arn };
  },

  DescribeConsumableResource(input, context) {
    return copy(mustFind(context.store, input.consumableResource, context).detail);
  },

  ListConsumableResources(input, { store }) {
    checkMaxResults(input.maxResults);
    const namePatterns = filterValues(input.filters, ["CONSUMABLE_RESOURCE_NAME"]).get("CONSUMABLE_RESOURCE_NAME");
    const matching = [...store.consumableResources.values()].filter(
      (record) => !namePatterns || namePatterns.some((pattern) => matchesNameFilter(record.name, pattern)),
    );
    const page = paginate(matching, (record) => record.sequence, {
      maxResults: input.maxResults,
      nextToken: input.nextToken,
      guard: `ListConsumableResources:${JSON.stringify(namePatterns ?? [])}`,
    });
    return { consumableResources: page.items.map(summaryOf), nextToken: page.nextToken };
  },

  UpdateConsumableResource(input, context) {
    const { store } = context;
    const record = mustFind(store, input.consumableResource, context);
    const operation = input.operation ?? "SET";
    checkOneOf(operation, UPDATE_OPERATIONS, "operation");
    if (input.quantity === undefined) throw clientError("quantity must be specified.");
    checkQuantity(input.quantity, "quantity");
    if (input.clientToken !== undefined) checkNotEmpty(input.clientToken, "clientToken");

    // A repeated token within its lifetime answers with the first result and changes nothing.
    const tokens = clientTokens<UpdateResult>(store, "UpdateConsumableResource");
    const request = fingerprint({ arn: record.arn, operation, quantity: input.quantity });
    const replayed = input.clientToken === undefined ? undefined : tokens.replay(input.clientToken, request, context.now);
    if (replayed) return { ...replayed };

    const detail = record.detail;
    const current = detail.totalQuantity ?? 0;
    const inUse = detail.inUseQuantity ?? 0;
    const total = operation === "SET" ? input.quantity : operation === "ADD" ? current + input.quantity : current - input.quantity;
    if (total < 0) throw clientError(`Cannot remove ${input.quantity} from consumable resource ${record.name}: its total quantity is ${current}.`);
    if (total < inUse) throw clientError(`The total quantity of consumable resource ${record.name} cannot be less than its in-use quantity (${inUse}), got ${total}.`);
    if (!Number.isSafeInteger(total)) throw clientError(`The total quantity of consumable resource ${record.name} is too large: ${total}.`);

    detail.totalQuantity = total;
    detail.availableQuantity = total - inUse;
    // Jobs waiting for this resource may fit now.
    context.engine.wake();
    const result: UpdateResult = { consumableResourceName: record.name, consumableResourceArn: record.arn, totalQuantity: total };
    if (input.clientToken !== undefined) tokens.remember(input.clientToken, request, result, context.now);
    return { ...result };
  },

  DeleteConsumableResource(input, context) {
    const { store } = context;
    const record = mustFind(store, input.consumableResource, context);
    if ((record.detail.inUseQuantity ?? 0) > 0) {
      throw clientError(`Cannot delete, consumable resource ${record.name} is in use by running jobs.`);
    }
    store.consumableResources.delete(record.name);
    return {};
  },

  ListJobsByConsumableResource(input, context) {
    const { store } = context;
    const record = mustFind(store, input.consumableResource, context);
    checkMaxResults(input.maxResults);
    const filters = filterValues(input.filters, ["JOB_STATUS", "JOB_NAME"]);
    const statuses = filters.get("JOB_STATUS");
    for (const status of statuses ?? []) checkOneOf(status, JOB_STATUSES, "JOB_STATUS filter value");
    const namePatterns = filters.get("JOB_NAME");
    const guard = `ListJobsByConsumableResource:${record.arn}:${JSON.stringify([...filters])}`;
    const cursor = decodeCursor(input.nextToken, guard);
    const size = input.maxResults ?? 100;
    // The jobs that require the resource, from their index: the walk never reaches jobs that do not.
    const page: { sequence: number; summary: ListJobsByConsumableResourceSummary }[] = [];
    let nextToken: string | undefined;
    for (const [job] of store.jobs.requiring(record.name)?.after(cursor && { position: cursor.position }) ?? []) {
      if (statuses && !statuses.includes(job.status)) continue;
      if (namePatterns && !namePatterns.some((pattern) => matchesNameFilter(job.jobName, pattern))) continue;
      if (page.length === size) {
        nextToken = encodeToken(guard, page[page.length - 1].sequence);
        break;
      }
      page.push({ sequence: job.sequence, summary: summaryOfJob(job, record) });
    }
    return { jobs: page.map((job) => job.summary), nextToken };
  },
};

/** Finds a consumable resource by name or ARN, or fails echoing its ARN, as Batch does for other resources. */
function mustFind(store: BatchStore, identifier: string, context: OperationContext): ConsumableResourceRecord {
  return mustFindResource(store.consumableResources, identifier, context.partition);
}

function checkQuantity(value: number, path: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw clientError(`${path} must be a non-negative integer, got ${value}.`);
}

function checkOneOf(value: string, allowed: readonly string[], path: string): void {
  if (!allowed.includes(value)) throw clientError(`Invalid value ${value} for ${path}: it must be one of ${allowed.join(", ")}.`);
}

/** The values of each filter by name; several values of one filter match any of them. */
function filterValues(filters: KeyValuesPair[] | undefined, allowedNames: readonly string[]): Map<string, string[]> {
  const byName = new Map<string, string[]>();
  for (const filter of filters ?? []) {
    const name = filter.name ?? "";
    if (!allowedNames.includes(name)) {
      throw clientError(`Invalid filter name ${name || "(empty)"}: it must be one of ${allowedNames.join(", ")}.`);
    }
    const values = filter.values ?? [];
    if (values.length === 0) throw clientError(`The filter ${name} must have at least one value.`);
    byName.set(name, [...(byName.get(name) ?? []), ...values]);
  }
  return byName;
}

function summaryOf(record: ConsumableResourceRecord): ConsumableResourceSummary {
  const { consumableResourceArn, consumableResourceName, totalQuantity, inUseQuantity, resourceType } = record.detail;
  return { consumableResourceArn, consumableResourceName, totalQuantity, inUseQuantity, resourceType };
}

/** How much of the resource a job's requirements ask for, or undefined when they do not name it (by name or ARN). */
function quantityRequired(properties: ConsumableResourceProperties | undefined, resource: ConsumableResourceRecord): number | undefined {
  const requirements = properties?.consumableResourceList ?? [];
  const matching = requirements.filter((entry) => entry.consumableResource === resource.name || entry.consumableResource === resource.arn);
  if (matching.length === 0) return undefined;
  return matching.reduce((sum, entry) => sum + (entry.quantity ?? 0), 0);
}

/** A job as ListJobsByConsumableResource shows it: with the quantity it requires of this resource. */
function summaryOfJob(job: JobRecord, resource: ConsumableResourceRecord): ListJobsByConsumableResourceSummary {
  const spec = job.spec;
  return {
    jobArn: job.jobArn,
    jobQueueArn: spec.jobQueueArn,
    jobName: job.jobName,
    jobDefinitionArn: spec.jobDefinitionArn,
    shareIdentifier: spec.shareIdentifier,
    jobStatus: job.status,
    quantity: quantityRequired(spec.consumableResourceProperties, resource) ?? 0,
    statusReason: job.statusReason,
    startedAt: job.startedAt,
    createdAt: job.createdAt,
    consumableResourceProperties: copy(spec.consumableResourceProperties),
  };
}
