import type {
  DescribeLogGroupsRequest,
  DescribeLogGroupsResponse,
  DescribeLogStreamsRequest,
  DescribeLogStreamsResponse,
  FilteredLogEvent,
  FilterLogEventsRequest,
  FilterLogEventsResponse,
  GetLogEventsRequest,
  GetLogEventsResponse,
  LogGroup as LogGroupView,
  LogStream as LogStreamView,
  LogsOperationName,
  LogsOperationTypes,
} from "../model/logs-model";
import type { OperationContext } from "../operations/context";
import { compareAscii, START, after, before, type LogEvent, type LogGroup, type LogPosition, type LogStream, type LogStore } from "../state/log-store";
import { Heap } from "../state/heap";
import { arnPartition, type Partition } from "../state/partition";
import { checkGroupName, checkLength, checkRange, checkStreamName, GROUP_NOT_FOUND, invalidParameter, notFound, STREAM_NOT_FOUND } from "./errors";
import { compileFilterPattern } from "./filter-pattern";
import { eventId, pageToken, parsePageToken, parseStreamToken, streamToken, type Direction } from "./tokens";

export type LogsHandler<K extends LogsOperationName> = (input: LogsOperationTypes[K]["input"], context: OperationContext) => LogsOperationTypes[K]["output"];

/** The CloudWatch Logs operations parlel-batch answers, over the partition's log store. The compiler checks none is missing. */
export type LogsOperations = { [K in LogsOperationName]: LogsHandler<K> };

/** A page holds at most 10,000 events and 1 MB, counting each message's UTF-8 bytes plus 26 (reference §2, §10.3). */
const MAX_EVENTS = 10_000;
const MAX_PAGE_BYTES = 1_048_576;
const EVENT_OVERHEAD_BYTES = 26;
const MAX_DESCRIBE = 50;

export const logsOperations: LogsOperations = {
  GetLogEvents: getLogEvents,
  FilterLogEvents: filterLogEvents,
  DescribeLogStreams: describeLogStreams,
  DescribeLogGroups: describeLogGroups,
};

// ---- GetLogEvents ----

/**
 * A page of one stream's events, read forward from the head or from a forward token, or backward from the
 * tail or from a backward token; the page itself is always in time order. When nothing lies further in a
 * token's direction, that token comes back unchanged: the only reliable stop signal for a follower.
 */
function getLogEvents(input: GetLogEventsRequest, { store }: OperationContext): GetLogEventsResponse {
  checkRange(input.limit, "limit", 1, MAX_EVENTS);
  checkRange(input.startTime, "startTime", 0);
  checkRange(input.endTime, "endTime", 0);
  checkStreamName(input.logStreamName);
  const token = input.nextToken === undefined ? undefined : parseStreamToken(input.nextToken);
  const stream = streamOf(groupOf(store, input), input.logStreamName);
  const events = stream.events;
  // The time range [startTime, endTime) as an index range, found by binary search.
  const low = input.startTime === undefined ? 0 : stream.indexOf({ timestamp: input.startTime, sequence: 0 });
  const high = input.endTime === undefined ? events.length : stream.indexOf({ timestamp: input.endTime, sequence: 0 });
  let direction: Direction;
  let from: LogPosition;
  if (token) {
    // A token carries its own direction; `startFromHead` only chooses the end a first call starts at.
    ({ direction, position: from } = token);
  } else if (input.startFromHead) {
    direction = "forward";
    from = input.startTime === undefined ? START : { timestamp: input.startTime, sequence: 0 };
  } else {
    direction = "backward";
    from = input.endTime === undefined ? stream.end() : { timestamp: input.endTime, sequence: 0 };
  }
  const limit = Math.min(input.limit ?? MAX_EVENTS, MAX_EVENTS);
  const at = stream.indexOf(from);
  const [first, end] = direction === "forward" ? forwardRange(events, Math.max(at, low), high, limit) : backwardRange(events, low, Math.min(at, high), limit);
  const page = events.slice(first, end);
  if (page.length === 0) {
    return {
      events: [],
      nextForwardToken: direction === "forward" && input.nextToken !== undefined ? input.nextToken : streamToken("forward", from),
      nextBackwardToken: direction === "backward" && input.nextToken !== undefined ? input.nextToken : streamToken("backward", from),
    };
  }
  return {
    events: page.map(({ timestamp, message, ingestionTime }) => ({ timestamp, message, ingestionTime })),
    nextForwardToken: streamToken("forward", after(page[page.length - 1])),
    nextBackwardToken: streamToken("backward", before(page[0])),
  };
}

