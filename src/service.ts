import type { JobDetail, JobStatus } from "@aws-sdk/client-batch";
import { BATCH_MODEL, type OperationName } from "./model/batch-model";
import { inputValidator } from "./model/validate";
import { BatchError, serverError } from "./operations/errors";
import type { BatchOperations, OperationContext } from "./operations/context";
import { operations as defaultOperations } from "./operations";
import { createExecutor, type AttemptExecutor, type ExecutorKind, type ExecutorOptions } from "./executor";
import { ManualClock, RealClock, type Clock } from "./state/clock";
import { Engine, type EndedProcessAttempt, type PhaseDelays } from "./state/engine";
import { createIdGenerator, type IdGenerator, type IdState } from "./state/ids";
import type { Partition } from "./state/partition";
import { Partitions, type BatchStore } from "./state/store";
import type { JobRecord } from "./state/job-record";
import { jobLogLines } from "./state/job-logs";
import type { JobOutcome } from "./state/outcomes";
import { isPromise } from "./state/maybe-promise";
import { copyData, ListedOutput } from "./state/plain-data";
import { Signatures, type SignatureOptions } from "./auth/signature";
import { ConnectionFaultError, Faults, realDelay, type FaultEffect } from "./faults";
import { JobEvents } from "./events";
import { checkQuotaSettings, quotasOf, type QuotaSettings, type Quotas } from "./operations/quotas";
import { DEFAULT_RECORDED_REQUESTS, RecordedCall, RequestLog, type RecordedRequest } from "./request-log";
import { LOGS_OPERATION_PREFIX, logsEntry } from "./logs";
import { checkSnapshot, restoreSnapshot, takeSnapshot, type Snapshot } from "./state/snapshot";

export type { RecordedRequest } from "./request-log";

export interface ServiceOptions extends SignatureOptions, ExecutorOptions {
  /**
   * What runs an attempt that no `onJob` rule scripts: `"scripted"` (the default) exits 0 at once, `"process"`
   * runs its command on the host, `"sandbox"` runs it under bubblewrap.
   */
  executor?: ExecutorKind;
  clock?: "real" | "manual";
  /** The manual clock's start, in epoch milliseconds. */
  startTime?: number;
  seed?: number | string;
  defaultAccountId?: string;
  defaultRegion?: string;
  /** How long CREATING, UPDATING and DELETING last, in milliseconds. Default 0. */
  resourceTransitionMs?: number;
  /** Time jobs spend in SUBMITTED, PENDING and STARTING, in milliseconds. Default 0 each. */
  delays?: PhaseDelays;
  /** How long terminal jobs stay visible, in milliseconds. Default 24 hours. */
  jobRetentionMs?: number;
  /** How many of the latest calls `requests` keeps; older ones are let go. 0 records none. Default 100,000. */
  recordRequests?: number;
  /** How many state-change events `events` keeps, the newest. Default 1000; 0 keeps none. */
  maxEvents?: number;
  /** Service quotas, for every account and per account id; AWS's by default (the SubmitJob rate unlimited). */
  quotas?: QuotaSettings;
}

/**
 * Where acknowledged changes go before they are answered (server mode's `--state-dir`, src/server/journal.ts).
 * `record` returns once the change is durable, and throws when it cannot be made so.
 */
export interface ChangeJournal {
  record(change: JournalChange): void;
}

/** The time and the id generator's state a change was made at: what replaying it needs to come out the same. */
export interface ChangeMoment {
  at: number;
  ids: IdState;
}

export type JournalChange =
  /** A Batch operation that succeeded; `input` is its JSON, taken before the operation ran. */
  | (ChangeMoment & { kind: "batch"; operation: string; input: string; partition: Partition; requestId: string })
  /** A read (or a failed call) whose settling of the engine ran events: they happened at `at`. */
  | { kind: "settle"; at: number }
  /** A control endpoint that changed state, as the request it was. */
  | (ChangeMoment & { kind: "control"; method: string; path: string; body: string })
  /** An attempt run as a process ended (its exit code, its output): replaying it starts no process. */
  | (ChangeMoment & { kind: "attempt-ended" } & EndedProcessAttempt);

/** Operations that change nothing, so they need no new scheduling pass. */
const READ_ONLY = /^(Describe|List|Get)/;

type OperationHandler = (input: unknown, context: OperationContext) => unknown;

