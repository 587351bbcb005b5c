import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { BatchError } from "../operations/errors";
import { answer, DEFAULT_MAX_BODY_BYTES, encodeError, type WireRequest, type WireResponse } from "../handler/wire";
import { isPromise } from "../state/maybe-promise";
import type { BatchService } from "../service";
import { Connections } from "./connections";
import { controlAccess, controlRoutes, type ControlRequest } from "./control";

export interface ListenOptions {
  /** Default 4705. 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Bodies larger than this are refused with 413. Default 1 MiB. */
  maxBodyBytes?: number;
  /**
   * A connection gets 408 and is closed when a request's headers have not all arrived this long after it
   * began, or when it sends no request at all this long after connecting. Default 10 000 ms.
   */
  headersTimeoutMs?: number;
  /** A request gets 408 and its connection is closed when it has not arrived in full this long after it began. Default 30 000 ms. */
  requestTimeoutMs?: number;
  /** When set, the control endpoints (all but health) need `Authorization: Bearer <token>` (see README). */
  controlToken?: string;
}

/** The limits a running server applies, in milliseconds. */
export interface ServerTimeouts {
  /** Headers (and a new connection's first request) must arrive within this. */
  readonly headersMs: number;
  /** A whole request must arrive within this. */
  readonly requestMs: number;
  /** An idle keep-alive connection is closed after this. */
  readonly keepAliveMs: number;
  /** On `close()`, how long requests in flight get to finish. */
  readonly closeGraceMs: number;
}

export interface RunningServer {
  /** For example `http://127.0.0.1:4705`. */
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  readonly timeouts: ServerTimeouts;
  /**
   * Stops accepting connections and answers every request in flight with `Connection: close`. An idle
   * keep-alive connection closes after a short window in which a request already on its way is still
   * answered. After `timeouts.closeGraceMs` a request read in full but not yet answered gets a 503
   * ServerException, and every other connection is cut. Resolves once every connection is gone.
   */
  close(): Promise<void>;
}

export const DEFAULT_PORT = 4705;
export const DEFAULT_TIMEOUTS: ServerTimeouts = Object.freeze({ headersMs: 10_000, requestMs: 30_000, keepAliveMs: 5_000, closeGraceMs: 3_000 });
const JSON_TYPES = /^application\/(x-amz-json-1\.[01]|json)\b/i;
/** During shutdown, how long an idle connection stays open for a request the client sent just as it began. */
const SHUTDOWN_IDLE_WINDOW_MS = 500;
/** After the grace period, how long last answers get to reach a client before every connection is cut. */
const FINAL_FLUSH_MS = 1_000;
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
  let timeouts: ServerTimeouts;
  try {
    timeouts = timeoutsOf(options);
  } catch (error) {
    return Promise.reject(error);
  }
  // Node checks its headers and request deadlines on this interval (30 s by default, which let a 10 s limit run to 40 s).
  const connectionsCheckingInterval = Math.max(10, Math.min(1_000, Math.floor(timeouts.headersMs / 10)));
  const server = createServer({ headersTimeout: timeouts.headersMs, requestTimeout: timeouts.requestMs, keepAliveTimeout: timeouts.keepAliveMs, connectionsCheckingInterval });
  const connections = new Connections(server, timeouts.headersMs, SHUTDOWN_IDLE_WINDOW_MS);
  let closing: Promise<void> | undefined;
  const reply: Reply = (response, wire, close = false) => send(response, wire, connections.closeAfter(response, close));
  /** Open event streams: they never finish by themselves, so closing the server ends them. */
  const streams = new Set<ServerResponse>();
  const onRequest = (request: IncomingMessage, response: ServerResponse) => {
    if (!connections.begin(request, response)) return;
    handle(getService(), request, response, maxBodyBytes, reply, () => connections.read(response), streams, options.controlToken).catch((error: unknown) => {
      const failure = new BatchError("ServerException", `Internal error in parlel-batch: ${String(error)}`);
      reply(response, encodeError(failure, NO_REQUEST_ID));
    });
  };
  server.on("request", onRequest);
  // A client that asks before sending (`Expect: 100-continue`, as curl does for large bodies) learns of an
  // oversized body before it sends a byte of it.
  server.on("checkContinue", (request: IncomingMessage, response: ServerResponse) => {
    if (declaredLength(request) > maxBodyBytes) {
      if (connections.begin(request, response)) reply(response, tooLarge(getService(), maxBodyBytes), true);
      return;
    }
    response.writeContinue();
    onRequest(request, response);
  });
  const host = options.host ?? "127.0.0.1";
  const close = () => {
    closing ??= new Promise<void>((done) => {
      const afterGrace = setTimeout(() => {
        connections.deadline((response) => reply(response, shutDownUnanswered(getService(), timeouts.closeGraceMs), true));
        setTimeout(() => server.closeAllConnections(), FINAL_FLUSH_MS).unref();
      }, timeouts.closeGraceMs);
      afterGrace.unref();
      stopListening(server, () => {
        clearTimeout(afterGrace);
        done();
      });
      for (const stream of streams) stream.end();
      connections.shutdown();
    });
    return closing;
  };
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? DEFAULT_PORT, host, () => {
      server.off("error", reject);
      const { port } = server.address() as AddressInfo;
      const shownHost = host.includes(":") ? `[${host}]` : host;
      resolve({ url: `http://${shownHost}:${port}`, port, server, timeouts, close });
    });
  });
}

