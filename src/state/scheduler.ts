import type { ComputeEnvironmentRecord, JobQueueRecord } from "./records";
import type { Engine } from "./engine";
import type { FairsharePolicy } from "@aws-sdk/client-batch";
import type { JobRecord } from "./job-record";
import type { BatchStore } from "./store";

/** How many jobs in a row may fail to fit before a queue's pass gives up for this round. */
const BACKFILL_LOOKAHEAD = 64;
export const MAX_RESOURCE_REASON = "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE - CE(s) associated with the job queue cannot meet the CPU requirement of the job.";

interface Placement {
  record: ComputeEnvironmentRecord;
  capacity: number;
}

/**
 * Places RUNNABLE jobs on compute environments. One pass walks the queues in descending priority; each
 * queue takes its jobs in FIFO order (or by fair share) and tries its compute environments in `order`,
 * within each environment's free vCPUs.
 */
export class Scheduler {
  /** Set when something may have made a placement possible. */
  pending = true;
  /** When each queue's head is next checked against its time limits, so the check is scheduled once. */
  private readonly timeLimitChecks = new Map<string, number>();

  constructor(private readonly engine: Engine) {}

  wake(): void {
    this.pending = true;
  }

  release(store: BatchStore, job: JobRecord): void {
    const name = job.computeEnvironment as string;
    store.usedVcpus.set(name, (store.usedVcpus.get(name) ?? 0) - this.demand(job));
    if (job.spec.shareIdentifier !== undefined) {
      store.jobs.fairShareIn(job.spec.queueName).stopped(job, this.demand(job), this.engine.now(), fairsharePolicyOf(store, job.spec.queueName));
    }
    this.giveBackConsumables(store, job);
    this.pending = true;
  }

  run(store: BatchStore): void {
    const names = store.jobs.queuesWithRunnableJobs();
    // Most passes find nothing to place (a job just finished, or nothing waits), or one queue with jobs.
    if (names.length === 0) return;
    if (names.length === 1) {
      const queue = store.jobQueues.find(names[0]);
      if (queue) this.runQueue(store, queue);
      return;
    }
    const queues = names
      .map((name) => store.jobQueues.find(name))
      .filter((queue): queue is JobQueueRecord => queue !== undefined)
      .sort((a, b) => (b.detail.priority ?? 0) - (a.detail.priority ?? 0) || a.sequence - b.sequence);
    for (const queue of queues) this.runQueue(store, queue);
  }

  private runQueue(store: BatchStore, queue: JobQueueRecord): void {
    this.place(store, queue);
    this.applyTimeLimits(store, queue);
  }

  private place(store: BatchStore, queue: JobQueueRecord): void {
    const placements = this.placementsFor(store, queue);
    const shortage = store.capacityShortages.size === 0 ? undefined : this.shortageOf(store, queue);
    if (placements.length === 0) {
      if (shortage !== undefined) this.markShort(store, queue, shortage);
      return;
    }
    let largest = Number.NEGATIVE_INFINITY;
    for (const placement of placements) if (placement.capacity > largest) largest = placement.capacity;
    // With no vCPU free, a walk could only mark the jobs too large for every environment: when none can be
    // waiting, it would change nothing, and a saturated queue's pass costs nothing however many jobs wait.
    if (shortage === undefined && store.jobs.runnableIn(queue.name).largestDemand <= largest && this.freeVcpus(store, placements) <= 0) return;
    let misses = 0;
    const fairShare = this.fairShareLimit(store, queue, placements);
    // A fair-share walk takes jobs from share after share; they start once it ends, in the order they were
    // submitted, so the engine's work on them follows their order in memory (measured: about a fifth off a drain).
    const starting: { job: JobRecord; computeEnvironment: string }[] | undefined = fairsharePolicyOf(store, queue.name) ? [] : undefined;
    for (const job of this.candidates(store, queue)) {
      const demand = this.demand(job);
      if (demand > largest) {
        if (job.statusReason !== MAX_RESOURCE_REASON) job.statusReason = MAX_RESOURCE_REASON;
        continue;
      }
      // computeReservation holds capacity back for shares that are not active yet.
      if (fairShare && fairShare.queue.runningVcpus + demand > fairShare.limit) {
        if (++misses > BACKFILL_LOOKAHEAD) break;
        continue;
      }
      const target = placementFor(store, placements, demand);
      if (!target && shortage !== undefined && job.statusReason !== shortage) job.statusReason = shortage;
      if (!target || !this.takeConsumables(store, job)) {
        if (++misses > BACKFILL_LOOKAHEAD || this.freeVcpus(store, placements) <= 0) break;
        continue;
      }
      this.occupy(store, job, target.record.name);
      if (starting !== undefined) starting.push({ job, computeEnvironment: target.record.name });
      else this.engine.placed(store, job, target.record.name);
    }
    if (starting === undefined) return;
    starting.sort((a, b) => a.job.sequence - b.job.sequence);
    for (const { job, computeEnvironment } of starting) this.engine.placed(store, job, computeEnvironment);
  }

