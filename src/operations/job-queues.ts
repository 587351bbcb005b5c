import type { OperationGroup } from "./context";
import { BatchError } from "./errors";

const notImplemented = (name: string) => new BatchError("UnknownOperationException", `${name} is not implemented yet.`, 400);

export const jobQueueOperations: OperationGroup<"CreateJobQueue" | "DescribeJobQueues" | "UpdateJobQueue" | "DeleteJobQueue" | "GetJobQueueSnapshot"> = {
  CreateJobQueue() {
    throw notImplemented("CreateJobQueue");
  },
  DescribeJobQueues() {
    throw notImplemented("DescribeJobQueues");
  },
  UpdateJobQueue() {
    throw notImplemented("UpdateJobQueue");
  },
  DeleteJobQueue() {
    throw notImplemented("DeleteJobQueue");
  },
  GetJobQueueSnapshot() {
    throw notImplemented("GetJobQueueSnapshot");
  },
};
