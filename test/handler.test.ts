import * as net from "node:net";
import {
  BatchClient,
  ClientException,
  CreateSchedulingPolicyCommand,
  DescribeComputeEnvironmentsCommand,
  DescribeJobQueuesCommand,
  DescribeJobsCommand,
  ListTagsForResourceCommand,
  SubmitJobCommand,
  TagResourceCommand,
} from "@aws-sdk/client-batch";
import { HttpRequest } from "@smithy/protocol-http";
import { fakeBatch } from "../src";
import { failure, setup } from "./helpers";

const credentials = { accessKeyId: "parlel", secretAccessKey: "parlel" };

describe("the Smithy request handler", () => {
  let connect: jest.SpyInstance;
  beforeEach(() => {
    connect = jest.spyOn(net.Socket.prototype, "connect");
  });
  afterEach(() => connect.mockRestore());

  test("no socket is opened however the fake is passed in", async () => {
    const fake = fakeBatch();
    const clients = [
      new BatchClient({ region: "us-east-1", credentials, requestHandler: fake }),
      new BatchClient({ region: "us-east-1", credentials, requestHandler: { ...fake } }),
      new BatchClient({ region: "us-east-1", credentials, requestHandler: Object.assign({}, fake) }),
    ];
    const assigned = new BatchClient({ region: "us-east-1", credentials });
    assigned.config.requestHandler = fake;
    clients.push(assigned);
    for (const client of clients) {
      const output = await client.send(new DescribeJobQueuesCommand({}));
      expect(output.jobQueues).toEqual([]);
    }
    expect(connect).not.toHaveBeenCalled();
    expect(fake.requests).toHaveLength(4);
  });

  test("control: a handler whose handle sits on the prototype is taken as options and does open a socket", async () => {
    const prototypeOnly = { ...Object.create({ handle: async () => ({}) }) };
    const client = new BatchClient({ region: "us-east-1", credentials, endpoint: "http://127.0.0.1:9", requestHandler: prototypeOnly, maxAttempts: 1 });
    await failure(client.send(new DescribeJobQueuesCommand({})));
    expect(connect).toHaveBeenCalled();
    client.destroy();
  });

  test("responses are real HttpResponses with a byte body, JSON content type and a unique request id", async () => {
    const fake = fakeBatch();
    const request = new HttpRequest({ method: "POST", hostname: "batch.us-east-1.amazonaws.com", path: "/v1/describejobqueues", headers: { "content-type": "application/json" }, body: "{}" });
    const first = (await fake.handle(request)).response;
    const second = (await fake.handle(request)).response;
    expect(first.statusCode).toBe(200);
    expect(first.body).toBeInstanceOf(Uint8Array);
    expect(first.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(new TextDecoder().decode(first.body))).toEqual({ jobQueues: [] });
    expect(first.headers["x-amzn-requestid"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.headers["x-amzn-requestid"]).not.toBe(second.headers["x-amzn-requestid"]);
  });

  test("job ids and request ids are version 4 UUIDs, distinct within a fake and across fakes", async () => {
    const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    const ids: string[] = [];
    for (const { fake, batch } of [setup(), setup()]) {
      await fake.provision({ jobQueues: ["q"], jobDefinitions: ["d"] });
      for (let i = 0; i < 3; i++) {
        const submitted = await batch.send(new SubmitJobCommand({ jobName: `j${i}`, jobQueue: "q", jobDefinition: "d" }));
        ids.push(submitted.jobId!, submitted.$metadata.requestId!);
      }
    }
    for (const id of ids) expect(id).toMatch(UUID_V4);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test("the SDK reads the request id, status and fault of a modelled error", async () => {
    const { batch } = setup();
    const error = await failure(batch.send(new DescribeJobQueuesCommand({ maxResults: 1000 })));
    expect(error).toBeInstanceOf(ClientException);
    expect(error.name).toBe("ClientException");
    expect(error.$fault).toBe("client");
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(error.$metadata?.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  test("an aborted request rejects with an AbortError", async () => {
    const { batch } = setup();
    const controller = new AbortController();
    controller.abort();
    const error = await failure(batch.send(new DescribeJobQueuesCommand({}), { abortSignal: controller.signal }));
    expect(error.name).toBe("AbortError");
  });

  test("client.destroy() leaves the fake's state for other clients", async () => {
    const fake = fakeBatch();
    await fake.provision({ jobQueues: ["jq"] });
    const first = new BatchClient({ region: "us-east-1", credentials, requestHandler: fake });
    first.destroy();
    const second = new BatchClient({ region: "us-east-1", credentials, requestHandler: fake });
    const { jobQueues } = await second.send(new DescribeJobQueuesCommand({}));
    expect(jobQueues!.map((q) => q.jobQueueName)).toEqual(["jq"]);
  });

  test("handler config methods exist as the contract requires", () => {
    const fake = fakeBatch();
    expect(Object.prototype.hasOwnProperty.call(fake, "handle")).toBe(true);
    expect(fake.httpHandlerConfigs()).toEqual({});
    expect(() => fake.updateHttpClientConfig(undefined as never, undefined as never)).not.toThrow();
  });
});

describe("the wire protocol", () => {
  const raw = (fake: ReturnType<typeof fakeBatch>, init: ConstructorParameters<typeof HttpRequest>[0]) =>
    fake.handle(new HttpRequest({ hostname: "localhost", ...init })).then(({ response }) => ({
      status: response.statusCode,
      headers: response.headers,
      body: JSON.parse(new TextDecoder().decode(response.body as Uint8Array)),
    }));

  test("errors carry x-amzn-errortype and a {__type, message} body", async () => {
    const response = await raw(fakeBatch(), { method: "POST", path: "/v1/describejobqueues", body: '{"maxResults": "ten"}' });
    expect(response.status).toBe(400);
    expect(response.headers["x-amzn-errortype"]).toBe("ClientException");
    expect(response.body).toEqual({ __type: "ClientException", message: 'Invalid type for maxResults: expected a number, got the string "ten".' });
  });

  test("malformed JSON, a non-object body and an oversized body are 400s", async () => {
    const fake = fakeBatch({ maxBodyBytes: 100 });
    const malformed = await raw(fake, { method: "POST", path: "/v1/describejobqueues", body: "{nope" });
    expect(malformed.status).toBe(400);
    expect(malformed.body.message).toMatch(/^The request body is not valid JSON/);
    const list = await raw(fake, { method: "POST", path: "/v1/describejobqueues", body: "[]" });
    expect(list.body.message).toBe("The request body must be a JSON object.");
    const big = await raw(fake, { method: "POST", path: "/v1/describejobqueues", body: JSON.stringify({ jobQueues: ["x".repeat(200)] }) });
    expect(big.status).toBe(400);
    expect(big.body.message).toMatch(/^The request body is \d+ bytes; parlel-batch accepts at most 100\.$/);
  });

  test("null counts as absent, at the top level and inside structures", async () => {
    const { fake, batch } = setup();
    await fake.provision({ jobQueues: ["jq"], jobDefinitions: ["echo"] });
    const post = (path: string, body: Record<string, unknown>) => raw(fake, { method: "POST", path, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const submitted = await post("/v1/submitjob", {
      jobName: "nulls",
      jobQueue: "jq",
      jobDefinition: "echo",
      shareIdentifier: null,
      arrayProperties: null,
      dependsOn: null,
      parameters: null,
      retryStrategy: null,
      timeout: null,
      tags: null,
      propagateTags: null,
      containerOverrides: { command: null, environment: null, resourceRequirements: null, vcpus: null },
    });
    expect(submitted.status).toBe(200);
    const { jobs } = await batch.send(new DescribeJobsCommand({ jobs: [submitted.body.jobId] }));
    expect(jobs![0]).toMatchObject({ jobName: "nulls", status: "SUCCEEDED", container: { command: ["echo", "hello"] } });
    expect(jobs![0].arrayProperties).toBeUndefined();
    expect(jobs![0].tags).toEqual({});

    const nullScopes = { arrayJobId: null, multiNodeJobId: null, maxResults: null, nextToken: null, filters: null };
    const running = await post("/v1/listjobs", { jobQueue: "jq", jobStatus: null, ...nullScopes });
    expect(running).toMatchObject({ status: 200, body: { jobSummaryList: [] } });
    const succeeded = await post("/v1/listjobs", { jobQueue: "jq", jobStatus: "SUCCEEDED", ...nullScopes });
    expect(succeeded.status).toBe(200);
    expect(succeeded.body.jobSummaryList.map((job: { jobName: string }) => job.jobName)).toEqual(["nulls"]);
    const queues = await post("/v1/describejobqueues", { jobQueues: null, maxResults: null, nextToken: null });
    expect(queues.status).toBe(200);
    expect(queues.body.jobQueues.map((queue: { jobQueueName: string }) => queue.jobQueueName)).toEqual(["jq"]);
    // A required member that is null is missing.
    const missing = await post("/v1/submitjob", { jobName: null, jobQueue: "jq", jobDefinition: "echo" });
    expect(missing).toMatchObject({ status: 400, body: { __type: "ClientException", message: "jobName must be specified." } });
  });

  test("unknown routes get 404 and wrong methods 405, both with a clear message", async () => {
    const fake = fakeBatch();
    const unknown = await raw(fake, { method: "POST", path: "/v1/launchrockets", body: "{}" });
    expect(unknown).toMatchObject({ status: 404, body: { __type: "UnknownOperationException", message: "No Batch operation is bound to POST /v1/launchrockets." } });
    const wrong = await raw(fake, { method: "GET", path: "/v1/submitjob" });
    expect(wrong).toMatchObject({ status: 405, body: { __type: "MethodNotAllowedException", message: "/v1/submitjob takes POST, not GET." } });
  });

  test("GET and DELETE without a body are accepted", async () => {
    const { batch } = setup();
    const error = await failure(batch.send(new ListTagsForResourceCommand({ resourceArn: "arn:aws:batch:us-east-1:000000000000:job-queue/none" })));
    expect(error).toBeInstanceOf(ClientException);
  });
});

describe("partitions", () => {
  test("each region has its own state, taken from the SigV4 credential scope", async () => {
    const fake = fakeBatch();
    await fake.provision({ jobQueues: ["east"] });
    const west = new BatchClient({ region: "us-west-2", credentials, requestHandler: fake });
    expect((await west.send(new DescribeJobQueuesCommand({}))).jobQueues).toEqual([]);
    await fake.provision({ region: "us-west-2", jobQueues: ["west"] });
    const { jobQueues } = await west.send(new DescribeJobQueuesCommand({}));
    expect(jobQueues!.map((q) => q.jobQueueArn)).toEqual(["arn:aws:batch:us-west-2:000000000000:job-queue/west"]);
  });

  test.each([
    ["cn-north-1", "aws-cn"],
    ["us-gov-west-1", "aws-us-gov"],
  ])("every ARN in %s is in the %s partition", async (region, partition) => {
    const { fake, batch } = setup({ region });
    const provisioned = await fake.provision({ region, jobQueues: ["jq"], jobDefinitions: ["echo"] });
    const arn = (service: string, resource: string) => `arn:${partition}:${service}:${region}:000000000000:${resource}`;
    expect(provisioned).toEqual({
      computeEnvironmentArn: arn("batch", "compute-environment/parlel-ce"),
      jobQueueArns: { jq: arn("batch", "job-queue/jq") },
      jobDefinitionArns: { echo: arn("batch", "job-definition/echo:1") },
    });
    const { computeEnvironments } = await batch.send(new DescribeComputeEnvironmentsCommand({}));
    expect(computeEnvironments![0].ecsClusterArn).toMatch(new RegExp(`^arn:${partition}:ecs:${region}:000000000000:cluster/parlel-ce_Batch_`));
    expect(computeEnvironments![0].serviceRole).toMatch(new RegExp(`^arn:${partition}:iam::000000000000:role/`));
    const submitted = await batch.send(new SubmitJobCommand({ jobName: "j", jobQueue: "jq", jobDefinition: "echo" }));
    expect(submitted.jobArn).toBe(arn("batch", `job/${submitted.jobId}`));
    const { jobs } = await batch.send(new DescribeJobsCommand({ jobs: [submitted.jobId!] }));
    expect(jobs![0]).toMatchObject({ jobArn: submitted.jobArn, jobQueue: arn("batch", "job-queue/jq"), jobDefinition: arn("batch", "job-definition/echo:1") });
    expect(jobs![0].container!.taskArn).toMatch(new RegExp(`^arn:${partition}:ecs:${region}:000000000000:task/parlel-ce_Batch/[0-9a-f]{32}$`));
    expect(jobs![0].container!.containerInstanceArn).toMatch(new RegExp(`^arn:${partition}:ecs:${region}:000000000000:container-instance/parlel-ce_Batch/`));
    const policy = await batch.send(new CreateSchedulingPolicyCommand({ name: "fair" }));
    expect(policy.arn).toBe(arn("batch", "scheduling-policy/fair"));
    // The partition's ARNs are the ones that name its resources.
    await batch.send(new TagResourceCommand({ resourceArn: submitted.jobArn, tags: { team: "a" } }));
    expect((await batch.send(new ListTagsForResourceCommand({ resourceArn: submitted.jobArn }))).tags).toEqual({ team: "a" });
  });

  test("an access key id of 12 digits selects the account, and the default account is configurable", async () => {
    const fake = fakeBatch({ defaultAccountId: "111111111111" });
    const own = new BatchClient({ region: "eu-west-1", credentials, requestHandler: fake });
    const other = new BatchClient({ region: "eu-west-1", credentials: { accessKeyId: "222222222222", secretAccessKey: "x" }, requestHandler: fake });
    await fake.provision({ region: "eu-west-1", jobQueues: ["q"] });
    expect((await own.send(new DescribeJobQueuesCommand({}))).jobQueues![0].jobQueueArn).toBe("arn:aws:batch:eu-west-1:111111111111:job-queue/q");
    expect((await other.send(new DescribeJobQueuesCommand({}))).jobQueues).toEqual([]);
    expect(fake.requests.map((r) => r.partition.accountId)).toEqual(["111111111111", "222222222222"]);
  });
});
