import type { OperationGroup } from "./context";
import { BatchError } from "./errors";

const notImplemented = (name: string) => new BatchError("UnknownOperationException", `${name} is not implemented yet.`, 400);

export const serviceJobOperations: OperationGroup<"SubmitServiceJob" | "DescribeServiceJob" | "ListServiceJobs" | "TerminateServiceJob" | "TerminateServiceJobs" | "UpdateServiceJob"> = {
  SubmitServiceJob() {
    throw notImplemented("SubmitServiceJob");
  },
  DescribeServiceJob() {
    throw notImplemented("DescribeServiceJob");
  },
  ListServiceJobs() {
    throw notImplemented("ListServiceJobs");
  },
  TerminateServiceJob() {
    throw notImplemented("TerminateServiceJob");
  },
  TerminateServiceJobs() {
    throw notImplemented("TerminateServiceJobs");
  },
  UpdateServiceJob() {
    throw notImplemented("UpdateServiceJob");
  },
};
