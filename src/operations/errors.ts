/** The two errors the Batch model declares, plus the protocol-level ones a wire adapter may raise. */
export type BatchErrorType =
  | "ClientException"
  | "ServerException"
  | "UnknownOperationException"
  | "MethodNotAllowedException"
  | LogsErrorType
  | SignatureErrorType;

/** CloudWatch Logs' errors, for its operations on the same wire (reference §1.3–1.4). */
export type LogsErrorType = "InvalidParameterException" | "ResourceNotFoundException" | "SerializationException" | "InternalFailure";

/** SigV4 verification's errors, on either service (reference aws-logs-events-faults §9). */
export type SignatureErrorType = "MissingAuthenticationTokenException" | "IncompleteSignatureException" | "UnrecognizedClientException" | "InvalidSignatureException";

const STATUS: Record<BatchErrorType, number> = {
  ClientException: 400,
  ServerException: 500,
  UnknownOperationException: 404,
  MethodNotAllowedException: 405,
  // Real CloudWatch Logs answers its client errors with 400.
  InvalidParameterException: 400,
  ResourceNotFoundException: 400,
  SerializationException: 400,
  InternalFailure: 500,
  MissingAuthenticationTokenException: 403,
  IncompleteSignatureException: 400,
  UnrecognizedClientException: 400,
  InvalidSignatureException: 400,
};

/** An error that becomes a modelled AWS error response: `x-amzn-errortype` plus `{"__type","message"}`. */
export class BatchError extends Error {
  /** One of Batch's own types, or another type an injected fault names (`ThrottlingException`, …). */
  readonly type: BatchErrorType | (string & {});
  readonly statusCode: number;

  constructor(type: BatchErrorType | (string & {}), message: string, statusCode = STATUS[type as BatchErrorType] ?? 400) {
    super(message);
    this.name = type;
    this.type = type;
    this.statusCode = statusCode;
  }
}

export function clientError(message: string): BatchError {
  return new BatchError("ClientException", message);
}

export function serverError(message: string): BatchError {
  return new BatchError("ServerException", message);
}

/** AWS wraps most server-side validation failures in this frame (reference §5). */
export function executionError(text: string, requestId: string): BatchError {
  return clientError(`Error executing request, Exception : ${text}, RequestId: ${requestId}`);
}