interface OperationEntry {
  readonly handler: OperationHandler;
  readonly validate: ((input: unknown) => void) | undefined;
  readonly readOnly: boolean;
}

type Output = Record<string, unknown>;
const INPUT_SHAPES = new Map(BATCH_MODEL.operations.map((op) => [op.name, op.inputShape]));

function inputValidatorOf(operation: string): ((input: unknown) => void) | undefined {
  const shape = INPUT_SHAPES.get(operation);
  return shape ? inputValidator(shape) : undefined;
}

/**
 * The core every adapter calls: named operations in, results or `BatchError`s out. This is the one
 * place a request enters the system, so recording, signature checks and fault injection hook in here.
 */
export class BatchService {
  readonly partitions = new Partitions();
  /** The latest calls, up to `recordRequests`. */
  readonly requestLog: RequestLog;
  private readonly entries = new Map<string, OperationEntry>();
  readonly defaultAccountId: string;
  readonly defaultRegion: string;
  /** The configured access keys and, when asked for, SigV4 verification; the wire layer consults it. */
  readonly signatures: Signatures;
  clock: Clock;
  engine: Engine;
  ids: IdGenerator;
  /** Set in server mode with `--state-dir`: every change is recorded there before it is answered. */
  journal?: ChangeJournal;
  /** Runs unscripted attempts as processes; undefined with the scripted executor. */
  readonly executor: AttemptExecutor | undefined;
  /** Injected API faults, checked as each call enters. */
  faults: Faults;
  /** Jobs' state-change events and the waits on them; they outlive `reset()`'s state, as listeners do. */
  readonly events: JobEvents;

  constructor(
    private readonly options: ServiceOptions = {},
    private readonly operations: BatchOperations = defaultOperations,
  ) {
    this.requestLog = new RequestLog(options.recordRequests ?? DEFAULT_RECORDED_REQUESTS);
    if (options.quotas !== undefined) checkQuotaSettings(options.quotas);
    this.defaultAccountId = options.defaultAccountId ?? "000000000000";
    this.defaultRegion = options.defaultRegion ?? "us-east-1";
    this.signatures = new Signatures(options, this.defaultAccountId);
    this.clock = makeClock(options);
    this.executor = createExecutor(options.executor, options);
    this.events = new JobEvents(options.seed, options.maxEvents);
    this.engine = this.makeEngine();
    this.ids = createIdGenerator(options.seed);
    this.faults = new Faults(options.seed);
  }

  /** The latest calls, oldest first, as a read-only array; each element's input and output are read as copies. */
  get requests(): readonly RecordedRequest[] {
    return this.requestLog.view;
  }

  isOperation(name: string): name is OperationName {
    return Object.prototype.hasOwnProperty.call(this.operations, name);
  }

  /**
   * Validates the input by the model, runs the operation, and settles the engine before answering. The
   * output is the caller's own: one that holds the store's views comes back as a plain copy.
   */
  async call(
    operation: string,
    input: Record<string, unknown>,
    partition: Partition,
    requestId: string,
    options: { record?: boolean } = {},
  ): Promise<Record<string, unknown>> {
    const recorded = options.record !== false;
    const output = await this.invoke(operation, input, partition, requestId, recorded);
    if (output instanceof ListedOutput) return ListedOutput.copy(output);
    // A recorded output is the log's; the caller gets a copy of its own.
    return recorded && this.requestLog.recording ? copyData(output) : output;
  }

  /**
   * `call`, answering at once when nothing has to wait (no outcome function's promise is pending), and with
   * a promise only when something does: the wire layer answers most calls without a turn of the event loop.
   */
  invoke(operation: string, input: Record<string, unknown>, partition: Partition, requestId: string, recorded = true, requestBytes?: number, signal?: AbortSignal): Output | Promise<Output> {
    let record: RecordedCall | undefined;
    if (recorded) {
      if (this.requestLog.recording) this.requestLog.add((record = new RecordedCall(operation, input, partition, requestId, requestBytes)));
      else this.requestLog.skipped();
    }
    try {
      const entry = this.entryOf(operation);
      if (!entry) {
        throw new BatchError("UnknownOperationException", `parlel-batch does not implement the operation ${operation} yet.`);
      }
      const fault = this.faults.size === 0 ? undefined : this.faults.take({ operation, input });
      if (fault !== undefined) return this.faulted(record, operation, fault, signal, () => this.run(record, operation, entry, input, partition, requestId, requestBytes));
      return this.run(record, operation, entry, input, partition, requestId, requestBytes);
    } catch (error) {
      return this.failed(record, error, operation);
    }
  }

