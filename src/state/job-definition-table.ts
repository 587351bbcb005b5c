import { isArn, parseBatchArn } from "./arn";
import { partitionKey, type Partition } from "./partition";
import type { JobDefinitionRecord } from "./records";

/** Job definitions by name and revision. Revisions count up per name and are never reused. */
export class JobDefinitionTable {
  private readonly byName = new Map<string, JobDefinitionRecord[]>();
  private readonly lastRevision = new Map<string, number>();
  private readonly ordered: JobDefinitionRecord[] = [];

  constructor(private readonly partition: Partition) {}

  nextRevision(name: string): number {
    return (this.lastRevision.get(name) ?? 0) + 1;
  }

  add(record: JobDefinitionRecord): void {
    this.lastRevision.set(record.name, record.revision);
    const revisions = this.byName.get(record.name) ?? [];
    revisions.push(record);
    this.byName.set(record.name, revisions);
    this.ordered.push(record);
  }

  /** The last revision of each name, deregistered ones included, for a snapshot. */
  lastRevisions(): [string, number][] {
    return [...this.lastRevision];
  }

  /** Restores a name's last revision, so a revision is never reused after a snapshot. */
  restoreLastRevision(name: string, revision: number): void {
    if (revision > (this.lastRevision.get(name) ?? 0)) this.lastRevision.set(name, revision);
  }

  revisions(name: string): readonly JobDefinitionRecord[] {
    return this.byName.get(name) ?? [];
  }

  /** All revisions of all names, in registration order. */
  values(): readonly JobDefinitionRecord[] {
    return this.ordered;
  }

  /** The highest ACTIVE revision of a name. */
  latestActive(name: string): JobDefinitionRecord | undefined {
    const revisions = this.revisions(name);
    for (let i = revisions.length - 1; i >= 0; i--) {
      if (revisions[i].detail.status === "ACTIVE") return revisions[i];
    }
    return undefined;
  }

  /** `name:revision`, or an ARN with or without revision (without: the latest ACTIVE one). */
  find(identifier: string): JobDefinitionRecord | undefined {
    const reference = this.parse(identifier);
    if (!reference) return undefined;
    if (reference.revision === undefined) return this.latestActive(reference.name);
    return this.revisions(reference.name).find((r) => r.revision === reference.revision);
  }

  /** Splits an identifier into name and revision; undefined for an ARN of another partition. */
  parse(identifier: string): { name: string; revision?: number } | undefined {
    let text = identifier;
    if (isArn(identifier)) {
      const arn = parseBatchArn(identifier);
      if (!arn || arn.kind !== "job-definition" || partitionKey(arn.partition) !== partitionKey(this.partition)) return undefined;
      text = arn.resource;
    }
    const match = /^(.*):(\d+)$/.exec(text);
    if (!match) return { name: text };
    return { name: match[1], revision: Number(match[2]) };
  }
}
