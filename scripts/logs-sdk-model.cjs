"use strict";
// Reads the installed @aws-sdk/client-cloudwatch-logs into a plain description: shared by
// scripts/generate-logs-model.cjs and the drift test.
const { describeSdkModel } = require("./sdk-model.cjs");

/** The Logs operations parlel-batch answers; the others get a "not implemented" error. */
const IMPLEMENTED = ["DescribeLogGroups", "DescribeLogStreams", "FilterLogEvents", "GetLogEvents"];
const PACKAGE = "@aws-sdk/client-cloudwatch-logs";

function describeLogsModel(sdk = require(PACKAGE)) {
  const model = describeSdkModel(sdk, { packageName: PACKAGE, only: IMPLEMENTED });
  // The client's protocol settings name the X-Amz-Target prefix its awsJson1_1 requests carry.
  const client = new sdk.CloudWatchLogsClient({ region: "us-east-1" });
  const targetPrefix = client.config.protocolSettings.serviceTarget;
  client.destroy();
  const errors = Object.keys(sdk)
    .filter((key) => key.endsWith("$") && Array.isArray(sdk[key]) && sdk[key][0] === -3 && sdk[key][1] !== "smithy.ts.sdk.synthetic.com.amazonaws.cloudwatchlogs")
    .map((key) => sdk[key][2])
    .sort();
  return { ...model, targetPrefix, errors };
}

module.exports = { describeLogsModel, IMPLEMENTED };
