import { CloudWatchLogsClient, DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { BatchClient, CreateComputeEnvironmentCommand, DescribeComputeEnvironmentsCommand, ListJobsCommand, TagResourceCommand } from "@aws-sdk/client-batch";
import { fakeBatch, type FakeBatch } from "../src";
import { failure } from "./helpers";

const ALICE = { accessKeyId: "AKIAALICE0000000001", secretAccessKey: "alice-secret", accountId: "111111111111" };
const TEMPORARY = { accessKeyId: "ASIATEMP00000000001", secretAccessKey: "temp-secret", accountId: "111111111111", sessionToken: "session-token-1" };

function verifyingFake(): FakeBatch {
  return fakeBatch({ credentials: [ALICE, TEMPORARY], verifySignatures: true });
}

function clientOf(fake: FakeBatch, credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }, extra: Record<string, unknown> = {}): BatchClient {
  return new BatchClient({ region: "us-east-1", credentials, requestHandler: fake, maxAttempts: 1, ...extra });
}

/** A client whose requests leave with their Authorization header replaced (or removed, for undefined). */
function tampered(fake: FakeBatch, authorization: (value: string) => string | undefined): BatchClient {
  const client = clientOf(fake, ALICE);
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers: Record<string, string> };
      const replaced = authorization(request.headers.authorization);
      if (replaced === undefined) delete request.headers.authorization;
      else request.headers.authorization = replaced;
      return next(args);
    },
    { step: "finalizeRequest", priority: "low", name: "tamper" },
  );
  return client;
}

const environment = new CreateComputeEnvironmentCommand({ computeEnvironmentName: "ce", type: "MANAGED", computeResources: { type: "FARGATE", maxvCpus: 4, subnets: ["s"] } });

describe("SigV4 verification (verifySignatures)", () => {
  test("a request signed with a configured key is accepted and lands in the key's account", async () => {
    const fake = verifyingFake();
    const { computeEnvironmentArn } = await clientOf(fake, ALICE).send(environment);
    expect(computeEnvironmentArn).toBe("arn:aws:batch:us-east-1:111111111111:compute-environment/ce");
  });

  test("a wrong secret is refused with InvalidSignatureException, and the request changes nothing", async () => {
    const fake = verifyingFake();
    const error = await failure(clientOf(fake, { ...ALICE, secretAccessKey: "wrong" }).send(environment));
    expect(error.name).toBe("InvalidSignatureException");
    expect(error.message).toBe("The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.");
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect((await clientOf(fake, ALICE).send(new DescribeComputeEnvironmentsCommand({}))).computeEnvironments).toEqual([]);
  });

  test("an unknown access key is refused with UnrecognizedClientException", async () => {
    const error = await failure(clientOf(verifyingFake(), { accessKeyId: "AKIAUNKNOWN", secretAccessKey: "x" }).send(new ListJobsCommand({ jobQueue: "q" })));
    expect([error.name, error.message, error.$metadata?.httpStatusCode]).toEqual(["UnrecognizedClientException", "The security token included in the request is invalid.", 400]);
  });

  test("a request without an Authorization header is refused with MissingAuthenticationTokenException (403)", async () => {
    const error = await failure(tampered(verifyingFake(), () => undefined).send(new ListJobsCommand({ jobQueue: "q" })));
    expect([error.name, error.message, error.$metadata?.httpStatusCode]).toEqual(["MissingAuthenticationTokenException", "Missing Authentication Token", 403]);
  });

  test("a malformed Authorization header is refused with IncompleteSignatureException naming what is missing", async () => {
    const error = await failure(tampered(verifyingFake(), (value) => value.replace(/, Signature=[0-9a-f]+/, "")).send(new ListJobsCommand({ jobQueue: "q" })));
    expect(error.name).toBe("IncompleteSignatureException");
    expect(error.message).toMatch(/^Authorization header requires 'Signature' parameter\. Authorization=AWS4-HMAC-SHA256 Credential=AKIAALICE0000000001\//);
    expect(error.$metadata?.httpStatusCode).toBe(400);
  });

  test("a signature made more than 5 minutes ago is expired; one more than 5 minutes ahead is not yet current", async () => {
    const fake = verifyingFake();
    const expired = await failure(clientOf(fake, ALICE, { systemClockOffset: -10 * 60_000 }).send(new ListJobsCommand({ jobQueue: "q" })));
    expect(expired.name).toBe("InvalidSignatureException");
    expect(expired.message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$/);
    const future = await failure(clientOf(fake, ALICE, { systemClockOffset: 10 * 60_000 }).send(new ListJobsCommand({ jobQueue: "q" })));
    expect(future.message).toMatch(/^Signature not yet current: \d{8}T\d{6}Z is still later than \d{8}T\d{6}Z \(\d{8}T\d{6}Z \+ 5 min\.\)$/);
  });

  test("temporary credentials need their configured session token; a wrong one is unrecognized", async () => {
    const fake = verifyingFake();
    await expect(clientOf(fake, TEMPORARY).send(new DescribeComputeEnvironmentsCommand({}))).resolves.toHaveProperty("computeEnvironments", []);
    const error = await failure(clientOf(fake, { ...TEMPORARY, sessionToken: "stolen" }).send(new DescribeComputeEnvironmentsCommand({})));
    expect(error.name).toBe("UnrecognizedClientException");
  });

  test("a signed request whose body was changed afterwards is refused", async () => {
    const fake = verifyingFake();
    const client = clientOf(fake, ALICE);
    client.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { body: string };
        request.body = request.body.replace('"ce"', '"evil"');
        return next(args);
      },
      { step: "finalizeRequest", priority: "low", name: "tamper-body" },
    );
    await expect(failure(client.send(environment))).resolves.toHaveProperty("name", "InvalidSignatureException");
    await expect(failure(client.send(new TagResourceCommand({ resourceArn: "arn:aws:batch:us-east-1:111111111111:compute-environment/ce", tags: { a: "b" } })))).resolves.toHaveProperty("name", "ClientException");
  });

  test("CloudWatch Logs calls to the same fake are verified the same way", async () => {
    const fake = verifyingFake();
    const logs = (secretAccessKey: string) => new CloudWatchLogsClient({ region: "us-east-1", credentials: { ...ALICE, secretAccessKey }, requestHandler: fake, maxAttempts: 1 });
    await expect(logs(ALICE.secretAccessKey).send(new DescribeLogGroupsCommand({}))).resolves.toHaveProperty("logGroups");
    await expect(failure(logs("wrong").send(new DescribeLogGroupsCommand({})))).resolves.toHaveProperty("name", "InvalidSignatureException");
  });

  test("without verifySignatures any signature is accepted, as before", async () => {
    const fake = fakeBatch();
    await expect(clientOf(fake, { accessKeyId: "anything", secretAccessKey: "whatever" }).send(environment)).resolves.toHaveProperty("computeEnvironmentArn");
  });

  test("verifySignatures without credentials is a clear error", () => {
    expect(() => fakeBatch({ verifySignatures: true })).toThrow("verifySignatures needs at least one credential to check signatures against.");
  });
});
