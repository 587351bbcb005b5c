import type { Partition } from "./state/partition";
import { ListedOutput } from "./state/plain-data";

/** One call as the fake saw it, for assertions. */
export interface RecordedRequest {
  operation: string;
  input: Record<string, unknown>;
  output?: Record<string, unknown>;
  error?: { type: string; message: string };
  partition: Partition;
  requestId: string;
  /** When the call was answered, in epoch milliseconds on the fake's clock. */
  at: number;
}

/** A recorded call: plain data fields, and an output that holds the store's views until it is first read. */
export class RecordedCall implements RecordedRequest {
  output: Record<string, unknown> | undefined = undefined;
  error: { type: string; message: string } | undefined = undefined;
  at = 0;
  #listed: ListedOutput | undefined = undefined;

  constructor(
    readonly operation: string,
    readonly input: Record<string, unknown>,
    readonly partition: Partition,
    readonly requestId: string,
  ) {}

  /**
   * Outputs that hold the store's views (DescribeJobs, ListJobs, the resources' Describe*) are recorded as a
   * copy of their own, made when the record is first read through the log. Most recorded outputs are never
   * read, and copying 100 job details on every call would cost more than everything else the call does.
   */
  succeeded(output: Record<string, unknown>, at: number): void {
    if (output instanceof ListedOutput) this.#listed = output;
    else this.output = output;
    this.at = at;
  }

  /** Makes the copy of a kept output, once. */
  settleOutput(): this {
    const listed = this.#listed;
    if (listed !== undefined) {
      this.#listed = undefined;
      this.output = ListedOutput.copy(listed);
    }
    return this;
  }
}

/**
 * The recorded calls as an array whose elements are settled as they are read: every read of the log
 * (an index, iteration, `filter`, `JSON.stringify`, Jest's equality) goes through `get`, while recording
 * a call stays a plain push.
 */
export function createRequestLog(records: RecordedCall[]): RecordedRequest[] {
  return new Proxy(records, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      return value instanceof RecordedCall ? value.settleOutput() : value;
    },
  });
}
