import type { FairsharePolicy } from "@aws-sdk/client-batch";
import type { JobRecord } from "./job-record";
import { Heap } from "./heap";
import { Line } from "./line";
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
  /** Shares with RUNNABLE jobs: a dispatch walk ranks only these. */
  private readonly waitingShares = new Set<Share>();
  private arrivals = 0;
  /** vCPUs of the queue's STARTING and RUNNING jobs. */
  runningVcpus = 0;
  /** Jobs started so far: a dispatch walk tells a job its caller started from one it passed over. */
  private startedCount = 0;
  /** The shares in a dispatch walk, by key and then the arrival of their next job. */
  private readonly turns = new Heap<Share>();
  private walking = false;

  /** A job joins the queue's RUNNABLE line. */
  joinRunnable(job: JobRecord): void {
    const share = this.shareOf(job);
    if (share.runnable++ === 0) this.waitingShares.add(share);
    share.line.push({ job, priority: job.spec.schedulingPriority ?? 0, arrival: ++this.arrivals });
  }

  /** A job leaves the RUNNABLE line: placed, cancelled or removed. */
  leftRunnable(job: JobRecord): void {
    const share = this.shares.get(shareIdentifierOf(job));
    if (!share) return;
    if (--share.runnable === 0) this.waitingShares.delete(share);
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
    this.startedCount++;
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
   * share, higher scheduling priority first, then first come. A job the caller does not start (`started`)
   * before asking for the next one is left RUNNABLE, and goes back to its place when the walk ends; so the
   * caller may move started jobs on after the walk.
   */
  *dispatchOrder(now: number, policy: FairsharePolicy | undefined): Generator<JobRecord> {
    const window = windowSeconds(policy);
    // Every pass on a saturated queue walks here: the heap is kept from walk to walk, so that one allocates
    // almost nothing. A walk begun inside another (none does today) gets its own.
    const turns = this.walking ? new Heap<Share>() : this.turns;
    const ownsTurns = turns === this.turns;
    if (ownsTurns) this.walking = true;
    turns.clear();
    // Ranked by each share's key, then the arrival of its first entry, which may have left RUNNABLE: a turn
    // is ranked again when it comes up.
    for (const share of this.waitingShares) {
      const arrival = share.line.frontArrival;
      if (arrival !== undefined) turns.push(share, share.usageAt(now, policy) + share.weight(policy) * window * share.runningVcpus, arrival);
    }
    // Jobs the caller left RUNNABLE, by share, in the order they were taken.
    let skipped: Map<Share, LineEntry[]> | undefined;
    // The job last yielded, until the caller comes back, and the count of started jobs then: a caller that
    // stops there without starting it leaves it unplaced.
    let yieldedShare: Share | undefined;
    let yieldedEntry: LineEntry | undefined;
    let startedBefore = 0;
    try {
      for (let share = turns.peek(); share !== undefined; share = turns.peek()) {
        const key = turns.firstPrimary() as number;
        const head = share.line.peek();
        if (head === undefined) {
          turns.pop();
          continue;
        }
        if (head.arrival !== turns.firstSecondary()) {
          turns.replaceFirst(share, key, head.arrival);
          continue;
        }
        share.line.shift();
        // Ranked by the next entry's arrival unread: checked when the turn comes up again.
        const next = share.line.frontArrival;
        if (next === undefined) turns.pop();
        else turns.replaceFirst(share, key + share.weight(policy) * window * head.job.spec.vcpus, next);
        yieldedShare = share;
        yieldedEntry = head;
        startedBefore = this.startedCount;
        yield head.job;
        yieldedShare = yieldedEntry = undefined;
        if (this.startedCount === startedBefore) skipped = skip(skipped, share, head);
      }
    } finally {
      if (yieldedShare !== undefined && this.startedCount === startedBefore) skipped = skip(skipped, yieldedShare, yieldedEntry as LineEntry);
      if (ownsTurns) {
        turns.clear();
        this.walking = false;
      }
      // Jobs not placed are still RUNNABLE and keep their place.
      for (const [share, entries] of skipped ?? []) share.line.putBack(entries.filter((entry) => waiting(entry.job)));
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
 * One share's RUNNABLE jobs: higher priority first, then first come. One first-in, first-out line per
 * scheduling priority, so taking the next job costs the same however many wait. A job that leaves RUNNABLE
 * otherwise than through `shift` is dropped when it reaches the front, and the lines are rebuilt once such
 * jobs make up half of them, so their size stays proportional to the jobs waiting.
 */
class ShareLine {
  private readonly lines = new Map<number, Line<LineEntry>>();
  /** The priorities that have a line, highest first. */
  private priorities: number[] = [];
  private entries = 0;
  /**
   * The first entry's priority and arrival as of the last change, kept as numbers so that ranking the shares
   * reads no entry; that entry may have left RUNNABLE since.
   */
  private frontPriority = Number.NEGATIVE_INFINITY;
  frontArrival: number | undefined = undefined;

  push(entry: LineEntry): void {
    let line = this.lines.get(entry.priority);
    if (line === undefined) {
      this.lines.set(entry.priority, (line = new Line()));
      this.priorities.push(entry.priority);
      this.priorities.sort((a, b) => b - a);
    }
    line.push(entry);
    this.entries++;
    if (this.frontArrival === undefined || entry.priority > this.frontPriority) this.setFront(entry);
  }

  /** Puts entries taken by `shift` back in front, in the order they were taken. */
  putBack(entries: readonly LineEntry[]): void {
    for (let i = entries.length - 1; i >= 0; i--) {
      const entry = entries[i];
      const line = this.lines.get(entry.priority);
      if (line === undefined) this.push(entry);
      else {
        line.unshift(entry);
        this.entries++;
      }
    }
    this.refreshFront();
  }

  /** Rebuilds the lines once jobs that left them otherwise make up half of them. */
  compact(waitingCount: number): void {
    if (this.entries <= 2 * waitingCount + 32) return;
    const kept: LineEntry[] = [];
    for (const priority of this.priorities) for (const entry of (this.lines.get(priority) as Line<LineEntry>).values()) if (waiting(entry.job)) kept.push(entry);
    this.lines.clear();
    this.priorities = [];
    this.entries = 0;
    this.setFront(undefined);
    for (const entry of kept) this.push(entry);
  }

  /** The first job still RUNNABLE; entries of jobs that left are dropped on the way. */
  peek(): LineEntry | undefined {
    for (let i = 0; i < this.priorities.length; i++) {
      const line = this.lines.get(this.priorities[i]) as Line<LineEntry>;
      for (let head = line.first(); head !== undefined; head = line.first()) {
        if (waiting(head.job)) {
          this.setFront(head);
          return head;
        }
        line.shift();
        this.entries--;
      }
      // An empty line goes, so that a walk over the priorities meets only lines with jobs.
      this.lines.delete(this.priorities[i]);
      this.priorities.splice(i--, 1);
    }
    this.setFront(undefined);
    return undefined;
  }

  shift(): LineEntry | undefined {
    const head = this.peek();
    if (head !== undefined) {
      (this.lines.get(head.priority) as Line<LineEntry>).shift();
      this.entries--;
      this.refreshFront();
    }
    return head;
  }

  private refreshFront(): void {
    for (const priority of this.priorities) {
      const first = (this.lines.get(priority) as Line<LineEntry>).first();
      if (first !== undefined) return this.setFront(first);
    }
    this.setFront(undefined);
  }

  private setFront(entry: LineEntry | undefined): void {
    this.frontPriority = entry?.priority ?? Number.NEGATIVE_INFINITY;
    this.frontArrival = entry?.arrival;
  }
}

/** Adds an entry the caller left RUNNABLE to the walk's list of them, made on the first. */
function skip(skipped: Map<Share, LineEntry[]> | undefined, share: Share, entry: LineEntry): Map<Share, LineEntry[]> {
  const map = skipped ?? new Map<Share, LineEntry[]>();
  const entries = map.get(share);
  if (entries === undefined) map.set(share, [entry]);
  else entries.push(entry);
  return map;
}

/** Still in its queue's RUNNABLE line. */
function waiting(job: JobRecord): boolean {
  return job.status === "RUNNABLE" && job.runnableLine !== undefined;
}
