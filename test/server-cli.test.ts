import { BatchClient, DescribeJobsCommand, SubmitJobCommand } from "@aws-sdk/client-batch";
import { fakeBatch, type FakeBatch } from "../src";
import type { RunningServer } from "../src/server/http-server";
import { AWS, clientEnvironment, requireProgram, run } from "./clients/server-process";

// The AWS CLI (Debian's awscli) against an in-process fake served over HTTP, so the test can move its clock.
// The endpoint goes in --endpoint-url: AWS CLI before 2.13 ignores AWS_ENDPOINT_URL.

let fake: FakeBatch;
let server: RunningServer;
let client: ReturnType<typeof clientEnvironment>;

beforeAll(async () => {
  await requireProgram(AWS, ["--version"], "awscli");
  fake = fakeBatch({ clock: "manual", seed: "aws-cli" });
  server = await fake.listen({ port: 0 });
  client = clientEnvironment(server.url);
}, 30_000);

afterAll(async () => {
  client?.cleanup();
  await server?.close();
});

beforeEach(() => fake.reset());

async function aws(...args: string[]) {
  return run(AWS, ["batch", ...args, "--endpoint-url", server.url, "--output", "json"], client.env);
}

/** Runs an aws command that must succeed, and parses its JSON output. */
async function awsJson(...args: string[]): Promise<any> {
  const ran = await aws(...args);
  if (ran.code !== 0) throw new Error(`aws batch ${args.join(" ")} exited ${ran.code}:\n${ran.stderr}`);
  return ran.stdout.trim() === "" ? {} : JSON.parse(ran.stdout);
}

async function createQueue(): Promise<string> {
  await awsJson(
    "create-compute-environment",
    "--compute-environment-name",
    "ce",
    "--type",
    "MANAGED",
    "--compute-resources",
    JSON.stringify({ type: "FARGATE", maxvCpus: 8, subnets: ["subnet-1"], securityGroupIds: ["sg-1"] }),
  );
  const queue = await awsJson("create-job-queue", "--job-queue-name", "etl", "--priority", "1", "--compute-environment-order", "order=1,computeEnvironment=ce");
  return queue.jobQueueArn;
}

describe("the AWS CLI against fake.listen()", () => {
  test("creates a compute environment, queue and job definition, then describe-jobs sees the job reach SUCCEEDED", async () => {
    expect(await createQueue()).toBe("arn:aws:batch:us-east-1:000000000000:job-queue/etl");
    const definition = await awsJson(
      "register-job-definition",
      "--job-definition-name",
      "etl-step",
      "--type",
      "container",
      "--platform-capabilities",
      "FARGATE",
      "--container-properties",
      JSON.stringify({
        image: "busybox",
        command: ["echo", "hello"],
        resourceRequirements: [
          { type: "VCPU", value: "1" },
          { type: "MEMORY", value: "2048" },
        ],
        executionRoleArn: "arn:aws:iam::000000000000:role/ecsTaskExecutionRole",
      }),
    );
    expect(definition).toEqual({ jobDefinitionName: "etl-step", jobDefinitionArn: "arn:aws:batch:us-east-1:000000000000:job-definition/etl-step:1", revision: 1 });
    fake.onJob({ jobName: "nightly" }, { durationMs: 2000 });
    const submitted = await awsJson("submit-job", "--job-name", "nightly", "--job-queue", "etl", "--job-definition", "etl-step");
    expect(submitted).toEqual({ jobArn: expect.stringContaining(`:job/${submitted.jobId}`), jobName: "nightly", jobId: expect.any(String) });
    const statuses: string[] = [];
    for (let poll = 0; poll < 10; poll++) {
      const [job] = (await awsJson("describe-jobs", "--jobs", submitted.jobId)).jobs;
      statuses.push(job.status);
      if (job.status === "SUCCEEDED" || job.status === "FAILED") break;
      await fake.advance(1000);
    }
    expect(statuses).toEqual(["RUNNING", "RUNNING", "SUCCEEDED"]);
  }, 90_000);

  test("tag-resource, list-tags-for-resource and untag-resource round-trip on a queue ARN", async () => {
    const arn = await createQueue();
    expect(await awsJson("tag-resource", "--resource-arn", arn, "--tags", "team=data,tier=gold")).toEqual({});
    expect(await awsJson("list-tags-for-resource", "--resource-arn", arn)).toEqual({ tags: { team: "data", tier: "gold" } });
    expect(await awsJson("untag-resource", "--resource-arn", arn, "--tag-keys", "team")).toEqual({});
    expect(await awsJson("list-tags-for-resource", "--resource-arn", arn)).toEqual({ tags: { tier: "gold" } });
  }, 90_000);

  test("aws logs get-log-events reads and follows a job's stream on the same endpoint", async () => {
    await fake.provision({ jobQueues: ["jq"], jobDefinitions: ["etl-step"] });
    const batch = new BatchClient({ region: "us-east-1", credentials: { accessKeyId: "parlel", secretAccessKey: "parlel" }, requestHandler: fake });
    fake.onJob({}, { durationMs: 2000, logs: ["extracting", { message: "loaded 42 rows", afterMs: 1000 }] });
    const { jobId } = await batch.send(new SubmitJobCommand({ jobName: "tailed", jobQueue: "jq", jobDefinition: "etl-step" }));
    const { jobs } = await batch.send(new DescribeJobsCommand({ jobs: [jobId!] }));
    const stream = jobs![0].container!.logStreamName!;
    const logs = async (...args: string[]) => run(AWS, ["logs", ...args, "--endpoint-url", server.url, "--output", "json"], client.env);
    const first = await logs("get-log-events", "--log-group-name", "/aws/batch/job", "--log-stream-name", stream, "--start-from-head");
    expect(first.code).toBe(0);
    const page = JSON.parse(first.stdout);
    expect(page.events).toEqual([{ timestamp: fake.now(), message: "extracting", ingestionTime: fake.now() }]);
    await fake.advance(2000);
    const next = JSON.parse((await logs("get-log-events", "--log-group-name", "/aws/batch/job", "--log-stream-name", stream, "--start-from-head", "--next-token", page.nextForwardToken)).stdout);
    expect(next.events.map((event: { message: string }) => event.message)).toEqual(["loaded 42 rows"]);
    expect(fake.logs(jobId!)).toEqual(["extracting", "loaded 42 rows"]);
    const missing = await logs("get-log-events", "--log-group-name", "/aws/batch/job", "--log-stream-name", "no/such/stream");
    expect(missing.code).toBe(254);
    expect(missing.stderr.trim()).toBe("An error occurred (ResourceNotFoundException) when calling the GetLogEvents operation: The specified log stream does not exist.");
  }, 90_000);

  test("an error exits 254 with the ClientException and its message on stderr", async () => {
    const ran = await aws("submit-job", "--job-name", "orphan", "--job-queue", "nope", "--job-definition", "etl-step");
    expect(ran.code).toBe(254);
    expect(ran.stdout).toBe("");
    expect(ran.stderr.trim()).toBe("An error occurred (ClientException) when calling the SubmitJob operation: JobQueue nope not found.");
    expect(fake.requests.map((request) => request.error?.type)).toEqual(["ClientException"]);
  }, 90_000);
});