/** The events from `start` on, before `high`, within `limit` events and the page's bytes. */
function forwardRange(events: readonly LogEvent[], start: number, high: number, limit: number): [number, number] {
  let end = start;
  let bytes = 0;
  while (end < high && end - start < limit) {
    bytes += eventBytes(events[end]);
    if (bytes > MAX_PAGE_BYTES && end > start) break;
    end++;
  }
  return [start, end];
}

/** The events just before `end`, from `low` on, within `limit` events and the page's bytes. */
function backwardRange(events: readonly LogEvent[], low: number, end: number, limit: number): [number, number] {
  let first = end;
  let bytes = 0;
  while (first > low && end - first < limit) {
    bytes += eventBytes(events[first - 1]);
    if (bytes > MAX_PAGE_BYTES && first < end) break;
    first--;
  }
  return [first, end];
}

function eventBytes(event: LogEvent): number {
  return Buffer.byteLength(event.message) + EVENT_OVERHEAD_BYTES;
}

// ---- FilterLogEvents ----

/**
 * Events of several streams of a group, interleaved by time (then by arrival), that match the filter
 * pattern. Each stream is entered by binary search at the page's start, and the streams are merged with a
 * heap, so a page costs its events plus a search per stream, not a scan of the group.
 */
function filterLogEvents(input: FilterLogEventsRequest, { store }: OperationContext): FilterLogEventsResponse {
  checkRange(input.limit, "limit", 1, MAX_EVENTS);
  checkRange(input.startTime, "startTime", 0);
  checkRange(input.endTime, "endTime", 0);
  if (input.filterPattern !== undefined) checkLength(input.filterPattern, "filterPattern", 0, 1024);
  if (input.logStreamNames !== undefined && input.logStreamNamePrefix !== undefined) {
    throw invalidParameter("logStreamNames and logStreamNamePrefix cannot both be specified.");
  }
  if (input.logStreamNames !== undefined) {
    checkRange(input.logStreamNames.length, "logStreamNames", 1, 100);
    input.logStreamNames.forEach((name, i) => checkStreamName(name, `logStreamNames.${i + 1}.member`));
  }
  checkStreamName(input.logStreamNamePrefix, "logStreamNamePrefix");
  const matches = compileFilterPattern(input.filterPattern);
  const group = groupOf(store, input);
  const query = { group: group.name, names: input.logStreamNames, prefix: input.logStreamNamePrefix, pattern: input.filterPattern, start: input.startTime, end: input.endTime };
  const resume = parsePageToken(input.nextToken, query, isPosition);
  const streams = input.logStreamNames !== undefined ? input.logStreamNames.map((name) => streamOf(group, name)) : streamsByPrefix(group, input.logStreamNamePrefix);
  // From the token's position, or from startTime; endTime is inclusive here [U].
  const from: LogPosition = resume ?? { timestamp: input.startTime ?? 0, sequence: 0 };
  const until = input.endTime;
  const merge = new EventMerge(streams, from);
  const limit = Math.min(input.limit ?? MAX_EVENTS, MAX_EVENTS);
  const page: FilteredLogEvent[] = [];
  let bytes = 0;
  let last: LogEvent | undefined;
  let full = false;
  for (let next = merge.peek(); next !== undefined; next = merge.peek()) {
    const { event, stream } = next;
    if (until !== undefined && event.timestamp > until) break;
    if (page.length === limit || (bytes + eventBytes(event) > MAX_PAGE_BYTES && page.length > 0)) {
      full = true;
      break;
    }
    merge.pop();
    last = event;
    if (!matches(event.message)) continue;
    bytes += eventBytes(event);
    page.push({ logStreamName: stream.name, timestamp: event.timestamp, message: event.message, ingestionTime: event.ingestionTime, eventId: eventId(event) });
  }
  const output: FilterLogEventsResponse = { events: page, searchedLogStreams: [] };
  if (full && last !== undefined) output.nextToken = pageToken(query, after(last));
  return output;
}

function isPosition(value: unknown): value is LogPosition {
  const position = value as Partial<LogPosition> | null;
  return typeof position === "object" && position !== null && Number.isSafeInteger(position.timestamp) && Number.isSafeInteger(position.sequence);
}

/** The streams of a group whose names start with `prefix`, found by binary search in the sorted names. */
function streamsByPrefix(group: LogGroup, prefix: string | undefined): LogStream[] {
  const names = group.names();
  const streams: LogStream[] = [];
  for (let i = prefix === undefined ? 0 : lowerBound(names, prefix); i < names.length; i++) {
    if (prefix !== undefined && !names[i].startsWith(prefix)) break;
    streams.push(group.stream(names[i]) as LogStream);
  }
  return streams;
}

/** Each stream's next event, earliest first in (timestamp, sequence) order. */
class EventMerge {
  private readonly heap = new Heap<StreamCursor>();

