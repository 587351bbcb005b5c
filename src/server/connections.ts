import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";

/** One request on a connection, from its arrival until its answer is sent or the connection is gone. */
interface Exchange {
  readonly response: ServerResponse;
  readonly connection: Connection;
  /** Its body has been read in full, so the request may take effect and must get an answer. */
  read: boolean;
}

interface Connection {
  readonly socket: Socket;
  /** Requests that arrived and are not answered yet: more than one only when the client pipelines. */
  readonly open: Set<Exchange>;
  /** An answer has told the client this connection closes: requests that come after it are not read. */
  closing: boolean;
  /** Cuts a connection that sends no request: the first one's deadline, or the end of shutdown's idle window. */
  timer?: NodeJS.Timeout;
}

/** What node:http writes when a request's headers or body come too slowly. */
const REQUEST_TIMEOUT_RESPONSE = "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n";

/**
 * The server's connections, for what node:http does not do by itself: cut a connection that never sends a
 * request, and shut down without cutting a request on its way. Node closes idle keep-alive connections
 * the moment the server closes, so a request the client sent just then meets a reset, and the client
 * cannot tell whether it took effect. Here an idle connection is closed only after a short window in which
 * a request that arrives is answered (with `Connection: close`), and at the deadline a request that was
 * read in full is answered rather than cut.
 */
export class Connections {
  private readonly connections = new Set<Connection>();
  private readonly exchanges = new WeakMap<ServerResponse, Exchange>();
  private readonly bySocket = new WeakMap<Socket, Connection>();
  private shuttingDown = false;

  constructor(
    server: Server,
    /** How long a new connection may take to send its first request's headers. */
    private readonly firstRequestTimeoutMs: number,
    /** How long, during shutdown, an idle connection stays open for a request already on its way. */
    private readonly idleWindowMs: number,
  ) {
    server.on("connection", (socket: Socket) => this.opened(socket));
  }

  /**
   * Starts tracking a request. False when the request must not be read: it came on a connection whose
   * previous answer said `Connection: close`, so the client knows it was never answered.
   */
  begin(request: IncomingMessage, response: ServerResponse): boolean {
    const connection = this.bySocket.get(request.socket);
    if (!connection) return true;
    if (connection.closing) return false;
    clearTimeout(connection.timer);
    const exchange: Exchange = { response, connection, read: false };
    connection.open.add(exchange);
    this.exchanges.set(response, exchange);
    response.once("close", () => this.ended(exchange));
    return true;
  }

  /** The request's body has been read in full. */
  read(response: ServerResponse): void {
    const exchange = this.exchanges.get(response);
    if (exchange) exchange.read = true;
  }

  /**
   * Whether this answer should close its connection, and if so marks the connection as closing: when the
   * caller asks, and during shutdown when no other request on the connection (pipelined) still waits for
   * its answer.
   */
  closeAfter(response: ServerResponse, asked: boolean): boolean {
    const exchange = this.exchanges.get(response);
    if (!exchange) return asked || this.shuttingDown;
    const { connection } = exchange;
    const othersWaiting = [...connection.open].some((other) => other !== exchange && !other.response.headersSent);
    if (asked || (this.shuttingDown && !othersWaiting)) connection.closing = true;
    return connection.closing;
  }

  /** Starts shutdown: idle connections get a short window for a request already on its way, then close. */
  shutdown(): void {
    this.shuttingDown = true;
    for (const connection of this.connections) {
      if (connection.open.size === 0) this.closeWhenIdle(connection);
    }
  }

  /**
   * Shutdown's deadline: every request read in full and not yet answered is answered by `answer` (which
   * closes its connection); every other connection is cut, so a request only partly received never runs.
   */
  deadline(answer: (response: ServerResponse) => void): void {
    for (const connection of this.connections) {
      const unanswered = [...connection.open].filter((exchange) => exchange.read && !exchange.response.headersSent);
      if (unanswered.length === 0) connection.socket.destroy();
      else unanswered.forEach((exchange) => answer(exchange.response));
    }
  }

  private opened(socket: Socket): void {
    const connection: Connection = { socket, open: new Set(), closing: false };
    this.connections.add(connection);
    this.bySocket.set(socket, connection);
    connection.timer = setTimeout(() => {
      // As node:http answers slow headers: a 408, then the connection closes.
      if (socket.writable) socket.write(REQUEST_TIMEOUT_RESPONSE);
      socket.destroySoon();
    }, this.firstRequestTimeoutMs);
    connection.timer.unref();
    socket.once("close", () => {
      clearTimeout(connection.timer);
      this.connections.delete(connection);
    });
    if (this.shuttingDown) this.closeWhenIdle(connection);
  }

  private ended(exchange: Exchange): void {
    const { connection } = exchange;
    connection.open.delete(exchange);
    if (this.shuttingDown && connection.open.size === 0 && !connection.closing) this.closeWhenIdle(connection);
  }

  private closeWhenIdle(connection: Connection): void {
    clearTimeout(connection.timer);
    connection.timer = setTimeout(() => {
      // One more turn of the event loop first: a request that reached the socket while this process was
      // busy is read in it, and then answered rather than cut.
      setImmediate(() => {
        if (connection.open.size === 0 && !connection.closing) connection.socket.destroy();
      });
    }, this.idleWindowMs);
    connection.timer.unref();
  }
}
