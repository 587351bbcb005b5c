import type { OperationGroup } from "./context";
import { BatchError } from "./errors";

const notImplemented = (name: string) => new BatchError("UnknownOperationException", `${name} is not implemented yet.`, 400);

export const jobDefinitionOperations: OperationGroup<"RegisterJobDefinition" | "DescribeJobDefinitions" | "DeregisterJobDefinition"> = {
  RegisterJobDefinition() {
    throw notImplemented("RegisterJobDefinition");
  },
  DescribeJobDefinitions() {
    throw notImplemented("DescribeJobDefinitions");
  },
  DeregisterJobDefinition() {
    throw notImplemented("DeregisterJobDefinition");
  },
};
