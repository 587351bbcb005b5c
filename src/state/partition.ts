/** An account and region pair: every resource lives in exactly one. */
export interface Partition {
  readonly accountId: string;
  readonly region: string;
}

export function partitionKey(partition: Partition): string {
  return `${partition.accountId}/${partition.region}`;
}

/** The ARN partition for a region (`aws-cn`, `aws-us-gov` or `aws`). */
export function arnPartition(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}
