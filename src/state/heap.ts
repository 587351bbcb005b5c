/**
 * A binary heap ordered by `before`: the item for which `before(item, other)` holds against every other
 * comes out first. The one heap behind the timeline, the fair-share lines, the logs merge and the
 * dashboard's top-N lists.
 */
export class Heap<Item> {
  private items: Item[] = [];

  constructor(private readonly before: (a: Item, b: Item) => boolean) {}

  /** A heap of these items, in linear time. Takes the array over. */
  static of<Item>(items: Item[], before: (a: Item, b: Item) => boolean): Heap<Item> {
    const heap = new Heap(before);
    heap.items = items;
    heap.heapify();
    return heap;
  }

  get size(): number {
    return this.items.length;
  }

  peek(): Item | undefined {
    return this.items[0];
  }

  push(item: Item): void {
    this.items.push(item);
    this.up(this.items.length - 1);
  }

  pop(): Item | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0) {
      items[0] = last as Item;
      this.down(0);
    }
    return top;
  }

  /** Puts `item` in place of the first item: one sift instead of a pop and a push. */
  replaceFirst(item: Item): void {
    if (this.items.length === 0) this.items.push(item);
    else {
      this.items[0] = item;
      this.down(0);
    }
  }

  /** Keeps only the items `keep` accepts, in linear time. */
  retain(keep: (item: Item) => boolean): void {
    const items = this.items;
    let kept = 0;
    for (const item of items) if (keep(item)) items[kept++] = item;
    items.length = kept;
    this.heapify();
  }

  private heapify(): void {
    for (let i = (this.items.length >> 1) - 1; i >= 0; i--) this.down(i);
  }

  /** The items in no particular order. */
  unordered(): readonly Item[] {
    return this.items;
  }

  clear(): void {
    this.items.length = 0;
  }

  private up(index: number): void {
    const items = this.items;
    const item = items[index];
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.before(item, items[parent])) break;
      items[index] = items[parent];
      index = parent;
    }
    items[index] = item;
  }

  private down(index: number): void {
    const items = this.items;
    const item = items[index];
    const length = items.length;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      const child = right < length && this.before(items[right], items[left]) ? right : left;
      if (!this.before(items[child], item)) break;
      items[index] = items[child];
      index = child;
    }
    items[index] = item;
  }
}
