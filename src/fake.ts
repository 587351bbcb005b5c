import type { HttpHandlerOptions, RequestHandlerMetadata } from "@smithy/types";
import type { HttpRequest, HttpResponse } from "@smithy/protocol-http";
import { createSmithyHandlerMethods, type FakeHttpHandler, type FakeHttpHandlerConfig } from "./handler/smithy-handler";
import { BatchService, type RecordedRequest, type ServiceOptions } from "./service";
import type { Partition } from "./state/partition";
import { provision, type ProvisionOptions, type Provisioned } from "./provision";
import type { JobMatcher, JobOutcome, OutcomeSource } from "./state/outcomes";
import { listen, type ListenOptions, type RunningServer } from "./server/http-server";
import type { Snapshot } from "./state/snapshot";

export type { Snapshot } from "./state/snapshot";
import type { Fault, FaultMatch } from "./faults";
import type { JobDetail, JobStatus } from "@aws-sdk/client-batch";
import type { BatchJobStateChangeEvent, JobEventListener } from "./events";

export interface FakeBatchOptions extends ServiceOptions {
  /** Bodies larger than this are refused with a ClientException. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Starts from this state, taken earlier with `fake.snapshot()` (and perhaps kept as JSON). */
  state?: Snapshot;
}

/**
 * A fake AWS Batch: a Smithy request handler for `BatchClient`, plus the controls a test needs.
 *
 * ```ts
 * const fake = fakeBatch();
 * const batch = new BatchClient({ region: "us-east-1", requestHandler: fake });
 * ```
 */
export class FakeBatch implements FakeHttpHandler {
  readonly service: BatchService;
  readonly metadata: RequestHandlerMetadata;
  readonly handle: (request: HttpRequest, options?: HttpHandlerOptions) => Promise<{ response: HttpResponse }>;
  readonly updateHttpClientConfig: (key: never, value: never) => void;
  readonly httpHandlerConfigs: () => FakeHttpHandlerConfig;
  readonly destroy: () => void;

  private readonly maxBodyBytes: number | undefined;

  constructor(options: FakeBatchOptions = {}) {
    this.service = new BatchService(options);
    if (options.state !== undefined) this.service.restore(options.state);
    this.maxBodyBytes = options.maxBodyBytes;
    const methods = createSmithyHandlerMethods(() => this.service, options.maxBodyBytes);
    this.metadata = methods.metadata;
    this.handle = methods.handle;
    this.updateHttpClientConfig = methods.updateHttpClientConfig;
    this.httpHandlerConfigs = methods.httpHandlerConfigs;
    this.destroy = methods.destroy;
    this.provision = this.provision.bind(this);
    this.reset = this.reset.bind(this);
    this.clearRequests = this.clearRequests.bind(this);
    this.advance = this.advance.bind(this);
    this.onJob = this.onJob.bind(this);
    this.complete = this.complete.bind(this);
    this.logs = this.logs.bind(this);
    this.listen = this.listen.bind(this);
    this.failNext = this.failNext.bind(this);
    this.clearFaults = this.clearFaults.bind(this);
    this.onEvent = this.onEvent.bind(this);
    this.interruptHost = this.interruptHost.bind(this);
    this.failCapacity = this.failCapacity.bind(this);
    this.healCapacity = this.healCapacity.bind(this);
    this.waitFor = this.waitFor.bind(this);
    this.snapshot = this.snapshot.bind(this);
    this.close = this.close.bind(this);
  }

  /**
   * The whole state as plain JSON data: resources, job definitions and their revisions, jobs with every field
   * (attempts, timestamps, tags, dependencies, children and nodes), service jobs, logs, fair-share usage, the
   * clock's time, where the ids stand and what waits on the timeline. Not the onJob rules nor the recorded
   * requests. `fakeBatch({ state })` starts from it; every fake made from one snapshot has its own copy.
   *
   * ```ts
   * const world = fake.snapshot();                // or JSON.parse(fs.readFileSync(...))
   * const other = fakeBatch({ clock: "manual", state: world });
   * ```
   */
  snapshot(): Snapshot {
    return this.service.snapshot();
  }

  /**
   * The latest "Batch Job State Change" events (1000 by default, `maxEvents`), oldest first: one per status a
   * job entered after SUBMITTED, in EventBridge's shape, with the job's DescribeJobs view as `detail`.
   */
  get events(): BatchJobStateChangeEvent[] {
    return this.service.events.list().map((kept) => kept.event);
  }

  /**
   * Calls `listener` with each "Batch Job State Change" event from now on, just after the change that made it
   * (so a test can feed them to the handler it tests). Returns a function that removes the listener.
   */
  onEvent(listener: JobEventListener): () => void {
    return this.service.events.listen(listener);
  }

  /**
   * Resolves with the job's DescribeJobs view once it is in the status (or one of the statuses) given. On the
   * manual clock it moves time from event to event until then; on the real clock it waits. It rejects, naming
   * the job, once the job can no longer get there (or after `timeoutMs` of real time, when given).
   *
   * ```ts
   * const job = await fake.waitFor(jobId, ["SUCCEEDED", "FAILED"]);
   * ```
   */
  waitFor(jobId: string, status: JobStatus | readonly JobStatus[], options: { timeoutMs?: number } = {}): Promise<JobDetail> {
    return this.service.waitFor(jobId, typeof status === "string" ? [status] : status, options);
  }

  /**
   * The latest calls the fake answered (up to `recordRequests`), oldest first, with their input and their
   * output or error. Each read of an element's `input` or `output` returns a copy.
   */
  get requests(): readonly RecordedRequest[] {
    return this.service.requests;
  }

