import type { DescribeServiceJobResponse, ServiceJobStatus } from "@aws-sdk/client-batch";
import { clientError } from "../operations/errors";
import type { BatchStore } from "./store";

/** A service job (a SageMaker training job queued through Batch): its DescribeServiceJob output plus its index keys. */
export interface ServiceJobRecord {
  /** Submission order within the partition; pagination cursors point at it. */
  readonly sequence: number;
  readonly jobId: string;
  /** The queue's name, for listing by queue. */
  readonly queueName: string;
  /** The SageMaker training job the attempts run as. */
  readonly trainingJobArn: string;
  /** The service environment the running attempt is placed on. */
  placedOn?: string;
  /** Counts attempts and phases; engine events carry it, so a stale event is ignored. */
  attemptToken?: number;
  detail: Omit<DescribeServiceJobResponse, "$metadata">;
}

const TERMINAL: ReadonlySet<string> = new Set<ServiceJobStatus>(["SUCCEEDED", "FAILED"]);

export function isTerminalServiceJob(status: string | undefined): boolean {
  return TERMINAL.has(status ?? "");
}

/**
 * The one place a service job's status changes, so the job engine can take it over later.
 * Timestamps follow the status: SCHEDULED sets scheduledAt, RUNNING startedAt, a terminal status stoppedAt.
 */
export function transitionServiceJob(store: BatchStore, job: ServiceJobRecord, status: ServiceJobStatus, now: number, reason?: string): void {
  const detail = job.detail;
  const from = detail.status;
  detail.status = status;
  if (reason !== undefined) detail.statusReason = reason;
  if (status === "SCHEDULED") detail.scheduledAt = now;
  if (status === "RUNNING") detail.startedAt = now;
  if (TERMINAL.has(status)) {
    detail.stoppedAt = now;
    const attempt = detail.attempts?.[detail.attempts.length - 1];
    if (attempt && attempt.stoppedAt === undefined) {
      attempt.stoppedAt = now;
      if (reason !== undefined) attempt.statusReason = reason;
    }
  }
  store.serviceJobs.moved(job, from);
}

/** A stable text for a request, to tell a retried request from a different one that reuses its client token. */
export function fingerprint(request: unknown): string {
  return JSON.stringify(request, (_key, value: unknown) =>
    value && typeof value === "object" && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : value,
  );
}

/** How long AWS honours a clientToken. */
export const CLIENT_TOKEN_LIFETIME_MS = 8 * 60 * 60 * 1000;

interface TokenEntry<T> {
  readonly request: string;
  readonly result: T;
  readonly at: number;
}

/** The results of requests made with a clientToken, so a retry within 8 hours is answered without acting twice. */
export class ClientTokens<T> {
  private readonly entries = new Map<string, TokenEntry<T>>();

  /** The first result for this token, or undefined when the token is new or expired. Reuse for another request fails. */
  replay(token: string, request: string, now: number): T | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (now - entry.at >= CLIENT_TOKEN_LIFETIME_MS) {
      this.entries.delete(token);
      return undefined;
    }
    if (entry.request !== request) throw clientError(`The clientToken ${token} was already used with a different request.`);
    return entry.result;
  }

  remember(token: string, request: string, result: T, now: number): void {
    this.entries.set(token, { request, result, at: now });
  }
}

/** Token ledgers per store and operation; a reset makes new stores, so old tokens go with them. */
const ledgers = new WeakMap<BatchStore, Map<string, ClientTokens<unknown>>>();

export function clientTokens<T>(store: BatchStore, operation: string): ClientTokens<T> {
  let byOperation = ledgers.get(store);
  if (!byOperation) {
    byOperation = new Map();
    ledgers.set(store, byOperation);
  }
  let tokens = byOperation.get(operation);
  if (!tokens) {
    tokens = new ClientTokens<unknown>();
    byOperation.set(operation, tokens);
  }
  return tokens as ClientTokens<T>;
}
