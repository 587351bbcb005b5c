import type { BatchOperations } from "./context";
import { computeEnvironmentOperations } from "./compute-environments";
import { jobQueueOperations } from "./job-queues";
import { schedulingPolicyOperations } from "./scheduling-policies";
import { jobDefinitionOperations } from "./job-definitions";
import { jobOperations } from "./jobs";
import { consumableResourceOperations } from "./consumable-resources";
import { serviceEnvironmentOperations } from "./service-environments";
import { quotaShareOperations } from "./quota-shares";
import { serviceJobOperations } from "./service-jobs";
import { tagOperations } from "./tags";

/** Every Batch operation, grouped by resource. The type makes the compiler report a missing one. */
export const operations: BatchOperations = {
  ...computeEnvironmentOperations,
  ...jobQueueOperations,
  ...schedulingPolicyOperations,
  ...jobDefinitionOperations,
  ...jobOperations,
  ...consumableResourceOperations,
  ...serviceEnvironmentOperations,
  ...quotaShareOperations,
  ...serviceJobOperations,
  ...tagOperations,
};
