import { LOGS_OPERATION_PREFIX } from "../logs";
import { LOGS_TARGET_PREFIX } from "../model/logs-model";
import { BatchError, clientError, type BatchErrorType } from "../operations/errors";
import { ConnectionFaultError } from "../faults";
import type { BatchService } from "../service";
import type { Partition } from "../state/partition";
import { isPromise } from "../state/maybe-promise";
import { ListedOutput } from "../state/plain-data";
import { defaultRoutes, type FoundRoute, type RouteTable } from "./routes";

/** An HTTP request as both adapters see it, before any Batch meaning is given to it. */
export interface WireRequest {
  method: string;
  /** The path without the query string, still percent-encoded. */
  path: string;
  query?: Record<string, string | string[] | null | undefined>;
  headers?: Record<string, string | undefined>;
  body?: Uint8Array | string | null;
  /** Aborted when the caller gives up (the SDK's abort signal, or a closed connection): cuts an injected latency short. */
  signal?: AbortSignal;
}

export interface WireResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: Uint8Array;
  /** An injected connection fault the adapter carries out instead of sending this answer as it is. */
  fault?: "drop" | "truncate";
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * Decodes, calls, encodes: the whole of the wire layer. Never throws, and answers without a promise when
 * the call needed no waiting.
 */
export function answer(service: BatchService, request: WireRequest, maxBodyBytes = DEFAULT_MAX_BODY_BYTES, routes: RouteTable = defaultRoutes()): WireResponse | Promise<WireResponse> {
  const logsOperation = logsOperationOf(request);
  if (logsOperation !== undefined) return answerLogs(service, request, logsOperation, maxBodyBytes);
  const requestId = service.newRequestId();
  try {
    const found = routeOf(routes, request);
    const body = request.body;
    const requestBytes = body == null ? 0 : typeof body === "string" ? Buffer.byteLength(body) : body.byteLength;
    const input = decodeInput(found, request, requestBytes, maxBodyBytes);
    const output = inPartition(service, request, (partition) => service.invoke(found.route.operation, input, partition, requestId, true, requestBytes, request.signal));
    if (isPromise(output)) return output.then((value) => encodeJson(200, value, requestId)).catch((error: unknown) => encodeFailure(error, requestId));
    return encodeJson(200, output, requestId);
  } catch (error) {
    return encodeFailure(error, requestId);
  }
}

const NO_HEADERS: Record<string, string | undefined> = Object.freeze({});

// ---- CloudWatch Logs: awsJson1_1, every operation `POST /` named by `X-Amz-Target` (reference §1) ----

const LOGS_TARGET = `${LOGS_TARGET_PREFIX}.`;
const LOGS_HEADERS = Object.freeze({ "content-type": "application/x-amz-json-1.1" });

/** The Logs operation a request names, or undefined when it is not a Logs request (Batch's are restJson1 on `/v1/*`). */
function logsOperationOf(request: WireRequest): string | undefined {
  const target = request.headers === undefined ? undefined : headerValue(request.headers, "x-amz-target");
  if (target === undefined || !target.startsWith(LOGS_TARGET) || request.path !== "/") return undefined;
  return target.slice(LOGS_TARGET.length);
}

/** A Logs call: the body is the whole input; answers and errors are awsJson1_1, errors with `__type` and `x-amzn-errortype`. */
function answerLogs(service: BatchService, request: WireRequest, operation: string, maxBodyBytes: number): WireResponse | Promise<WireResponse> {
  const requestId = service.newRequestId();
  const failed = (error: unknown) => encodeFailure(error, requestId, LOGS_HEADERS, "InternalFailure");
  try {
    if (request.method.toUpperCase() !== "POST") throw new BatchError("SerializationException", `CloudWatch Logs operations take POST, not ${request.method.toUpperCase()}.`);
    const body = request.body;
    const requestBytes = body == null ? 0 : typeof body === "string" ? Buffer.byteLength(body) : body.byteLength;
    let input: Record<string, unknown>;
    try {
      input = parseBody(body, requestBytes, maxBodyBytes);
    } catch (error) {
      throw error instanceof BatchError ? new BatchError("SerializationException", error.message) : error;
    }
    const output = inPartition(service, request, (partition) => service.invoke(`${LOGS_OPERATION_PREFIX}${operation}`, input, partition, requestId, true, requestBytes, request.signal));
    if (isPromise(output)) return output.then((value) => encodeJson(200, value, requestId, LOGS_HEADERS)).catch(failed);
    return encodeJson(200, output, requestId, LOGS_HEADERS);
  } catch (error) {
    return failed(error);
  }
}

function encodeFailure(error: unknown, requestId: string, headers?: Record<string, string>, internal: BatchErrorType = "ServerException"): WireResponse {
  if (error instanceof ConnectionFaultError) {
    // A truncated answer claims a whole body and sends half of it; a dropped one sends nothing.
    return { ...encodeJson(200, { message: error.message }, requestId, headers), fault: error.connection };
  }
  const failure = error instanceof BatchError ? error : new BatchError(internal, `Internal error in parlel-batch: ${String(error)}`);
  return encodeError(failure, requestId, headers);
}

