import { BatchClient, DescribeJobQueuesCommand } from "@aws-sdk/client-batch";
import { fakeBatch, type FakeBatch } from "../src";
import type { RunningServer } from "../src/server/http-server";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AWS, PYTHON, clientEnvironment, requireProgram, run, startServerProcess } from "./clients/server-process";
import { failure } from "./helpers";

// Real signatures from every client over HTTP, checked by a verifying server: good ones pass, bad ones are refused.
const ALICE = { accessKeyId: "AKIAALICE0000000001", secretAccessKey: "alice-secret", accountId: "111111111111" };
const QUEUES_OF_ALICE = "arn:aws:batch:us-east-1:111111111111:job-queue/";

let fake: FakeBatch;
let server: RunningServer;
let client: ReturnType<typeof clientEnvironment>;

beforeAll(async () => {
  await requireProgram(PYTHON, ["-c", "import boto3"], "python3-boto3");
  await requireProgram(AWS, ["--version"], "awscli");
  fake = fakeBatch({ credentials: [ALICE], verifySignatures: true });
  server = await fake.listen({ port: 0 });
  client = clientEnvironment(server.url);
  await new BatchClient({ region: "us-east-1", endpoint: server.url, credentials: ALICE }).send(
    new (await import("@aws-sdk/client-batch")).CreateComputeEnvironmentCommand({ computeEnvironmentName: "ce", type: "MANAGED", computeResources: { type: "FARGATE", maxvCpus: 4, subnets: ["s"] } }),
  );
  await new BatchClient({ region: "us-east-1", endpoint: server.url, credentials: ALICE }).send(
    new (await import("@aws-sdk/client-batch")).CreateJobQueueCommand({ jobQueueName: "etl", priority: 1, computeEnvironmentOrder: [{ order: 1, computeEnvironment: "ce" }] }),
  );
}, 30_000);

afterAll(async () => {
  client?.cleanup();
  await server?.close();
});

const env = (secret: string) => ({ ...client.env, AWS_ACCESS_KEY_ID: ALICE.accessKeyId, AWS_SECRET_ACCESS_KEY: secret });

const BOTO3 = `
import sys, json, boto3, botocore
batch = boto3.client("batch", endpoint_url=sys.argv[1], region_name="us-east-1", config=botocore.config.Config(retries={"max_attempts": 1}))
try:
    print(json.dumps({"queues": [q["jobQueueArn"] for q in batch.describe_job_queues()["jobQueues"]]}))
except botocore.exceptions.ClientError as error:
    print(json.dumps({"error": error.response["Error"]["Code"], "message": error.response["Error"]["Message"], "status": error.response["ResponseMetadata"]["HTTPStatusCode"]}))
`;

describe("a verifying server (--verify-signatures) and real clients", () => {
  test("the JS SDK v3 over HTTP: a good signature passes, a wrong secret is refused", async () => {
    const good = new BatchClient({ region: "us-east-1", endpoint: server.url, credentials: ALICE });
    expect((await good.send(new DescribeJobQueuesCommand({}))).jobQueues?.map((q) => q.jobQueueArn)).toEqual([`${QUEUES_OF_ALICE}etl`]);
    const bad = new BatchClient({ region: "us-east-1", endpoint: server.url, credentials: { ...ALICE, secretAccessKey: "wrong" }, maxAttempts: 1 });
    const error = await failure(bad.send(new DescribeJobQueuesCommand({})));
    expect([error.name, error.$metadata?.httpStatusCode]).toEqual(["InvalidSignatureException", 400]);
    good.destroy();
    bad.destroy();
  });

  test("the server's Date header is real time, for the SDK's clock-skew correction", async () => {
    const response = await fetch(`${server.url}/_parlel/health`);
    const date = Date.parse(response.headers.get("date") ?? "");
    expect(Math.abs(date - Date.now())).toBeLessThan(60_000);
  });

  test("the legacy JS SDK v2 signs its requests the same way", async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const AWSv2 = require("aws-sdk") as typeof import("aws-sdk");
    const make = (secretAccessKey: string) => new AWSv2.Batch({ region: "us-east-1", endpoint: server.url, credentials: new AWSv2.Credentials({ accessKeyId: ALICE.accessKeyId, secretAccessKey }), maxRetries: 0 });
    const { jobQueues } = await make(ALICE.secretAccessKey).describeJobQueues({}).promise();
    expect(jobQueues?.map((q) => q.jobQueueArn)).toEqual([`${QUEUES_OF_ALICE}etl`]);
    const error = await make("wrong").describeJobQueues({}).promise().then(() => undefined, (e: { code: string; statusCode: number }) => e);
    expect([error?.code, error?.statusCode]).toEqual(["InvalidSignatureException", 400]);
  }, 30_000);

  test("boto3 signs its requests so that they verify; a wrong secret is refused", async () => {
    const good = await run(PYTHON, ["-c", BOTO3, server.url], env(ALICE.secretAccessKey));
    expect(JSON.parse(good.stdout)).toEqual({ queues: [`${QUEUES_OF_ALICE}etl`] });
    const bad = await run(PYTHON, ["-c", BOTO3, server.url], env("wrong"));
    expect(JSON.parse(bad.stdout)).toEqual({
      error: "InvalidSignatureException",
      message: "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
      status: 400,
    });
  }, 60_000);

  test("the AWS CLI signs its requests so that they verify; an unknown key is refused", async () => {
    const good = await run(AWS, ["batch", "describe-job-queues", "--endpoint-url", server.url, "--output", "json"], env(ALICE.secretAccessKey));
    expect(good.code).toBe(0);
    expect(JSON.parse(good.stdout).jobQueues.map((q: { jobQueueArn: string }) => q.jobQueueArn)).toEqual([`${QUEUES_OF_ALICE}etl`]);
    const unknown = await run(AWS, ["batch", "describe-job-queues", "--endpoint-url", server.url, "--output", "json"], { ...env("x"), AWS_ACCESS_KEY_ID: "AKIANOBODY" });
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain("UnrecognizedClientException");
    expect(unknown.stderr).toContain("The security token included in the request is invalid.");
  }, 60_000);
});