  constructor(streams: readonly LogStream[], from: LogPosition) {
    for (const stream of streams) {
      const index = stream.indexOf(from);
      if (index < stream.events.length) this.push({ event: stream.events[index], stream, index });
    }
  }

  peek(): { event: LogEvent; stream: LogStream } | undefined {
    return this.heap.peek();
  }

  pop(): void {
    const top = this.heap.peek();
    if (top === undefined) return;
    const index = top.index + 1;
    if (index >= top.stream.events.length) {
      this.heap.pop();
      return;
    }
    const event = top.stream.events[index];
    this.heap.replaceFirst({ event, stream: top.stream, index }, event.timestamp, event.sequence);
  }

  private push(cursor: StreamCursor): void {
    this.heap.push(cursor, cursor.event.timestamp, cursor.event.sequence);
  }
}

interface StreamCursor {
  event: LogEvent;
  stream: LogStream;
  index: number;
}

// ---- DescribeLogStreams ----

function describeLogStreams(input: DescribeLogStreamsRequest, { store, partition }: OperationContext): DescribeLogStreamsResponse {
  checkRange(input.limit, "limit", 1, MAX_DESCRIBE);
  checkStreamName(input.logStreamNamePrefix, "logStreamNamePrefix");
  const orderBy = input.orderBy ?? "LogStreamName";
  if (orderBy === "LastEventTime" && input.logStreamNamePrefix !== undefined) {
    throw invalidParameter("Cannot order by LastEventTime with a logStreamNamePrefix.");
  }
  const group = groupOf(store, input);
  const descending = input.descending === true;
  const query = { group: group.name, prefix: input.logStreamNamePrefix, orderBy, descending };
  const resume = parsePageToken(input.nextToken, query, (value): value is [number, string] => Array.isArray(value) && value.length === 2 && typeof value[0] === "number" && typeof value[1] === "string");
  // Streams by name are a slice of the group's sorted names; by last event time they are sorted for the call.
  const ordered = orderBy === "LogStreamName" ? streamsByPrefix(group, input.logStreamNamePrefix) : [...group.values()].sort(byLastEventTime);
  if (descending) ordered.reverse();
  const keyOf = (stream: LogStream): [number, string] => [orderBy === "LastEventTime" ? (stream.lastEventTimestamp ?? 0) : 0, stream.name];
  const start = resume === undefined ? 0 : firstAfter(ordered, (stream) => compareKeys(keyOf(stream), resume) * (descending ? -1 : 1) > 0);
  const limit = input.limit ?? MAX_DESCRIBE;
  const page = ordered.slice(start, start + limit);
  const output: DescribeLogStreamsResponse = { logStreams: page.map((stream) => streamView(stream, partition)) };
  if (start + limit < ordered.length) output.nextToken = pageToken(query, keyOf(page[page.length - 1]));
  return output;
}

function byLastEventTime(a: LogStream, b: LogStream): number {
  return (a.lastEventTimestamp ?? 0) - (b.lastEventTimestamp ?? 0) || compareAscii(a.name, b.name);
}

function compareKeys(a: [number, string], b: [number, string]): number {
  return a[0] - b[0] || compareAscii(a[1], b[1]);
}

function streamView(stream: LogStream, partition: Partition): LogStreamView {
  return {
    logStreamName: stream.name,
    creationTime: stream.creationTime,
    firstEventTimestamp: stream.firstEventTimestamp,
    lastEventTimestamp: stream.lastEventTimestamp,
    lastIngestionTime: stream.lastIngestionTime,
    arn: `${groupArn(partition, stream.groupName)}:log-stream:${stream.name}`,
    // Deprecated, and always 0 for streams (reference §4.1).
    storedBytes: 0,
  };
}

// ---- DescribeLogGroups ----

