import type { MountPoint, Volume } from "@aws-sdk/client-batch";

/** Which executor runs attempts that no `onJob` rule scripts. */
export type ExecutorKind = "scripted" | "process" | "sandbox";

/** Options of the process and sandbox executors. */
export interface ExecutorOptions {
  /** Root under which each attempt gets a fresh working directory. Default: a new temporary directory, removed by `close()`. */
  workDir?: string;
  /** Host directories that `volumes[].host.sourcePath` may name (judged on the resolved real path). Default none. */
  allowPaths?: string[];
  /** Time between SIGTERM and SIGKILL when an attempt is stopped (terminate, timeout). Default 5000 ms. */
  stopGraceMs?: number;
  /** Bytes of stdout and stderr kept per attempt; the rest is dropped after a marker line. Default 4 MiB. */
  maxOutputBytes?: number;
  /** How often the memory of running attempts is measured. Default 100 ms. */
  memoryCheckIntervalMs?: number;
}

export const DEFAULT_STOP_GRACE_MS = 5_000;
export const DEFAULT_MAX_OUTPUT_BYTES = 4 * 1024 * 1024;
export const DEFAULT_MEMORY_CHECK_INTERVAL_MS = 100;

/** What the engine hands the executor to start one attempt: the container as Batch resolved it. */
export interface AttemptLaunch {
  /** The job's own id (`<parent>:<i>` for array children, `<parent>#<n>` for nodes). */
  jobId: string;
  attempt: number;
  /** The resolved command: overrides applied, `Ref::` parameters substituted. */
  command: string[];
  /** The container's environment and the `AWS_BATCH_*` variables. */
  environment: Record<string, string>;
  /** The memory limit in MiB; 0 for none. */
  memoryMiB: number;
  volumes: Volume[];
  mountPoints: MountPoint[];
}

/** How an attempt ended, in Batch's terms. */
export interface AttemptEnd {
  exitCode?: number;
  /** The container's `reason` (for example `OutOfMemoryError: Container killed due to memory usage`). */
  reason?: string;
}

/** What the executor tells the engine about a running attempt. Never called synchronously from `start`. */
export interface AttemptListener {
  /** One line of the attempt's output (or a note of parlel-batch's own), as it is read. */
  log(line: string): void;
  /** The attempt is over: its process and every process it started are gone, and all its output was logged. */
  ended(end: AttemptEnd): void;
}

/** A started attempt, as the engine holds it. */
export interface RunningAttempt {
  /** The process id of the attempt's main process, once it is known. */
  readonly pid: number | undefined;
  /** Stops the attempt: SIGTERM to its processes, SIGKILL after the grace period (at once with `now`). */
  stop(now?: boolean): void;
}

/** Runs attempts on the host. The engine only starts and stops attempts through this. */
export interface AttemptExecutor {
  start(launch: AttemptLaunch, listener: AttemptListener): RunningAttempt;
  /** Kills every attempt still running, waits for them to go, and removes a default work directory. */
  close(): Promise<void>;
}