  /** Empties `requests`, and nothing else. */
  clearRequests(): void {
    this.service.requestLog.clear();
  }

  /** Clears all resources, jobs and recorded requests in every account and region. */
  reset(): void {
    this.service.reset();
  }

  /**
   * Creates a ready compute environment, queues and job definitions in one call.
   *
   * ```ts
   * await fake.provision({ jobQueues: ["jq"], jobDefinitions: ["echo"] });
   * ```
   */
  provision(options: ProvisionOptions = {}): Promise<Provisioned> {
    return provision(this.service, options);
  }

  /** Moves the manual clock forward by `ms`, running everything that falls due on the way. */
  advance(ms: number): Promise<void> {
    return this.service.advance(ms);
  }

  /**
   * Decides what the attempts of matching jobs do. A later rule takes precedence over an earlier one;
   * with no rule, an attempt exits 0 at once.
   *
   * ```ts
   * fake.onJob({ jobName: /^etl-/ }, { exitCode: 1, reason: "boom" });
   * fake.onJob((job) => job.arrayIndex === 3, (job, attempt) => ({ exitCode: attempt < 2 ? 1 : 0 }));
   * ```
   */
  onJob(match: JobMatcher, outcome: OutcomeSource): this {
    this.service.engine.outcomes.add(match, outcome);
    return this;
  }

  /**
   * Makes matching calls fail, wait or lose their connection, before they run: a faulted call changes nothing
   * and is recorded in `requests` with the error it answered. `match` is an operation name (`"*"` for all), a
   * command class, or a predicate on the input; the first fault in force that matches applies.
   *
   * ```ts
   * fake.failNext(SubmitJobCommand, "ThrottlingException");                  // once
   * fake.failNext("*", { error: "ServiceUnavailable", probability: 0.2 });   // until clearFaults()
   * fake.failNext("DescribeJobs", { latencyMs: 2_000, times: 3 });          // real time, even on the manual clock
   * fake.failNext((input) => input.jobName === "big", { error: "ServerException", times: 2 });
   * ```
   */
  failNext(match: FaultMatch, fault: Fault): this {
    this.service.faults.add(match, fault);
    return this;
  }

  /**
   * A Spot interruption or lost host: the attempts STARTING or RUNNING on the compute environment (name or ARN)
   * end with the job-level `statusReason` `Host EC2 (instance i-…) terminated.` and no exit code; the retry
   * strategy decides what follows (`evaluateOnExit: [{ onStatusReason: "Host EC2*", action: "RETRY" }]`).
   * `jobs` limits it to those jobs. Resolves with the ids of the jobs interrupted.
   */
  interruptHost(computeEnvironment: string, options: { jobs?: readonly string[] } = {}): Promise<string[]> {
    return this.service.interruptHost(computeEnvironment, options.jobs);
  }

  /**
   * The compute environment cannot get instances until `healCapacity`: no job is placed on it, and RUNNABLE jobs
   * with nowhere else to go wait with `CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY - …`, which a queue's
   * `jobStateTimeLimitActions` can act on.
   */
  failCapacity(computeEnvironment: string, options: { instanceType?: string } = {}): Promise<void> {
    return this.service.setCapacity(computeEnvironment, false, options.instanceType);
  }

  /** The compute environment gets instances again; its waiting jobs are placed. */
  healCapacity(computeEnvironment: string): Promise<void> {
    return this.service.setCapacity(computeEnvironment, true);
  }

  /** Removes every injected fault. */
  clearFaults(): void {
    this.service.faults.clear();
  }

  /** Ends a job's running attempt now with the outcome given (default: exit 0). */
  async complete(jobId: string, outcome: JobOutcome = {}): Promise<void> {
    if (!(await this.service.complete(jobId, outcome))) throw new Error(`complete(): no job ${jobId}`);
  }

  /**
   * The log lines a job's attempts wrote, from their outcomes. An unknown job id is an error, as in server
   * mode (404), so a mistyped id is not taken for a job that wrote nothing.
   */
  logs(jobId: string): string[] {
    const logs = this.service.logs(jobId);
    if (logs === undefined) throw new Error(`logs(): no job ${jobId}`);
    return logs;
  }

  /**
   * Serves this fake over HTTP, for boto3, the AWS CLI and other processes. Both sides share one state, and
   * the fake's `maxBodyBytes` applies unless `options` sets its own.
   *
   * ```ts
   * const server = await fake.listen({ port: 0 });
   * // ... AWS_ENDPOINT_URL=server.url ...
   * await server.close();
   * ```
   */
  listen(options: ListenOptions = {}): Promise<RunningServer> {
    return listen(() => this.service, { ...options, maxBodyBytes: options.maxBodyBytes ?? this.maxBodyBytes });
  }

  /**
   * With the process or sandbox executor: kills every running attempt's processes, waits until they are gone,
   * and removes the default work directory. Call it when done with the fake (`afterAll`): no process starts
   * after it, and jobs still RUNNING stay so. Harmless with the scripted executor.
   */
  close(): Promise<void> {
    return this.service.close();
  }

  /** The current time on the fake's clock, in epoch milliseconds. */
  now(): number {
    return this.service.clock.now();
  }

  /** The default account and region, where calls without SigV4 credentials land. */
  get defaultPartition(): Partition {
    return { accountId: this.service.defaultAccountId, region: this.service.defaultRegion };
  }
}

export function fakeBatch(options?: FakeBatchOptions): FakeBatch {
  return new FakeBatch(options);
}