function describeLogGroups(input: DescribeLogGroupsRequest, { store, partition }: OperationContext): DescribeLogGroupsResponse {
  checkRange(input.limit, "limit", 1, MAX_DESCRIBE);
  checkGroupName(input.logGroupNamePrefix, "logGroupNamePrefix");
  if (input.logGroupNamePattern !== undefined) checkLength(input.logGroupNamePattern, "logGroupNamePattern", 0, 512);
  if (input.logGroupNamePrefix !== undefined && input.logGroupNamePattern !== undefined) {
    throw invalidParameter("logGroupNamePrefix and logGroupNamePattern cannot both be specified.");
  }
  if (input.logGroupIdentifiers !== undefined) checkRange(input.logGroupIdentifiers.length, "logGroupIdentifiers", 1, 50);
  const wanted = input.logGroupIdentifiers === undefined ? undefined : new Set(input.logGroupIdentifiers.map((identifier, i) => groupNameOf(identifier, partition, `logGroupIdentifiers.${i + 1}.member`)));
  const query = { prefix: input.logGroupNamePrefix, pattern: input.logGroupNamePattern, identifiers: input.logGroupIdentifiers, groupClass: input.logGroupClass };
  const resume = parsePageToken(input.nextToken, query, (value): value is string => typeof value === "string");
  const names = store.logs.names();
  const prefix = input.logGroupNamePrefix;
  const start = resume !== undefined ? firstAfter(names, (name) => name > resume) : prefix !== undefined ? lowerBound(names, prefix) : 0;
  const limit = input.limit ?? MAX_DESCRIBE;
  const page: LogGroup[] = [];
  let more = false;
  for (let i = start; i < names.length; i++) {
    const name = names[i];
    if (prefix !== undefined && !name.startsWith(prefix)) break;
    if (wanted !== undefined && !wanted.has(name)) continue;
    if (input.logGroupNamePattern !== undefined && !name.includes(input.logGroupNamePattern)) continue;
    // Every group is in the STANDARD class.
    if (input.logGroupClass !== undefined && input.logGroupClass !== "STANDARD") continue;
    if (page.length === limit) {
      more = true;
      break;
    }
    page.push(store.logs.group(name) as LogGroup);
  }
  const output: DescribeLogGroupsResponse = { logGroups: page.map((group) => groupView(group, partition, input.logGroupNamePattern !== undefined)) };
  if (more) output.nextToken = pageToken(query, page[page.length - 1].name);
  return output;
}

/** With `logGroupNamePattern`, AWS returns only the name, ARN and creation time (reference §4.2). */
function groupView(group: LogGroup, partition: Partition, brief: boolean): LogGroupView {
  const arn = groupArn(partition, group.name);
  if (brief) return { logGroupName: group.name, creationTime: group.creationTime, arn: `${arn}:*` };
  return {
    logGroupName: group.name,
    creationTime: group.creationTime,
    metricFilterCount: 0,
    arn: `${arn}:*`,
    storedBytes: group.bytes,
    logGroupClass: "STANDARD",
    logGroupArn: arn,
  };
}

// ---- Groups and streams by name ----

function groupArn(partition: Partition, name: string): string {
  return `arn:${arnPartition(partition.region)}:logs:${partition.region}:${partition.accountId}:log-group:${name}`;
}

/** The group a request names by `logGroupName` or `logGroupIdentifier` (a name or its ARN), exactly one. */
function groupOf(store: { logs: LogStore; partition: Partition }, input: { logGroupName?: string; logGroupIdentifier?: string }): LogGroup {
  const { logGroupName, logGroupIdentifier } = input;
  if ((logGroupName === undefined) === (logGroupIdentifier === undefined)) {
    throw invalidParameter("You must specify either logGroupName or logGroupIdentifier, but not both.");
  }
  checkGroupName(logGroupName);
  const name = logGroupName ?? groupNameOf(logGroupIdentifier as string, store.partition, "logGroupIdentifier");
  const group = name === undefined ? undefined : store.logs.group(name);
  if (!group) throw notFound(GROUP_NOT_FOUND);
  return group;
}

const IDENTIFIER = /^[\w#+=/:,.@-]*$/;

/**
 * A group identifier is its name or its ARN without the trailing `:*`, which AWS refuses (with this text,
 * which shows no value). Undefined for the ARN of a group in another account or region: not found here.
 */
function groupNameOf(identifier: string, partition: Partition, member: string): string | undefined {
  checkLength(identifier, member, 1, 2048);
  if (!IDENTIFIER.test(identifier)) {
    throw invalidParameter(`1 validation error detected: Value at '${member}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w#+=/:,.@-]*`);
  }
  const arn = /^arn:[^:]+:logs:([^:]*):([^:]*):log-group:(.+)$/.exec(identifier);
  if (!arn) return identifier;
  const [, region, account, name] = arn;
  return region === partition.region && account === partition.accountId ? name : undefined;
}

function streamOf(group: LogGroup, name: string): LogStream {
  const stream = group.stream(name);
  if (!stream) throw notFound(STREAM_NOT_FOUND);
  return stream;
}

/** The first index in sorted `names` at which a name is not less than `key`. */
function lowerBound(names: readonly string[], key: string): number {
  return firstAfter(names, (name) => name >= key);
}

/** The first index whose item passes `test`, where every later item passes too: a binary search. */
function firstAfter<T>(items: readonly T[], test: (item: T) => boolean): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (test(items[middle])) high = middle;
    else low = middle + 1;
  }
  return low;
}
