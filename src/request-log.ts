import type { Partition } from "./state/partition";
import { copyData, ListedOutput } from "./state/plain-data";

/** One call as the fake saw it, for assertions. */
export interface RecordedRequest {
  operation: string;
  input: Record<string, unknown>;
  output?: Record<string, unknown> | undefined;
  error?: { type: string; message: string } | undefined;
  partition: Partition;
  requestId: string;
  /** When the call was answered, in epoch milliseconds on the fake's clock. */
  at: number;
}

/** How many calls the log keeps by default in-process; the server CLI keeps `SERVER_RECORDED_REQUESTS`. */
export const DEFAULT_RECORDED_REQUESTS = 100_000;
export const SERVER_RECORDED_REQUESTS = 10_000;
/** A request body larger than this is recorded as a note, not kept: no valid Batch request comes near it. */
export const KEPT_INPUT_BYTES = 64 * 1024;
/** Recorded data nested deeper than this is shown as a note, so reading it can never exhaust the stack. */
export const SHOWN_DEPTH = 100;
/** Where a recorded value stands in for one that is not kept or not shown. */
export const OMITTED = "parlel:omitted";

/**
 * A recorded call. Its input and output are kept as the call left them (an output that holds the store's
 * views keeps those views, which the store never changes) and are copied each time they are read, so the
 * record cannot change once answered and reading a record costs what it returns. Recording is a plain
 * object and a push; the record is only made readable (`input` and `output` as properties) when the log
 * first hands it out.
 */
export class RecordedCall {
  at = 0;
  error: { type: string; message: string } | undefined = undefined;
  #input: Record<string, unknown>;
  #output: Record<string, unknown> | undefined = undefined;
  #sequence = 0;
  #inputShown: boolean | undefined = undefined;
  #settled = false;

  constructor(
    readonly operation: string,
    input: Record<string, unknown>,
    readonly partition: Partition,
    readonly requestId: string,
    requestBytes?: number,
  ) {
    this.#input = requestBytes !== undefined && requestBytes > KEPT_INPUT_BYTES ? omitted(`a request body of ${requestBytes} bytes; the log keeps bodies of up to ${KEPT_INPUT_BYTES}`) : input;
  }

  /** The call's place in the log: 1 for the fake's first recorded call, never reused. */
  get sequence(): number {
    return this.#sequence;
  }

  numbered(sequence: number): void {
    this.#sequence = sequence;
  }

  succeeded(output: Record<string, unknown>, at: number): void {
    this.#output = output;
    this.at = at;
    this.#settled = true;
  }

  failed(error: { type: string; message: string }, at: number): void {
    this.error = error;
    this.at = at;
    this.#settled = true;
  }

  /** A copy of the input, or a note when it is nested too deeply to show. */
  readInput(): Record<string, unknown> {
    return this.inputShown() ? copyData(this.#input) : TOO_DEEP_INPUT();
  }

  /** A copy of the output; undefined for a call that failed or is still in flight. */
  readOutput(): Record<string, unknown> | undefined {
    const output = this.#output;
    if (output === undefined) return undefined;
    if (output instanceof ListedOutput) return ListedOutput.copy(output);
    return withinDepth(output, SHOWN_DEPTH) ? copyData(output) : TOO_DEEP_OUTPUT();
  }

  /** The record as JSON, made from the kept data without copying it, with its sequence. */
  toJson(): Buffer {
    const input = this.inputShown() ? JSON.stringify(this.#input) : JSON.stringify(TOO_DEEP_INPUT());
    const head = `{"sequence":${this.#sequence},"operation":${JSON.stringify(this.operation)},"input":${input}`;
    const tail = `,"partition":${JSON.stringify(this.partition)},"requestId":${JSON.stringify(this.requestId)},"at":${this.at}}`;
    const output = this.#output;
    if (this.error !== undefined) return Buffer.from(`${head},"error":${JSON.stringify(this.error)}${tail}`);
    if (output === undefined) return Buffer.from(head + tail);
    if (output instanceof ListedOutput) return Buffer.concat([Buffer.from(`${head},"output":`), ListedOutput.encode(output), Buffer.from(tail)]);
    const shown = withinDepth(output, SHOWN_DEPTH) ? output : TOO_DEEP_OUTPUT();
    return Buffer.from(`${head},"output":${JSON.stringify(shown)}${tail}`);
  }

  /**
   * The record as the log hands it out: `input` and `output` become enumerable properties (read by
   * `JSON.stringify`, Jest's equality and spreading) that return copies, and an answered record is frozen.
   */
  exposed(): this {
    if (!Object.prototype.hasOwnProperty.call(this, "input")) Object.defineProperties(this, READABLE);
    if (this.#settled && !Object.isFrozen(this)) Object.freeze(this);
    return this;
  }

  private inputShown(): boolean {
    return (this.#inputShown ??= withinDepth(this.#input, SHOWN_DEPTH));
  }
}

/** The same getters for every record, so exposed records share their shape. */
const READABLE: PropertyDescriptorMap = {
  input: {
    enumerable: true,
    get(this: RecordedCall) {
      return this.readInput();
    },
  },
  output: {
    enumerable: true,
    get(this: RecordedCall) {
      return this.readOutput();
    },
  },
};

function omitted(why: string): Record<string, unknown> {
  return { [OMITTED]: why };
}

const TOO_DEEP_INPUT = () => omitted(`an input nested more than ${SHOWN_DEPTH} levels deep`);
const TOO_DEEP_OUTPUT = () => omitted(`an output nested more than ${SHOWN_DEPTH} levels deep`);

/** Whether plain data nests no deeper than `depth` levels; the walk itself never goes deeper. */
function withinDepth(value: unknown, depth: number): boolean {
  if (typeof value !== "object" || value === null) return true;
  if (depth === 0) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!withinDepth(value[i], depth - 1)) return false;
    return true;
  }
  for (const key in value) if (!withinDepth((value as Record<string, unknown>)[key], depth - 1)) return false;
  return true;
}

/**
 * The latest calls, up to a limit: a ring that overwrites the oldest call once full, so recording stays a
 * store into an array and memory stays flat however many calls come. Calls are numbered in order from 1,
 * so a reader can page with `since`; clearing the log alone does not restart the count, a reset does.
 */
export class RequestLog {
  private ring: RecordedCall[] = [];
  /** The ring's slot of the oldest call kept, once the ring is full. */
  private oldest = 0;
  private nextSequence = 1;
  /** Calls recorded since the last clear that the log no longer keeps. */
  dropped = 0;
  /** The log as a read-only array, for `fake.requests`. */
  readonly view: readonly RecordedRequest[];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 0) throw new Error(`recordRequests must be a whole number of calls, 0 or more; got ${limit}`);
    this.view = arrayView(this);
  }

