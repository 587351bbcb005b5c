import { LOGS_MODEL, type LogsOperationName } from "../model/logs-model";
import { inputValidator } from "../model/validate";
import { BatchError } from "../operations/errors";
import type { OperationContext } from "../operations/context";
import { invalidParameter, validationError } from "./errors";
import { logsOperations } from "./operations";

/**
 * CloudWatch Logs calls enter the service as `logs:<Operation>` (the IAM action's name): so they are
 * recorded in `fake.requests`, and never mistaken for the Batch operation of the same name (TagResource…).
 */
export const LOGS_OPERATION_PREFIX = "logs:";

export interface LogsEntry {
  readonly handler: (input: unknown, context: OperationContext) => unknown;
  readonly validate: ((input: unknown) => void) | undefined;
  /** An operation of the Logs model (answered or not), rather than a name the client made up. */
  readonly known: boolean;
}

const OPERATIONS = new Map(LOGS_MODEL.operations.map((operation) => [operation.name, operation]));

/** The handler and input check of a `logs:<Operation>`; every Logs operation that is not answered fails clearly. */
export function logsEntry(operation: string): LogsEntry | undefined {
  if (!operation.startsWith(LOGS_OPERATION_PREFIX)) return undefined;
  const name = operation.slice(LOGS_OPERATION_PREFIX.length);
  if (Object.prototype.hasOwnProperty.call(logsOperations, name)) {
    const handler = logsOperations[name as LogsOperationName] as LogsEntry["handler"];
    return { handler, validate: logsValidator(OPERATIONS.get(name)!.inputShape), known: true };
  }
  const message = OPERATIONS.has(name)
    ? `parlel-batch does not implement the CloudWatch Logs operation ${name}: it answers GetLogEvents, FilterLogEvents, DescribeLogStreams and DescribeLogGroups.`
    : `CloudWatch Logs has no operation ${name}.`;
  return {
    handler: () => {
      throw new BatchError("UnknownOperationException", message, 400);
    },
    validate: undefined,
    known: OPERATIONS.has(name),
  };
}

/**
 * The model's check of an input, in CloudWatch Logs' terms: a missing required member is a validation error
 * in AWS's standard wording; a member of the wrong JSON type is a SerializationException, as awsJson
 * services answer a body they cannot read.
 */
function logsValidator(shapeName: string): (input: unknown) => void {
  const check = inputValidator(shapeName, LOGS_MODEL);
  const members = LOGS_MODEL.shapes[shapeName]?.members ?? {};
  const required = Object.keys(members).filter((member) => members[member].required);
  return (input) => {
    const given = input as Record<string, unknown>;
    for (const member of required) {
      if (given[member] === undefined || given[member] === null) throw validationError(null, member, "Member must not be null");
    }
    try {
      check(input);
    } catch (error) {
      if (!(error instanceof BatchError)) throw error;
      if (error.message.startsWith("Invalid value ")) throw invalidParameter(enumMessage(error.message));
      throw new BatchError("SerializationException", error.message);
    }
  };
}

/** `Invalid value X for orderBy: it must be one of A, B.` in AWS's standard wording. */
function enumMessage(message: string): string {
  const match = /^Invalid value (.*) for (\S+): it must be one of (.*)\.$/.exec(message);
  if (!match) return message;
  const [, value, member, allowed] = match;
  return `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: Member must satisfy enum value set: [${allowed}]`;
}
