import { paginate } from "../state/pagination";
import type { ResourceRecord } from "../state/records";
import type { ResourceTable } from "../state/resource-table";
import { checkListLength, checkMaxResults, copy } from "./rules";

export interface DescribeRequest {
  maxResults?: number;
  nextToken?: string;
}

/**
 * The shared shape of Describe* over one resource table: named identifiers come back in request order with
 * unknown ones left out; with none, every resource comes back, a page at a time, in creation order.
 */
export function describeResources<Detail>(
  table: ResourceTable<ResourceRecord<Detail>>,
  identifiers: string[] | undefined,
  request: DescribeRequest,
  path: string,
): { items: Detail[]; nextToken?: string } {
  checkListLength(identifiers, 100, path);
  checkMaxResults(request.maxResults);
  if (identifiers && identifiers.length > 0) {
    const seen = new Set<string>();
    const items: Detail[] = [];
    for (const identifier of identifiers) {
      const record = table.find(identifier);
      if (!record || seen.has(record.name)) continue;
      seen.add(record.name);
      items.push(copy(record.detail));
    }
    return { items };
  }
  const page = paginate(table.values(), (record) => record.sequence, { ...request, guard: path });
  return { items: page.items.map((record) => copy(record.detail)), nextToken: page.nextToken };
}