/** The route bound to the request's method and path, or the error that says why there is none. */
function routeOf(routes: RouteTable, request: WireRequest): FoundRoute {
  const match = routes.match(request.method, request.path);
  if (match.kind === "found") return match;
  if (match.kind === "not-found") {
    throw new BatchError("UnknownOperationException", `No Batch operation is bound to ${request.method.toUpperCase()} ${request.path}.`);
  }
  throw new BatchError("MethodNotAllowedException", `${request.path} takes ${match.allowed.join(" or ")}, not ${request.method.toUpperCase()}.`);
}

/** The operation's input: the body's members, then those bound to the query string and the path. */
function decodeInput({ route, labels }: FoundRoute, request: WireRequest, requestBytes: number, maxBodyBytes: number): Record<string, unknown> {
  // A new object every time: JSON.parse's result, or a fresh `{}`.
  const input: Record<string, unknown> = parseBody(request.body, requestBytes, maxBodyBytes);
  for (const binding of route.query) {
    const raw = request.query?.[binding.name];
    if (raw === undefined || raw === null) continue;
    const values = Array.isArray(raw) ? raw : [raw];
    input[binding.member] = binding.list ? values : values[values.length - 1];
  }
  if (route.labels.length > 0) Object.assign(input, labels);
  return input;
}

function parseBody(body: WireRequest["body"], size: number, maxBodyBytes: number): Record<string, unknown> {
  if (size > maxBodyBytes) throw clientError(`The request body is ${size} bytes; parlel-batch accepts at most ${maxBodyBytes}.`);
  if (size === 0 || body == null) return {};
  let text: string;
  try {
    text = typeof body === "string" ? body : decoder.decode(body);
  } catch {
    throw clientError("The request body is not valid UTF-8.");
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    // A body of white space alone is no body; only a body that fails to parse is looked at for that.
    if (text.trim() === "") return {};
    throw clientError(`The request body is not valid JSON: ${(error as Error).message}.`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw clientError("The request body must be a JSON object.");
  }
  return parsed as Record<string, unknown>;
}

/**
 * Runs the call in the request's partition: its key's account and its scope's region. With verification on,
 * the signature is checked first, so a refused request changes nothing, whichever service it is for.
 */
function inPartition<T>(service: BatchService, request: WireRequest, call: (partition: Partition) => T | Promise<T>): T | Promise<T> {
  if (service.signatures.verifying) return service.signatures.check(request).then(call);
  return call(partitionOf(request.headers ?? NO_HEADERS, service.defaultAccountId, service.defaultRegion, service.signatures));
}

const CREDENTIAL = /Credential=([^/,\s]+)\/\d{8}\/([^/,\s]+)\/[^/,\s]+\/aws4_request/;

/**
 * The region comes from the SigV4 credential scope. The account is the one a configured key belongs to; else an
 * access key id of 12 digits names the account; else the default account.
 */
export function partitionOf(headers: Record<string, string | undefined>, defaultAccountId: string, defaultRegion: string, keys?: { accountOf(accessKeyId: string): string | undefined }): Partition {
  const authorization = headerValue(headers, "authorization") ?? "";
  // Every signed request repeats its client's credential scope: when the first `Credential=` starts with
  // the scope matched last time, the expression would match it again, with the same result.
  const at = authorization.indexOf("Credential=");
  const last = lastScope;
  if (at >= 0 && last !== undefined && last.defaultAccountId === defaultAccountId && last.keys === keys && authorization.startsWith(last.text, at)) return last.partition;
  const match = CREDENTIAL.exec(authorization);
  if (!match) return Object.freeze({ accountId: defaultAccountId, region: defaultRegion });
  const [text, accessKeyId, region] = match;
  // Frozen: one partition object serves every call with this scope, and records keep it.
  const accountId = keys?.accountOf(accessKeyId) ?? (/^\d{12}$/.test(accessKeyId) ? accessKeyId : defaultAccountId);
  const partition = Object.freeze({ accountId, region });
  if (match.index === at) lastScope = { text, defaultAccountId, keys, partition };
  return partition;
}

let lastScope: { text: string; defaultAccountId: string; keys: unknown; partition: Partition } | undefined;

/** A header by its lower-case name, whatever case the client used. */
export function headerValue(headers: Record<string, string | undefined>, name: string): string | undefined {
  // Smithy clients name their headers in lower case: most lookups end here.
  const exact = headers[name];
  if (exact !== undefined) return exact;
  for (const key in headers) {
    if (Object.prototype.hasOwnProperty.call(headers, key) && key.toLowerCase() === name) return headers[key];
  }
  return undefined;
}

export function encodeJson(statusCode: number, value: unknown, requestId: string, extraHeaders?: Record<string, string>): WireResponse {
  // Buffer.from encodes small strings several times faster than TextEncoder; a Buffer is a Uint8Array.
  const body = value instanceof ListedOutput ? ListedOutput.encode(value) : Buffer.from(JSON.stringify(value) ?? "");
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "content-length": String(body.byteLength),
    "x-amzn-requestid": requestId,
  };
  return { statusCode, headers: extraHeaders ? Object.assign(headers, extraHeaders) : headers, body };
}

export function encodeError(error: BatchError, requestId: string, headers?: Record<string, string>): WireResponse {
  return encodeJson(error.statusCode, { __type: error.type, message: error.message }, requestId, { ...headers, "x-amzn-errortype": error.type });
}
