import { BatchClient } from "@aws-sdk/client-batch";
import { fakeBatch, type FakeBatch, type FakeBatchOptions } from "../src";

/** A real BatchClient wired to a new fake, the way a user's test does it. */
export function setup(options?: FakeBatchOptions & { region?: string; accessKeyId?: string }): { fake: FakeBatch; batch: BatchClient } {
  const fake = fakeBatch(options);
  const batch = new BatchClient({
    region: options?.region ?? "us-east-1",
    credentials: { accessKeyId: options?.accessKeyId ?? "parlel", secretAccessKey: "parlel" },
    requestHandler: fake,
  });
  return { fake, batch };
}

/** Resolves to the error a promise rejects with; fails the test when it resolves. */
export async function failure(promise: Promise<unknown>): Promise<Error & { $fault?: string; $metadata?: { httpStatusCode?: number; requestId?: string } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { $fault?: string; $metadata?: { httpStatusCode?: number; requestId?: string } };
  }
  throw new Error("expected the call to fail, but it succeeded");
}
