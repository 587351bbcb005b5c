import type { OperationGroup } from "./context";
import { BatchError } from "./errors";

const notImplemented = (name: string) => new BatchError("UnknownOperationException", `${name} is not implemented yet.`, 400);

export const serviceEnvironmentOperations: OperationGroup<"CreateServiceEnvironment" | "DescribeServiceEnvironments" | "UpdateServiceEnvironment" | "DeleteServiceEnvironment"> = {
  CreateServiceEnvironment() {
    throw notImplemented("CreateServiceEnvironment");
  },
  DescribeServiceEnvironments() {
    throw notImplemented("DescribeServiceEnvironments");
  },
  UpdateServiceEnvironment() {
    throw notImplemented("UpdateServiceEnvironment");
  },
  DeleteServiceEnvironment() {
    throw notImplemented("DeleteServiceEnvironment");
  },
};
