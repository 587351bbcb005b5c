import type { OperationGroup } from "./context";
import { BatchError } from "./errors";

const notImplemented = (name: string) => new BatchError("UnknownOperationException", `${name} is not implemented yet.`, 400);

export const jobOperations: OperationGroup<"SubmitJob" | "DescribeJobs" | "ListJobs" | "CancelJob" | "CancelJobs" | "TerminateJob" | "TerminateJobs"> = {
  SubmitJob() {
    throw notImplemented("SubmitJob");
  },
  DescribeJobs() {
    throw notImplemented("DescribeJobs");
  },
  ListJobs() {
    throw notImplemented("ListJobs");
  },
  CancelJob() {
    throw notImplemented("CancelJob");
  },
  CancelJobs() {
    throw notImplemented("CancelJobs");
  },
  TerminateJob() {
    throw notImplemented("TerminateJob");
  },
  TerminateJobs() {
    throw notImplemented("TerminateJobs");
  },
};
