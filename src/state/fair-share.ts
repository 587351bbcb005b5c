import type { FairsharePolicy } from "@aws-sdk/client-batch";
import type { JobRecord } from "./job-record";
import { globMatches } from "./patterns";

/** AWS's quota of active share identifiers per fair-share queue. */
export const MAX_ACTIVE_SHARE_IDENTIFIERS = 500;
/** `shareDecaySeconds: 0` (or none) means the minimum window. */
const MIN_DECAY_SECONDS = 600;
/** GetJobQueueSnapshot lists the top 20 shares. */
const TOP_SHARES = 20;

type ShareDistribution = NonNullable<FairsharePolicy["shareDistribution"]>;

/**
 * Fair-share state of one queue: per share identifier, its RUNNABLE jobs in dispatch order and its usage.
 *
 * Usage follows `dU/dt = weight × runningVcpus − U / window`: vCPU·seconds scaled by the share's weight
 * factor, decaying exponentially with the policy's window (`shareDecaySeconds`, 600 s when 0). Every
 * placement and every read costs a walk over the queue's shares at most, never over its jobs.
 */
export class FairShareQueue {
  private readonly shares = new Map<string, Share>();
  private arrivals = 0;
  /** vCPUs of the queue's STARTING and RUNNING jobs. */
  runningVcpus = 0;

  /** A job joins the queue's RUNNABLE line. */
  joinRunnable(job: JobRecord): void {
    const share = this.shareOf(job);
    share.runnable++;
    share.line.push(job, job.spec.schedulingPriority ?? 0, ++this.arrivals);
  }

  /** A job leaves the RUNNABLE line: placed, cancelled or removed. */
  leftRunnable(job: JobRecord): void {
    const share = this.shares.get(shareIdentifierOf(job));
    if (!share) return;
    share.runnable--;
    share.line.compact(share.runnable);
  }

  /** A top-level job of the share is accepted: the share is active until its jobs are done and the window has passed. */
  jobArrived(job: JobRecord): void {
    this.shareOf(job).unfinished++;
  }

  jobFinished(job: JobRecord, now: number): void {
    const share = this.shares.get(shareIdentifierOf(job));
    if (!share) return;
    share.unfinished--;
    share.lastActiveAt = now;
  }

  /** A job of the queue takes `vcpus` on a compute environment. */
  started(job: JobRecord, vcpus: number, now: number, policy: FairsharePolicy | undefined): void {
    const share = this.shareOf(job);
    share.settle(now, policy);
    share.runningVcpus += vcpus;
    this.runningVcpus += vcpus;
  }

  stopped(job: JobRecord, vcpus: number, now: number, policy: FairsharePolicy | undefined): void {
    const share = this.shares.get(shareIdentifierOf(job));
    if (!share) return;
    share.settle(now, policy);
    share.runningVcpus -= vcpus;
    this.runningVcpus -= vcpus;
    share.lastActiveAt = now;
  }

  /**
   * RUNNABLE jobs in the order the scheduler takes them: each next job from the share whose usage, with the
   * jobs already running or taken in this walk counted at their steady-state weight, is lowest; within a
   * share, higher scheduling priority first, then first come. Jobs the caller leaves RUNNABLE go back in line
   * when the walk ends.
   */
  *dispatchOrder(now: number, policy: FairsharePolicy | undefined): Generator<JobRecord> {
    const window = windowSeconds(policy);
    const keys = new Map<Share, number>();
    for (const share of this.shares.values()) {
      if (share.runnable === 0) continue;
      keys.set(share, share.usageAt(now, policy) + share.weight(policy) * window * share.runningVcpus);
    }
    const taken: { share: Share; job: JobRecord; priority: number; arrival: number }[] = [];
    try {
      for (;;) {
        let best: Share | undefined;
        let bestKey = Number.POSITIVE_INFINITY;
        for (const [share, key] of keys) {
          const head = share.line.peek();
          if (head === undefined) continue;
          if (key < bestKey || (key === bestKey && best !== undefined && head.arrival < (best.line.peek() as LineEntry).arrival)) {
            best = share;
            bestKey = key;
          }
        }
        if (best === undefined) return;
        const entry = best.line.pop() as LineEntry;
        taken.push({ share: best, ...entry });
        keys.set(best, bestKey + best.weight(policy) * window * entry.job.spec.vcpus);
        yield entry.job;
      }
    } finally {
      // Jobs not placed are still RUNNABLE and keep their place.
      for (const { share, job, priority, arrival } of taken) {
        if (job.status === "RUNNABLE" && job.runnableLine !== undefined) share.line.push(job, priority, arrival);
      }
    }
  }

