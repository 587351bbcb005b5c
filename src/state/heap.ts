/**
 * A binary min-heap of values ordered by two numbers: the least `primary` first, ties by the least
 * `secondary`. The one heap behind the timeline, the fair-share walk, the logs merge and the dashboard's top
 * lists. The order is kept as numbers beside the values, not as a comparison function, so that the engine's
 * hot heap (the timeline) and the others share code without sharing a call site that V8 cannot inline.
 */
export class Heap<Value> {
  private readonly values: Value[] = [];
  private readonly primaries: number[] = [];
  private readonly secondaries: number[] = [];

  get size(): number {
    return this.values.length;
  }

  peek(): Value | undefined {
    return this.values[0];
  }

  /** The first value's primary and secondary numbers (undefined when empty). */
  firstPrimary(): number | undefined {
    return this.primaries[0];
  }

  firstSecondary(): number | undefined {
    return this.secondaries[0];
  }

  push(value: Value, primary: number, secondary: number): void {
    this.values.push(value);
    this.primaries.push(primary);
    this.secondaries.push(secondary);
    this.up(this.values.length - 1, value, primary, secondary);
  }

  pop(): Value | undefined {
    const values = this.values;
    if (values.length === 0) return undefined;
    const top = values[0];
    const value = values.pop() as Value;
    const primary = this.primaries.pop() as number;
    const secondary = this.secondaries.pop() as number;
    if (values.length > 0) this.down(0, value, primary, secondary);
    return top;
  }

  /** Puts a value in place of the first: one sift instead of a pop and a push. */
  replaceFirst(value: Value, primary: number, secondary: number): void {
    if (this.values.length === 0) this.push(value, primary, secondary);
    else this.down(0, value, primary, secondary);
  }

  /** The values in no particular order. */
  unordered(): readonly Value[] {
    return this.values;
  }

  clear(): void {
    this.values.length = 0;
    this.primaries.length = 0;
    this.secondaries.length = 0;
  }

  private up(index: number, value: Value, primary: number, secondary: number): void {
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!earlier(primary, secondary, this.primaries[parent], this.secondaries[parent])) break;
      this.move(parent, index);
      index = parent;
    }
    this.set(index, value, primary, secondary);
  }

  private down(index: number, value: Value, primary: number, secondary: number): void {
    const { primaries, secondaries } = this;
    const length = this.values.length;
    for (;;) {
      let child = 2 * index + 1;
      if (child >= length) break;
      const right = child + 1;
      if (right < length && earlier(primaries[right], secondaries[right], primaries[child], secondaries[child])) child = right;
      if (!earlier(primaries[child], secondaries[child], primary, secondary)) break;
      this.move(child, index);
      index = child;
    }
    this.set(index, value, primary, secondary);
  }

  private move(from: number, to: number): void {
    this.values[to] = this.values[from];
    this.primaries[to] = this.primaries[from];
    this.secondaries[to] = this.secondaries[from];
  }

  private set(index: number, value: Value, primary: number, secondary: number): void {
    this.values[index] = value;
    this.primaries[index] = primary;
    this.secondaries[index] = secondary;
  }
}

/** Strictly before: a lesser primary, or the same primary and a lesser secondary. */
function earlier(primary: number, secondary: number, otherPrimary: number, otherSecondary: number): boolean {
  return primary < otherPrimary || (primary === otherPrimary && secondary < otherSecondary);
}
