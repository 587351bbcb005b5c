import type { EngineEvent, SavedProcessAttempt } from "./engine";
import type { SavedFairShare } from "./fair-share";
import type { IdState } from "./ids";
import { newJobRecord, NO_ATTEMPTS, type JobRecord, type JobSpec } from "./job-record";
import { LogStream, type SavedLogs } from "./log-store";
import type { Partition } from "./partition";
import type { JobDefinitionRecord, ResourceRecord } from "./records";
import type { ResourceTable } from "./resource-table";
import type { ServiceJobRecord } from "./service-jobs";
import type { BatchStore, Partitions } from "./store";
import type { TimedEvent } from "./timeline";

/**
 * A fake's whole state as plain JSON data: what `fake.snapshot()` returns and `fakeBatch({ state })` starts
 * from. Records are saved field by field (every own field but the links the indexes thread through them),
 * and restoring adds them to fresh indexes, so a field added to a record later is saved without a change here.
 */
export interface Snapshot {
  format: typeof SNAPSHOT_FORMAT;
  version: typeof SNAPSHOT_VERSION;
  clock: { kind: "real" | "manual"; now: number };
  ids: IdState;
  timeline: { nextSequence: number; events: TimedEvent<EngineEvent>[] };
  partitions: SavedPartition[];
  /** Attempts that ran as processes: restored, their processes are gone (absent in snapshots without any). */
  processAttempts?: SavedProcessAttempt[];
}

export const SNAPSHOT_FORMAT = "parlel-batch-snapshot";
export const SNAPSHOT_VERSION = 1;

type Plain = Record<string, unknown>;

interface SavedPartition {
  partition: Partition;
  sequence: number;
  computeEnvironments: Plain[];
  jobQueues: Plain[];
  schedulingPolicies: Plain[];
  consumableResources: Plain[];
  serviceEnvironments: Plain[];
  quotaShares: Plain[];
  jobDefinitions: Plain[];
  lastRevisions: [string, number][];
  /** Job specs, each once: an array's children share their parent's. Jobs name theirs by index. */
  specs: Plain[];
  /** In creation order. `spec` is an index into `specs`; `logStreams` are [group, stream] names. */
  jobs: Plain[];
  /** Each queue's RUNNABLE line, in order, by job id. */
  runnable: string[];
  /** Finished top-level jobs in the order they finished (the order they expire in), by job id. */
  expiring: string[];
  usedVcpus: [string, number][];
  fairShares: [string, SavedFairShare][];
  serviceJobs: Plain[];
  logs: SavedLogs;
}

/** Fields the job indexes keep in a record: links, not state. */
const INDEX_FIELDS = new Set(["listing", "listingPrevious", "listingNext", "runnableLine", "runnablePrevious", "runnableNext", "views"]);

const RESOURCE_TABLES = ["computeEnvironments", "jobQueues", "schedulingPolicies", "consumableResources", "serviceEnvironments", "quotaShares"] as const;

export interface SnapshotSource {
  clock: { kind: "real" | "manual"; now(): number };
  ids: { state(): IdState };
  timeline: Snapshot["timeline"] | undefined;
  partitions: Partitions;
  processAttempts: SavedProcessAttempt[];
}

/** The state as a snapshot, sharing nothing with the live records. */
export function takeSnapshot(source: SnapshotSource): Snapshot {
  if (source.timeline === undefined) {
    throw new Error("snapshot(): an onJob outcome function's promise is still pending; await it (for example with `await fake.advance(0)`) first.");
  }
  const snapshot: Snapshot = {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    clock: { kind: source.clock.kind, now: source.clock.now() },
    ids: source.ids.state(),
    timeline: source.timeline,
    partitions: [...source.partitions.all()].map(savePartition),
    ...(source.processAttempts.length > 0 ? { processAttempts: source.processAttempts } : {}),
  };
  // One pass through JSON: the snapshot is then JSON for sure, and shares nothing with the store.
  return JSON.parse(JSON.stringify(snapshot)) as Snapshot;
}

