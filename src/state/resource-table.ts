import { isArn, parseBatchArn, type ResourceKind } from "./arn";
import { partitionKey, type Partition } from "./partition";
import type { ResourceRecord } from "./records";

const ARN_NAMES_LIMIT = 1024;

/** Resources of one kind in one partition, by name, kept in creation order. */
export class ResourceTable<R extends ResourceRecord<unknown>> {
  private readonly byName = new Map<string, R>();
  /** ARNs of this kind and partition already parsed, to the name they carry. */
  private readonly arnNames = new Map<string, string>();

  constructor(
    private readonly partition: Partition,
    readonly kind: ResourceKind,
  ) {}

  get size(): number {
    return this.byName.size;
  }

  /** Looks a resource up by name or by ARN; an ARN of another partition or kind finds nothing. */
  find(nameOrArn: string): R | undefined {
    return this.byName.get(this.nameOf(nameOrArn) ?? "");
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  add(record: R): void {
    this.byName.set(record.name, record);
  }

  delete(name: string): void {
    this.byName.delete(name);
  }

  values(): IterableIterator<R> {
    return this.byName.values();
  }

  /** The name an identifier refers to, or undefined when it is an ARN from elsewhere. */
  nameOf(nameOrArn: string): string | undefined {
    if (!isArn(nameOrArn)) return nameOrArn;
    const known = this.arnNames.get(nameOrArn);
    if (known !== undefined) return known;
    const arn = parseBatchArn(nameOrArn);
    if (!arn || arn.kind !== this.kind || partitionKey(arn.partition) !== partitionKey(this.partition)) return undefined;
    // The scheduler and SubmitJob resolve the same few ARNs on every pass: remember them, within a bound.
    if (this.arnNames.size >= ARN_NAMES_LIMIT) this.arnNames.clear();
    this.arnNames.set(nameOrArn, arn.resource);
    return arn.resource;
  }
}
