export { FakeBatch, fakeBatch, type FakeBatchOptions, type Snapshot } from "./fake";
export type { RecordedRequest } from "./service";
export type { ProvisionOptions, Provisioned } from "./provision";
export type { Partition } from "./state/partition";
export { BatchError, type BatchErrorType } from "./operations/errors";
export type { AttemptView, JobMatcher, JobOutcome, OutcomeSource, Pattern } from "./state/outcomes";
export type { PhaseDelays } from "./state/engine";
export type { ListenOptions, RunningServer } from "./server/http-server";
export type { FakeCredential, SignatureOptions } from "./auth/signature";
