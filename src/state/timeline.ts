import { Heap } from "./heap";
import { Line } from "./line";

/** A timed event: plain data, so that a journal can record and replay it. */
export interface TimedEvent<Payload> {
  readonly at: number;
  readonly sequence: number;
  readonly payload: Payload;
}

/**
 * Events by time, then by the order they were scheduled in. Most events are due at once (phase delays
 * default to 0), so those wait in a first-in, first-out line; the rest in a min-heap. Popping takes the
 * earlier head of the two, so the order is exactly that of one heap, at O(1) for events due now.
 */
export class Timeline<Payload> {
  private readonly heap = new Heap<TimedEvent<Payload>>();
  /** Events in (at, sequence) order: each one appended is no earlier than the one before it. */
  private readonly line = new Line<TimedEvent<Payload>>();
  private sequence = 0;

  get size(): number {
    return this.heap.size + this.line.size;
  }

  schedule(at: number, payload: Payload): TimedEvent<Payload> {
    const event = { at, sequence: this.sequence++, payload };
    this.heap.push(event, at, event.sequence);
    return event;
  }

  /** Schedules an event due at `at`, normally the current instant: it joins the line when that keeps the line in order. */
  scheduleNow(at: number, payload: Payload): TimedEvent<Payload> {
    const tail = this.line.last();
    if (tail !== undefined && tail.at > at) return this.schedule(at, payload);
    const event = { at, sequence: this.sequence++, payload };
    this.line.push(event);
    return event;
  }

  /** The time of the earliest event, if any. */
  peekTime(): number | undefined {
    return this.first()?.at;
  }

  /** Removes and returns the earliest event if it is due at `now`. */
  popDue(now: number): TimedEvent<Payload> | undefined {
    const lineFirst = this.line.first();
    const heapFirst = this.heap.peek();
    if (lineFirst !== undefined && (heapFirst === undefined || earlier(lineFirst, heapFirst))) {
      if (lineFirst.at > now) return undefined;
      return this.line.shift();
    }
    if (!heapFirst || heapFirst.at > now) return undefined;
    return this.heap.pop();
  }

  clear(): void {
    this.heap.clear();
    this.line.clear();
  }

  /** Every event waiting, in the order they would run, and the sequence the next one gets: for a snapshot. */
  saved(): { nextSequence: number; events: TimedEvent<Payload>[] } {
    const events = [...this.heap.unordered(), ...this.line.values()].sort((a, b) => (earlier(a, b) ? -1 : 1));
    return { nextSequence: this.sequence, events };
  }

  /** Replaces what waits with saved events, keeping their order. */
  restore(saved: { nextSequence: number; events: readonly TimedEvent<Payload>[] }): void {
    this.clear();
    for (const event of saved.events) this.heap.push({ at: event.at, sequence: event.sequence, payload: event.payload }, event.at, event.sequence);
    this.sequence = saved.nextSequence;
  }

  private first(): TimedEvent<Payload> | undefined {
    const lineFirst = this.line.first();
    const heapFirst = this.heap.peek();
    if (lineFirst === undefined) return heapFirst;
    if (heapFirst === undefined) return lineFirst;
    return earlier(lineFirst, heapFirst) ? lineFirst : heapFirst;
  }
}

function earlier<Payload>(a: TimedEvent<Payload>, b: TimedEvent<Payload>): boolean {
  return a.at < b.at || (a.at === b.at && a.sequence < b.sequence);
}
