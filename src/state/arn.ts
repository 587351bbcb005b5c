import { arnPartition, type Partition } from "./partition";

/** The Batch resource kinds that have ARNs, with the path prefix AWS uses for each. */
export type ResourceKind =
  | "compute-environment"
  | "job-queue"
  | "job-definition"
  | "job"
  | "scheduling-policy"
  | "consumable-resource"
  | "service-environment"
  | "service-job";

/** Quota shares live under their queue: `job-queue/<queue>/quota-share/<share>`. */
export function quotaShareResource(queueName: string, shareName: string): string {
  return `${queueName}/quota-share/${shareName}`;
}

export function batchArn(partition: Partition, kind: ResourceKind, resource: string): string {
  return `arn:${arnPartition(partition.region)}:batch:${partition.region}:${partition.accountId}:${kind}/${resource}`;
}

export interface ParsedArn {
  partition: Partition;
  kind: string;
  resource: string;
}

const ARN = /^arn:aws[a-z-]*:batch:([a-z0-9-]+):(\d{12}):([a-z-]+)\/(.+)$/;

/** Parses a Batch ARN, or returns undefined for anything else. */
export function parseBatchArn(value: string): ParsedArn | undefined {
  const match = ARN.exec(value);
  if (!match) return undefined;
  return { partition: { region: match[1], accountId: match[2] }, kind: match[3], resource: match[4] };
}

export function isArn(value: string): boolean {
  return value.startsWith("arn:");
}
