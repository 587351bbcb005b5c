import { BatchError } from "../operations/errors";

/** CloudWatch Logs' texts (reference §1.4). */
export const GROUP_NOT_FOUND = "The specified log group does not exist.";
export const STREAM_NOT_FOUND = "The specified log stream does not exist.";

export function invalidParameter(message: string): BatchError {
  return new BatchError("InvalidParameterException", message);
}

export function notFound(message: string): BatchError {
  return new BatchError("ResourceNotFoundException", message);
}

/** AWS's standard validation wording, as CloudWatch Logs sends it for a constraint a member breaks. */
export function validationError(value: unknown, member: string, constraint: string): BatchError {
  const shown = value === null || value === undefined ? "null" : `'${String(value)}'`;
  return invalidParameter(`1 validation error detected: Value ${shown} at '${member}' failed to satisfy constraint: ${constraint}`);
}

/** A number member within [min, max]. */
export function checkRange(value: number | undefined, member: string, min: number, max?: number): void {
  if (value === undefined) return;
  if (value < min) throw validationError(value, member, `Member must have value greater than or equal to ${min}`);
  if (max !== undefined && value > max) throw validationError(value, member, `Member must have value less than or equal to ${max}`);
}

const GROUP_NAME = /^[.\-_/#A-Za-z0-9]+$/;
const STREAM_NAME = /^[^:*]*$/;

export function checkGroupName(value: string | undefined, member = "logGroupName"): void {
  if (value === undefined) return;
  checkLength(value, member, 1, 512);
  if (!GROUP_NAME.test(value)) throw validationError(value, member, "Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+");
}

export function checkStreamName(value: string | undefined, member = "logStreamName"): void {
  if (value === undefined) return;
  checkLength(value, member, 1, 512);
  if (!STREAM_NAME.test(value)) throw validationError(value, member, "Member must satisfy regular expression pattern: [^:*]*");
}

export function checkLength(value: string, member: string, min: number, max: number): void {
  if (value.length < min) throw validationError(value, member, `Member must have length greater than or equal to ${min}`);
  if (value.length > max) throw validationError(value, member, `Member must have length less than or equal to ${max}`);
}