function savePartition(store: BatchStore): SavedPartition {
  const specs = new Map<JobSpec, number>();
  const jobs: Plain[] = [];
  for (const job of [...store.jobs.values()].sort((a, b) => a.sequence - b.sequence)) jobs.push(saveJob(job, specs));
  const runnable: string[] = [];
  for (const queue of store.jobs.queuesWithRunnableJobs()) for (const job of store.jobs.runnableIn(queue).values()) runnable.push(job.jobId);
  const saved: SavedPartition = {
    partition: { accountId: store.partition.accountId, region: store.partition.region },
    sequence: store.sequence,
    computeEnvironments: [],
    jobQueues: [],
    schedulingPolicies: [],
    consumableResources: [],
    serviceEnvironments: [],
    quotaShares: [],
    jobDefinitions: store.jobDefinitions.values().map(ownFields),
    lastRevisions: store.jobDefinitions.lastRevisions(),
    specs: [...specs.keys()].map(ownFields),
    jobs,
    runnable,
    expiring: [...store.jobs.expiring.values()].filter((job) => store.jobs.isLive(job)).map((job) => job.jobId),
    usedVcpus: [...store.usedVcpus],
    fairShares: [...store.jobs.fairShareQueues()].map(([queue, fairShare]) => [queue, fairShare.savedUsage()]),
    serviceJobs: [...store.serviceJobs.values()].sort((a, b) => a.sequence - b.sequence).map(ownFields),
    logs: store.logs.saved(),
  };
  for (const table of RESOURCE_TABLES) saved[table] = [...(store[table] as ResourceTable<ResourceRecord<unknown>>).values()].map(ownFields);
  return saved;
}

function saveJob(job: JobRecord, specs: Map<JobSpec, number>): Plain {
  const saved: Plain = {};
  for (const [key, value] of Object.entries(job)) {
    if (INDEX_FIELDS.has(key) || value === undefined) continue;
    if (key === "spec") {
      let index = specs.get(job.spec);
      if (index === undefined) specs.set(job.spec, (index = specs.size));
      saved.spec = index;
    } else if (key === "logStreams") {
      saved.logStreams = job.logStreams?.map((stream) => [stream.groupName, stream.name]);
    } else {
      saved[key] = value;
    }
  }
  return saved;
}

function ownFields(record: object): Plain {
  return { ...(record as Plain) };
}

/**
 * Fills empty partitions from a snapshot: records are added to fresh indexes in the order they were made,
 * then each listing and line is put back in its saved order. Throws on a snapshot that is not one.
 */
export function restoreSnapshot(partitions: Partitions, snapshot: Snapshot): void {
  for (const saved of snapshot.partitions) restorePartition(partitions.get(saved.partition), saved);
}

function restorePartition(store: BatchStore, saved: SavedPartition): void {
  store.sequence = saved.sequence;
  for (const table of RESOURCE_TABLES) {
    const target = store[table] as ResourceTable<ResourceRecord<unknown>>;
    for (const record of saved[table]) target.add(record as unknown as ResourceRecord<unknown>);
  }
  for (const record of saved.jobDefinitions) store.jobDefinitions.add(record as unknown as JobDefinitionRecord);
  for (const [name, revision] of saved.lastRevisions) store.jobDefinitions.restoreLastRevision(name, revision);
  store.logs.restore(saved.logs);

  const specs = saved.specs as unknown as JobSpec[];
  const jobs = saved.jobs.map((fields) => restoreJob(store, fields, specs));
  const byId = new Map(jobs.map((job) => [job.jobId, job]));
  const find = (jobId: string): JobRecord => {
    const job = byId.get(jobId);
    if (!job) throw new Error(`it names a job ${jobId} that it does not hold`);
    return job;
  };
  // Listing positions were saved: the order in which the jobs entered their statuses.
  const byListingOrder = jobs.map((job, i) => ({ job, position: Number(saved.jobs[i].listingPosition ?? 0) })).sort((a, b) => a.position - b.position);
  store.jobs.restore(jobs, byListingOrder.map((entry) => entry.job), saved.runnable.map(find), saved.expiring.map(find));
  for (const [name, vcpus] of saved.usedVcpus) store.usedVcpus.set(name, vcpus);
  for (const [queue, usage] of saved.fairShares) store.jobs.fairShareIn(queue).restoreUsage(usage);

  for (const fields of saved.serviceJobs) {
    const job = { ...fields } as unknown as ServiceJobRecord;
    const placedOn = job.placedOn;
    job.placedOn = undefined;
    store.serviceJobs.add(job);
    if (placedOn !== undefined) store.serviceJobs.place(job, placedOn);
  }
}

