/**
 * A first-in, first-out line over an array: taking from the front is O(1), and the consumed front is dropped
 * once it is most of the array, so memory follows what still waits.
 */
export class Line<Item> {
  private items: Item[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  first(): Item | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }

  last(): Item | undefined {
    return this.head < this.items.length ? this.items[this.items.length - 1] : undefined;
  }

  /** Appends the item; returns how many wait now. */
  push(item: Item): number {
    this.items.push(item);
    return this.items.length - this.head;
  }

  /** Puts an item back at the front, as the next `shift` returns. */
  unshift(item: Item): void {
    if (this.head > 0) this.items[--this.head] = item;
    else this.items.unshift(item);
  }

  shift(): Item | undefined {
    if (this.head === this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined as unknown as Item;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** The items waiting, first to last. */
  *values(): IterableIterator<Item> {
    for (let i = this.head; i < this.items.length; i++) yield this.items[i];
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }
}
