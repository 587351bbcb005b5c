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
export function transitionServiceJob(job: ServiceJobRecord, status: ServiceJobStatus, now: number, reason?: string): void {
  const detail = job.detail;
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
}

/**
 * Foundation-stage scheduling: a service job whose queue has usable capacity runs to SUCCEEDED at once;
 * otherwise it waits in RUNNABLE. The job engine will replace this with timed transitions.
 */
export function dispatchServiceJob(job: ServiceJobRecord, now: number, capacityAvailable: boolean, trainingJobArn: string): void {
  if (job.detail.status === "SUBMITTED") transitionServiceJob(job, "PENDING", now);
  if (job.detail.status === "PENDING") transitionServiceJob(job, "RUNNABLE", now);
  if (job.detail.status !== "RUNNABLE" || !capacityAvailable) return;
  const serviceResourceId = { name: "TrainingJobArn" as const, value: trainingJobArn };
  transitionServiceJob(job, "SCHEDULED", now);
  job.detail.latestAttempt = { serviceResourceId };
  job.detail.attempts = [...(job.detail.attempts ?? []), { serviceResourceId, startedAt: now }];
  transitionServiceJob(job, "STARTING", now);
  transitionServiceJob(job, "RUNNING", now);
  transitionServiceJob(job, "SUCCEEDED", now, "Training job completed");
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
