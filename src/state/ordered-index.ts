interface Node<V> {
  readonly key: string;
  readonly value: V;
  /** Increases with every insertion into this index: the page cursor's position. */
  readonly position: number;
  previous?: Node<V>;
  next?: Node<V>;
}

/**
 * An insertion-ordered set with O(1) add, remove and seek-by-key, so that a page after a cursor costs
 * only the page, however many entries the index holds.
 */
export class OrderedIndex<V> {
  private readonly nodes = new Map<string, Node<V>>();
  private head?: Node<V>;
  private tail?: Node<V>;
  private counter = 0;

  get size(): number {
    return this.nodes.size;
  }

  has(key: string): boolean {
    return this.nodes.has(key);
  }

  add(key: string, value: V): void {
    if (this.nodes.has(key)) return;
    const node: Node<V> = { key, value, position: ++this.counter, previous: this.tail };
    if (this.tail) this.tail.next = node;
    else this.head = node;
    this.tail = node;
    this.nodes.set(key, node);
  }

  delete(key: string): void {
    const node = this.nodes.get(key);
    if (!node) return;
    if (node.previous) node.previous.next = node.next;
    else this.head = node.next;
    if (node.next) node.next.previous = node.previous;
    else this.tail = node.previous;
    this.nodes.delete(key);
  }

  first(): V | undefined {
    return this.head?.value;
  }

  /** The position of a key, for a cursor. */
  positionOf(key: string): number | undefined {
    return this.nodes.get(key)?.position;
  }

  /** Values after the entry with `key` at `position`; when that entry has left, after the first later position. */
  *after(cursor?: { key: string; position: number }): IterableIterator<V> {
    let node = this.head;
    if (cursor) {
      const found = this.nodes.get(cursor.key);
      if (found && found.position === cursor.position) node = found.next;
      else while (node && node.position <= cursor.position) node = node.next;
    }
    for (; node; node = node.next) yield node.value;
  }

  *entries(): IterableIterator<[string, V, number]> {
    for (let node = this.head; node; node = node.next) yield [node.key, node.value, node.position];
  }

  values(): IterableIterator<V> {
    return this.after();
  }
}
