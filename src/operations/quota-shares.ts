import type {
  DescribeQuotaShareResponse,
  QuotaShareCapacityLimit,
  QuotaShareDetail,
  QuotaShareResourceSharingConfiguration,
} from "@aws-sdk/client-batch";
import { batchArn, isArn, quotaShareResource } from "../state/arn";
import { paginate } from "../state/pagination";
import type { JobQueueRecord, QuotaShareRecord } from "../state/records";
import type { BatchStore } from "../state/store";
import type { OperationGroup } from "./context";
import { clientError, executionError } from "./errors";
import { mustFindJobQueue } from "./job-queues";
import { checkListLength, checkMaxResults, checkResourceName, checkTags, copy, checkDeletable, checkNotBeingModified } from "./rules";

const MAX_QUOTA_SHARES_PER_QUEUE = 20;
/** -1 means the share may borrow without limit. */
const UNLIMITED_BORROWING = -1;

export const quotaShareOperations: OperationGroup<"CreateQuotaShare" | "DescribeQuotaShare" | "ListQuotaShares" | "UpdateQuotaShare" | "DeleteQuotaShare"> = {
  CreateQuotaShare(input, context) {
    const { store, partition, requestId } = context;
    const name = input.quotaShareName;
    checkResourceName(name);
    checkTags(input.tags);
    checkCapacityLimits(input.capacityLimits);
    const sharing = withDefaultBorrowLimit(input.resourceSharingConfiguration);
    const queue = mustFindJobQueue(store, input.jobQueue, context);
    if (queue.detail.status !== "VALID") {
      throw clientError(`JobQueue ${queue.arn} must be created and valid before attaching a quota share; its status is ${queue.detail.status}.`);
    }
    const key = quotaShareResource(queue.name, name);
    if (store.quotaShares.has(key)) throw clientError("Object already exists");
    if (sharesOf(store, queue).length >= MAX_QUOTA_SHARES_PER_QUEUE) {
      throw executionError(`Maximum number of quota shares per job queue (${MAX_QUOTA_SHARES_PER_QUEUE}) reached`, requestId);
    }
    const arn = batchArn(partition, "job-queue", key);
    const detail: DescribeQuotaShareResponse = {
      quotaShareName: name,
      quotaShareArn: arn,
      jobQueueArn: queue.arn,
      capacityLimits: input.capacityLimits.map((limit) => ({ ...limit })),
      resourceSharingConfiguration: sharing,
      preemptionConfiguration: { ...input.preemptionConfiguration },
      state: input.state ?? "ENABLED",
      status: "CREATING",
      tags: input.tags ?? {},
    };
    store.quotaShares.add({ sequence: store.nextSequence(), name: key, arn, detail });
    context.engine.beginTransition(store, "quotaShares", key, "CREATING");
    return { quotaShareName: name, quotaShareArn: arn };
  },

  DescribeQuotaShare(input, { store }) {
    return copy(mustFindQuotaShare(store, input.quotaShareArn).detail);
  },

  ListQuotaShares(input, context) {
    const { store } = context;
    checkMaxResults(input.maxResults);
    const queue = mustFindJobQueue(store, input.jobQueue, context);
    const page = paginate(sharesOf(store, queue), (record) => record.sequence, {
      maxResults: input.maxResults,
      nextToken: input.nextToken,
      guard: `ListQuotaShares:${queue.arn}`,
    });
    return { quotaShares: page.items.map(summaryOf), nextToken: page.nextToken };
  },

  UpdateQuotaShare(input, context) {
    const { store } = context;
    const record = mustFindQuotaShare(store, input.quotaShareArn);
    const detail = record.detail;
    checkNotBeingModified(detail.status, "update");
    if (input.capacityLimits !== undefined) checkCapacityLimits(input.capacityLimits);
    const sharing = input.resourceSharingConfiguration && withDefaultBorrowLimit(input.resourceSharingConfiguration);
    // Every check passed: only now change the record.
    if (input.capacityLimits) detail.capacityLimits = input.capacityLimits.map((limit) => ({ ...limit }));
    if (sharing) detail.resourceSharingConfiguration = sharing;
    if (input.preemptionConfiguration) detail.preemptionConfiguration = { ...input.preemptionConfiguration };
    if (input.state) detail.state = input.state;
    context.engine.beginTransition(store, "quotaShares", record.name, "UPDATING");
    return { quotaShareName: detail.quotaShareName, quotaShareArn: record.arn };
  },

  DeleteQuotaShare(input, context) {
    const { store } = context;
    const record = mustFindQuotaShare(store, input.quotaShareArn);
    checkDeletable("QuotaShare", String(record.detail.quotaShareName), record.detail);
    // The job engine will terminate the jobs left in the share here, as AWS eventually does.
    context.engine.beginTransition(store, "quotaShares", record.name, "DELETING");
    return {};
  },
};

