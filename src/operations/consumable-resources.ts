import type { OperationGroup } from "./context";
import { BatchError } from "./errors";

const notImplemented = (name: string) => new BatchError("UnknownOperationException", `${name} is not implemented yet.`, 400);

export const consumableResourceOperations: OperationGroup<"CreateConsumableResource" | "DescribeConsumableResource" | "ListConsumableResources" | "UpdateConsumableResource" | "DeleteConsumableResource" | "ListJobsByConsumableResource"> = {
  CreateConsumableResource() {
    throw notImplemented("CreateConsumableResource");
  },
  DescribeConsumableResource() {
    throw notImplemented("DescribeConsumableResource");
  },
  ListConsumableResources() {
    throw notImplemented("ListConsumableResources");
  },
  UpdateConsumableResource() {
    throw notImplemented("UpdateConsumableResource");
  },
  DeleteConsumableResource() {
    throw notImplemented("DeleteConsumableResource");
  },
  ListJobsByConsumableResource() {
    throw notImplemented("ListJobsByConsumableResource");
  },
};
