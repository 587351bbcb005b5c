import type { BatchStore } from "../state/store";
import { BatchError, executionError } from "./errors";

/**
 * The service quotas Batch enforces (reference §6), each settable so code can be tested at the limit. Defaults
 * are AWS's; the SubmitJob call rate is not limited unless asked for.
 */
export interface ServiceQuotas {
  /** Job queues per account and region. AWS: 50. */
  jobQueues?: number;
  /** Compute environments per account and region. AWS: 50. */
  computeEnvironments?: number;
  /** Compute environments in one queue's `computeEnvironmentOrder`. AWS: 3. */
  computeEnvironmentsPerJobQueue?: number;
  /** Jobs in SUBMITTED at once, per account and region. AWS: 1,000,000. */
  submittedJobs?: number;
  /** The largest array job. AWS: 10,000. */
  arraySize?: number;
  /** SubmitJob calls per second per account and region (a token bucket on the fake's clock). AWS: 50. Default: no limit. */
  submitJobsPerSecond?: number;
}

/** Quotas for every account, and per account id where one differs. */
export interface QuotaSettings extends ServiceQuotas {
  accounts?: Record<string, ServiceQuotas>;
}

export type Quotas = Required<Omit<ServiceQuotas, "submitJobsPerSecond">> & { readonly submitJobsPerSecond: number | undefined };

export const AWS_QUOTAS: Quotas = Object.freeze({
  jobQueues: 50,
  computeEnvironments: 50,
  computeEnvironmentsPerJobQueue: 3,
  submittedJobs: 1_000_000,
  arraySize: 10_000,
  submitJobsPerSecond: undefined,
});

const NAMES = Object.keys(AWS_QUOTAS) as (keyof ServiceQuotas)[];

/** Checks settings as given by a user (options, a JSON file), with a message naming the bad one. */
export function checkQuotaSettings(settings: unknown, where = "quotas"): QuotaSettings {
  if (typeof settings !== "object" || settings === null || Array.isArray(settings)) throw new Error(`${where} must be an object such as {"jobQueues": 5}.`);
  const record = settings as Record<string, unknown>;
  for (const [key, value] of Object.entries(record)) {
    if (key === "accounts") {
      if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error(`${where}.accounts must map account ids to quotas.`);
      for (const [account, quotas] of Object.entries(value)) {
        if (!/^\d{12}$/.test(account)) throw new Error(`${where}.accounts: ${account} is not a 12-digit account id.`);
        const nested = checkQuotaSettings(quotas, `${where}.accounts.${account}`);
        if (nested.accounts !== undefined) throw new Error(`${where}.accounts.${account} cannot have accounts of its own.`);
      }
      continue;
    }
    if (!(NAMES as string[]).includes(key)) throw new Error(`${where} has an unknown quota ${key}: use ${[...NAMES, "accounts"].join(", ")}.`);
    const minimum = key === "submitJobsPerSecond" ? Number.MIN_VALUE : key === "arraySize" ? 2 : key === "computeEnvironmentsPerJobQueue" ? 1 : 0;
    if (typeof value !== "number" || !Number.isFinite(value) || value < minimum || (key !== "submitJobsPerSecond" && !Number.isInteger(value))) {
      throw new Error(`${where}.${key} must be a ${key === "submitJobsPerSecond" ? "number above 0" : `whole number of ${minimum} or more`}, got ${JSON.stringify(value)}.`);
    }
  }
  return record as QuotaSettings;
}

/** The quotas that apply to an account: AWS's, then the fake's, then the account's own. */
export function quotasOf(settings: QuotaSettings | undefined, accountId: string): Quotas {
  if (settings === undefined) return AWS_QUOTAS;
  const { accounts, ...shared } = settings;
  return Object.freeze({ ...AWS_QUOTAS, ...shared, ...accounts?.[accountId] });
}

/**
 * SubmitJob's call rate: a bucket of `rate` tokens, refilled at `rate` per second of the fake's clock. An empty
 * bucket answers 429 TooManyRequestsException, as Batch throttles (reference §1.3), before anything is looked at.
 */
export function checkSubmitRate(store: BatchStore, quotas: Quotas, now: number): void {
  const rate = quotas.submitJobsPerSecond;
  if (rate === undefined) return;
  const bucket = (store.submitJobBucket ??= { tokens: rate, at: now });
  bucket.tokens = Math.min(rate, bucket.tokens + (Math.max(0, now - bucket.at) * rate) / 1000);
  bucket.at = now;
  if (bucket.tokens < 1) throw new BatchError("TooManyRequestsException", "Too Many Requests", 429);
  bucket.tokens -= 1;
}

/** Jobs waiting in SUBMITTED count against their partition's quota. */
export function checkSubmittedJobs(store: BatchStore, quotas: Quotas, requestId: string): void {
  const submitted = store.jobs.statusCounts.topLevel.SUBMITTED ?? 0;
  if (submitted >= quotas.submittedJobs) throw executionError(`Maximum number of jobs in SUBMITTED status (${quotas.submittedJobs}) reached`, requestId);
}