  get size(): number {
    return this.ring.length;
  }

  /** Whether a call would be kept: with a limit of 0 nothing is. */
  get recording(): boolean {
    return this.limit > 0;
  }

  add(record: RecordedCall): void {
    record.numbered(this.nextSequence++);
    const ring = this.ring;
    if (ring.length < this.limit) {
      ring.push(record);
      return;
    }
    ring[this.oldest] = record;
    this.oldest = this.oldest + 1 === ring.length ? 0 : this.oldest + 1;
    this.dropped++;
  }

  /** A call that was not kept at all (the limit is 0) still counts as dropped. */
  skipped(): void {
    this.nextSequence++;
    this.dropped++;
  }

  /** The `i`th call kept, oldest first. */
  at(i: number): RecordedCall | undefined {
    const ring = this.ring;
    if (i < 0 || i >= ring.length) return undefined;
    const slot = this.oldest + i;
    return ring[slot < ring.length ? slot : slot - ring.length];
  }

  /** The sequence of the oldest call kept, or of the next call when none is. */
  get firstSequence(): number {
    return this.nextSequence - this.ring.length;
  }

  /** Forgets every call; `restart` numbers the next call 1 again, as in a new fake. */
  clear(restart = false): void {
    this.ring = [];
    this.oldest = 0;
    this.dropped = 0;
    if (restart) this.nextSequence = 1;
  }
}

const INDEX = /^(?:0|[1-9]\d*)$/;

function indexOf(key: string | symbol): number | undefined {
  return typeof key === "string" && INDEX.test(key) ? Number(key) : undefined;
}

/**
 * The log as an array that reads through to the ring: `length`, elements, `filter`, iteration,
 * `JSON.stringify` and Jest's equality all work, and every write is refused. The target is an empty array
 * that stays empty, so the proxy passes `Array.isArray` and keeps the invariants a proxy must keep.
 */
function arrayView(log: RequestLog): readonly RecordedRequest[] {
  const refuse = () => false;
  return new Proxy([] as RecordedRequest[], {
    get(target, key, receiver) {
      if (key === "length") return log.size;
      const index = indexOf(key);
      if (index !== undefined) return log.at(index)?.exposed();
      return Reflect.get(target, key, receiver);
    },
    has(target, key) {
      const index = indexOf(key);
      return index !== undefined ? index < log.size : Reflect.has(target, key);
    },
    ownKeys() {
      const keys: string[] = [];
      for (let i = 0; i < log.size; i++) keys.push(String(i));
      keys.push("length");
      return keys;
    },
    getOwnPropertyDescriptor(target, key) {
      if (key === "length") return { value: log.size, writable: true, enumerable: false, configurable: false };
      const index = indexOf(key);
      if (index === undefined || index >= log.size) return undefined;
      return { value: log.at(index)?.exposed(), writable: false, enumerable: true, configurable: true };
    },
    set: refuse,
    defineProperty: refuse,
    deleteProperty: refuse,
    setPrototypeOf: refuse,
    preventExtensions: refuse,
  });
}