  /**
   * Where a pass would place this job if it were the only RUNNABLE job: the first usable compute environment
   * of its queue, in order, with room for it. For a job that takes no consumable resources.
   */
  placementNow(store: BatchStore, queue: JobQueueRecord, job: JobRecord): string | undefined {
    // A job larger than every environment fits none of them, as in `place`.
    return placementFor(store, this.placementsFor(store, queue), this.demand(job))?.record.name;
  }

  occupy(store: BatchStore, job: JobRecord, computeEnvironment: string): void {
    store.usedVcpus.set(computeEnvironment, (store.usedVcpus.get(computeEnvironment) ?? 0) + this.demand(job));
    if (job.spec.shareIdentifier !== undefined) {
      store.jobs.fairShareIn(job.spec.queueName).started(job, this.demand(job), this.engine.now(), fairsharePolicyOf(store, job.spec.queueName));
    }
  }

  /** For a fair-share queue whose policy reserves capacity: how many vCPUs its jobs may hold together now. */
  private fairShareLimit(store: BatchStore, queue: JobQueueRecord, placements: Placement[]) {
    const policy = fairsharePolicyOf(store, queue.name);
    if (!policy?.computeReservation) return undefined;
    const total = placements.reduce((sum, p) => sum + p.capacity, 0);
    const fairShareQueue = store.jobs.fairShareIn(queue.name);
    return { queue: fairShareQueue, limit: total * fairShareQueue.usableFraction(this.engine.now(), policy) };
  }

  /**
   * jobStateTimeLimitActions: the job at the head of the queue, blocked in RUNNABLE with the action's
   * reason for `maxTimeSeconds`, is cancelled with that reason.
   */
  private applyTimeLimits(store: BatchStore, queue: JobQueueRecord): void {
    const actions = queue.detail.jobStateTimeLimitActions ?? [];
    if (actions.length === 0) return;
    const head = store.jobs.runnableIn(queue.name).first();
    if (!head) return;
    // The action names the reason's code; the job's statusReason carries the code and an explanation.
    const action = actions.find((a) => a.state === "RUNNABLE" && a.reason !== undefined && head.statusReason?.startsWith(a.reason));
    if (!action) return;
    const due = head.statusSince + (action.maxTimeSeconds ?? 0) * 1000;
    if (this.engine.now() >= due) {
      this.engine.cancel(store, head, action.reason as string);
      return;
    }
    const key = `${store.partition.accountId}/${store.partition.region}/${queue.name}`;
    if (this.timeLimitChecks.get(key) === due) return;
    this.timeLimitChecks.set(key, due);
    this.engine.schedule(due - this.engine.now(), { type: "queue-time-limit", partition: store.partition, queueName: queue.name });
  }

  /** The reason a queue's jobs wait when one of its usable compute environments cannot get instances. */
  private shortageOf(store: BatchStore, queue: JobQueueRecord): string | undefined {
    for (const entry of inOrder(queue.detail.computeEnvironmentOrder ?? [])) {
      const record = store.computeEnvironments.find(entry.computeEnvironment ?? "");
      const reason = record && store.capacityShortages.get(record.name);
      if (reason !== undefined) return reason;
    }
    return undefined;
  }

  /** With no environment able to take jobs, the jobs at the front of the queue show why they wait. */
  private markShort(store: BatchStore, queue: JobQueueRecord, reason: string): void {
    let looked = 0;
    for (const job of this.candidates(store, queue)) {
      if (job.statusReason !== reason) job.statusReason = reason;
      if (++looked > BACKFILL_LOOKAHEAD) break;
    }
  }

  /** The queue's usable compute environments in `order`: ENABLED and VALID only, and able to get instances. */
  private placementsFor(store: BatchStore, queue: JobQueueRecord): Placement[] {
    const placements: Placement[] = [];
    for (const entry of inOrder(queue.detail.computeEnvironmentOrder ?? [])) {
      const record = usableEnvironment(store, entry.computeEnvironment);
      if (record) placements.push({ record, capacity: capacityOf(record) });
    }
    return placements;
  }

  /**
   * Whether the job needs more vCPUs than any usable environment of its queue has at all: AWS gives such a job
   * its MISCONFIGURATION reason as it becomes RUNNABLE, wherever it waits in line.
   */
  exceedsEveryEnvironment(store: BatchStore, job: JobRecord): boolean {
    const queue = store.jobQueues.find(job.spec.queueName);
    let largest = Number.NEGATIVE_INFINITY;
    for (const entry of queue?.detail.computeEnvironmentOrder ?? []) {
      const record = usableEnvironment(store, entry.computeEnvironment);
      if (record) largest = Math.max(largest, capacityOf(record));
    }
    return largest !== Number.NEGATIVE_INFINITY && this.demand(job) > largest;
  }

