import { closeSync, existsSync, fdatasyncSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { BatchService, ChangeJournal, JournalChange } from "../service";
import { ManualClock, RealClock } from "../state/clock";
import { createIdGenerator } from "../state/ids";
import type { Snapshot } from "../state/snapshot";
import { controlRoutes } from "./control";

/**
 * Durable state for server mode (`--state-dir DIR`). Every change is appended to `DIR/journal.jsonl` as one
 * JSON line and synced to disk before its response is sent; every `compactEvery` lines, and at start, the
 * whole state is written to `DIR/state.json` (a temporary file, synced, renamed over the old one, the
 * directory synced) and the journal is emptied. On start the snapshot is loaded and the journal replayed
 * in order, each change at its recorded time and with the id generator as it stood, so it comes out the same.
 */
export const STATE_FILE = "state.json";
export const JOURNAL_FILE = "journal.jsonl";
const STATE_FORMAT = "parlel-batch-state";
const DEFAULT_COMPACT_EVERY = 10_000;

/** What `state.json` holds: the snapshot, the last journal line it includes, and the outcome rules set over HTTP. */
interface StateFile {
  format: typeof STATE_FORMAT;
  version: 1;
  /** Journal lines up to this sequence number are in the snapshot: a crash between rename and truncation replays none twice. */
  journalSequence: number;
  /** The bodies of POST /_parlel/outcomes since the last reset or DELETE, in order: rules are not part of a snapshot. */
  outcomes: string[];
  state: Snapshot;
}

type JournalLine = JournalChange & { sequence: number };

export interface Restored {
  /** Journal lines replayed. */
  replayed: number;
  /** True when the journal's last line was torn (a crash mid-write) and was dropped. */
  droppedTornLine: boolean;
  /** Whether a snapshot was loaded. */
  fromSnapshot: boolean;
}

export class StateDirectory implements ChangeJournal {
  private readonly statePath: string;
  private readonly journalPath: string;
  private journalFd = -1;
  private sequence = 0;
  private linesSinceCompaction = 0;
  private outcomes: string[] = [];

  constructor(
    readonly directory: string,
    private readonly service: BatchService,
    private readonly seed: number | string | undefined,
    private readonly compactEvery = DEFAULT_COMPACT_EVERY,
  ) {
    this.statePath = join(directory, STATE_FILE);
    this.journalPath = join(directory, JOURNAL_FILE);
  }

  /**
   * Loads the directory into the service (made fresh, with no calls yet), compacts it, and starts journaling.
   * Throws an Error naming the file, and the line, when the state cannot be loaded whole.
   */
  async open(): Promise<Restored> {
    mkdirSync(this.directory, { recursive: true });
    const file = this.readStateFile();
    const { lines, tornAt } = this.readJournal();
    if (file !== undefined) await this.restore(file);
    // Attempts started while replaying wait for their recorded ends instead of running their commands again.
    else this.service.engine.replaying = true;
    let replayed = 0;
    for (const line of lines) {
      if (line.sequence <= this.sequence) continue;
      await this.replay(line);
      this.sequence = line.sequence;
      replayed++;
    }
    // Back on the clock the server was started with.
    if (this.service.clock instanceof RealClock) this.service.clock.pinned = undefined;
    // Processes that ran when the last server stopped went with it: those attempts end as a lost host's do.
    // The compaction below keeps that, before anything else is journaled.
    this.service.engine.endLostProcessAttempts();
    this.journalFd = openSync(this.journalPath, "a");
    if (tornAt !== undefined) {
      ftruncateSync(this.journalFd, tornAt);
      fsyncSync(this.journalFd);
    }
    this.compact();
    this.service.journal = this;
    return { replayed, droppedTornLine: tornAt !== undefined, fromSnapshot: file !== undefined };
  }

  record(change: JournalChange): void {
    if (change.kind === "control") this.trackOutcomes(change.method, change.path, change.body);
    const line = Buffer.from(`${JSON.stringify({ sequence: ++this.sequence, ...change })}\n`);
    for (let written = 0; written < line.byteLength; ) written += writeSync(this.journalFd, line, written);
    // Synced before the response is sent: an answered change survives a crash.
    fdatasyncSync(this.journalFd);
    if (++this.linesSinceCompaction >= this.compactEvery) this.compact();
  }

  /** Writes the whole state to state.json (atomically: temporary file, sync, rename, sync the directory), then empties the journal. */
  compact(): void {
    let snapshot: Snapshot;
    try {
      snapshot = this.service.snapshot();
    } catch {
      // An outcome function's promise is pending: the journal keeps everything until the next compaction.
      return;
    }
    const file: StateFile = { format: STATE_FORMAT, version: 1, journalSequence: this.sequence, outcomes: this.outcomes, state: snapshot };
    const temporary = `${this.statePath}.tmp`;
    const fd = openSync(temporary, "w");
    try {
      const bytes = Buffer.from(JSON.stringify(file));
      for (let written = 0; written < bytes.byteLength; ) written += writeSync(fd, bytes, written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, this.statePath);
    syncDirectory(this.directory);
    ftruncateSync(this.journalFd, 0);
    fsyncSync(this.journalFd);
    this.linesSinceCompaction = 0;
  }

  close(): void {
    if (this.journalFd >= 0) closeSync(this.journalFd);
    this.journalFd = -1;
    if (this.service.journal === this) this.service.journal = undefined;
  }

  /** Outcome rules live outside the snapshot: keep the requests that set them, as the state file carries them. */
  private trackOutcomes(method: string, path: string, body: string): void {
    if (path === "/_parlel/outcomes" && method === "POST") this.outcomes.push(body);
    else if (path === "/_parlel/outcomes" || path === "/_parlel/reset") this.outcomes = [];
  }

  private readStateFile(): StateFile | undefined {
    if (!existsSync(this.statePath)) return undefined;
    const refuse = (why: string): never => {
      throw new Error(`parlel-batch: cannot load ${this.statePath}: ${why}. Refusing to start rather than lose state; move the directory away to start empty.`);
    };
    let file: StateFile;
    try {
      file = JSON.parse(readFileSync(this.statePath, "utf8")) as StateFile;
    } catch (error) {
      return refuse(`it is not JSON (${(error as Error).message})`);
    }
    if (file?.format !== STATE_FORMAT || file.version !== 1 || typeof file.journalSequence !== "number" || !Array.isArray(file.outcomes)) return refuse(`it is not a ${STATE_FORMAT} file of version 1`);
    return file;
  }

  /** The journal's complete lines, parsed; a last line without its newline is torn and left out. */
  private readJournal(): { lines: JournalLine[]; tornAt?: number } {
    if (!existsSync(this.journalPath)) return { lines: [] };
    const bytes = readFileSync(this.journalPath);
    const end = bytes.lastIndexOf(0x0a) + 1;
    const tornAt = end < bytes.byteLength ? end : undefined;
    if (tornAt !== undefined) console.error(`parlel-batch: ${this.journalPath} ends with a torn line (${bytes.byteLength - end} bytes, a write the crash cut short and never answered): dropped.`);
    const texts = bytes.subarray(0, end).toString("utf8").split("\n");
    texts.pop();
    const lines = texts.map((text, i) => parseLine(text, i + 1, texts.length, this.journalPath));
    return { lines, tornAt };
  }

  private async restore(file: StateFile): Promise<void> {
    this.service.restore(file.state, { replaying: true });
    for (const body of file.outcomes) await this.control({ method: "POST", path: "/_parlel/outcomes", body });
    // Setting the rules made request ids: the generator goes back to where the snapshot had it.
    this.service.ids = createIdGenerator(this.seed, file.state.ids);
    this.outcomes = [...file.outcomes];
    this.sequence = file.journalSequence;
  }

  private async replay(line: JournalLine): Promise<void> {
    await this.moveClockTo(line.at);
    if (line.kind === "settle") {
      await this.service.engine.settle();
      return;
    }
    this.service.ids = createIdGenerator(this.seed, line.ids);
    if (line.kind === "attempt-ended") {
      this.service.engine.replayProcessEnd(line);
      return;
    }
    if (line.kind === "control") {
      this.trackOutcomes(line.method, line.path, line.body);
      await this.control(line);
      return;
    }
    try {
      await this.service.invoke(line.operation, JSON.parse(line.input) as Record<string, unknown>, line.partition, line.requestId, false);
    } catch (error) {
      // It succeeded when it was made; say so loudly, and go on with the rest.
      console.error(`parlel-batch: replaying journal line ${line.sequence} (${line.operation}) failed this time: ${(error as Error).message}`);
    }
  }

  /** A real clock is pinned to the change's time; a manual clock advances to it (it only moves with advance, so normally it is there). */
  private async moveClockTo(at: number): Promise<void> {
    const clock = this.service.clock;
    if (clock instanceof RealClock) clock.pinned = at;
    else if (clock instanceof ManualClock && at > clock.now()) await this.service.advance(at - clock.now());
  }

  private async control(request: { method: string; path: string; body: string }): Promise<void> {
    const response = await controlRoutes(this.service, { method: request.method, path: request.path, query: new URLSearchParams(), body: Buffer.from(request.body), headers: {} });
    if (response.statusCode !== 200) console.error(`parlel-batch: replaying ${request.method} ${request.path} answered ${response.statusCode} this time.`);
  }
}

function parseLine(text: string, number: number, count: number, path: string): JournalLine {
  const corrupt = (why: string): never => {
    throw new Error(`parlel-batch: the journal ${path} is corrupt at line ${number} of ${count}: ${why}. Refusing to start rather than load half a state; restore the file or move the directory away.`);
  };
  let line: JournalLine;
  try {
    line = JSON.parse(text) as JournalLine;
  } catch (error) {
    return corrupt(`it is not JSON (${(error as Error).message})`);
  }
  if (typeof line !== "object" || line === null || typeof line.sequence !== "number" || typeof line.at !== "number") return corrupt("it has no sequence number and time");
  if (line.kind === "batch" && (typeof line.operation !== "string" || typeof line.input !== "string" || typeof line.requestId !== "string" || typeof line.partition?.accountId !== "string" || typeof line.ids?.kind !== "string")) {
    return corrupt("a Batch change without its operation, input, partition, request id or id state");
  }
  if (line.kind === "control" && (typeof line.method !== "string" || typeof line.path !== "string" || typeof line.body !== "string" || typeof line.ids?.kind !== "string")) {
    return corrupt("a control change without its method, path, body or id state");
  }
  if (line.kind === "attempt-ended" && (typeof line.jobId !== "string" || typeof line.token !== "number" || typeof line.end !== "object" || !Array.isArray(line.lines) || typeof line.partition?.accountId !== "string")) {
    return corrupt("a process's end without its job, attempt, partition, end or lines");
  }
  if (line.kind !== "batch" && line.kind !== "control" && line.kind !== "settle" && line.kind !== "attempt-ended") return corrupt(`unknown kind ${JSON.stringify((line as { kind?: unknown }).kind)}`);
  return line;
}

/** A rename is durable once the directory that holds it is synced. */
function syncDirectory(directory: string): void {
  const fd = openSync(directory, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
