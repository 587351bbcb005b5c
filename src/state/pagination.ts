import { clientError } from "../operations/errors";

/** A page of results and the token for the next one. */
export interface Page<T> {
  items: T[];
  nextToken?: string;
}

interface Cursor {
  /** What listing the token belongs to, so a token is not replayed against another query. */
  g: string;
  /** The position: the sort key of the last item returned. */
  p: number;
  /** The key of the last item returned, where the listing can seek to it. */
  k?: string;
}

/** An opaque cursor: a position plus a guard naming the listing it belongs to. */
export function encodeToken(guard: string, position: number, key?: string): string {
  return Buffer.from(JSON.stringify({ g: guard, p: position, k: key } satisfies Cursor)).toString("base64url");
}

export function decodeCursor(token: string | undefined, guard: string): { position: number; key?: string } | undefined {
  if (token === undefined || token === "") return undefined;
  let cursor: Partial<Cursor> | undefined;
  try {
    cursor = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as Partial<Cursor>;
  } catch {
    cursor = undefined;
  }
  if (!cursor || cursor.g !== guard || typeof cursor.p !== "number" || (cursor.k !== undefined && typeof cursor.k !== "string")) {
    throw clientError(`Invalid nextToken ${token}: it does not belong to this request.`);
  }
  return { position: cursor.p, key: cursor.k };
}

export function decodeToken(token: string | undefined, guard: string): number | undefined {
  return decodeCursor(token, guard)?.position;
}

/**
 * Pages over items already sorted by an ascending numeric key. The token names the key of the last item
 * returned, so items added or removed between pages never shift what the next page holds.
 */
export function paginate<T>(
  items: Iterable<T>,
  keyOf: (item: T) => number,
  options: { maxResults?: number; nextToken?: string; guard: string; defaultPageSize?: number },
): Page<T> {
  const after = decodeToken(options.nextToken, options.guard);
  const size = options.maxResults ?? options.defaultPageSize ?? 100;
  const page: T[] = [];
  let more = false;
  for (const item of items) {
    if (after !== undefined && keyOf(item) <= after) continue;
    if (page.length === size) {
      more = true;
      break;
    }
    page.push(item);
  }
  const last = page[page.length - 1];
  return { items: page, nextToken: more && last !== undefined ? encodeToken(options.guard, keyOf(last)) : undefined };
}
