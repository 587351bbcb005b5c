import type {
  ComputeEnvironmentDetail,
  DescribeConsumableResourceResponse,
  DescribeQuotaShareResponse,
  JobDefinition,
  JobQueueDetail,
  SchedulingPolicyDetail,
  ServiceEnvironmentDetail,
} from "@aws-sdk/client-batch";

/**
 * Every stored resource is plain data: its Describe output (`detail`) plus the keys the store indexes it by.
 * Plain data keeps a future journal or snapshot a matter of serialising records.
 */
export interface ResourceRecord<Detail> {
  /** Creation order within the partition; pagination cursors point at it. */
  readonly sequence: number;
  readonly name: string;
  readonly arn: string;
  /**
   * Changed only at its top level: a nested value (a list, tags, compute resources) is replaced, never
   * edited in place. Describe views are kept while the top-level values are the same (resource-views.ts).
   */
  detail: Detail;
}

export type ComputeEnvironmentRecord = ResourceRecord<ComputeEnvironmentDetail>;
export type JobQueueRecord = ResourceRecord<JobQueueDetail>;
export type SchedulingPolicyRecord = ResourceRecord<SchedulingPolicyDetail>;
export type ServiceEnvironmentRecord = ResourceRecord<ServiceEnvironmentDetail>;
export type QuotaShareRecord = ResourceRecord<DescribeQuotaShareResponse>;
export type ConsumableResourceRecord = ResourceRecord<Omit<DescribeConsumableResourceResponse, "$metadata">>;

export interface JobDefinitionRecord extends ResourceRecord<JobDefinition> {
  readonly revision: number;
}

/** Anything that carries tags in its Describe output. */
export interface Taggable {
  tags?: Record<string, string>;
}
