import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { BatchError } from "../operations/errors";
import { answer, DEFAULT_MAX_BODY_BYTES, encodeError, type WireRequest, type WireResponse } from "../handler/wire";
import { isPromise } from "../state/maybe-promise";
import type { BatchService } from "../service";
import { controlRoutes, type ControlRequest } from "./control";

export interface ListenOptions {
  /** Default 4705. 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Bodies larger than this are refused with 413. Default 1 MiB. */
  maxBodyBytes?: number;
}

export interface RunningServer {
  /** For example `http://127.0.0.1:4705`. */
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  /**
   * Stops accepting connections, lets requests in flight finish, closes idle keep-alive connections,
   * and resolves once every connection is gone. Connections still busy after a few seconds are cut.
   */
  close(): Promise<void>;
}

export const DEFAULT_PORT = 4705;
const JSON_TYPES = /^application\/(x-amz-json-1\.[01]|json)\b/i;
/** How long `close()` waits for requests in flight before cutting their connections. */
const CLOSE_GRACE_MS = 3_000;
/**
 * An oversized body is read and thrown away up to this many bytes, so the client, which is still sending,
 * gets to read the 413 instead of a reset connection. Past it the connection is cut.
 */
const DISCARD_LIMIT_BYTES = 64 * 1024 * 1024;
const NO_REQUEST_ID = "00000000-0000-0000-0000-000000000000";

type Body = { kind: "complete"; bytes: Uint8Array } | { kind: "too-large"; drained: boolean } | { kind: "aborted" };

/** The HTTP adapter: node:http requests become the same wire requests the in-process handler makes. */
export function listen(getService: () => BatchService, options: ListenOptions = {}): Promise<RunningServer> {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  let closing: Promise<void> | undefined;
  const reply = (response: ServerResponse, wire: WireResponse, close = false) => send(response, wire, close || closing !== undefined);
  const onRequest = (request: IncomingMessage, response: ServerResponse) => {
    handle(getService(), request, response, maxBodyBytes, reply).catch((error: unknown) => {
      const failure = new BatchError("ServerException", `Internal error in parlel-batch: ${String(error)}`);
      reply(response, encodeError(failure, NO_REQUEST_ID));
    });
  };
  const server = createServer(onRequest);
  // A client that asks before sending (`Expect: 100-continue`, as curl does for large bodies) learns of an
  // oversized body before it sends a byte of it.
  server.on("checkContinue", (request: IncomingMessage, response: ServerResponse) => {
    if (declaredLength(request) > maxBodyBytes) {
      reply(response, tooLarge(getService(), maxBodyBytes), true);
      return;
    }
    response.writeContinue();
    onRequest(request, response);
  });
  // Slow or stalled clients must not hold the server: bound the time to send headers and a body.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 5_000;
  const host = options.host ?? "127.0.0.1";
  const close = () => {
    closing ??= new Promise<void>((done) => {
      const cut = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
      cut.unref();
      server.close(() => {
        clearTimeout(cut);
        done();
      });
      server.closeIdleConnections();
    });
    return closing;
  };
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? DEFAULT_PORT, host, () => {
      server.off("error", reject);
      const { port } = server.address() as AddressInfo;
      const shownHost = host.includes(":") ? `[${host}]` : host;
      resolve({ url: `http://${shownHost}:${port}`, port, server, close });
    });
  });
}

type Reply = (response: ServerResponse, wire: WireResponse, close?: boolean) => void;

