import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { constants as osConstants, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Readable } from "node:stream";
import { AllowedPaths, attemptEnvironment, hostMounts, StartRefused, type HostMount } from "./guardrails";
import { OutputCapture } from "./output";
import { canMeasureMemory, processTree, residentBytes, signalTree } from "./process-tree";
import { findBubblewrap, sandboxArguments } from "./sandbox";
import {
  DEFAULT_MAX_OUTPUT_BYTES,
  DEFAULT_MEMORY_CHECK_INTERVAL_MS,
  DEFAULT_STOP_GRACE_MS,
  type AttemptEnd,
  type AttemptExecutor,
  type AttemptLaunch,
  type AttemptListener,
  type ExecutorOptions,
  type RunningAttempt,
} from "./types";

const OUT_OF_MEMORY = "OutOfMemoryError: Container killed due to memory usage";
const NOTE = "parlel-batch: ";

/** Every attempt still running in this Node process, so that its end leaves no process behind. */
const live = new Set<HostAttempt>();
/** Default work directories, removed when the Node process ends. */
const temporaryRoots = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  hostProcess().once("exit", () => {
    for (const attempt of live) attempt.kill();
    for (const root of temporaryRoots) rmSync(root, { recursive: true, force: true });
  });
}

/**
 * The Node process itself. Jest gives each test file a copy of `process` whose events never fire, so an
 * exit hook on it would never run; a function made in Node's own realm (as `spawn` is) sees the real one.
 */
function hostProcess(): NodeJS.Process {
  try {
    const real = (spawn.constructor as FunctionConstructor)("return process")() as NodeJS.Process | undefined;
    if (real && typeof real.once === "function") return real;
  } catch {
    // A realm without that global: the visible process is the real one.
  }
  return process;
}

/**
 * Runs each attempt's command on the host: as a process of its own group (`process`), or inside
 * bubblewrap with its own PID namespace and the job's mount points (`sandbox`).
 */
export class HostExecutor implements AttemptExecutor {
  private readonly allowed: AllowedPaths;
  private readonly bubblewrap: string | undefined;
  private readonly attempts = new Set<HostAttempt>();
  private root: string | undefined;
  private memoryTimer: NodeJS.Timeout | undefined;
  readonly stopGraceMs: number;
  readonly maxOutputBytes: number;
  private readonly measuresMemory = canMeasureMemory();

  constructor(
    readonly kind: "process" | "sandbox",
    private readonly options: ExecutorOptions = {},
  ) {
    this.allowed = new AllowedPaths(options.allowPaths ?? []);
    this.stopGraceMs = nonNegative(options.stopGraceMs, DEFAULT_STOP_GRACE_MS, "stopGraceMs");
    this.maxOutputBytes = nonNegative(options.maxOutputBytes, DEFAULT_MAX_OUTPUT_BYTES, "maxOutputBytes");
    this.bubblewrap = kind === "sandbox" ? findBubblewrap() : undefined;
    if (options.workDir !== undefined) mkdirSync(resolve(options.workDir), { recursive: true });
  }

  start(launch: AttemptLaunch, listener: AttemptListener): RunningAttempt {
    const attempt = new HostAttempt(this, launch, listener);
    this.attempts.add(attempt);
    live.add(attempt);
    installExitHook();
    attempt.begin();
    this.watchMemory();
    return attempt;
  }

  /** Called by an attempt once it has ended. */
  forget(attempt: HostAttempt): void {
    this.attempts.delete(attempt);
    live.delete(attempt);
    if (this.attempts.size === 0 && this.memoryTimer) {
      clearInterval(this.memoryTimer);
      this.memoryTimer = undefined;
    }
  }

  /** A fresh directory for one attempt, under the work root. */
  attemptDirectory(launch: AttemptLaunch): string {
    const safeId = launch.jobId.replace(/[^A-Za-z0-9._-]/g, "_");
    return mkdtempSync(join(this.workRoot(), `${safeId}-attempt${launch.attempt}-`));
  }

  private workRoot(): string {
    if (this.root !== undefined) return this.root;
    if (this.options.workDir !== undefined) {
      this.root = resolve(this.options.workDir);
      mkdirSync(this.root, { recursive: true });
    } else {
      this.root = mkdtempSync(join(tmpdir(), "parlel-batch-"));
      temporaryRoots.add(this.root);
    }
    return this.root;
  }

