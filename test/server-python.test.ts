import { resolve } from "node:path";
import { clientEnvironment, control, PYTHON, requireProgram, run, startServerProcess, type ServerProcess } from "./clients/server-process";

// boto3 (Debian's python3-boto3) against the compiled `parlel-batch` bin, started as `npx parlel-batch` would be.
const SCRIPT = resolve(__dirname, "clients/boto3_scenarios.py");

let server: ServerProcess;
let client: ReturnType<typeof clientEnvironment>;

beforeAll(async () => {
  await requireProgram(PYTHON, ["-c", "import boto3"], "python3-boto3");
  server = await startServerProcess(["--clock", "manual", "--seed", "boto3"]);
  client = clientEnvironment(server.url);
}, 30_000);

// Cleanup only: the shutdown itself is checked by the last test. stop() of an ended process just reports how it ended.
afterAll(async () => {
  client?.cleanup();
  await server?.stop();
});

beforeEach(async () => {
  expect((await control(server.url, "POST", "/_parlel/reset")).status).toBe(200);
});

async function scenario(name: string): Promise<any> {
  const ran = await run(PYTHON, [SCRIPT, name], client.env);
  if (ran.code !== 0) throw new Error(`boto3 scenario ${name} exited ${ran.code}:\n${ran.stderr}`);
  return JSON.parse(ran.stdout);
}

