/**
 * CloudWatch Logs' state for one account and region: log groups, their streams, and each stream's events in
 * time order. Batch writes each attempt's output here (see `job-logs.ts`); the Logs operations read it.
 * Knows nothing of HTTP or of the Logs API's shapes.
 */

/** One log event, as a stream keeps it. */
export interface LogEvent {
  readonly timestamp: number;
  readonly message: string;
  readonly ingestionTime: number;
  /**
   * The order of arrival in the partition, from 1: it breaks ties between equal timestamps, so (timestamp,
   * sequence) orders all events, and event ids and page tokens are made from that pair.
   */
  readonly sequence: number;
}

/** A point in a stream's order, between events: every event sorts before or after it, never on it. */
export interface LogPosition {
  readonly timestamp: number;
  /** 0 stands before every event of `timestamp`; an event's sequence + 1 stands right after that event. */
  readonly sequence: number;
}

export class LogStream {
  /** In (timestamp, sequence) order. */
  readonly events: LogEvent[] = [];
  lastIngestionTime: number | undefined = undefined;
  /** UTF-8 bytes of the messages, for the group's `storedBytes`. */
  bytes = 0;

  constructor(
    readonly groupName: string,
    readonly name: string,
    readonly creationTime: number,
    /** The attempt (ECS task) whose output the stream holds, when a job's attempt made it. */
    readonly taskToken?: number,
  ) {}

  get firstEventTimestamp(): number | undefined {
    return this.events[0]?.timestamp;
  }

  get lastEventTimestamp(): number | undefined {
    return this.events[this.events.length - 1]?.timestamp;
  }

  /** The index of the first event at or after `position`: a binary search. */
  indexOf(position: LogPosition): number {
    const events = this.events;
    let low = 0;
    let high = events.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const event = events[middle];
      if (event.timestamp < position.timestamp || (event.timestamp === position.timestamp && event.sequence < position.sequence)) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** The position right after everything the stream holds now. */
  end(): LogPosition {
    const last = this.events[this.events.length - 1];
    return last === undefined ? START : after(last);
  }
}

export const START: LogPosition = Object.freeze({ timestamp: 0, sequence: 0 });

/** The position right after an event. */
export function after(event: LogEvent): LogPosition {
  return { timestamp: event.timestamp, sequence: event.sequence + 1 };
}

/** The position right before an event. */
export function before(event: LogEvent): LogPosition {
  return { timestamp: event.timestamp, sequence: event.sequence };
}

export class LogGroup {
  private readonly streams = new Map<string, LogStream>();
  /** The stream names in ASCII order, made when first asked for after a change. */
  private sortedNames: string[] | undefined = undefined;
  bytes = 0;

  constructor(
    readonly name: string,
    readonly creationTime: number,
  ) {}

  get size(): number {
    return this.streams.size;
  }

  stream(name: string): LogStream | undefined {
    return this.streams.get(name);
  }

  add(stream: LogStream): void {
    this.streams.set(stream.name, stream);
    this.sortedNames = undefined;
  }

  delete(name: string): void {
    const stream = this.streams.get(name);
    if (!stream) return;
    this.streams.delete(name);
    this.bytes -= stream.bytes;
    this.sortedNames = undefined;
  }

  /** The stream names in ASCII order (sorted once after streams come or go, then reused). */
  names(): readonly string[] {
    return (this.sortedNames ??= [...this.streams.keys()].sort(compareAscii));
  }

  values(): IterableIterator<LogStream> {
    return this.streams.values();
  }
}

export function compareAscii(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The log groups of one partition. Groups are kept until the store is cleared; streams leave with their job. */
export class LogStore {
  private readonly groups = new Map<string, LogGroup>();
  private sortedNames: string[] | undefined = undefined;
  private sequence = 0;

  group(name: string): LogGroup | undefined {
    return this.groups.get(name);
  }

  /** The group, made at `now` if it does not exist yet (Batch's awslogs driver creates its group when needed). */
  openGroup(name: string, now: number): LogGroup {
    let group = this.groups.get(name);
    if (!group) {
      group = new LogGroup(name, now);
      this.groups.set(name, group);
      this.sortedNames = undefined;
    }
    return group;
  }

  /** The stream, made at `now` (with its group) if it does not exist yet. */
  openStream(groupName: string, streamName: string, now: number, taskToken?: number): LogStream {
    const group = this.openGroup(groupName, now);
    let stream = group.stream(streamName);
    if (!stream) {
      stream = new LogStream(groupName, streamName, now, taskToken);
      group.add(stream);
    }
    return stream;
  }

  /**
   * Adds an event in its place by timestamp: at the end when timestamps arrive in order (the usual case,
   * O(1)), otherwise after the events of the same or earlier time.
   */
  append(stream: LogStream, message: string, timestamp: number, ingestionTime: number): LogEvent {
    const event: LogEvent = { timestamp, message, ingestionTime, sequence: ++this.sequence };
    const events = stream.events;
    const last = events[events.length - 1];
    if (last === undefined || last.timestamp <= timestamp) events.push(event);
    else events.splice(stream.indexOf({ timestamp, sequence: event.sequence }), 0, event);
    stream.lastIngestionTime = ingestionTime;
    const bytes = Buffer.byteLength(message);
    stream.bytes += bytes;
    const group = this.groups.get(stream.groupName);
    if (group?.stream(stream.name) === stream) group.bytes += bytes;
    return event;
  }

  deleteStream(stream: LogStream): void {
    const group = this.groups.get(stream.groupName);
    if (group?.stream(stream.name) === stream) group.delete(stream.name);
  }

  /** The group names in ASCII order. */
  names(): readonly string[] {
    return (this.sortedNames ??= [...this.groups.keys()].sort(compareAscii));
  }

  /** Every group, stream and event as plain data, for a snapshot. */
  saved(): SavedLogs {
    const groups: SavedLogGroup[] = [];
    for (const group of this.groups.values()) {
      const streams: SavedLogStream[] = [];
      for (const stream of group.values()) {
        streams.push({ name: stream.name, creationTime: stream.creationTime, lastIngestionTime: stream.lastIngestionTime, bytes: stream.bytes, taskToken: stream.taskToken, events: stream.events });
      }
      groups.push({ name: group.name, creationTime: group.creationTime, bytes: group.bytes, streams });
    }
    return { sequence: this.sequence, groups };
  }

  /** Adds saved groups and streams to an empty store. */
  restore(saved: SavedLogs): void {
    this.sequence = saved.sequence;
    for (const savedGroup of saved.groups) {
      const group = this.openGroup(savedGroup.name, savedGroup.creationTime);
      for (const savedStream of savedGroup.streams) {
        const stream = new LogStream(group.name, savedStream.name, savedStream.creationTime, savedStream.taskToken ?? undefined);
        for (const event of savedStream.events) stream.events.push(event);
        stream.lastIngestionTime = savedStream.lastIngestionTime ?? undefined;
        stream.bytes = savedStream.bytes;
        group.add(stream);
      }
      group.bytes = savedGroup.bytes;
    }
  }
}

export interface SavedLogStream {
  name: string;
  creationTime: number;
  lastIngestionTime: number | undefined;
  bytes: number;
  /** The attempt whose output the stream holds: a restored job's attempt goes on writing to it. */
  taskToken?: number;
  events: LogEvent[];
}

export interface SavedLogGroup {
  name: string;
  creationTime: number;
  bytes: number;
  streams: SavedLogStream[];
}

export interface SavedLogs {
  sequence: number;
  groups: SavedLogGroup[];
}
