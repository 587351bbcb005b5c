import { copyData, keepView, type KeptView } from "./plain-data";
import type { ResourceRecord } from "./records";

interface CachedView {
  /** The detail's own keys and values when the view was made, in order: key, value, key, value… */
  readonly entries: unknown[];
  readonly kept: KeptView<unknown>;
}

/** Keyed by the detail object, so a view goes when its resource does. */
const cache = new WeakMap<object, CachedView>();

/**
 * A resource's Describe view (a copy of its detail) with its JSON, kept while the detail holds the same
 * values at its top level. Details change only there: nested values are replaced, never edited in place
 * (see `ResourceRecord.detail`), so that comparison is enough to know the view still matches.
 */
export function resourceView<Detail>(record: ResourceRecord<Detail>): KeptView<Detail> {
  const detail = record.detail as object;
  const cached = cache.get(detail);
  if (cached && sameEntries(cached.entries, detail)) return cached.kept as KeptView<Detail>;
  const kept = keepView(copyData(record.detail));
  cache.set(detail, { entries: entriesOf(detail), kept });
  return kept;
}

function entriesOf(detail: object): unknown[] {
  const entries: unknown[] = [];
  for (const key in detail) entries.push(key, (detail as Record<string, unknown>)[key]);
  return entries;
}

function sameEntries(entries: readonly unknown[], detail: object): boolean {
  let i = 0;
  for (const key in detail) {
    if (entries[i] !== key || !Object.is(entries[i + 1], (detail as Record<string, unknown>)[key])) return false;
    i += 2;
  }
  return i === entries.length;
}