  private freeVcpus(store: BatchStore, placements: Placement[]): number {
    return placements.reduce((sum, p) => sum + Math.max(0, p.capacity - (store.usedVcpus.get(p.record.name) ?? 0)), 0);
  }

  /** Jobs in the order the queue serves them. A snapshot, since placing a job changes the index. */
  private candidates(store: BatchStore, queue: JobQueueRecord): Iterable<JobRecord> {
    return dispatchOrder(store, queue, this.engine.now());
  }

  private demand(job: JobRecord): number {
    return job.spec.vcpus;
  }

  private takeConsumables(store: BatchStore, job: JobRecord): boolean {
    const wanted = job.spec.consumableResourceProperties?.consumableResourceList ?? [];
    if (wanted.length === 0) return true;
    const resources = wanted.map((w) => ({ record: store.consumableResources.find(w.consumableResource ?? ""), quantity: w.quantity ?? 0 }));
    if (resources.some((r) => !r.record || (r.record.detail.availableQuantity ?? 0) < r.quantity)) return false;
    for (const { record, quantity } of resources) {
      const detail = record!.detail;
      detail.inUseQuantity = (detail.inUseQuantity ?? 0) + quantity;
      detail.availableQuantity = (detail.totalQuantity ?? 0) - detail.inUseQuantity;
    }
    return true;
  }

  private giveBackConsumables(store: BatchStore, job: JobRecord): void {
    for (const wanted of job.spec.consumableResourceProperties?.consumableResourceList ?? []) {
      const detail = store.consumableResources.find(wanted.consumableResource ?? "")?.detail;
      if (!detail) continue;
      detail.inUseQuantity = Math.max(0, (detail.inUseQuantity ?? 0) - (wanted.quantity ?? 0));
      if (detail.resourceType === "NON_REPLENISHABLE") detail.totalQuantity = Math.max(0, (detail.totalQuantity ?? 0) - (wanted.quantity ?? 0));
      detail.availableQuantity = (detail.totalQuantity ?? 0) - detail.inUseQuantity;
    }
  }
}

/**
 * A queue's compute or service environments by `order`, as the scheduler tries them; most queues list them in
 * order already, and need no copy.
 */
export function inOrder<Entry extends { order?: number }>(entries: readonly Entry[]): readonly Entry[] {
  for (let i = 1; i < entries.length; i++) {
    if ((entries[i - 1].order ?? 0) > (entries[i].order ?? 0)) return [...entries].sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
  }
  return entries;
}

/** A compute environment jobs can be placed on now: ENABLED, VALID and able to get instances. */
function usableEnvironment(store: BatchStore, name: string | undefined): ComputeEnvironmentRecord | undefined {
  const record = store.computeEnvironments.find(name ?? "");
  if (!record || record.detail.state !== "ENABLED" || record.detail.status !== "VALID") return undefined;
  if (store.capacityShortages.size > 0 && store.capacityShortages.has(record.name)) return undefined;
  return record;
}

/** The first compute environment, in order, with `demand` vCPUs free. */
function placementFor(store: BatchStore, placements: Placement[], demand: number): Placement | undefined {
  for (const placement of placements) {
    if (placement.capacity - (store.usedVcpus.get(placement.record.name) ?? 0) >= demand) return placement;
  }
  return undefined;
}

/** MANAGED: maxvCpus. UNMANAGED: unmanagedvCpus, or unlimited when it is 0 or unset. */
export function capacityOf(record: ComputeEnvironmentRecord): number {
  if (record.detail.type === "UNMANAGED") return record.detail.unmanagedvCpus ? record.detail.unmanagedvCpus : Number.POSITIVE_INFINITY;
  return record.detail.computeResources?.maxvCpus ?? 0;
}

function* snapshot(values: IterableIterator<JobRecord>): IterableIterator<JobRecord> {
  // The index may change while we place jobs; read ahead one entry so removal of the current one is safe.
  let current = values.next();
  while (!current.done) {
    const next = values.next();
    yield current.value;
    current = next;
  }
}

/** The fair-share policy of a queue, if it has one. */
export function fairsharePolicyOf(store: BatchStore, queueName: string): FairsharePolicy | undefined {
  const arn = store.jobQueues.find(queueName)?.detail.schedulingPolicyArn;
  return arn ? store.schedulingPolicies.find(arn)?.detail.fairsharePolicy : undefined;
}

/**
 * A queue's RUNNABLE jobs in the order the scheduler takes them: first in, first out, or for a fair-share
 * queue by its shares' usage (see FairShareQueue). Safe to walk while placing jobs.
 */
export function dispatchOrder(store: BatchStore, queue: JobQueueRecord, now: number): IterableIterator<JobRecord> {
  const runnable = store.jobs.runnableIn(queue.name);
  const policy = fairsharePolicyOf(store, queue.name);
  if (!policy) return snapshot(runnable.values());
  return store.jobs.fairShareIn(queue.name).dispatchOrder(now, policy);
}
