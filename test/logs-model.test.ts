import { LOGS_ERRORS, LOGS_MODEL, LOGS_SDK_VERSION, LOGS_TARGET_PREFIX } from "../src/model/logs-model";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { describeLogsModel } = require("../scripts/logs-sdk-model.cjs");

describe("the Logs model generated from the SDK", () => {
  test("matches the installed @aws-sdk/client-cloudwatch-logs: run `npm run generate` after an SDK upgrade", () => {
    const installed = describeLogsModel();
    expect({ version: LOGS_SDK_VERSION, target: LOGS_TARGET_PREFIX, errors: LOGS_ERRORS, ...LOGS_MODEL }).toEqual({
      version: installed.sdkVersion,
      target: installed.targetPrefix,
      errors: installed.errors,
      operations: installed.operations,
      shapes: installed.shapes,
      enums: installed.enums,
    });
  });

  test("names every operation of the SDK, so the ones not answered get a clear error", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const sdk = require("@aws-sdk/client-cloudwatch-logs") as Record<string, unknown>;
    const commands = Object.keys(sdk).filter((name) => name.endsWith("Command") && name !== "$Command").map((name) => name.replace(/Command$/, ""));
    expect(commands.length).toBeGreaterThan(100);
    expect(LOGS_MODEL.operations.map((op) => op.name).sort()).toEqual(commands.sort());
  });
});
