import * as sdk from "@aws-sdk/client-batch";
import { BATCH_MODEL, SDK_VERSION } from "../src/model/batch-model";
import { defaultRoutes } from "../src/handler/routes";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { describeSdkModel } = require("../scripts/sdk-model.cjs");

describe("the model generated from the SDK", () => {
  test("matches the installed @aws-sdk/client-batch: run `npm run generate` after an SDK upgrade", () => {
    const installed = describeSdkModel();
    expect({ version: SDK_VERSION, ...BATCH_MODEL }).toEqual({ version: installed.sdkVersion, operations: installed.operations, shapes: installed.shapes, enums: installed.enums });
  });

  test("routes every command the SDK exports", () => {
    const commands = Object.keys(sdk).filter((name) => name.endsWith("Command") && name !== "$Command").map((name) => name.replace(/Command$/, ""));
    expect(commands.length).toBeGreaterThanOrEqual(48);
    const routes = defaultRoutes();
    for (const operation of commands) expect([operation, routes.has(operation)]).toEqual([operation, true]);
  });

  test("the tag routes bind the ARN label and the repeated tagKeys query parameter", () => {
    const untag = BATCH_MODEL.shapes.UntagResourceRequest.members;
    expect(untag.resourceArn.location).toBe("label");
    expect(untag.tagKeys).toMatchObject({ location: "query", queryName: "tagKeys", type: { list: "string" } });
    const match = defaultRoutes().match("DELETE", "/v1/tags/arn%3Aaws%3Abatch%3Aus-east-1%3A123456789012%3Ajob-queue%2FMy_Q");
    expect(match).toMatchObject({ kind: "found", route: { operation: "UntagResource" }, labels: { resourceArn: "arn:aws:batch:us-east-1:123456789012:job-queue/My_Q" } });
  });
});