describe("boto3 against npx parlel-batch", () => {
  test("creates a compute environment, queue and job definition, then polls a job to SUCCEEDED", async () => {
    const result = await scenario("core");
    expect(result.computeEnvironment).toEqual({ computeEnvironmentName: "ce-etl", computeEnvironmentArn: "arn:aws:batch:us-east-1:000000000000:compute-environment/ce-etl" });
    expect(result.jobQueue).toEqual({ jobQueueName: "etl", jobQueueArn: "arn:aws:batch:us-east-1:000000000000:job-queue/etl" });
    expect(result.jobDefinition).toEqual({ jobDefinitionName: "etl-step", jobDefinitionArn: "arn:aws:batch:us-east-1:000000000000:job-definition/etl-step:1", revision: 1 });
    expect(result.submitted).toEqual({ jobName: "nightly-load", jobId: result.job.jobId, jobArn: `arn:aws:batch:us-east-1:000000000000:job/${result.job.jobId}` });
    // The outcome rule posted from Python makes the attempt run 5 s of the manual clock: five polls see it RUNNING.
    expect(result.statuses).toEqual(["RUNNING", "RUNNING", "RUNNING", "RUNNING", "RUNNING", "SUCCEEDED"]);
    expect(result.job.stoppedAt - result.job.startedAt).toBe(5000);
    expect(result.job.jobQueue).toBe(result.jobQueue.jobQueueArn);
    expect(result.command).toEqual(["echo", "hi"]);
    expect(result.exitCode).toBe(0);
    expect(result.logs).toEqual(["loaded 42 rows"]);
  }, 60_000);

  test("an array job of size 3 lists its children by arrayJobId", async () => {
    const result = await scenario("array");
    const id = result.parentId;
    expect(result.children).toEqual([
      [`${id}:0`, 0, "SUCCEEDED"],
      [`${id}:1`, 1, "SUCCEEDED"],
      [`${id}:2`, 2, "SUCCEEDED"],
    ]);
    expect(result.parentStatus).toBe("SUCCEEDED");
    expect(result.size).toBe(3);
    const counted = Object.entries(result.statusSummary as Record<string, number>).filter(([, count]) => count > 0);
    expect(Object.fromEntries(counted)).toEqual({ SUCCEEDED: 3 });
  }, 60_000);

  test("tags a job queue by its ARN, which botocore percent-encodes into the path", async () => {
    const result = await scenario("tags");
    const encoded = encodeURIComponent(result.arn);
    expect(result.urls).toEqual([
      `${server.url}/v1/tags/${encoded}`,
      `${server.url}/v1/tags/${encoded}`,
      `${server.url}/v1/tags/${encoded}?tagKeys=team`,
      `${server.url}/v1/tags/${encoded}`,
      `${server.url}/v1/describejobqueues`,
    ]);
    expect(result.afterTag).toEqual({ team: "data", "cost-center": "42" });
    expect(result.afterUntag).toEqual({ "cost-center": "42" });
    expect(result.queueTags).toEqual({ "cost-center": "42" });
    // The fake saw the decoded ARN, not the encoded path segment.
    const recorded = (await control(server.url, "GET", "/_parlel/requests?operation=TagResource")).json.requests;
    expect(recorded.map((r: { input: { resourceArn: string } }) => r.input.resourceArn)).toEqual([result.arn]);
  }, 60_000);

  test("paginators walk describe_job_definitions and list_jobs page by page", async () => {
    const result = await scenario("paginators");
    expect(result.definitionPages.map((page: string[]) => page.length)).toEqual([4, 2]);
    expect(result.definitionPages.flat()).toEqual([1, 2, 3, 4, 5, 6].map((n) => `arn:aws:batch:us-east-1:000000000000:job-definition/report:${n}`));
    expect(result.jobPages.map((page: string[]) => page.length)).toEqual([2, 2, 1]);
    expect([...result.jobPages.flat()].sort()).toEqual([...result.submitted].sort());
  }, 60_000);

  test("botocore retries injected throttling, and gives up at its max attempts", async () => {
    const result = await scenario("throttling");
    // The default (legacy) mode retries ThrottlingException with status 400: two failures, then success.
    expect(result.retryAttempts).toBe(2);
    // Standard mode with one retry allowed retries 429 once, then raises the error.
    expect(result.givenUp).toMatchObject({ code: "TooManyRequestsException", status: 429, retries: 1 });
    expect(result.givenUp.text).toContain("(reached max retries: 1)");
    expect(result.recorded).toEqual(["ThrottlingException", "ThrottlingException", "ok", "TooManyRequestsException", "TooManyRequestsException"]);
    // Only the call that got through submitted a job.
    expect(result.jobCount).toBe(1);
  }, 60_000);

  test("reads the state-change events of a job boto3 submitted from the Server-Sent Events stream", async () => {
    const result = await scenario("events");
    expect(result.events.map((event: any) => event.detail.status)).toEqual(["PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED"]);
    for (const event of result.events) {
      expect(event).toMatchObject({ version: "0", source: "aws.batch", "detail-type": "Batch Job State Change", account: "000000000000", region: "us-east-1" });
      expect(event.resources).toEqual([`arn:aws:batch:us-east-1:000000000000:job/${result.jobId}`]);
      expect(event.detail.jobId).toBe(result.jobId);
    }
  }, 60_000);

  test("errors arrive as botocore ClientError with the code, message and status AWS sends", async () => {
    const result = await scenario("errors");
    expect(result.queue).toEqual({
      code: "ClientException",
      message: "JobQueue nope not found.",
      status: 400,
      modelled: true,
      text: "An error occurred (ClientException) when calling the SubmitJob operation: JobQueue nope not found.",
    });
    expect(result.duplicate).toEqual({ code: "ClientException", status: 400 });
    expect(result.jobCount).toBe(0);
  }, 60_000);

  test("the logs client on the same endpoint follows a running job's log stream until the job ends", async () => {
    const result = await scenario("logs");
    expect(result.stream).toMatch(/^etl-step\/default\/[0-9a-f]{32}$/);
    expect(result.followed.flat()).toEqual(["starting", "step 1", "step 2", "step 3"]);
    // Lines arrive while the job runs; the follower stops once the job is done and the token stops changing.
    expect(result.followed[0]).toEqual(["starting"]);
    expect(result.statuses[0]).toBe("RUNNING");
    expect(result.statuses[result.statuses.length - 1]).toBe("SUCCEEDED");
    expect(result.newestStream).toEqual([result.stream]);
    expect(result.filtered).toEqual(["step 1", "step 3"]);
    expect(result.groups).toEqual(["/aws/batch/job"]);
    expect(result.missing).toEqual({ code: "ResourceNotFoundException", message: "The specified log stream does not exist.", status: 400 });
    expect(result.control).toEqual(result.followed.flat());
    const recorded = (await control(server.url, "GET", "/_parlel/requests?operation=logs:GetLogEvents")).json.requests;
    expect(recorded.length).toBe(result.followed.length + 1);
  }, 60_000);
});

// Last, since it ends the server the scenarios above used.
describe("shutdown", () => {
  test("SIGTERM after the boto3 scenarios ends npx parlel-batch by itself: exit code 0, and it says so", async () => {
    expect((await control(server.url, "GET", "/_parlel/health")).status).toBe(200);
    const ended = await server.stop();
    expect(ended).toEqual({ code: 0, signal: null });
    expect(server.output()).toContain("SIGTERM: shutting down");
    expect(server.output()).toContain("parlel-batch stopped");
    await expect(fetch(`${server.url}/_parlel/health`)).rejects.toThrow();
  }, 30_000);
});
