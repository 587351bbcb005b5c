import type { FairsharePolicy, QuotaSharePolicy, SchedulingPolicyDetail, ShareAttributes } from "@aws-sdk/client-batch";
import { batchArn, isArn } from "../state/arn";
import { paginate } from "../state/pagination";
import type { SchedulingPolicyRecord } from "../state/records";
import type { BatchStore } from "../state/store";
import type { OperationGroup } from "./context";
import { describedList } from "./listing";
import { clientError } from "./errors";
import { checkListLength, checkMaxResults, checkRange, checkNameIsFree, checkResourceName, checkTags } from "./rules";

const SHARE_IDENTIFIER = /^[a-zA-Z0-9]{1,255}\*?$/;
const MIN_WEIGHT_FACTOR = 0.0001;
const MAX_WEIGHT_FACTOR = 999.9999;

export const schedulingPolicyOperations: OperationGroup<
  "CreateSchedulingPolicy" | "DescribeSchedulingPolicies" | "ListSchedulingPolicies" | "UpdateSchedulingPolicy" | "DeleteSchedulingPolicy"
> = {
  CreateSchedulingPolicy(input, context) {
    const { store, partition } = context;
    const name = input.name;
    checkResourceName(name);
    checkTags(input.tags);
    checkOnePolicyType(input.fairsharePolicy, input.quotaSharePolicy);
    if (input.fairsharePolicy) checkFairsharePolicy(input.fairsharePolicy);
    checkNameIsFree(store.schedulingPolicies, name);
    const arn = batchArn(partition, "scheduling-policy", name);
    const detail: SchedulingPolicyDetail = {
      name,
      arn,
      // A policy created with neither type is a fair-share policy with every setting at its default.
      ...(input.quotaSharePolicy ? { quotaSharePolicy: { ...input.quotaSharePolicy } } : { fairsharePolicy: withDefaults(input.fairsharePolicy ?? {}) }),
      tags: input.tags ?? {},
    };
    store.schedulingPolicies.add({ sequence: store.nextSequence(), name, arn, detail });
    return { name, arn };
  },

  DescribeSchedulingPolicies(input, { store }) {
    checkListLength(input.arns, 100, "arns");
    const seen = new Set<string>();
    const records: SchedulingPolicyRecord[] = [];
    for (const arn of input.arns) {
      const record = findSchedulingPolicy(store, arn);
      if (!record || seen.has(record.name)) continue;
      seen.add(record.name);
      records.push(record);
    }
    return describedList("schedulingPolicies", records);
  },

  ListSchedulingPolicies(input, { store }) {
    checkMaxResults(input.maxResults);
    const page = paginate(store.schedulingPolicies.values(), (record) => record.sequence, {
      maxResults: input.maxResults,
      nextToken: input.nextToken,
      guard: "schedulingPolicies",
    });
    return { schedulingPolicies: page.items.map((record) => ({ arn: record.arn })), nextToken: page.nextToken };
  },

  UpdateSchedulingPolicy(input, { store }) {
    const record = mustFindSchedulingPolicy(store, input.arn);
    checkOnePolicyType(input.fairsharePolicy, input.quotaSharePolicy);
    const detail = record.detail;
    if (input.fairsharePolicy && detail.quotaSharePolicy) {
      throw clientError(`SchedulingPolicy ${record.arn} is a quota share policy; it cannot be changed to a fair-share policy.`);
    }
    if (input.quotaSharePolicy && detail.fairsharePolicy) {
      throw clientError(`SchedulingPolicy ${record.arn} is a fair-share policy; it cannot be changed to a quota share policy.`);
    }
    if (input.fairsharePolicy) checkFairsharePolicy(input.fairsharePolicy);
    // Every check passed: only now change the record. The given policy replaces the old one as a whole.
    if (input.fairsharePolicy) detail.fairsharePolicy = withDefaults(input.fairsharePolicy);
    if (input.quotaSharePolicy) detail.quotaSharePolicy = { ...input.quotaSharePolicy };
    return {};
  },

  DeleteSchedulingPolicy(input, { store }) {
    const record = mustFindSchedulingPolicy(store, input.arn);
    for (const queue of store.jobQueues.values()) {
      if (queue.detail.schedulingPolicyArn === record.arn) {
        throw clientError(`Cannot delete, found existing JobQueue relationship: SchedulingPolicy ${record.arn} is used by JobQueue ${queue.arn}`);
      }
    }
    store.schedulingPolicies.delete(record.name);
    return {};
  },
};

