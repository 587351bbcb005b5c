import { clientError, executionError } from "./errors";

/** Batch's own rules that the model cannot express; each throws a ClientException with AWS's wording. */

const RESOURCE_NAME = /^[a-zA-Z0-9_-]{1,128}$/;
const JOB_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,127}$/;

/** Names of compute environments, queues, job definitions, policies and the newer resources. */
export function checkResourceName(name: string): void {
  if (!RESOURCE_NAME.test(name)) throw clientError(`Provided name ${name} is not supported pattern[a-zA-Z_0-9-]{1,128}`);
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
  return structuredClone(value);
}
