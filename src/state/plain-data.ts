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

interface PreparedList {
  readonly key: string;
  readonly items: readonly unknown[];
  /** Each item's JSON after a comma, encoded as UTF-8. */
  readonly listed: readonly Uint8Array[];
}

const preparedLists = new WeakMap<object, PreparedList>();

/**
 * Marks `output[key]` as a list of views the store keeps (and never changes: a changed job gets a new view),
 * each with its JSON as UTF-8 after a comma (`,{...}`), the way it follows another item in a list. Whoever
 * hands such an output to a caller must give them a copy (the service records one).
 */
export function withPreparedList<T extends object>(output: T, key: keyof T & string, listed: readonly Uint8Array[]): T {
  const items = output[key];
  if (Array.isArray(items) && items.length === listed.length) preparedLists.set(output, { key, items, listed });
  return output;
}

/** True when the output holds views the store keeps: it may be read and serialised, not handed out as is. */
export function holdsStoreViews(output: unknown): boolean {
  return typeof output === "object" && output !== null && preparedLists.has(output);
}

/** JSON.stringify(output) as UTF-8, joining the ready JSON of a prepared list's items instead of serialising them. */
export function encodeOutput(output: unknown): Uint8Array {
  const prepared = typeof output === "object" && output !== null ? preparedLists.get(output) : undefined;
  if (!prepared) return Buffer.from(JSON.stringify(output));
  const record = output as Record<string, unknown>;
  const parts: Uint8Array[] = [];
  let text = "{";
  for (const key of Object.keys(record)) {
    const value = record[key];
    const separator = text.length > 1 || parts.length > 0 ? "," : "";
    if (key === prepared.key && value === prepared.items) {
      parts.push(Buffer.from(`${text}${separator}${JSON.stringify(key)}:[`));
      const listed = prepared.listed;
      // The first item goes without its comma.
      if (listed.length > 0) parts.push(listed[0].subarray(1));
      for (let i = 1; i < listed.length; i++) parts.push(listed[i]);
      text = "]";
      continue;
    }
    const json = JSON.stringify(value);
    // As JSON.stringify does, members whose value has no JSON form (undefined, a function) are left out.
    if (json !== undefined) text += `${separator}${JSON.stringify(key)}:${json}`;
  }
  parts.push(Buffer.from(`${text}}`));
  return Buffer.concat(parts);
}

