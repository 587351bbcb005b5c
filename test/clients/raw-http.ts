import { connect } from "node:net";

// HTTP/1.1 by hand over a TCP socket, for what fetch and node:http would not do: keep a connection idle
// on purpose, send half a request, pipeline, or watch exactly how the server ends a connection.

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  json: any;
}

/** The whole responses in what a raw client received, each with its Content-Length body. */
export function parseResponses(text: string): RawResponse[] {
  const parsed: RawResponse[] = [];
  let rest = text;
  for (;;) {
    const end = rest.indexOf("\r\n\r\n");
    if (end < 0) return parsed;
    const [statusLine, ...lines] = rest.slice(0, end).split("\r\n");
    const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(":")).toLowerCase(), line.slice(line.indexOf(":") + 1).trim()]));
    const length = Number(headers["content-length"] ?? 0);
    if (rest.length < end + 4 + length) return parsed;
    const body = rest.slice(end + 4, end + 4 + length);
    parsed.push({ status: Number(statusLine.split(" ")[1]), headers, json: body === "" ? undefined : JSON.parse(body) });
    rest = rest.slice(end + 4 + length);
  }
}

/** A whole Batch request as a raw client sends it, on a connection kept alive. */
export function batchRequest(operation: string, input: unknown): string {
  const body = JSON.stringify(input);
  return `POST /v1/${operation.toLowerCase()} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

export type RawConnection = ReturnType<typeof rawConnection>;

/** A TCP connection that sends `firstBytes` once connected and collects everything that comes back. */
export function rawConnection(port: number, firstBytes: string, host = "127.0.0.1") {
  const socket = connect(port, host);
  let received = "";
  let error: NodeJS.ErrnoException | undefined;
  const waiting: (() => void)[] = [];
  socket.on("data", (chunk: Buffer) => {
    received += chunk.toString();
    waiting.forEach((check) => check());
  });
  socket.on("error", (failure: NodeJS.ErrnoException) => {
    error = failure;
  });
  const connected = new Promise<void>((resolve) => socket.once("connect", () => socket.write(firstBytes, () => resolve())));
  const closed = new Promise<string>((resolve) => socket.once("close", () => resolve(received)));
  /** Resolves once `count` whole responses have come back, or with fewer if the connection closed first. */
  const responses = (count: number) =>
    new Promise<RawResponse[]>((resolve) => {
      const check = () => {
        const parsed = parseResponses(received);
        if (parsed.length >= count) resolve(parsed);
      };
      waiting.push(check);
      void closed.then(() => resolve(parseResponses(received)));
      check();
    });
  return { socket, connected, closed, responses, received: () => received, error: () => error };
}