/** Quota shares are addressed by ARN only; anything else, or an unknown ARN, does not exist. */
export function mustFindQuotaShare(store: BatchStore, quotaShareArn: string): QuotaShareRecord {
  const record = isArn(quotaShareArn) && quotaShareArn.includes("/quota-share/") ? store.quotaShares.find(quotaShareArn) : undefined;
  if (!record) throw clientError(`QuotaShare ${quotaShareArn} does not exist`);
  return record;
}

/** The quota shares of one queue, in creation order. */
export function sharesOf(store: BatchStore, queue: JobQueueRecord): QuotaShareRecord[] {
  const prefix = quotaShareResource(queue.name, "");
  return [...store.quotaShares.values()].filter((record) => record.name.startsWith(prefix)).sort((a, b) => a.sequence - b.sequence);
}

/** A quota share of a queue by its name, for SubmitServiceJob's quotaShareName. */
export function findQuotaShareByName(store: BatchStore, queue: JobQueueRecord, shareName: string): QuotaShareRecord | undefined {
  return store.quotaShares.find(quotaShareResource(queue.name, shareName));
}

/** At least one limit, each a positive capacity of a named unit (an instance type), no unit twice. */
function checkCapacityLimits(limits: QuotaShareCapacityLimit[]): void {
  checkListLength(limits, 50, "capacityLimits", 1);
  const units = new Set<string>();
  limits.forEach((limit, i) => {
    const path = `capacityLimits[${i}]`;
    const { maxCapacity, capacityUnit } = limit;
    if (maxCapacity === undefined || !Number.isSafeInteger(maxCapacity) || maxCapacity < 1) {
      throw clientError(`${path}.maxCapacity must be a positive integer, got ${maxCapacity}.`);
    }
    if (!capacityUnit) throw clientError(`${path}.capacityUnit must not be empty.`);
    if (units.has(capacityUnit)) throw clientError(`capacityLimits has more than one limit for the capacity unit ${capacityUnit}.`);
    units.add(capacityUnit);
  });
}

/** borrowLimit is a percentage of the share's capacity, -1 (the default) for unlimited, and only for LEND_AND_BORROW. */
function withDefaultBorrowLimit(sharing: QuotaShareResourceSharingConfiguration): QuotaShareResourceSharingConfiguration {
  const borrowLimit = sharing.borrowLimit ?? UNLIMITED_BORROWING;
  if (!Number.isSafeInteger(borrowLimit) || borrowLimit < UNLIMITED_BORROWING) {
    throw clientError(`resourceSharingConfiguration.borrowLimit must be -1 (unlimited) or a non-negative integer, got ${borrowLimit}.`);
  }
  if (borrowLimit !== UNLIMITED_BORROWING && sharing.strategy !== "LEND_AND_BORROW") {
    throw clientError(`resourceSharingConfiguration.borrowLimit can only be applied to quota shares with a strategy of LEND_AND_BORROW, got ${sharing.strategy}.`);
  }
  return { strategy: sharing.strategy, borrowLimit };
}

function summaryOf(record: QuotaShareRecord): QuotaShareDetail {
  const { quotaShareName, quotaShareArn, jobQueueArn, capacityLimits, resourceSharingConfiguration, preemptionConfiguration, state, status } = record.detail;
  return copy({ quotaShareName, quotaShareArn, jobQueueArn, capacityLimits, resourceSharingConfiguration, preemptionConfiguration, state, status });
}