describe("the control token (--control-token)", () => {
  let guarded: RunningServer;
  beforeAll(async () => {
    guarded = await fakeBatch().listen({ port: 0, controlToken: "s3cret" });
  });
  afterAll(async () => {
    await guarded?.close();
  });

  test("health stays open; other control endpoints need the token", async () => {
    expect((await fetch(`${guarded.url}/_parlel/health`)).status).toBe(200);
    const refused = await fetch(`${guarded.url}/_parlel/reset`, { method: "POST" });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { message: string }).message).toMatch(/needs the server's control token/);
    expect((await fetch(`${guarded.url}/_parlel/reset`, { method: "POST", headers: { authorization: "Bearer wrong" } })).status).toBe(401);
    expect((await fetch(`${guarded.url}/_parlel/reset`, { method: "POST", headers: { authorization: "Bearer s3cret" } })).status).toBe(200);
  });

  test("the dashboard opened with ?token= sets a cookie that its own requests carry", async () => {
    expect((await fetch(`${guarded.url}/_parlel/dashboard`)).status).toBe(401);
    const page = await fetch(`${guarded.url}/_parlel/dashboard?token=s3cret`);
    expect(page.status).toBe(200);
    const cookie = (page.headers.get("set-cookie") ?? "").split(";")[0];
    expect(cookie).toBe("parlel_control_token=s3cret");
    expect((await fetch(`${guarded.url}/_parlel/state`, { headers: { cookie } })).status).toBe(200);
  });

  test("the Batch API itself does not need the control token", async () => {
    const batch = new BatchClient({ region: "us-east-1", endpoint: guarded.url, credentials: { accessKeyId: "a", secretAccessKey: "b" } });
    await expect(batch.send(new DescribeJobQueuesCommand({}))).resolves.toHaveProperty("jobQueues", []);
    batch.destroy();
  });
});

describe("npx parlel-batch --verify-signatures --credentials FILE --control-token T", () => {
  let folder: string;
  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), "parlel-credentials-"));
    writeFileSync(join(folder, "keys.json"), JSON.stringify([ALICE]));
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  test("verifies signatures with the keys of the file, and guards the control endpoints", async () => {
    const bin = await startServerProcess(["--credentials", join(folder, "keys.json"), "--verify-signatures", "--control-token", "s3cret"]);
    try {
      const good = new BatchClient({ region: "us-east-1", endpoint: bin.url, credentials: ALICE });
      await expect(good.send(new DescribeJobQueuesCommand({}))).resolves.toHaveProperty("jobQueues", []);
      const bad = new BatchClient({ region: "us-east-1", endpoint: bin.url, credentials: { ...ALICE, secretAccessKey: "wrong" }, maxAttempts: 1 });
      await expect(failure(bad.send(new DescribeJobQueuesCommand({})))).resolves.toHaveProperty("name", "InvalidSignatureException");
      expect((await fetch(`${bin.url}/_parlel/reset`, { method: "POST" })).status).toBe(401);
      expect((await fetch(`${bin.url}/_parlel/reset`, { method: "POST", headers: { authorization: "Bearer s3cret" } })).status).toBe(200);
      good.destroy();
      bad.destroy();
    } finally {
      await bin.stop();
    }
  }, 30_000);

  test("a credentials file that is not a list of keys stops the start with a clear message", async () => {
    writeFileSync(join(folder, "bad.json"), JSON.stringify([{ accessKeyId: "AKIA" }]));
    const ran = await run(process.execPath, [join(__dirname, "..", "dist", "cjs", "server", "cli.js"), "--credentials", join(folder, "bad.json")], process.env);
    expect(ran.code).toBe(1);
    expect(ran.stderr).toContain("entry 0 needs a string secretAccessKey.");
    const none = await run(process.execPath, [join(__dirname, "..", "dist", "cjs", "server", "cli.js"), "--verify-signatures"], process.env);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("verifySignatures needs at least one credential to check signatures against.");
  }, 30_000);
});