function restoreJob(store: BatchStore, fields: Plain, specs: JobSpec[]): JobRecord {
  const spec = specs[fields.spec as number];
  if (spec === undefined || typeof fields.jobId !== "string") throw new Error(`a job record has no ${spec === undefined ? "spec" : "jobId"}`);
  // Every record starts with the one shape newJobRecord gives, then takes its saved fields.
  const job = newJobRecord(fields as unknown as JobRecord);
  for (const [key, value] of Object.entries(fields)) {
    if (INDEX_FIELDS.has(key)) continue;
    (job as unknown as Plain)[key] = value;
  }
  (job as { spec: JobSpec }).spec = spec;
  job.listingPosition = 0;
  if (job.attempts.length === 0) job.attempts = NO_ATTEMPTS;
  if (fields.logStreams !== undefined) {
    job.logStreams = (fields.logStreams as [string, string][]).map(
      ([group, name]) => store.logs.group(group)?.stream(name) ?? new LogStream(group, name, job.createdAt),
    );
  }
  return job;
}

/** Checks a snapshot's outline before anything is restored from it, so a wrong value fails with a clear message. */
export function checkSnapshot(value: unknown): asserts value is Snapshot {
  const fail = (what: string): never => {
    throw new Error(`fakeBatch({ state }): not a parlel-batch snapshot (from fake.snapshot()): ${what}.`);
  };
  if (typeof value !== "object" || value === null || Array.isArray(value)) fail(`got ${value === null ? "null" : Array.isArray(value) ? "an array" : typeof value}`);
  const snapshot = value as Plain;
  if (snapshot.format !== SNAPSHOT_FORMAT) fail(`its format is ${JSON.stringify(snapshot.format)}, not "${SNAPSHOT_FORMAT}"`);
  if (snapshot.version !== SNAPSHOT_VERSION) fail(`version ${JSON.stringify(snapshot.version)} is not supported (this version reads ${SNAPSHOT_VERSION})`);
  const clock = snapshot.clock as Plain | undefined;
  if (typeof clock !== "object" || clock === null || typeof clock.now !== "number" || !Number.isFinite(clock.now)) fail("clock.now is not a time in epoch milliseconds");
  const ids = snapshot.ids as Plain | undefined;
  if (typeof ids !== "object" || ids === null || (ids.kind !== "seeded" && ids.kind !== "random")) fail("ids is not an id generator's state");
  const timeline = snapshot.timeline as Plain | undefined;
  if (typeof timeline !== "object" || timeline === null || !Array.isArray(timeline.events) || typeof timeline.nextSequence !== "number") fail("timeline is not a list of events");
  if (!Array.isArray(snapshot.partitions)) fail("partitions is not a list");
  if (snapshot.processAttempts !== undefined && !Array.isArray(snapshot.processAttempts)) fail("processAttempts is not a list");
  for (const [i, partition] of (snapshot.partitions as Plain[]).entries()) {
    if (typeof partition !== "object" || partition === null) fail(`partitions[${i}] is not an object`);
    const key = partition.partition as Plain | undefined;
    if (typeof key?.accountId !== "string" || typeof key?.region !== "string") fail(`partitions[${i}].partition has no accountId and region`);
    for (const list of ["computeEnvironments", "jobQueues", "schedulingPolicies", "consumableResources", "serviceEnvironments", "quotaShares", "jobDefinitions", "lastRevisions", "specs", "jobs", "runnable", "expiring", "usedVcpus", "fairShares", "serviceJobs"]) {
      if (!Array.isArray(partition[list])) fail(`partitions[${i}].${list} is not a list`);
    }
    const logs = partition.logs as Plain | undefined;
    if (typeof logs !== "object" || logs === null || !Array.isArray(logs.groups)) fail(`partitions[${i}].logs has no groups`);
  }
}
