import type { OperationGroup } from "./context";
import { BatchError } from "./errors";

const notImplemented = (name: string) => new BatchError("UnknownOperationException", `${name} is not implemented yet.`, 400);

export const tagOperations: OperationGroup<"TagResource" | "UntagResource" | "ListTagsForResource"> = {
  TagResource() {
    throw notImplemented("TagResource");
  },
  UntagResource() {
    throw notImplemented("UntagResource");
  },
  ListTagsForResource() {
    throw notImplemented("ListTagsForResource");
  },
};