  /** Whether a job with this share identifier may be submitted: at most 500 shares are active at once. */
  admits(shareIdentifier: string, now: number, policy: FairsharePolicy | undefined): boolean {
    const share = this.shares.get(shareIdentifier);
    if (share?.isActive(now, policy)) return true;
    return this.activeShareCount(now, policy) < MAX_ACTIVE_SHARE_IDENTIFIERS;
  }

  /** Shares with unfinished jobs, or whose last job ended within the window. Forgets shares long idle. */
  activeShareCount(now: number, policy: FairsharePolicy | undefined): number {
    let count = 0;
    for (const [identifier, share] of this.shares) {
      if (share.isActive(now, policy)) count++;
      else if (share.isForgettable(now, policy)) this.shares.delete(identifier);
    }
    return count;
  }

  /**
   * The fraction of the queue's capacity its active shares may use together: `computeReservation` holds back
   * `(computeReservation/100)^activeShares` for shares that are not active yet.
   */
  usableFraction(now: number, policy: FairsharePolicy | undefined): number {
    const reservation = policy?.computeReservation ?? 0;
    if (reservation <= 0) return 1;
    return 1 - Math.pow(reservation / 100, Math.max(1, this.activeShareCount(now, policy)));
  }

  /** GetJobQueueSnapshot's `fairshareUtilization`: shares using capacity now, the top 20 by vCPUs in use. */
  utilization(): { activeShareCount: number; top: { shareIdentifier: string; vcpus: number }[] } {
    const using: { shareIdentifier: string; vcpus: number }[] = [];
    for (const [shareIdentifier, share] of this.shares) if (share.runningVcpus > 0) using.push({ shareIdentifier, vcpus: share.runningVcpus });
    using.sort((a, b) => b.vcpus - a.vcpus || (a.shareIdentifier < b.shareIdentifier ? -1 : 1));
    return { activeShareCount: using.length, top: using.slice(0, TOP_SHARES) };
  }

  /** A share's usage now, for tests and the dashboard: decayed, weighted vCPU·seconds. */
  usageOf(shareIdentifier: string, now: number, policy: FairsharePolicy | undefined): number {
    return this.shares.get(shareIdentifier)?.usageAt(now, policy) ?? 0;
  }

  /** Usage and running vCPUs per share, for a snapshot: the counts of waiting jobs come back as the jobs are added. */
  savedUsage(): SavedFairShare {
    return { runningVcpus: this.runningVcpus, shares: [...this.shares.values()].map((share) => share.savedUsage()) };
  }

  restoreUsage(saved: SavedFairShare): void {
    this.runningVcpus = saved.runningVcpus;
    for (const usage of saved.shares) this.share(usage.identifier).restoreUsage(usage);
  }

  private shareOf(job: JobRecord): Share {
    return this.share(shareIdentifierOf(job));
  }

  private share(identifier: string): Share {
    let share = this.shares.get(identifier);
    if (!share) this.shares.set(identifier, (share = new Share(identifier)));
    return share;
  }
}

function shareIdentifierOf(job: JobRecord): string {
  return job.spec.shareIdentifier ?? "";
}

function windowSeconds(policy: FairsharePolicy | undefined): number {
  return Math.max(MIN_DECAY_SECONDS, policy?.shareDecaySeconds ?? 0);
}

class Share {
  readonly line = new ShareLine();
  /** Jobs in the queue's RUNNABLE line, including those a dispatch walk has taken out of `line` for now. */
  runnable = 0;
  /** Top-level jobs between SUBMITTED and RUNNING. */
  unfinished = 0;
  lastActiveAt = Number.NEGATIVE_INFINITY;
  runningVcpus = 0;
  private usage = 0;
  private usageTime = Number.NEGATIVE_INFINITY;
  private weightSource: ShareDistribution | undefined = undefined;
  private weightValue = 1;

  constructor(readonly identifier: string) {}

  /** JSON has no infinity: a time never set is saved as null. */
  savedUsage(): SavedShareUsage {
    const finite = (value: number): number | null => (Number.isFinite(value) ? value : null);
    return { identifier: this.identifier, usage: this.usage, usageTime: finite(this.usageTime), lastActiveAt: finite(this.lastActiveAt), runningVcpus: this.runningVcpus };
  }

  restoreUsage(saved: SavedShareUsage): void {
    this.usage = saved.usage;
    this.usageTime = saved.usageTime ?? Number.NEGATIVE_INFINITY;
    this.lastActiveAt = saved.lastActiveAt ?? Number.NEGATIVE_INFINITY;
    this.runningVcpus = saved.runningVcpus;
  }

