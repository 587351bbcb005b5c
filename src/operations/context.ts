import type { OperationName, OperationTypes } from "../model/batch-model";
import type { Engine } from "../state/engine";
import type { IdGenerator } from "../state/ids";
import type { Partition } from "../state/partition";
import type { BatchStore } from "../state/store";
import type { Quotas } from "./quotas";

/** What an operation sees of the world: its partition's store, the engine, and the request's identity. */
export interface OperationContext {
  readonly partition: Partition;
  readonly store: BatchStore;
  readonly engine: Engine;
  readonly ids: IdGenerator;
  readonly requestId: string;
  /** The instant the request is answered at, in epoch milliseconds (virtual on a manual clock). */
  readonly now: number;
  /** The request body's size in bytes, when the call came over the wire. */
  readonly requestBytes?: number;
  /** The service quotas of the partition's account. */
  readonly quotas: Quotas;
}

type Input<K extends OperationName> = OperationTypes[K]["input"];

/** The input after model validation: required top-level members are known to be present. */
export type OperationInput<K extends OperationName> = Input<K> & {
  [P in OperationTypes[K]["required"] & keyof Input<K>]-?: NonNullable<Input<K>[P]>;
};

export type OperationOutput<K extends OperationName> = Omit<OperationTypes[K]["output"], "$metadata">;

export type OperationHandler<K extends OperationName> = (
  input: OperationInput<K>,
  context: OperationContext,
) => OperationOutput<K> | Promise<OperationOutput<K>>;

/** One typed method per Batch operation. The compiler checks that none is missing. */
export type BatchOperations = { [K in OperationName]: OperationHandler<K> };

/** A group of operations for one resource; the groups together make `BatchOperations`. */
export type OperationGroup<K extends OperationName> = { [P in K]: OperationHandler<P> };
