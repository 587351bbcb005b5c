import type { OperationGroup } from "./context";
import { BatchError } from "./errors";

const notImplemented = (name: string) => new BatchError("UnknownOperationException", `${name} is not implemented yet.`, 400);

export const quotaShareOperations: OperationGroup<"CreateQuotaShare" | "DescribeQuotaShare" | "ListQuotaShares" | "UpdateQuotaShare" | "DeleteQuotaShare"> = {
  CreateQuotaShare() {
    throw notImplemented("CreateQuotaShare");
  },
  DescribeQuotaShare() {
    throw notImplemented("DescribeQuotaShare");
  },
  ListQuotaShares() {
    throw notImplemented("ListQuotaShares");
  },
  UpdateQuotaShare() {
    throw notImplemented("UpdateQuotaShare");
  },
  DeleteQuotaShare() {
    throw notImplemented("DeleteQuotaShare");
  },
};
