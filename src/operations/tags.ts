import { parseBatchArn } from "../state/arn";
import type { Taggable } from "../state/records";
import type { BatchStore } from "../state/store";
import type { OperationGroup } from "./context";
import { clientError } from "./errors";
import { checkListLength, checkTagKey, checkTags, copy } from "./rules";

const MAX_TAGS = 50;
/** Any ARN's shape: `arn:partition:service:region:account:resource`. */
const ARN = /^arn:[^:]+:[^:]+:[^:]*:[^:]*:.+$/;

export const tagOperations: OperationGroup<"TagResource" | "UntagResource" | "ListTagsForResource"> = {
  TagResource(input, { store }) {
    const tags = input.tags;
    const count = Object.keys(tags).length;
    if (count === 0) throw clientError(`tags must have between 1 and ${MAX_TAGS} entries, got 0.`);
    checkTags(tags);
    const resource = mustFindTaggable(store, input.resourceArn);
    const combined = { ...(resource.tags ?? {}), ...tags };
    const total = Object.keys(combined).length;
    if (total > MAX_TAGS) {
      throw clientError(`Resource ${input.resourceArn} would have ${total} tags; a resource can have at most ${MAX_TAGS}.`);
    }
    resource.tags = combined;
    return {};
  },

  UntagResource(input, { store }) {
    checkListLength(input.tagKeys, MAX_TAGS, "tagKeys", 1);
    for (const key of input.tagKeys) checkTagKey(key);
    const resource = mustFindTaggable(store, input.resourceArn);
    // Keys the resource does not have are ignored, as AWS does.
    const remaining = { ...(resource.tags ?? {}) };
    for (const key of input.tagKeys) delete remaining[key];
    resource.tags = remaining;
    return {};
  },

  ListTagsForResource(input, { store }) {
    const resource = mustFindTaggable(store, input.resourceArn);
    return { tags: copy(resource.tags ?? {}) };
  },
};

/** The resource an ARN names in this account and region, or a ClientException that says why there is none. */
function mustFindTaggable(store: BatchStore, arn: string): Taggable {
  if (!ARN.test(arn)) throw clientError(`${arn} is not a valid ARN.`);
  const resource = store.findTaggable(arn);
  if (resource) return resource;
  const parsed = parseBatchArn(arn);
  if (parsed?.kind === "job" && /[:#]/.test(parsed.resource)) {
    throw clientError(`Resource ${arn} cannot be tagged: child jobs of array and multi-node parallel jobs are not taggable.`);
  }
  if (parsed?.kind === "job-definition" && !/:\d+$/.test(parsed.resource)) {
    throw clientError(`Resource ${arn} cannot be tagged: a job definition ARN must end with its revision.`);
  }
  throw clientError(`Resource ${arn} not found.`);
}
