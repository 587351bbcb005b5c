import { batchArn, type ResourceKind } from "../state/arn";
import { isTransient } from "../state/engine";
import type { Partition } from "../state/partition";
import type { ResourceRecord } from "../state/records";
import type { ResourceTable } from "../state/resource-table";
import type { OperationContext } from "./context";
import { globMatches } from "../state/patterns";
import { copyData } from "../state/plain-data";
import { clientError, executionError } from "./errors";

/** Batch's own rules that the model cannot express; each throws a ClientException with AWS's wording. */

const RESOURCE_NAME = /^[a-zA-Z0-9_-]{1,128}$/;
const JOB_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,127}$/;

/** Names of compute environments, queues, job definitions, policies and the newer resources. */
export function checkResourceName(name: string): void {
  if (!RESOURCE_NAME.test(name)) throw clientError(`Provided name ${name} is not supported pattern[a-zA-Z_0-9-]{1,128}`);
}

/**
 * A Create* call's name must be free; where AWS sets a quota per account and region, there must be room
 * for one more. The texts are AWS's (`Object already exists`) and its execution-error frame.
 */
export function checkNameIsFree(
  table: { has(name: string): boolean; readonly size: number },
  name: string,
  quota?: { max: number; of: string; requestId: string },
): void {
  if (table.has(name)) throw clientError("Object already exists");
  if (quota && table.size >= quota.max) throw executionError(`Maximum number of ${quota.of} (${quota.max}) reached`, quota.requestId);
}

export function checkJobName(name: string, requestId: string): void {
  if (!JOB_NAME.test(name)) throw executionError("Job name should match valid pattern", requestId);
}

export function checkTags(tags: Record<string, string> | undefined, path = "tags"): void {
  if (tags === undefined) return;
  const keys = Object.keys(tags);
  if (keys.length > 50) throw clientError(`${path} can have at most 50 entries, got ${keys.length}.`);
  for (const key of keys) checkTagKey(key, path);
  for (const [key, value] of Object.entries(tags)) {
    if (value.length > 256) throw clientError(`${path}.${key}: a tag value can have at most 256 characters.`);
  }
}

export function checkTagKey(key: string, path = "tagKeys"): void {
  if (key.length < 1 || key.length > 128) throw clientError(`${path}: a tag key must have 1 to 128 characters, got "${key}".`);
  if (key.toLowerCase().startsWith("aws:")) throw clientError(`${path}: the tag key ${key} uses the reserved prefix aws:.`);
}

export function checkRange(value: number | undefined, min: number, max: number, path: string): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw clientError(`${path} must be an integer between ${min} and ${max}, got ${value}.`);
  }
}

export function checkMaxResults(value: number | undefined, max = 100): void {
  checkRange(value, 1, max, "maxResults");
}

export function checkListLength(list: readonly unknown[] | undefined, max: number, path: string, min = 0): void {
  if (list === undefined) return;
  if (list.length < min || list.length > max) {
    throw clientError(min > 0 ? `${path} must have between ${min} and ${max} entries, got ${list.length}.` : `${path} can have at most ${max} entries, got ${list.length}.`);
  }
}

export function checkNotEmpty(value: string, path: string): void {
  if (value.length === 0) throw clientError(`${path} must not be empty.`);
}

/** A deep copy for Describe output, so callers never hold a reference into the store. */
export function copy<T>(value: T): T {
  return copyData(value);
}

/**
 * A resource by name or ARN, or AWS's "does not exist" for Update and Delete, which echoes the ARN: the one
 * given, or the one the name would have. The kind's name (`JobQueue`) comes from the table's ARN kind.
 */
export function mustFindResource<R extends ResourceRecord<unknown>>(table: ResourceTable<R>, identifier: string, partition: Partition): R {
  const record = table.find(identifier);
  if (record) return record;
  const arn = identifier.startsWith("arn:") ? identifier : batchArn(partition, table.kind, identifier);
  throw clientError(`${kindName(table.kind)} ${arn} does not exist`);
}

function kindName(kind: ResourceKind): string {
  return kind.replace(/(^|-)([a-z])/g, (_, _dash: string, letter: string) => letter.toUpperCase());
}

/** Updates and deletes wait until a resource is no longer CREATING, UPDATING or DELETING. */
export function checkNotBeingModified(status: string | undefined, action: "update" | "delete"): void {
  if (isTransient(status)) throw clientError(`Cannot ${action}, resource is being modified`);
}

