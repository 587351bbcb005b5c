import type { JobRecord, JobSpec } from "./job-record";
import type { LogStore, LogStream } from "./log-store";

/**
 * Where Batch's awslogs driver writes a job's output (reference §5): the group `/aws/batch/job` or the job
 * definition's `awslogs-group`, one stream per attempt named `<prefix>/default/<task id>`, where the prefix
 * is `awslogs-stream-prefix` or the job definition's name.
 */
export const DEFAULT_LOG_GROUP = "/aws/batch/job";

export function logGroupOf(spec: JobSpec): string {
  return awslogsOption(spec, "awslogs-group") ?? DEFAULT_LOG_GROUP;
}

export function logStreamPrefixOf(spec: JobSpec): string {
  return awslogsOption(spec, "awslogs-stream-prefix") ?? spec.jobDefinitionName;
}

function awslogsOption(spec: JobSpec, name: string): string | undefined {
  const value = spec.container?.logConfiguration?.options?.[name];
  return value === undefined || value === "" ? undefined : value;
}

/**
 * Opens the log stream of the attempt starting now (the awslogs driver creates it when the container starts,
 * so a job that prints nothing still has its empty stream) and makes it the job's current stream.
 */
export function openAttemptLog(logs: LogStore, job: JobRecord, streamName: string, now: number): LogStream {
  const stream = logs.openStream(logGroupOf(job.spec), streamName, now);
  if (job.logStreams === undefined) job.logStreams = [stream];
  else if (job.logStreams[job.logStreams.length - 1] !== stream) job.logStreams.push(stream);
  return stream;
}

/** The stream of the job's current or last attempt, or undefined when no attempt has run. */
export function currentLogStream(job: JobRecord): LogStream | undefined {
  const streams = job.logStreams;
  return streams === undefined ? undefined : streams[streams.length - 1];
}

/** Every line the job's attempts wrote, attempt after attempt; from the `from`-th on when given. */
export function jobLogLines(job: JobRecord, from = 0): string[] {
  const lines: string[] = [];
  let skip = from;
  for (const stream of job.logStreams ?? []) {
    const events = stream.events;
    // Whole streams before `from` are passed over by their length alone.
    if (skip >= events.length) {
      skip -= events.length;
      continue;
    }
    for (let i = skip; i < events.length; i++) lines.push(events[i].message);
    skip = 0;
  }
  return lines;
}

/** How many lines the job's attempts wrote. */
export function jobLogLineCount(job: JobRecord): number {
  let count = 0;
  for (const stream of job.logStreams ?? []) count += stream.events.length;
  return count;
}

/** A job leaving the store takes its streams with it (see the README's fidelity notes on retention). */
export function deleteJobLogs(logs: LogStore, job: JobRecord): void {
  for (const stream of job.logStreams ?? []) logs.deleteStream(stream);
  job.logStreams = undefined;
}
