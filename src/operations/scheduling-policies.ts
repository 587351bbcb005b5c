import type { OperationGroup } from "./context";
import { BatchError } from "./errors";

const notImplemented = (name: string) => new BatchError("UnknownOperationException", `${name} is not implemented yet.`, 400);

export const schedulingPolicyOperations: OperationGroup<"CreateSchedulingPolicy" | "DescribeSchedulingPolicies" | "ListSchedulingPolicies" | "UpdateSchedulingPolicy" | "DeleteSchedulingPolicy"> = {
  CreateSchedulingPolicy() {
    throw notImplemented("CreateSchedulingPolicy");
  },
  DescribeSchedulingPolicies() {
    throw notImplemented("DescribeSchedulingPolicies");
  },
  ListSchedulingPolicies() {
    throw notImplemented("ListSchedulingPolicies");
  },
  UpdateSchedulingPolicy() {
    throw notImplemented("UpdateSchedulingPolicy");
  },
  DeleteSchedulingPolicy() {
    throw notImplemented("DeleteSchedulingPolicy");
  },
};
