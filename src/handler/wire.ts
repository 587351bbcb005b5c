import { BatchError, clientError } from "../operations/errors";
import type { BatchService } from "../service";
import type { Partition } from "../state/partition";
import { defaultRoutes, type RouteTable } from "./routes";

/** An HTTP request as both adapters see it, before any Batch meaning is given to it. */
export interface WireRequest {
  method: string;
  /** The path without the query string, still percent-encoded. */
  path: string;
  query: Record<string, string | string[] | null | undefined>;
  headers: Record<string, string | undefined>;
  body?: Uint8Array | string;
}

export interface WireResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: Uint8Array;
}

/** A decoded Batch call: which operation, with what input, in which account and region. */
export interface DecodedCall {
  operation: string;
  input: Record<string, unknown>;
  partition: Partition;
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** Decodes, calls, encodes: the whole of the wire layer. Never throws. */
export async function answer(service: BatchService, request: WireRequest, options: { routes?: RouteTable; maxBodyBytes?: number } = {}): Promise<WireResponse> {
  const requestId = service.newRequestId();
  let call: DecodedCall | undefined;
  try {
    call = decodeRequest(service, request, options.routes ?? defaultRoutes(), options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
    const output = await service.call(call.operation, call.input, call.partition, requestId);
    return encodeJson(200, output, requestId);
  } catch (error) {
    const failure = error instanceof BatchError ? error : new BatchError("ServerException", `Internal error in parlel-batch: ${String(error)}`);
    return encodeError(failure, requestId);
  }
}

export function decodeRequest(service: BatchService, request: WireRequest, routes: RouteTable, maxBodyBytes: number): DecodedCall {
  const match = routes.match(request.method, request.path);
  if (match.kind === "not-found") {
    throw new BatchError("UnknownOperationException", `No Batch operation is bound to ${request.method.toUpperCase()} ${request.path}.`);
  }
  if (match.kind === "wrong-method") {
    throw new BatchError("MethodNotAllowedException", `${request.path} takes ${match.allowed.join(" or ")}, not ${request.method.toUpperCase()}.`);
  }
  const { route, labels } = match;
  const input: Record<string, unknown> = { ...parseBody(request, maxBodyBytes) };
  for (const binding of route.query) {
    const raw = request.query[binding.name];
    if (raw === undefined || raw === null) continue;
    const values = Array.isArray(raw) ? raw : [raw];
    input[binding.member] = binding.list ? values : values[values.length - 1];
  }
  Object.assign(input, labels);
  return { operation: route.operation, input, partition: partitionOf(request.headers, service.defaultAccountId, service.defaultRegion) };
}

function parseBody(request: WireRequest, maxBodyBytes: number): Record<string, unknown> {
  const body = request.body;
  const size = body === undefined ? 0 : typeof body === "string" ? Buffer.byteLength(body) : body.byteLength;
  if (size > maxBodyBytes) throw clientError(`The request body is ${size} bytes; parlel-batch accepts at most ${maxBodyBytes}.`);
  if (size === 0 || body === undefined) return {};
  let text: string;
  try {
    text = typeof body === "string" ? body : decoder.decode(body);
  } catch {
    throw clientError("The request body is not valid UTF-8.");
  }
  if (text.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw clientError(`The request body is not valid JSON: ${(error as Error).message}.`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw clientError("The request body must be a JSON object.");
  }
  return parsed as Record<string, unknown>;
}

const CREDENTIAL = /Credential=([^/,\s]+)\/\d{8}\/([^/,\s]+)\/[^/,\s]+\/aws4_request/;

/** The region comes from the SigV4 credential scope; an access key id of 12 digits names the account. */
export function partitionOf(headers: Record<string, string | undefined>, defaultAccountId: string, defaultRegion: string): Partition {
  const authorization = headerValue(headers, "authorization") ?? "";
  const match = CREDENTIAL.exec(authorization);
  if (!match) return { accountId: defaultAccountId, region: defaultRegion };
  const [, accessKeyId, region] = match;
  return { accountId: /^\d{12}$/.test(accessKeyId) ? accessKeyId : defaultAccountId, region };
}

export function headerValue(headers: Record<string, string | undefined>, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value;
  return undefined;
}

export function encodeJson(statusCode: number, value: unknown, requestId: string, extraHeaders: Record<string, string> = {}): WireResponse {
  const body = encoder.encode(JSON.stringify(value));
  return {
    statusCode,
    headers: {
      "content-type": "application/json",
      "content-length": String(body.byteLength),
      "x-amzn-requestid": requestId,
      ...extraHeaders,
    },
    body,
  };
}

export function encodeError(error: BatchError, requestId: string): WireResponse {
  return encodeJson(error.statusCode, { __type: error.type, message: error.message }, requestId, { "x-amzn-errortype": error.type });
}