/** The limits asked for, checked, with the defaults filled in. */
function timeoutsOf(options: ListenOptions): ServerTimeouts {
  const headersMs = options.headersTimeoutMs ?? DEFAULT_TIMEOUTS.headersMs;
  const requestMs = options.requestTimeoutMs ?? Math.max(DEFAULT_TIMEOUTS.requestMs, headersMs);
  for (const [name, value] of [["headersTimeoutMs", headersMs], ["requestTimeoutMs", requestMs]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`listen(): ${name} must be a whole number of milliseconds, 1 or more, got ${String(value)}.`);
  }
  if (headersMs > requestMs) throw new RangeError(`listen(): headersTimeoutMs (${headersMs}) cannot be longer than requestTimeoutMs (${requestMs}).`);
  return Object.freeze({ ...DEFAULT_TIMEOUTS, headersMs, requestMs });
}

/**
 * Stops accepting connections; \`done\` runs once every connection is gone. node:http's own close() would
 * also cut idle keep-alive connections at once, resetting a request already on its way on one of them:
 * Connections closes those instead, after their window.
 */
function stopListening(server: Server, done: () => void): void {
  server.closeIdleConnections = () => undefined;
  try {
    server.close(done);
  } finally {
    delete (server as Partial<Server>).closeIdleConnections;
  }
}

function shutDownUnanswered(service: BatchService, graceMs: number): WireResponse {
  const error = new BatchError("ServerException", `parlel-batch shut down before this request finished (it waited ${graceMs} ms for it); the request may have taken effect.`, 503);
  return encodeError(error, service.newRequestId());
}

type Reply = (response: ServerResponse, wire: WireResponse, close?: boolean) => void;

async function handle(service: BatchService, request: IncomingMessage, response: ServerResponse, maxBodyBytes: number, reply: Reply, read: () => void, streams: Set<ServerResponse>, controlToken?: string): Promise<void> {
  const body = await readBody(request, maxBodyBytes);
  if (body.kind === "aborted") return;
  read();
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
    // The event stream is a control endpoint that never finishes: it needs the control token like the others.
    if (target.path === "/_parlel/events" && request.method === "GET" && /\btext\/event-stream\b/.test(headers.accept ?? "") && controlAccess(control, target.path, controlToken) === "allowed") {
      streamEvents(service, response, control.query.get("after") ?? headers["last-event-id"], streams);
      return;
    }
    reply(response, await controlRoutes(service, control, controlToken));
    return;
  }
  const contentType = headers["content-type"];
  if (body.bytes.byteLength > 0 && contentType !== undefined && !JSON_TYPES.test(contentType)) {
    const error = new BatchError("ClientException", `Content-Type ${contentType} is not supported: Batch requests are application/json.`, 415);
    reply(response, encodeError(error, service.newRequestId()));
    return;
  }
  const wire: WireRequest = { method: request.method ?? "GET", path: target.path, query: target.search === "" ? NO_QUERY : queryOf(new URLSearchParams(target.search)), headers, body: body.bytes, signal: abortedWhenClosed(response) };
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

/** How often an idle event stream sends a comment, so proxies and clients keep it open. */
const EVENT_STREAM_PING_MS = 15_000;

/**
 * `GET /_parlel/events` with `Accept: text/event-stream`: each "Batch Job State Change" event as a Server-Sent
 * Event (`id:` its sequence number, `data:` its JSON). `?after=N` or `Last-Event-ID: N` first replays the kept
 * events after N; otherwise the stream starts with the next event.
 */
function streamEvents(service: BatchService, response: ServerResponse, after: string | undefined, streams: Set<ServerResponse>): void {
  response.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive" });
  response.flushHeaders();
  const events = service.events;
  const send = (event: unknown, sequence: number) => response.write(`id: ${sequence}\ndata: ${JSON.stringify(event)}\n\n`);
  const from = after === undefined ? events.lastSequence : Number(after);
  if (Number.isFinite(from)) for (const kept of events.list(from)) send(kept.event, kept.sequence);
  const stop = events.listen(send);
  const ping = setInterval(() => response.write(": ping\n\n"), EVENT_STREAM_PING_MS);
  ping.unref();
  streams.add(response);
  response.once("close", () => {
    stop();
    clearInterval(ping);
    streams.delete(response);
  });
}

/** A signal that fires when the client goes away before its answer is sent (an injected latency then ends early). */
function abortedWhenClosed(response: ServerResponse): AbortSignal {
  const controller = new AbortController();
  response.once("close", () => {
    if (!response.writableFinished) controller.abort();
  });
  return controller.signal;
}

function send(response: ServerResponse, wire: WireResponse, close: boolean): void {
  if (response.headersSent || response.destroyed) return;
  if (wire.fault === "drop") {
    response.destroy();
    return;
  }
  if (wire.fault === "truncate") {
    // The headers promise the whole body; half of it is sent, then the connection is cut.
    response.writeHead(wire.statusCode, wire.headers);
    response.write(wire.body.subarray(0, Math.floor(wire.body.byteLength / 2)), () => response.destroy());
    return;
  }
  // The wire response's headers are its own, made for this answer.
  if (close) wire.headers.connection = "close";
  response.writeHead(wire.statusCode, wire.headers);
  response.end(wire.body);
}
