import * as sdk from "@aws-sdk/client-batch";
import { BATCH_MODEL } from "../src/model/batch-model";
import { setup } from "./helpers";

type AnyCommand = new (input: object) => sdk.BatchClient extends { send(command: infer C): unknown } ? C : never;
const commands = Object.entries(sdk).filter(([name]) => name.endsWith("Command") && name !== "$Command") as [string, AnyCommand][];

/** The operations that need no input: on an empty account each answers an empty listing. */
const EMPTY_LISTINGS: Record<string, Record<string, unknown>> = {
  DescribeComputeEnvironments: { computeEnvironments: [] },
  DescribeJobDefinitions: { jobDefinitions: [] },
  DescribeJobQueues: { jobQueues: [] },
  DescribeServiceEnvironments: { serviceEnvironments: [] },
  ListConsumableResources: { consumableResources: [] },
  ListSchedulingPolicies: { schedulingPolicies: [] },
  ListServiceJobs: { jobSummaryList: [] },
};

/** The operations whose members are all bound to the URL: the SDK turns any value into text there. */
const URL_ONLY = ["ListTagsForResource", "UntagResource"];

const inputShapeOf = (operation: string) => BATCH_MODEL.shapes[BATCH_MODEL.operations.find((op) => op.name === operation)!.inputShape];

/** What the fake answered, success or modelled error; anything else (a crash, a hang) fails the test. */
async function answer(command: AnyCommand, input: object): Promise<{ output?: Record<string, unknown>; error?: Error & { $metadata?: { httpStatusCode?: number } } }> {
  const { batch } = setup();
  try {
    const { $metadata, ...output } = (await batch.send(new command(input) as never)) as { $metadata: { httpStatusCode?: number } };
    expect($metadata.httpStatusCode).toBe(200);
    return { output };
  } catch (error) {
    return { error: error as Error };
  }
}

// Every command gets a modelled answer, whatever its input: success or a ClientException, never a crash.
describe("every SDK command gets an answer", () => {
  test("the listings need no input, and the URL-only operations bind every member to the URL, as the model says", () => {
    const names = commands.map(([name]) => name.replace(/Command$/, ""));
    for (const operation of Object.keys(EMPTY_LISTINGS)) {
      expect(names).toContain(operation);
      expect(Object.values(inputShapeOf(operation).members).filter((member) => member.required)).toEqual([]);
    }
    for (const operation of URL_ONLY) expect(Object.values(inputShapeOf(operation).members).every((member) => member.location)).toBe(true);
  });

  test.each(commands.map(([name, command]) => [name, command]))("%s with an empty input", async (name, command) => {
    const operation = name.replace(/Command$/, "");
    const { output, error } = await answer(command, { resourceArn: "arn:aws:batch:us-east-1:000000000000:job-queue/none" });
    if (operation in EMPTY_LISTINGS) {
      expect(error).toBeUndefined();
      expect(output).toEqual(EMPTY_LISTINGS[operation]);
    } else {
      expect(output).toBeUndefined();
      expect(error?.name).toBe("ClientException");
      expect(error?.$metadata?.httpStatusCode).toBe(400);
      // Something specific is missing or not found, and the message says what.
      expect(error?.message).toMatch(/ must be specified\.$|^Exactly one of jobQueue, arrayJobId or multiNodeJobId must be specified\.$|^Resource arn:aws:batch:us-east-1:000000000000:job-queue\/none not found\.$/);
    }
  });

  test.each(commands.map(([name, command]) => [name, command]))("%s with members of the wrong type", async (name, command) => {
    const operation = name.replace(/Command$/, "");
    const input: Record<string, unknown> = { resourceArn: "arn:aws:batch:us-east-1:000000000000:job-queue/none" };
    for (const [member, description] of Object.entries(inputShapeOf(operation).members)) {
      if (description.location && !URL_ONLY.includes(operation)) continue;
      input[member] = description.type === "string" ? 12 : "twelve";
    }
    const { output, error } = await answer(command, input);
    expect(output).toBeUndefined();
    expect(error?.name).toBe("ClientException");
    expect(error?.$metadata?.httpStatusCode).toBe(400);
    if (URL_ONLY.includes(operation)) {
      // The SDK writes the number 12 into the path as "12", which is no ARN.
      expect(error?.message).toBe("12 is not a valid ARN.");
    } else {
      expect(error?.message).toMatch(/^Invalid (type|value)/);
    }
  });
});