  /** The moment a change starts, and what a journal needs to replay it; the input's JSON is taken before the operation can touch it. */
  private beginChange(entry: OperationEntry, operation: string, input: Record<string, unknown>, partition: Partition, requestId: string): PendingChange {
    const at = this.clock.now();
    const settledChanges = this.engine.settledChanges;
    if (entry.readOnly) return { at, settledChanges };
    return { at, settledChanges, change: { kind: "batch", operation, input: JSON.stringify(input), partition, requestId, at, ids: this.ids.state() } };
  }

  /** Records a change that succeeded; a call that changed nothing but the engine's settling records that. */
  private endChange(pending: PendingChange, succeeded: boolean): void {
    const journal = this.journal;
    if (journal === undefined) return;
    if (succeeded && pending.change !== undefined) journal.record(pending.change);
    else if (this.engine.settledChanges !== pending.settledChanges) journal.record({ kind: "settle", at: pending.at });
  }

  /** The moment a control request that may change state arrives, for `recordControl`. */
  controlMoment(): ChangeMoment | undefined {
    return this.journal === undefined ? undefined : { at: this.clock.now(), ids: this.ids.state() };
  }

  /** Records a control request that changed state (reset, advance, outcomes, complete). */
  recordControl(moment: ChangeMoment | undefined, method: string, path: string, body: string): void {
    if (moment !== undefined) this.journal?.record({ kind: "control", method, path, body, ...moment });
  }

  /** The call itself, once no fault stands in its way: its change (for a journal) begins here. */
  private run(record: RecordedCall | undefined, operation: string, entry: OperationEntry, input: Record<string, unknown>, partition: Partition, requestId: string, requestBytes: number | undefined): Output | Promise<Output> {
    let change: PendingChange | undefined;
    try {
      if (this.journal !== undefined) change = this.beginChange(entry, operation, input, partition, requestId);
      const output = this.engine.settleSync()
        ? this.operate(entry, input, partition, requestId, requestBytes)
        : this.engine.settle().then(() => this.operate(entry, input, partition, requestId, requestBytes));
      if (isPromise(output)) return output.then((value) => this.succeeded(record, value, change), (error: unknown) => this.failed(record, error, operation, change));
      return this.succeeded(record, output, change);
    } catch (error) {
      return this.failed(record, error, operation, change);
    }
  }

  /**
   * A call an injected fault applies to: it waits its latency in real time (cut short by the caller's abort
   * signal), then either runs as usual (latency alone) or answers the fault without running, changing nothing.
   */
  private faulted(record: RecordedCall | undefined, operation: string, fault: FaultEffect, signal: AbortSignal | undefined, run: () => Output | Promise<Output>): Output | Promise<Output> {
    const answer = (): Output | Promise<Output> => {
      if (fault.kind === "latency") return run();
      return this.failed(record, fault.kind === "error" ? fault.error : new ConnectionFaultError(fault.connection), operation);
    };
    const latencyMs = fault.kind === "connection" ? 0 : fault.latencyMs;
    if (latencyMs <= 0) return answer();
    return realDelay(latencyMs, signal).then(answer, (error: unknown) => this.failed(record, error, operation));
  }

  /** Validation, the operation, and the engine's settling of what the operation started. */
  private operate(entry: OperationEntry, input: Record<string, unknown>, partition: Partition, requestId: string, requestBytes: number | undefined): Output | Promise<Output> {
    entry.validate?.(input);
    const store = this.partitions.get(partition);
    const context: OperationContext = {
      partition,
      store,
      engine: this.engine,
      ids: this.ids,
      requestId,
      now: this.clock.now(),
      requestBytes,
      quotas: this.quotasOf(partition.accountId),
    };
    const result = entry.readOnly ? entry.handler(input, context) : this.mutate(entry.handler, input, context);
    if (isPromise(result)) return result.then((value) => this.afterOperation(entry, value));
    return this.afterOperation(entry, result);
  }

  private readonly quotasByAccount = new Map<string, Quotas>();

