import { HttpResponse, type HttpHandler, type HttpRequest } from "@smithy/protocol-http";
import type { HttpHandlerOptions, RequestHandlerMetadata } from "@smithy/types";
import type { BatchService } from "../service";
import { isPromise } from "../state/maybe-promise";
import { Readable } from "node:stream";
import { answer, type WireRequest, type WireResponse } from "./wire";

export type FakeHttpHandlerConfig = Record<string, never>;

/**
 * The Smithy `HttpHandler` contract, answered in-process. Every method is an own, bound property: the SDK
 * takes a request handler as one only if `handle` is its own callable, and anything else silently becomes
 * options for a real socket-opening handler.
 */
export interface FakeHttpHandler extends HttpHandler<FakeHttpHandlerConfig> {
  /** Present, not optional: with exactOptionalPropertyTypes, the SDK's RequestHandler type requires it. */
  metadata: RequestHandlerMetadata;
  handle(request: HttpRequest, options?: HttpHandlerOptions): Promise<{ response: HttpResponse }>;
  updateHttpClientConfig(key: never, value: never): void;
  httpHandlerConfigs(): FakeHttpHandlerConfig;
  destroy(): void;
}

export function createSmithyHandlerMethods(getService: () => BatchService, maxBodyBytes?: number): FakeHttpHandler {
  return {
    metadata: { handlerProtocol: "http/1.1" },
    handle: async (request, options) => {
      const abortSignal = options?.abortSignal as AbortSignal | undefined;
      throwIfAborted(abortSignal);
      // The SDK's request already has the wire request's fields; only a streamed body is collected first,
      // and only a call with an abort signal needs a request of its own to carry it.
      const wire: WireRequest =
        isCollected(request.body) && abortSignal === undefined
          ? (request as WireRequest)
          : { method: request.method, path: request.path, query: request.query, headers: request.headers, body: isCollected(request.body) ? request.body : await collectBody(request.body), signal: abortSignal };
      const answered = answer(getService(), wire, maxBodyBytes);
      const result = isPromise(answered) ? await answered : answered;
      throwIfAborted(abortSignal);
      if (result.fault !== undefined) return { response: connectionFault(result) };
      return { response: new HttpResponse(result) };
    },
    updateHttpClientConfig: () => {},
    httpHandlerConfigs: () => ({}),
    // The SDK calls this from `client.destroy()`. State belongs to the fake, not to one client, so nothing is wiped.
    destroy: () => {},
  };
}

/**
 * An injected connection fault, as Node's HTTP handler reports it over a real socket: a dropped connection
 * rejects with `socket hang up` (`TimeoutError`, `ECONNRESET`); a truncated body starts, then its stream fails
 * with `aborted`. The SDK's retry strategy sees the same errors either way.
 */
function connectionFault(result: WireResponse): HttpResponse {
  if (result.fault === "drop") throw Object.assign(new Error("socket hang up"), { name: "TimeoutError", code: "ECONNRESET" });
  const half = result.body.subarray(0, Math.floor(result.body.byteLength / 2));
  const body = new Readable({
    read() {
      this.push(half);
      this.destroy(Object.assign(new Error("aborted"), { code: "ECONNRESET" }));
    },
  });
  return new HttpResponse({ statusCode: result.statusCode, headers: result.headers, body });
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (!signal?.aborted) return;
  const error = new Error("Request aborted");
  error.name = "AbortError";
  throw error;
}

/** The SDK sends JSON bodies as strings: those need no collecting, and no extra turn of the event loop. */
function isCollected(body: unknown): body is string | Uint8Array | undefined | null {
  return body === undefined || body === null || typeof body === "string" || body instanceof Uint8Array;
}

async function collectBody(body: unknown): Promise<Uint8Array | string | undefined> {
  if (body === undefined || body === null) return undefined;
  if (typeof body === "string" || body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === "function") {
    const chunks: Buffer[] = [];
    for await (const chunk of body as AsyncIterable<Uint8Array | string>) chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks);
  }
  return String(body);
}
