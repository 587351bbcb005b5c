import * as sdk from "@aws-sdk/client-batch";
import { setup } from "./helpers";

type AnyCommand = new (input: object) => sdk.BatchClient extends { send(command: infer C): unknown } ? C : never;
const commands = Object.entries(sdk).filter(([name]) => name.endsWith("Command") && name !== "$Command") as [string, AnyCommand][];

// Every command gets a modelled answer, whatever its input: success or a ClientException, never a crash.
describe("every SDK command gets an answer", () => {
  test.each(commands.map(([name, command]) => [name, command]))("%s with an empty input", async (_name, command) => {
    const { batch } = setup();
    const input = { resourceArn: "arn:aws:batch:us-east-1:000000000000:job-queue/none" };
    try {
      await batch.send(new command(input) as never);
    } catch (error) {
      expect((error as Error).name).toBe("ClientException");
      expect((error as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).toBe(400);
    }
  });

  test.each(commands.map(([name, command]) => [name, command]))("%s with members of the wrong type", async (_name, command) => {
    const { batch } = setup();
    const operation = _name.replace(/Command$/, "");
    const { BATCH_MODEL } = await import("../src/model/batch-model");
    const shape = BATCH_MODEL.shapes[BATCH_MODEL.operations.find((op) => op.name === operation)!.inputShape];
    const input: Record<string, unknown> = { resourceArn: "arn:aws:batch:us-east-1:000000000000:job-queue/none" };
    for (const [member, description] of Object.entries(shape.members)) {
      if (description.location) continue;
      input[member] = description.type === "string" ? 12 : "twelve";
    }
    const error = await batch.send(new command(input) as never).then(() => undefined, (e: Error) => e);
    if (Object.keys(input).length > 1) {
      expect(error?.name).toBe("ClientException");
      expect(error?.message).toMatch(/^Invalid (type|value)/);
    }
  });
});
