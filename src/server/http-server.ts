import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { BatchError } from "../operations/errors";
import { answer, DEFAULT_MAX_BODY_BYTES, encodeError, type WireRequest, type WireResponse } from "../handler/wire";
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
  close(): Promise<void>;
}

export const DEFAULT_PORT = 4705;
const JSON_TYPES = /^application\/(x-amz-json-1\.[01]|json)\b/i;

/** The HTTP adapter: node:http requests become the same wire requests the in-process handler makes. */
export function listen(getService: () => BatchService, options: ListenOptions = {}): Promise<RunningServer> {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const server = createServer((request, response) => {
    handle(getService(), request, response, maxBodyBytes).catch((error: unknown) => {
      const failure = new BatchError("ServerException", `Internal error in parlel-batch: ${String(error)}`);
      send(response, encodeError(failure, "00000000-0000-0000-0000-000000000000"));
    });
  });
  // Slow or stalled clients must not hold the server: bound the time to send headers and a body.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 5_000;
  const host = options.host ?? "127.0.0.1";
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? DEFAULT_PORT, host, () => {
      server.off("error", reject);
      const { port } = server.address() as AddressInfo;
      const shownHost = host.includes(":") ? `[${host}]` : host;
      resolve({
        url: `http://${shownHost}:${port}`,
        port,
        server,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

async function handle(service: BatchService, request: IncomingMessage, response: ServerResponse, maxBodyBytes: number): Promise<void> {
  const url = new URL(request.url ?? "/", "http://localhost");
  const body = await readBody(request, maxBodyBytes);
  if (body === "aborted") return;
  if (body === "too-large") {
    const error = new BatchError("ClientException", `The request body is larger than ${maxBodyBytes} bytes, the most parlel-batch accepts.`, 413);
    send(response, encodeError(error, service.newRequestId()), true);
    return;
  }
  const headers = flattenHeaders(request);
  if (url.pathname.startsWith("/_parlel/")) {
    const control: ControlRequest = { method: request.method ?? "GET", path: url.pathname, query: url.searchParams, body, headers };
    send(response, await controlRoutes(service, control));
    return;
  }
  const contentType = headers["content-type"];
  if (body.byteLength > 0 && contentType !== undefined && !JSON_TYPES.test(contentType)) {
    const error = new BatchError("ClientException", `Content-Type ${contentType} is not supported: Batch requests are application/json.`, 415);
    send(response, encodeError(error, service.newRequestId()));
    return;
  }
  const wire: WireRequest = { method: request.method ?? "GET", path: url.pathname, query: queryOf(url.searchParams), headers, body };
  send(response, await answer(service, wire, { maxBodyBytes }));
}

function readBody(request: IncomingMessage, maxBodyBytes: number): Promise<Uint8Array | "too-large" | "aborted"> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (value: Uint8Array | "too-large" | "aborted") => {
      if (!settled) resolve(value);
      settled = true;
    };
    request.on("data", (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > maxBodyBytes) {
        finish("too-large");
        request.resume();
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => finish(Buffer.concat(chunks)));
    request.on("aborted", () => finish("aborted"));
    request.on("error", () => finish("aborted"));
  });
}

function flattenHeaders(request: IncomingMessage): Record<string, string> {
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

function send(response: ServerResponse, wire: WireResponse, close = false): void {
  if (response.headersSent || response.destroyed) return;
  const headers: Record<string, string> = { ...wire.headers };
  if (close) headers.connection = "close";
  response.writeHead(wire.statusCode, headers);
  response.end(wire.body);
}
