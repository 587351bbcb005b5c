import { paginate } from "../state/pagination";
import { keptList, listedOutput } from "../state/plain-data";
import type { ResourceRecord } from "../state/records";
import type { ResourceTable } from "../state/resource-table";
import { resourceView } from "../state/resource-views";
import { checkListLength, checkMaxResults } from "./rules";

export interface DescribeRequest {
  maxResults?: number;
  nextToken?: string;
}

/**
 * The shared shape of Describe* over one resource table: named identifiers come back in request order with
 * unknown ones left out; with none, every resource comes back, a page at a time, in creation order.
 */
export function describeResources<Key extends string, Detail>(
  key: Key,
  table: ResourceTable<ResourceRecord<Detail>>,
  identifiers: string[] | undefined,
  request: DescribeRequest,
): Record<Key, Detail[]> & { nextToken?: string } {
  checkListLength(identifiers, 100, key);
  checkMaxResults(request.maxResults);
  if (identifiers && identifiers.length > 0) {
    const seen = new Set<string>();
    const records: ResourceRecord<Detail>[] = [];
    for (const identifier of identifiers) {
      const record = table.find(identifier);
      if (!record || seen.has(record.name)) continue;
      seen.add(record.name);
      records.push(record);
    }
    return describedList(key, records);
  }
  const page = paginate(table.values(), (record) => record.sequence, { ...request, guard: key });
  return describedList(key, page.items, page.nextToken);
}

/**
 * A Describe* output listing these resources: their kept views, serialised from their ready JSON. The
 * service copies such an output before anyone can hold it, so the views stay the store's.
 */
export function describedList<Key extends string, Detail>(
  key: Key,
  records: readonly ResourceRecord<Detail>[],
  nextToken?: string,
): Record<Key, Detail[]> & { nextToken?: string } {
  return listedOutput(key, keptList(records.map(resourceView)), nextToken);
}
