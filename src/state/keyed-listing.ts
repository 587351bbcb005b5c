interface ListingNode<T> {
  readonly item: T;
  readonly position: number;
  previous?: ListingNode<T>;
  next?: ListingNode<T>;
}

/**
 * Items in the order they joined, as a linked list with a map by key: joining, leaving and seeking to a
 * page cursor cost the same however long the listing is.
 */
export class Listing<T> {
  private readonly nodes = new Map<string, ListingNode<T>>();
  private head?: ListingNode<T>;
  private tail?: ListingNode<T>;
  private counter = 0;

  get size(): number {
    return this.nodes.size;
  }

  /** Appends the item at the next position, or at `position` when the caller keeps its own order. */
  add(key: string, item: T, position = ++this.counter): void {
    this.remove(key);
    const node: ListingNode<T> = { item, position, previous: this.tail };
    if (this.tail) this.tail.next = node;
    else this.head = node;
    this.tail = node;
    this.nodes.set(key, node);
  }

  remove(key: string): void {
    const node = this.nodes.get(key);
    if (!node) return;
    this.nodes.delete(key);
    if (node.previous) node.previous.next = node.next;
    else this.head = node.next;
    if (node.next) node.next.previous = node.previous;
    else this.tail = node.previous;
  }

  positionOf(key: string): number | undefined {
    return this.nodes.get(key)?.position;
  }

  /** Items after the cursor, first to last, with their positions. */
  *after(cursor?: { key?: string; position: number }): IterableIterator<[T, number]> {
    let node = this.head;
    if (cursor) {
      const found = cursor.key === undefined ? undefined : this.nodes.get(cursor.key);
      if (found && found.position === cursor.position) node = found.next;
      else while (node && node.position <= cursor.position) node = node.next;
    }
    for (; node; node = node.next) yield [node.item, node.position];
  }

  /** Items before the cursor, last to first, with their positions. */
  *before(cursor?: { key?: string; position: number }): IterableIterator<[T, number]> {
    let node = this.tail;
    if (cursor) {
      const found = cursor.key === undefined ? undefined : this.nodes.get(cursor.key);
      if (found && found.position === cursor.position) node = found.previous;
      else while (node && node.position >= cursor.position) node = node.previous;
    }
    for (; node; node = node.previous) yield [node.item, node.position];
  }
}