  /** The quotas of an account, worked out once. */
  private quotasOf(accountId: string): Quotas {
    let quotas = this.quotasByAccount.get(accountId);
    if (quotas === undefined) this.quotasByAccount.set(accountId, (quotas = quotasOf(this.options.quotas, accountId)));
    return quotas;
  }

  /** An operation's handler, input validator and kind, found once per name. CloudWatch Logs' are `logs:<Operation>`. */
  private entryOf(operation: string): OperationEntry | undefined {
    let entry = this.entries.get(operation);
    if (entry === undefined && this.isOperation(operation)) {
      entry = {
        handler: this.operations[operation] as OperationHandler,
        validate: inputValidatorOf(operation),
        readOnly: READ_ONLY.test(operation),
      };
      this.entries.set(operation, entry);
    } else if (entry === undefined) {
      // The Logs operations only read what jobs wrote.
      const logs = logsEntry(operation);
      if (logs) entry = { handler: logs.handler, validate: logs.validate, readOnly: true };
      // Names a client made up are not kept: they would grow the map without bound.
      if (entry && logs?.known) this.entries.set(operation, entry);
    }
    return entry;
  }

  /** Runs an operation that may change jobs, saying so once it has, even when it fails half-way. */
  private mutate(handler: OperationHandler, input: unknown, context: OperationContext): unknown {
    try {
      return handler(input, context);
    } finally {
      context.store.jobs.views.changed();
    }
  }

  private afterOperation(entry: OperationEntry, result: unknown): Output | Promise<Output> {
    const output = (result ?? {}) as Output;
    // A read changed nothing, so nothing new can be due: the next call settles what time alone brings.
    if (entry.readOnly) return output;
    this.engine.wake();
    if (this.engine.settleSync()) return output;
    return this.engine.settle().then(() => output);
  }

  private succeeded(record: RecordedCall | undefined, output: Output, change?: PendingChange): Output {
    // Durable before it is answered: a journal that cannot write makes the call fail.
    if (change !== undefined) this.endChange(change, true);
    record?.succeeded(output, this.clock.now());
    return output;
  }

  private failed(record: RecordedCall | undefined, error: unknown, operation: string, change?: PendingChange): never {
    if (change !== undefined) {
      try {
        this.endChange(change, false);
      } catch {
        // The call fails anyway, with its own error.
      }
    }
    if (error instanceof ConnectionFaultError || (error instanceof Error && error.name === "AbortError")) {
      // Not an answer: the adapter closes the connection, or the caller has gone.
      record?.failed({ type: error.name, message: error.message }, this.clock.now());
      throw error;
    }
    const text = `Internal error in parlel-batch: ${(error as Error)?.message ?? String(error)}`;
    const failure = error instanceof BatchError ? error : operation.startsWith(LOGS_OPERATION_PREFIX) ? new BatchError("InternalFailure", text) : serverError(text);
    record?.failed({ type: failure.type, message: failure.message }, this.clock.now());
    throw failure;
  }

  /**
   * Moves a manual clock forward, running each event at its own instant on the way. A duration that is not
   * 0 or more milliseconds, or that would leave the range of a `Date`, is a RangeError and moves nothing.
   */
  async advance(ms: number): Promise<void> {
    const clock = this.clock;
    if (!(clock instanceof ManualClock)) throw new Error('advance() needs the manual clock: fakeBatch({ clock: "manual" })');
    const target = clock.targetOf(ms);
    for (let next = this.engine.nextEventTime(); next !== undefined && next <= target; next = this.engine.nextEventTime()) {
      clock.advanceTo(next);
      await this.engine.settle();
    }
    clock.advanceTo(target);
    await this.engine.settle();
  }

  private makeEngine(): Engine {
    const { resourceTransitionMs, delays, jobRetentionMs } = this.options;
    const processEnds = {
      wanted: () => this.journal !== undefined,
      ended: (ended: EndedProcessAttempt) => this.journal?.record({ kind: "attempt-ended", at: this.clock.now(), ids: this.ids.state(), ...ended }),
    };
    return new Engine(this.clock, this.partitions, { resourceTransitionMs, delays, jobRetentionMs, executor: this.executor, observer: this.events, processEnds });
  }

  /** A job by id in whichever partition holds it. */
  findJob(jobId: string): { store: BatchStore; job: JobRecord } | undefined {
    for (const store of this.partitions.all()) {
      const job = store.jobs.get(jobId);
      if (job) return { store, job };
    }
    return undefined;
  }