  /** The weight factor of the longest `shareDistribution` entry that matches (a trailing `*` is a prefix); 1 by default. */
  weight(policy: FairsharePolicy | undefined): number {
    const distribution = policy?.shareDistribution;
    if (distribution !== this.weightSource) {
      this.weightSource = distribution;
      let best: { length: number; weight: number } | undefined;
      for (const entry of distribution ?? []) {
        const pattern = entry.shareIdentifier ?? "";
        if (globMatches(pattern, this.identifier) && (!best || pattern.length > best.length)) best = { length: pattern.length, weight: entry.weightFactor ?? 1 };
      }
      this.weightValue = best?.weight ?? 1;
    }
    return this.weightValue;
  }

  usageAt(now: number, policy: FairsharePolicy | undefined): number {
    if (this.usageTime === Number.NEGATIVE_INFINITY || now <= this.usageTime) return this.usage;
    const window = windowSeconds(policy);
    const decay = Math.exp(-(now - this.usageTime) / 1000 / window);
    return this.usage * decay + this.weight(policy) * this.runningVcpus * window * (1 - decay);
  }

  /** Brings the usage up to `now`, before the running vCPUs change. */
  settle(now: number, policy: FairsharePolicy | undefined): void {
    this.usage = this.usageAt(now, policy);
    this.usageTime = now;
  }

  isActive(now: number, policy: FairsharePolicy | undefined): boolean {
    return this.unfinished > 0 || this.runningVcpus > 0 || now < this.lastActiveAt + windowSeconds(policy) * 1000;
  }

  /** Idle for long enough that its usage no longer counts and nothing of it waits. */
  isForgettable(now: number, policy: FairsharePolicy | undefined): boolean {
    return this.runnable === 0 && this.runningVcpus === 0 && this.unfinished === 0 && this.usageAt(now, policy) < 1e-6;
  }
}

export interface SavedShareUsage {
  identifier: string;
  usage: number;
  usageTime: number | null;
  lastActiveAt: number | null;
  runningVcpus: number;
}

export interface SavedFairShare {
  runningVcpus: number;
  shares: SavedShareUsage[];
}

interface LineEntry {
  job: JobRecord;
  priority: number;
  arrival: number;
}

/**
 * One share's RUNNABLE jobs as a binary heap: higher priority first, then earlier arrival. A job that leaves
 * RUNNABLE otherwise than through `pop` is dropped when it reaches the top, and the heap is rebuilt once such
 * jobs make up half of it, so its size stays proportional to the jobs waiting.
 */
class ShareLine {
  private readonly heap: LineEntry[] = [];

  push(job: JobRecord, priority: number, arrival: number): void {
    this.heap.push({ job, priority, arrival });
    this.up(this.heap.length - 1);
  }

  /** Rebuilds the heap once jobs that left it otherwise make up half of it. */
  compact(waitingCount: number): void {
    if (this.heap.length > 2 * waitingCount + 32) this.rebuild();
  }

  peek(): LineEntry | undefined {
    this.dropStale();
    return this.heap[0];
  }

  pop(): LineEntry | undefined {
    this.dropStale();
    const top = this.heap[0];
    if (top === undefined) return undefined;
    const last = this.heap.pop() as LineEntry;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      this.down(0);
    }
    return top;
  }

  private dropStale(): void {
    while (this.heap.length > 0 && !waiting(this.heap[0].job)) {
      const last = this.heap.pop() as LineEntry;
      if (this.heap.length > 0) {
        this.heap[0] = last;
        this.down(0);
      }
    }
  }

  private rebuild(): void {
    const kept = this.heap.filter((entry) => waiting(entry.job));
    this.heap.length = 0;
    for (const entry of kept) this.push(entry.job, entry.priority, entry.arrival);
  }

  private up(index: number): void {
    const heap = this.heap;
    const entry = heap[index];
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!before(entry, heap[parent])) break;
      heap[index] = heap[parent];
      index = parent;
    }
    heap[index] = entry;
  }

  private down(index: number): void {
    const heap = this.heap;
    const entry = heap[index];
    for (;;) {
      const left = 2 * index + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && before(heap[right], heap[left]) ? right : left;
      if (!before(heap[child], entry)) break;
      heap[index] = heap[child];
      index = child;
    }
    heap[index] = entry;
  }
}

function before(a: LineEntry, b: LineEntry): boolean {
  return a.priority !== b.priority ? a.priority > b.priority : a.arrival < b.arrival;
}

/** Still in its queue's RUNNABLE line. */
function waiting(job: JobRecord): boolean {
  return job.status === "RUNNABLE" && job.runnableLine !== undefined;
}
