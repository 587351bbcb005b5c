import type { JobRecord } from "./job-record";

/** What one attempt of a job does. */
export interface JobOutcome {
  /**
   * The container's exit code. Default 0; 137 when `reason` is an `OutOfMemoryError`; none when `reason` is a
   * start failure (`CannotPullContainerError: …`, `ResourceInitializationError: …`, …). `null`: no exit code.
   */
  exitCode?: number | null;
  /** How long the attempt runs, in milliseconds of the fake's clock. Default 0. */
  durationMs?: number;
  /**
   * The container's `reason`, as Batch reports it. `OutOfMemoryError: Container killed due to memory usage`
   * exits 137; a start failure (`CannotPullContainerError: …`, `ResourceInitializationError: …`,
   * `CannotStartContainerError: …`, `CannotCreateContainerError: …`, `DockerTimeoutError: …`) ends the attempt
   * before it runs, with the job's `statusReason` `Task failed to start` and no exit code.
   */
  reason?: string;
  /**
   * Log lines the attempt writes to its log stream: a string (split at newlines) or a list. A line is
   * written as the attempt starts, or `afterMs` later (at most `durationMs`), so a follower sees it arrive.
   */
  logs?: string | (string | LogLine)[];
}

/** A log line that an outcome writes some time into its attempt. */
export interface LogLine {
  message: string;
  /** Milliseconds after the attempt started. Default 0. */
  afterMs?: number;
}

/** What an outcome function or a matcher sees of the job whose attempt is starting. */
export interface AttemptView {
  /** The job's own id: `<parent>:<index>` for an array child, `<parent>#<node>` for a node. */
  jobId: string;
  jobName: string;
  /** The queue's name. */
  jobQueue: string;
  jobQueueArn: string;
  /** The job definition's name. */
  jobDefinition: string;
  jobDefinitionArn: string;
  /** The attempt number, starting at 1. */
  attempt: number;
  arrayIndex?: number;
  nodeIndex?: number;
  computeEnvironment: string;
  /** The resolved command, after overrides and `Ref::` substitution. */
  command: string[];
  /** The container's environment, with the `AWS_BATCH_*` variables Batch injects. */
  environment: Record<string, string>;
  parameters: Record<string, string>;
  tags: Record<string, string>;
  vcpus: number;
  memory: number;
}

export type Pattern = string | RegExp;

export type JobMatcher = { jobName?: Pattern; jobDefinition?: Pattern; jobQueue?: Pattern } | ((job: AttemptView) => boolean);

export type OutcomeSource = JobOutcome | ((job: AttemptView, attempt: number) => JobOutcome | Promise<JobOutcome>);

/** Decides an attempt's outcome: the last matching rule wins; with none, exit 0 at once. */
export class OutcomeRules {
  private readonly rules: { matcher: JobMatcher; outcome: OutcomeSource }[] = [];

  add(matcher: JobMatcher, outcome: OutcomeSource): void {
    this.rules.push({ matcher, outcome });
  }

  clear(): void {
    this.rules.length = 0;
  }

  get size(): number {
    return this.rules.length;
  }

  outcomeFor(view: AttemptView): JobOutcome | Promise<JobOutcome> {
    return this.matchedOutcome(view) ?? {};
  }

  /** The outcome of the last rule that matches the attempt; undefined when none does. */
  matchedOutcome(view: AttemptView): JobOutcome | Promise<JobOutcome> | undefined {
    for (let i = this.rules.length - 1; i >= 0; i--) {
      const { matcher, outcome } = this.rules[i];
      if (!matches(matcher, view)) continue;
      return typeof outcome === "function" ? outcome(view, view.attempt) : outcome;
    }
    return undefined;
  }
}

function matches(matcher: JobMatcher, view: AttemptView): boolean {
  if (typeof matcher === "function") return matcher(view);
  return (
    fits(matcher.jobName, [view.jobName]) &&
    fits(matcher.jobDefinition, [view.jobDefinition, view.jobDefinitionArn, view.jobDefinitionArn.replace(/^.*job-definition\//, "")]) &&
    fits(matcher.jobQueue, [view.jobQueue, view.jobQueueArn])
  );
}

function fits(pattern: Pattern | undefined, candidates: string[]): boolean {
  if (pattern === undefined) return true;
  return candidates.some((candidate) => (typeof pattern === "string" ? candidate === pattern : pattern.test(candidate)));
}

/** The log lines of an outcome, as a list; a string's trailing newline makes no empty last line. */
export function logLines(outcome: JobOutcome): LogLine[] {
  const logs = outcome.logs;
  if (logs === undefined) return [];
  const lines = Array.isArray(logs) ? logs : logs.split("\n");
  return lines.filter((line, i) => line !== "" || i < lines.length - 1).map((line) => (typeof line === "string" ? { message: line } : line));
}

export type { JobRecord };

/** Container reasons of a task that never started: the attempt ends in STARTING, without an exit code. */
const START_FAILURE = /^(CannotPullContainerError|ResourceInitializationError|CannotStartContainerError|CannotCreateContainerError|DockerTimeoutError)\b/;
const OUT_OF_MEMORY = /^OutOfMemoryError\b/;

export function isStartFailure(outcome: JobOutcome): boolean {
  return outcome.reason !== undefined && START_FAILURE.test(outcome.reason);
}

/** The attempt's exit code: the outcome's, else what its reason implies (137 for OOM, none for a start failure), else 0. */
export function exitCodeOf(outcome: JobOutcome): number | undefined {
  if (outcome.exitCode !== undefined) return outcome.exitCode ?? undefined;
  if (outcome.reason !== undefined && OUT_OF_MEMORY.test(outcome.reason)) return 137;
  return isStartFailure(outcome) ? undefined : 0;
}