/** Scheduling policies are identified by ARN only: a bare name finds nothing, as in AWS. */
export function findSchedulingPolicy(store: BatchStore, arn: string): SchedulingPolicyRecord | undefined {
  return isArn(arn) ? store.schedulingPolicies.find(arn) : undefined;
}

export function mustFindSchedulingPolicy(store: BatchStore, arn: string): SchedulingPolicyRecord {
  const record = findSchedulingPolicy(store, arn);
  if (!record) throw clientError(`SchedulingPolicy ${arn} does not exist`);
  return record;
}

function checkOnePolicyType(fairsharePolicy: FairsharePolicy | undefined, quotaSharePolicy: QuotaSharePolicy | undefined): void {
  if (fairsharePolicy && quotaSharePolicy) throw clientError("Only one of fairsharePolicy or quotaSharePolicy can be set.");
}

function checkFairsharePolicy(policy: FairsharePolicy): void {
  checkRange(policy.shareDecaySeconds, 0, 604_800, "fairsharePolicy.shareDecaySeconds");
  checkRange(policy.computeReservation, 0, 99, "fairsharePolicy.computeReservation");
  const distribution = policy.shareDistribution ?? [];
  distribution.forEach((share, i) => checkShareAttributes(share, `fairsharePolicy.shareDistribution[${i}]`));
  checkNoOverlap(distribution);
}

function checkShareAttributes(share: ShareAttributes, path: string): void {
  const identifier = share.shareIdentifier ?? "";
  if (!SHARE_IDENTIFIER.test(identifier)) {
    throw clientError(`${path}.shareIdentifier ${identifier} is not valid: it must be 1 to 255 alphanumeric characters, optionally followed by *.`);
  }
  // weightFactor is a float, so the integer range check does not apply.
  const weight = share.weightFactor;
  if (weight !== undefined && !(weight >= MIN_WEIGHT_FACTOR && weight <= MAX_WEIGHT_FACTOR)) {
    throw clientError(`${path}.weightFactor must be between ${MIN_WEIGHT_FACTOR} and ${MAX_WEIGHT_FACTOR}, got ${weight}.`);
  }
}

/** `UserA*` covers every identifier starting with `UserA`, so it may not sit beside `UserA1` or `UserA1*`. */
function checkNoOverlap(distribution: readonly ShareAttributes[]): void {
  const identifiers = distribution.map((share) => share.shareIdentifier ?? "");
  identifiers.forEach((identifier, i) => {
    if (identifiers.indexOf(identifier) !== i) {
      throw clientError(`fairsharePolicy.shareDistribution lists the share identifier ${identifier} more than once.`);
    }
  });
  for (const prefix of identifiers.filter((identifier) => identifier.endsWith("*"))) {
    const stem = prefix.slice(0, -1);
    const other = identifiers.find((identifier) => identifier !== prefix && identifier.startsWith(stem));
    if (other !== undefined) {
      throw clientError(`fairsharePolicy.shareDistribution share identifiers ${prefix} and ${other} overlap; share identifiers can't overlap.`);
    }
  }
}

/** Describe shows every fair-share setting, with AWS's defaults filled in. */
function withDefaults(policy: FairsharePolicy): FairsharePolicy {
  return {
    shareDecaySeconds: policy.shareDecaySeconds ?? 0,
    computeReservation: policy.computeReservation ?? 0,
    shareDistribution: (policy.shareDistribution ?? []).map((share) => ({
      shareIdentifier: share.shareIdentifier,
      weightFactor: share.weightFactor ?? 1,
    })),
  };
}
