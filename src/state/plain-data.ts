/**
 * Helpers for the plain JSON data the store keeps and hands out: a fast deep copy, and lists in an output
 * whose items are views the store keeps, each with its JSON ready, so a response reuses them.
 */

/**
 * A deep copy of plain data (objects, arrays, scalars), as `structuredClone` makes it but several times
 * faster; anything else (a Date, a Map) is left to `structuredClone`.
 */
export function copyData<T>(value: T): T {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map(copyData) as T;
  if (Object.getPrototypeOf(value) !== Object.prototype) return structuredClone(value);
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) copy[key] = copyData((value as Record<string, unknown>)[key]);
  return copy as T;
}

/** A view the store keeps and never changes (a changed resource gets a new one), with its JSON ready. */
export interface KeptView<View> {
  readonly view: View;
  /** `"," + JSON.stringify(view)` in UTF-8: the view as it follows another in a JSON list. */
  readonly listed: Uint8Array;
}

export function keepView<View>(view: View): KeptView<View> {
  return { view, listed: Buffer.from(`,${JSON.stringify(view)}`) };
}

/** Several kept views as an output's list: the views, and their JSON for a `ListedOutput`. */
export interface KeptList<View> {
  readonly items: View[];
  readonly listed: Uint8Array[];
}

export function keptList<View>(views: Iterable<KeptView<View>>): KeptList<View> {
  const items: View[] = [];
  const listed: Uint8Array[] = [];
  for (const kept of views) {
    items.push(kept.view);
    listed.push(kept.listed);
  }
  return { items, listed };
}

/**
 * An output (`{ [key]: items, nextToken }`) whose list holds views the store keeps, each with its JSON ready.
 * The wire layer serialises it from that JSON, and the service records a copy made when first read, so the
 * views never reach a caller. A class, not a mark kept elsewhere: a private field costs nothing to set.
 */
export class ListedOutput {
  readonly #key: string;
  readonly #listed: readonly Uint8Array[];
  [member: string]: unknown;

  constructor(key: string, list: KeptList<unknown>, nextToken?: string) {
    this.#key = key;
    this.#listed = list.listed;
    this[key] = list.items;
    if (nextToken !== undefined) this.nextToken = nextToken;
  }

  /** A copy of the output as plain data, for a caller to keep. */
  static copy(output: ListedOutput): Record<string, unknown> {
    const plain: Record<string, unknown> = { [output.#key]: copyData(output[output.#key]) };
    if (output.nextToken !== undefined) plain.nextToken = output.nextToken;
    return plain;
  }

  /**
   * JSON.stringify(output) as UTF-8, from the items' ready JSON: the parts are joined by one `Buffer.concat`,
   * and the first item's leading comma becomes the list's opening bracket.
   */
  static encode(output: ListedOutput): Uint8Array {
    const key = output.#key;
    const listed = output.#listed;
    const tail = output.nextToken === undefined ? LIST_END : Buffer.from(`],"nextToken":${JSON.stringify(output.nextToken)}}`);
    if (listed.length === 0) return Buffer.concat([Buffer.from(`{${JSON.stringify(key)}:[`), tail]);
    let head = LIST_HEADS.get(key);
    if (head === undefined) LIST_HEADS.set(key, (head = Buffer.from(`{${JSON.stringify(key)}:`)));
    const parts: Uint8Array[] = [head];
    let length = head.byteLength + tail.byteLength;
    for (let i = 0; i < listed.length; i++) {
      parts.push(listed[i]);
      length += listed[i].byteLength;
    }
    parts.push(tail);
    const body = Buffer.concat(parts, length);
    body[head.byteLength] = 0x5b; // "["
    return body;
  }
}

/** `{"<key>":` per output key (a handful of member names), encoded once. */
const LIST_HEADS = new Map<string, Buffer>();
const LIST_END = Buffer.from("]}");

/** `{ [key]: the views, nextToken }` as a ListedOutput, typed as the operation's output. */
export function listedOutput<Key extends string, View>(key: Key, list: KeptList<View>, nextToken?: string): Record<Key, View[]> & { nextToken?: string } {
  return new ListedOutput(key, list, nextToken) as unknown as Record<Key, View[]> & { nextToken?: string };
}
