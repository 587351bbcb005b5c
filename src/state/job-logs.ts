import { logGroupOf, logStreamNameOf, type JobRecord } from "./job-record";
import type { LogStore, LogStream } from "./log-store";

/**
 * The log stream of the job's current attempt (its last one, once it has ended), made with the attempt's
 * first line: an attempt that writes nothing costs no memory (see the README's fidelity notes). Undefined
 * when no attempt has run yet.
 */
export function attemptLogStream(logs: LogStore, job: JobRecord, now: number): LogStream | undefined {
  const taskToken = job.taskToken;
  if (taskToken === undefined) return undefined;
  const streams = job.logStreams;
  const last = streams === undefined ? undefined : streams[streams.length - 1];
  if (last !== undefined && last.taskToken === taskToken) return last;
  const stream = logs.openStream(logGroupOf(job.spec), logStreamNameOf(job, taskToken), now, taskToken);
  if (streams === undefined) job.logStreams = [stream];
  else streams.push(stream);
  return stream;
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