async function handle(service: BatchService, request: IncomingMessage, response: ServerResponse, maxBodyBytes: number, reply: Reply): Promise<void> {
  const body = await readBody(request, maxBodyBytes);
  if (body.kind === "aborted") return;
  if (body.kind === "too-large") {
    // Once the whole body has been read the connection is in a clean state and may be kept alive.
    reply(response, tooLarge(service, maxBodyBytes), !body.drained);
    return;
  }
  const target = requestTarget(request.url);
  if (!target) {
    reply(response, encodeError(new BatchError("ClientException", `The request target ${request.url} is not a valid path.`), service.newRequestId()));
    return;
  }
  const headers = headersOf(request);
  if (target.path.startsWith("/_parlel/") || target.path === "/_parlel") {
    const control: ControlRequest = { method: request.method ?? "GET", path: target.path, query: new URLSearchParams(target.search), body: body.bytes, headers };
    reply(response, await controlRoutes(service, control));
    return;
  }
  const contentType = headers["content-type"];
  if (body.bytes.byteLength > 0 && contentType !== undefined && !JSON_TYPES.test(contentType)) {
    const error = new BatchError("ClientException", `Content-Type ${contentType} is not supported: Batch requests are application/json.`, 415);
    reply(response, encodeError(error, service.newRequestId()));
    return;
  }
  const wire: WireRequest = { method: request.method ?? "GET", path: target.path, query: target.search === "" ? NO_QUERY : queryOf(new URLSearchParams(target.search)), headers, body: body.bytes };
  const answered = answer(service, wire, maxBodyBytes);
  reply(response, isPromise(answered) ? await answered : answered);
}

const NO_QUERY: WireRequest["query"] = Object.freeze({});
const ENCODED_DOT = /%2e/i;
/** A target that URL parsing would leave as it is: a plain absolute path, with no dot segments. */
const PLAIN_PATH = /^\/(?:[A-Za-z0-9_~%:@!$&'()*+,;=-]|\/|\.(?![./]|$))*$/;

function tooLarge(service: BatchService, maxBodyBytes: number): WireResponse {
  const error = new BatchError("ClientException", `The request body is larger than ${maxBodyBytes} bytes, the most parlel-batch accepts.`, 413);
  return encodeError(error, service.newRequestId());
}

function declaredLength(request: IncomingMessage): number {
  const length = Number(request.headers["content-length"]);
  return Number.isFinite(length) ? length : 0;
}

/**
 * The path (still percent-encoded) and the query string of a request target. Origin-form targets
 * (`/v1/...`) are the norm, and a plain one is split as it is; anything else (dot segments, absolute-form
 * targets from proxies) goes through URL parsing.
 */
function requestTarget(target: string | undefined): { path: string; search: string } | undefined {
  if (target !== undefined) {
    const mark = target.indexOf("?");
    const path = mark < 0 ? target : target.slice(0, mark);
    if (PLAIN_PATH.test(path) && !ENCODED_DOT.test(path)) return { path, search: mark < 0 ? "" : target.slice(mark + 1) };
  }
  try {
    const url = target === undefined || target.startsWith("/") ? new URL(`http://localhost${target ?? "/"}`) : new URL(target);
    return { path: url.pathname, search: url.search.slice(1) };
  } catch {
    return undefined;
  }
}

/**
 * Reads the body up to `maxBodyBytes`. An oversized one is drained (up to a limit) rather than left unread,
 * and a client that goes away mid-body ends the request without an answer and without touching state.
 */
function readBody(request: IncomingMessage, maxBodyBytes: number): Promise<Body> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (value: Body) => {
      if (!settled) resolve(value);
      settled = true;
    };
    request.on("data", (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size <= maxBodyBytes) chunks.push(chunk);
      else if (size > maxBodyBytes + DISCARD_LIMIT_BYTES) finish({ kind: "too-large", drained: false });
    });
    request.on("end", () => finish(size > maxBodyBytes ? { kind: "too-large", drained: true } : { kind: "complete", bytes: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks) }));
    request.on("error", () => finish({ kind: "aborted" }));
    // After "end" this changes nothing; before it, the client hung up mid-body.
    request.on("close", () => finish({ kind: "aborted" }));
  });
}

/** Node joins repeated headers already, all but `set-cookie`, which stays a list: only then is a copy needed. */
function headersOf(request: IncomingMessage): Record<string, string | undefined> {
  if (request.headers["set-cookie"] === undefined) return request.headers as Record<string, string | undefined>;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

function queryOf(params: URLSearchParams): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    query[key] = values.length === 1 ? values[0] : values;
  }
  return query;
}

function send(response: ServerResponse, wire: WireResponse, close: boolean): void {
  if (response.headersSent || response.destroyed) return;
  // The wire response's headers are its own, made for this answer.
  if (close) wire.headers.connection = "close";
  response.writeHead(wire.statusCode, wire.headers);
  response.end(wire.body);
}