  /**
   * The stores holding a compute environment: the one its ARN names, or every partition with one of that name.
   * Fails with a clear message when there is none.
   */
  private computeEnvironmentStores(computeEnvironment: string, caller: string): { store: BatchStore; name: string }[] {
    const found: { store: BatchStore; name: string }[] = [];
    for (const store of this.partitions.all()) {
      const record = store.computeEnvironments.find(computeEnvironment);
      if (record && (!computeEnvironment.startsWith("arn:") || record.arn === computeEnvironment)) found.push({ store, name: record.name });
    }
    if (found.length === 0) throw new Error(`${caller}: no compute environment ${computeEnvironment}.`);
    return found;
  }

  /**
   * A Spot reclaim or lost host: the attempts STARTING or RUNNING on the compute environment (only those of the
   * jobs named, when given) end with `Host EC2 (instance i-…) terminated.` and no exit code. The ids of the jobs it ended.
   */
  async interruptHost(computeEnvironment: string, jobIds?: readonly string[]): Promise<string[]> {
    await this.engine.settle();
    const ended: string[] = [];
    const only = jobIds === undefined ? undefined : new Set(jobIds);
    for (const { store, name } of this.computeEnvironmentStores(computeEnvironment, "interruptHost()")) {
      for (const job of this.engine.interruptHost(store, name, only)) ended.push(job.jobId);
    }
    await this.engine.settle();
    return ended;
  }

  /**
   * A compute environment that cannot get instances: while short, jobs are not placed on it, and RUNNABLE jobs
   * that have nowhere else to go show `CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY - …`. `available: true` heals it.
   */
  async setCapacity(computeEnvironment: string, available: boolean, instanceType?: string): Promise<void> {
    for (const { store, name } of this.computeEnvironmentStores(computeEnvironment, available ? "healCapacity()" : "failCapacity()")) {
      if (available) {
        store.capacityShortages.delete(name);
        continue;
      }
      const listed = store.computeEnvironments.find(name)?.detail.computeResources?.instanceTypes?.find((type) => /\./.test(type));
      const type = instanceType ?? listed ?? "m5.large";
      store.capacityShortages.set(name, `CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY - Service cannot fulfill the capacity requested for instance type ${type}`);
    }
    for (const store of this.partitions.all()) store.jobs.views.changed();
    this.engine.wake();
    await this.engine.settle();
  }

  /**
   * Ends a job's running (or starting) attempt now with the outcome given, and runs what follows from it.
   * The job, or undefined when there is none with this id.
   */
  async complete(jobId: string, outcome: JobOutcome): Promise<JobRecord | undefined> {
    const found = this.findJob(jobId);
    if (!found) return undefined;
    this.engine.complete(found.store, found.job, outcome);
    await this.engine.settle();
    return found.job;
  }

  /** The lines a job's attempts wrote to their log streams, in order (from the `from`-th on); undefined when there is no such job. */
  logs(jobId: string, from = 0): string[] | undefined {
    const found = this.findJob(jobId);
    return found && jobLogLines(found.job, from);
  }

  /**
   * Kills every attempt's process and waits until they are gone, and stops the engine's timer. No process
   * starts after this: it is the end of the fake's use (`afterAll`), and jobs still RUNNING stay so.
   */
  async close(): Promise<void> {
    this.engine.close();
    await this.executor?.close();
  }

