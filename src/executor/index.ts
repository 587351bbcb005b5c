import { HostExecutor } from "./host-executor";
import type { AttemptExecutor, ExecutorKind, ExecutorOptions } from "./types";

export type { AttemptEnd, AttemptExecutor, AttemptLaunch, AttemptListener, ExecutorKind, ExecutorOptions, RunningAttempt } from "./types";
export { DEFAULT_MAX_OUTPUT_BYTES, DEFAULT_STOP_GRACE_MS } from "./types";

/** The executor for attempts no `onJob` rule scripts; none for `scripted` (every attempt exits 0 at once). */
export function createExecutor(kind: ExecutorKind | undefined, options: ExecutorOptions): AttemptExecutor | undefined {
  if (kind === undefined || kind === "scripted") return undefined;
  if (kind !== "process" && kind !== "sandbox") throw new Error(`executor must be "scripted", "process" or "sandbox", got ${JSON.stringify(kind)}`);
  return new HostExecutor(kind, options);
}