  mountsOf(launch: AttemptLaunch): { mounts: HostMount[]; notes: string[] } {
    return hostMounts(launch.volumes, launch.mountPoints, this.allowed);
  }

  spawnArguments(command: string[], workingDirectory: string, mounts: HostMount[]): { file: string; args: string[] } {
    if (this.bubblewrap === undefined) return { file: command[0], args: command.slice(1) };
    return { file: this.bubblewrap, args: ["--json-status-fd", "3", ...sandboxArguments(workingDirectory, mounts, command)] };
  }

  /** One timer measures every running attempt with a memory limit. */
  private watchMemory(): void {
    if (this.memoryTimer || !this.measuresMemory) return;
    this.memoryTimer = setInterval(() => {
      for (const attempt of this.attempts) attempt.checkMemory();
    }, this.options.memoryCheckIntervalMs ?? DEFAULT_MEMORY_CHECK_INTERVAL_MS);
    this.memoryTimer.unref();
  }

  async close(): Promise<void> {
    const ends = [...this.attempts].map((attempt) => attempt.finished);
    for (const attempt of this.attempts) attempt.stop(true);
    await Promise.all(ends);
    if (this.root !== undefined && temporaryRoots.has(this.root)) {
      rmSync(this.root, { recursive: true, force: true });
      temporaryRoots.delete(this.root);
      this.root = undefined;
    }
  }
}

/** One attempt's process tree, its output and its end. */
class HostAttempt implements RunningAttempt {
  private child: ChildProcess | undefined;
  /** The process whose tree is the job's (inside bwrap: the sandboxed command, once bwrap says its pid). */
  private jobPid: number | undefined;
  private spawnError: Error | undefined;
  private endedAs: AttemptEnd | undefined;
  private exited = false;
  private done = false;
  private killTimer: NodeJS.Timeout | undefined;
  private output: OutputCapture;
  private resolveFinished!: () => void;
  readonly finished = new Promise<void>((resolve) => (this.resolveFinished = resolve));