  /**
   * Settles when the job is in one of the statuses, with its DescribeJobs view. On the manual clock it moves
   * time from event to event until then; on the real clock it settles the engine as events fall due. It fails
   * when the job can no longer get there, and on the manual clock when nothing scheduled can move it on.
   */
  async waitFor(jobId: string, statuses: readonly JobStatus[], options: { timeoutMs?: number } = {}): Promise<JobDetail> {
    await this.engine.settle();
    const found = this.findJob(jobId);
    if (!found) throw new Error(`waitFor(): no job ${jobId}.`);
    const wait = this.events.wait(found.job, statuses);
    // Handled here while the loop below runs; the caller gets the outcome from the return.
    wait.promise.catch(() => undefined);
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => wait.cancel(new Error(`waitFor(): job ${jobId} is ${found.job.status}, not ${statuses.join(" or ")}, after ${options.timeoutMs} ms.`)), options.timeoutMs);
    try {
      while (!wait.done()) await this.moveOn(found.job, statuses, wait.cancel);
      return await wait.promise;
    } finally {
      clearTimeout(timer);
    }
  }

  /** One step of a wait: the next event on the manual clock, or a short real-time pause on the real clock. */
  private async moveOn(job: JobRecord, statuses: readonly JobStatus[], fail: (error: Error) => void): Promise<void> {
    const clock = this.clock;
    const next = this.engine.nextEventTime();
    if (!(clock instanceof ManualClock)) {
      const wait = next === undefined ? REAL_CLOCK_POLL_MS : Math.min(Math.max(0, next - clock.now()), REAL_CLOCK_POLL_MS);
      await new Promise((done) => setTimeout(done, wait));
      await this.engine.settle();
      return;
    }
    if (next !== undefined) {
      clock.advanceTo(next);
      await this.engine.settle();
      return;
    }
    // Nothing is scheduled: give code running beside the wait (a complete(), a request) its turn first.
    await new Promise((done) => setImmediate(done));
    if (this.engine.nextEventTime() !== undefined || !this.engine.settleSync()) {
      await this.engine.settle();
      return;
    }
    const reason = job.statusReason ? ` (${job.statusReason})` : "";
    fail(new Error(`waitFor(): job ${job.jobId} is ${job.status}${reason}, and nothing scheduled on the manual clock can bring it to ${statuses.join(" or ")}.`));
  }

  newRequestId(): string {
    return this.ids.uuid();
  }

  /** The whole state as plain JSON data (not the onJob rules, not the recorded requests). */
  snapshot(): Snapshot {
    this.engine.settleSync();
    return takeSnapshot({ clock: this.clock, ids: this.ids, timeline: this.engine.savedTimeline(), partitions: this.partitions, processAttempts: this.engine.savedProcessAttempts() });
  }

  /**
   * Replaces the state with a snapshot's: a manual clock moves to the snapshot's time, ids go on from where
   * the snapshot's stood, and the events that were waiting (jobs in flight) wait again. Takes a copy, so two
   * services restored from one snapshot share nothing. Throws a clear Error on a value that is not a snapshot.
   * Attempts that ran as processes have none now: they end as AWS ends an attempt whose host is gone, unless
   * `replaying` (a journal follows, which may hold their ends; see `Engine.endLostProcessAttempts`).
   */
  restore(value: unknown, { replaying = false }: { replaying?: boolean } = {}): void {
    checkSnapshot(value);
    const snapshot = JSON.parse(JSON.stringify(value)) as Snapshot;
    this.partitions.clear();
    // The fake's own clock option decides; without one, the snapshot's kind of clock.
    this.clock = (this.options.clock ?? snapshot.clock.kind) === "manual" ? new ManualClock(snapshot.clock.now) : new RealClock();
    this.engine = this.makeEngine();
    this.ids = createIdGenerator(this.options.seed, snapshot.ids);
    try {
      restoreSnapshot(this.partitions, snapshot);
      this.engine.restoreTimeline(snapshot.timeline);
      this.engine.adoptProcessAttempts(snapshot.processAttempts ?? []);
    } catch (error) {
      this.reset();
      throw new Error(`fakeBatch({ state }): the snapshot is malformed: ${(error as Error)?.message ?? String(error)}`);
    }
    this.engine.replaying = replaying;
    if (!replaying) this.engine.endLostProcessAttempts();
  }

  /** Clears every partition, the recorded requests, the faults and the clock. */
  reset(): void {
    // Processes of the jobs cleared away are killed: nothing outlives the state it belonged to.
    this.engine.close();
    this.events.reset();
    this.partitions.clear();
    this.requestLog.clear(true);
    this.clock = makeClock(this.options);
    this.engine = this.makeEngine();
    this.ids = createIdGenerator(this.options.seed);
    this.faults = new Faults(this.options.seed);
  }
}

interface PendingChange {
  readonly at: number;
  readonly settledChanges: number;
  readonly change?: JournalChange;
}

/** How often a wait on the real clock looks again when nothing is scheduled sooner. */
const REAL_CLOCK_POLL_MS = 25;

function makeClock(options: ServiceOptions): Clock {
  return options.clock === "manual" ? new ManualClock(options.startTime ?? Date.now()) : new RealClock();
}