/** A resource with a state is deleted once it is DISABLED, and not while it is being modified. */
export function checkDeletable(kind: string, name: string, detail: { status?: string; state?: string }): void {
  checkNotBeingModified(detail.status, "delete");
  if (detail.state !== "DISABLED") throw clientError(`Cannot delete, ${kind} ${name} is in ${detail.state} state. Disable it first.`);
}

/** A request's size for AWS's size limits: the body it came in, or, for a call made without one (fake.service.call), its JSON. */
export function requestSize(input: unknown, context: Pick<OperationContext, "requestBytes">): number {
  return context.requestBytes ?? Buffer.byteLength(JSON.stringify(input));
}

const MAX_REASON_LENGTH = 1024;

/** The reason given for cancelling or terminating a job: 1 to 1024 characters. */
export function checkReason(reason: string): void {
  checkNotEmpty(reason, "reason");
  if (reason.length > MAX_REASON_LENGTH) throw clientError(`reason can have at most ${MAX_REASON_LENGTH} characters, got ${reason.length}.`);
}

/**
 * The bulk stops (CancelJobs, TerminateJobs, TerminateServiceJobs): 1 to 50 ids and a reason. Each id is stopped
 * when it is found; ids that are not found count as successful, as AWS counts them; an empty id is an error.
 */
export function stopEach(jobIds: string[], reason: string, emptyIdMessage: string, stop: (jobId: string) => void): { successful: string[]; errors: { job: string; code: string; message: string }[] } {
  checkListLength(jobIds, 50, "jobs", 1);
  checkReason(reason);
  const successful: string[] = [];
  const errors: { job: string; code: string; message: string }[] = [];
  for (const jobId of jobIds) {
    if (jobId === "") {
      errors.push({ job: jobId, code: "ValidationException", message: emptyIdMessage });
      continue;
    }
    stop(jobId);
    successful.push(jobId);
  }
  return { successful, errors };
}

/** Batch's name filters: case-insensitive, and a trailing `*` makes the value a prefix. */
export function matchesNameFilter(name: string, pattern: string): boolean {
  return globMatches(pattern.toLowerCase(), name.toLowerCase());
}

const EXIT_CODE_PATTERN = /^[0-9]*\*?$/;
const REASON_PATTERN = /^[A-Za-z0-9.:\s]*\*?$/;

/** A retry strategy, on a job definition or a SubmitJob override: 1–10 attempts and up to 5 exit rules. */
export function checkRetryStrategy(
  strategy: { attempts?: number; evaluateOnExit?: { onExitCode?: string; onReason?: string; onStatusReason?: string }[] } | undefined,
  path = "retryStrategy",
): void {
  if (strategy === undefined) return;
  checkRange(strategy.attempts, 1, 10, `${path}.attempts`);
  const rules = strategy.evaluateOnExit ?? [];
  checkListLength(rules, 5, `${path}.evaluateOnExit`);
  if (rules.length > 0 && strategy.attempts === undefined) {
    throw clientError(`${path}.attempts must be specified when ${path}.evaluateOnExit is.`);
  }
  rules.forEach((rule, i) => {
    const rulePath = `${path}.evaluateOnExit[${i}]`;
    if (rule.onExitCode !== undefined && (rule.onExitCode === "" || rule.onExitCode.length > 512 || !EXIT_CODE_PATTERN.test(rule.onExitCode))) {
      throw clientError(`${rulePath}.onExitCode ${rule.onExitCode} must be 1 to 512 digits, optionally ending with *.`);
    }
    for (const field of ["onReason", "onStatusReason"] as const) {
      const pattern = rule[field];
      if (pattern !== undefined && (pattern === "" || pattern.length > 512 || !REASON_PATTERN.test(pattern))) {
        throw clientError(`${rulePath}.${field} must be 1 to 512 letters, digits, periods, colons and white space, optionally ending with *.`);
      }
    }
  });
}

/** A timeout, on a job definition or a SubmitJob override: at least 60 seconds, with no maximum. */
export function checkTimeout(timeout: { attemptDurationSeconds?: number } | undefined, path = "timeout"): void {
  const seconds = timeout?.attemptDurationSeconds;
  if (seconds === undefined) return;
  if (!Number.isInteger(seconds) || seconds < 60) {
    throw clientError(`${path}.attemptDurationSeconds must be an integer of at least 60 seconds, got ${seconds}.`);
  }
}