  constructor(
    private readonly executor: HostExecutor,
    private readonly launch: AttemptLaunch,
    private readonly listener: AttemptListener,
  ) {
    this.output = new OutputCapture(executor.maxOutputBytes, (line) => listener.log(line));
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  begin(): void {
    const { launch, listener } = this;
    if (launch.command.length === 0 || launch.command[0] === "") {
      this.refuse("the job has no command: parlel-batch does not use the image, so it cannot run the image's own command");
      return;
    }
    let workingDirectory: string;
    let mounts: HostMount[];
    try {
      const found = this.executor.mountsOf(launch);
      mounts = found.mounts;
      workingDirectory = this.executor.attemptDirectory(launch);
      for (const note of found.notes) listener.log(NOTE + note);
    } catch (error) {
      this.refuse(error instanceof StartRefused ? error.message : `cannot prepare the attempt: ${(error as Error).message}`);
      return;
    }
    if (this.executor.kind === "process") {
      for (const mount of mounts) {
        if (mount.containerPath !== mount.sourcePath) listener.log(`${NOTE}mount point ${mount.containerPath} is not emulated by the process executor: the process sees the host path ${mount.sourcePath} (use --executor sandbox)`);
      }
    }
    const { env, dropped } = attemptEnvironment(launch.environment, workingDirectory);
    if (dropped.length > 0) listener.log(`${NOTE}dropped environment variables ${dropped.join(", ")}: a job may not change the host's PATH or dynamic loader`);
    const { file, args } = this.executor.spawnArguments(launch.command, workingDirectory, mounts);
    const sandbox = this.executor.kind === "sandbox";
    let child: ChildProcess;
    try {
      child = spawn(file, args, {
        cwd: workingDirectory,
        env,
        // Its own process group, so that a signal to the group reaches everything the job started.
        detached: true,
        stdio: sandbox ? ["ignore", "pipe", "pipe", "pipe"] : ["ignore", "pipe", "pipe"],
      });
    } catch (error) {
      // Node refuses some arguments outright, for example a NUL character in the command or the environment.
      this.refuse(`cannot run the command: ${(error as Error).message}`);
      return;
    }
    this.child = child;
    this.jobPid = sandbox ? undefined : child.pid;
    // A running job must not keep the Node process alive: the exit hook stops it when Node ends.
    child.unref();
    this.read(child.stdout, "stdout");
    this.read(child.stderr, "stderr");
    if (sandbox) this.readSandboxStatus(child.stdio[3] as Readable | null);
    child.on("error", (error) => {
      if (child.pid === undefined) this.spawnError = error;
    });
    child.on("exit", () => this.mainProcessExited());
    child.on("close", (code, signal) => this.closed(code, signal));
  }

  private read(stream: Readable | null, name: "stdout" | "stderr"): void {
    if (!stream) return;
    (stream as Readable & { unref?: () => void }).unref?.();
    stream.on("data", (chunk: Buffer) => this.output.write(name, chunk));
  }

  /** bwrap writes `{"child-pid": N}` once it has made the sandbox's first process, whose tree is the job's. */
  private readSandboxStatus(stream: Readable | null): void {
    if (!stream) return;
    (stream as Readable & { unref?: () => void }).unref?.();
    let text = "";
    stream.on("data", (chunk: Buffer) => {
      text += chunk.toString("utf8");
      const match = /"child-pid"\s*:\s*(\d+)/.exec(text);
      if (match && this.jobPid === undefined) this.jobPid = Number(match[1]);
    });
  }

  /** The container's main process is gone, so the container is: whatever it left behind is killed. */
  private mainProcessExited(): void {
    this.exited = true;
    const groupId = this.child?.pid;
    if (groupId !== undefined) signalTree(groupId, [], "SIGKILL");
  }

  private closed(code: number | null, signal: NodeJS.Signals | null): void {
    this.output.flush();
    if (this.spawnError) {
      const message = (this.spawnError as NodeJS.ErrnoException).code === "ENOENT" ? `exec: "${this.launch.command[0]}": executable file not found in $PATH` : this.spawnError.message;
      this.finish({ reason: `CannotStartContainerError: ${message}` });
      return;
    }
    // bwrap reports its own failures (a mount it cannot make, a command it cannot run) as `bwrap: …` and exit 1.
    const lastError = this.output.lastErrorLine;
    if (this.executor.kind === "sandbox" && code === 1 && this.endedAs === undefined && lastError?.startsWith("bwrap: ")) {
      this.finish({ reason: `CannotStartContainerError: ${lastError}` });
      return;
    }
    const exitCode = code ?? (signal ? 128 + (osConstants.signals[signal] ?? 0) : 1);
    this.finish(this.endedAs ?? { exitCode });
  }

  /** The attempt may not start: it ends as a container that failed to start, after the current call. */
  private refuse(message: string): void {
    setImmediate(() => this.finish({ reason: `CannotStartContainerError: ${message}` }));
  }

  private finish(end: AttemptEnd): void {
    this.done = true;
    if (this.killTimer) clearTimeout(this.killTimer);
    this.killTimer = undefined;
    this.executor.forget(this);
    this.listener.ended(end);
    this.resolveFinished();
  }

  stop(now = false): void {
    const pid = this.child?.pid;
    if (pid === undefined || this.done) return;
    if (now) {
      this.kill();
      return;
    }
    if (this.killTimer) return;
    signalTree(pid, processTree(pid), "SIGTERM");
    this.killTimer = setTimeout(() => this.kill(), this.executor.stopGraceMs);
    this.killTimer.unref();
  }

  /** SIGKILL to the whole tree, at once. */
  kill(): void {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    signalTree(pid, processTree(pid), "SIGKILL");
  }

  /** Ends the attempt as AWS ends a container over its memory limit. */
  checkMemory(): void {
    const limit = this.launch.memoryMiB * 1024 * 1024;
    if (limit <= 0 || this.jobPid === undefined || this.exited || this.endedAs !== undefined) return;
    if (residentBytes(processTree(this.jobPid)) <= limit) return;
    this.endedAs = { exitCode: 137, reason: OUT_OF_MEMORY };
    this.listener.log(`${NOTE}the attempt used more than its ${this.launch.memoryMiB} MiB of memory and was killed`);
    this.kill();
  }
}

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number of 0 or more, got ${value}`);
  return value;
}
