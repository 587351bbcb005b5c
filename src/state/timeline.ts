/** A timed event: plain data, so that a journal can record and replay it. */
export interface TimedEvent<Payload> {
  readonly at: number;
  readonly sequence: number;
  readonly payload: Payload;
}

/** A min-heap of events by time, then by the order they were scheduled in. */
export class Timeline<Payload> {
  private readonly heap: TimedEvent<Payload>[] = [];
  private sequence = 0;

  get size(): number {
    return this.heap.length;
  }

  schedule(at: number, payload: Payload): TimedEvent<Payload> {
    const event = { at, sequence: this.sequence++, payload };
    this.heap.push(event);
    this.up(this.heap.length - 1);
    return event;
  }

  /** The time of the earliest event, if any. */
  peekTime(): number | undefined {
    return this.heap[0]?.at;
  }

  /** Removes and returns the earliest event if it is due at `now`. */
  popDue(now: number): TimedEvent<Payload> | undefined {
    const first = this.heap[0];
    if (!first || first.at > now) return undefined;
    const last = this.heap.pop() as TimedEvent<Payload>;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      this.down(0);
    }
    return first;
  }

  clear(): void {
    this.heap.length = 0;
  }

  private before(a: TimedEvent<Payload>, b: TimedEvent<Payload>): boolean {
    return a.at < b.at || (a.at === b.at && a.sequence < b.sequence);
  }

  private up(index: number): void {
    const heap = this.heap;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.before(heap[index], heap[parent])) break;
      [heap[index], heap[parent]] = [heap[parent], heap[index]];
      index = parent;
    }
  }

  private down(index: number): void {
    const heap = this.heap;
    for (;;) {
      const left = index * 2 + 1;
      const right = left + 1;
      let smallest = index;
      if (left < heap.length && this.before(heap[left], heap[smallest])) smallest = left;
      if (right < heap.length && this.before(heap[right], heap[smallest])) smallest = right;
      if (smallest === index) return;
      [heap[index], heap[smallest]] = [heap[smallest], heap[index]];
      index = smallest;
    }
  }
}
