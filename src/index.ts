export { FakeBatch, fakeBatch, type FakeBatchOptions } from "./fake";
export type { RecordedRequest } from "./service";
export type { ProvisionOptions, Provisioned } from "./provision";
export type { Partition } from "./state/partition";
export { BatchError, type BatchErrorType } from "./operations/errors";
